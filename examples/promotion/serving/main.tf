# The serving stack: model fraud, its versions and the deployment
# fraud-scoring. Its model versions read feature versions that ../features
# manages, in the same registry (MLOPS_REGISTRY) and the same environment
# (the workspace). They are referenced by id, so `terraform plan` checks them
# against what the environment being planned holds, and refuses what it
# lacks.

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

# The versions of fraud this environment registers: 1 and 2 in this
# release; an environment still on the previous release has [1].
variable "fraud_versions" {
  description = "Versions of model fraud to register in this environment."
  type        = set(number)
  default     = [1, 2]

  validation {
    condition     = alltrue([for v in var.fraud_versions : contains([1, 2], v)])
    error_message = "Model fraud has versions 1 and 2 only."
  }
}

# The version fraud-scoring serves: 2 in this release, 1 to roll back.
variable "fraud_version" {
  description = "Version of model fraud that the deployment fraud-scoring serves."
  type        = number
  default     = 2

  validation {
    condition     = contains(var.fraud_versions, var.fraud_version)
    error_message = "The deployment can serve only a version listed in fraud_versions."
  }
}

locals {
  # Each version of fraud: its artifact, the feature versions it was trained
  # on (managed by ../features, hence written as ids) and its evaluation.
  fraud = {
    "1" = {
      artifact_uri        = "s3://models/fraud/1"
      artifact_digest     = null
      feature_version_ids = [provider::mlops::feature_version_id("transactions", 1)]
      inputs              = null # every feature of transactions v1
      metrics             = { auc = 0.91 }
    }
    "2" = {
      artifact_uri        = "s3://models/fraud/2"
      artifact_digest     = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
      feature_version_ids = [provider::mlops::feature_version_id("transactions", 2)]
      inputs = [
        { feature = "amount_7d", type = "double" },
        { feature = "merchant_counts", type = "map<string,bigint>" },
      ]
      metrics = { auc = 0.93, recall_at_1pct_fpr = 0.41 }
    }
  }
}

resource "mlops_model" "fraud" {
  name        = "fraud"
  description = "Card fraud scoring"
}

resource "mlops_model_version" "fraud" {
  for_each = { for v in var.fraud_versions : tostring(v) => local.fraud[tostring(v)] }

  model_id            = mlops_model.fraud.id
  version             = tonumber(each.key)
  artifact_uri        = each.value.artifact_uri
  artifact_digest     = each.value.artifact_digest
  feature_version_ids = each.value.feature_version_ids
  inputs              = each.value.inputs
  metrics             = each.value.metrics
}

resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud[tostring(var.fraud_version)].id
  replicas         = { min = 2, max = 8 }

  # staging serves only what dev serves, and prod only what staging serves,
  # as the same artifact (rule D5).
  promote_from = lookup({ staging = "dev", prod = "staging" }, terraform.workspace, null)
}

# What fraud-scoring serves and the feature versions those read, as a
# Mermaid diagram for the review.
data "mlops_lineage" "fraud" {
  deployment = mlops_deployment.fraud.name
}

output "lineage" {
  value = data.mlops_lineage.fraud.mermaid
}
