# The InferenceService on a cluster, with the kubernetes provider (its
# configuration: the kubeconfig, as the provider documents). With no cluster
# at hand, `terraform validate` checks the composition; kubernetes_manifest
# needs the cluster at plan, for the CRD's schema.

terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.20"
    }
  }
}

provider "kubernetes" {
  config_path = "~/.kube/config"
}

resource "kubernetes_manifest" "fraud_scoring" {
  manifest = data.mlops_kserve_inference_service.fraud.manifest
}
