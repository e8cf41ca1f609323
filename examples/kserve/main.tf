# A deployment rendered as a KServe InferenceService. This file is the mlops
# side: the seed scenario (fraud v1 and v2 reading transactions v1 and v2),
# a deployment of fraud v1 with fraud v2 as a 10% canary, and its
# InferenceService. kubernetes.tf applies it with the kubernetes provider's
# kubernetes_manifest; `terraform output -raw inference_service_yaml` gives
# the same document for kubectl or a GitOps repository.

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  environment = terraform.workspace
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
}

resource "mlops_feature_version" "transactions_v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double" },
  ]
}

resource "mlops_feature_version" "transactions_v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double" },
  ]
}

resource "mlops_model" "fraud" {
  name = "fraud"
}

resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.transactions_v1.id]
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = [mlops_feature_version.transactions_v2.id]
}

# KServe rolls a canary out as a new revision of the predictor: apply the
# deployment without a canary first (fraud v1 rolls out with all the
# traffic), then add the canary (fraud v2 becomes the latest revision and
# takes 10%; fraud v1's revision keeps 90%). Promote by making fraud v2
# model_version_id and removing the canary: canaryTrafficPercent goes away
# and KServe sends everything to the latest revision.
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud_v1.id
  canary = {
    model_version_id = mlops_model_version.fraud_v2.id
    percent          = 10
  }
  replicas = { min = 1, max = 4 }
}

data "mlops_kserve_inference_service" "fraud" {
  deployment_id = mlops_deployment.fraud.id
  namespace     = "fraud"
  predictor = {
    model_format = "xgboost"
    runtime      = "kserve-xgbserver"
    resources = {
      requests = { cpu = "500m", memory = "1Gi" }
      limits   = { memory = "2Gi" }
    }
  }
  service_account = "models-reader"
  labels          = { team = "risk" }
  annotations     = { "serving.kserve.io/deploymentMode" = "Serverless" }
}

output "inference_service_yaml" {
  value = data.mlops_kserve_inference_service.fraud.yaml
}
