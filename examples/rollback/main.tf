# Rollback readiness: fraud-scoring serves fraud/2 and names fraud/1 as its
# rollback version. fraud/1 could only take the traffic back if the feature
# version it reads, transactions/1, is still kept up to date: the registry
# knows it is, because an enabled feature pipeline, transactions-v1, writes
# it. While the deployment names fraud/1 as its rollback, plan refuses to
# disable or delete that pipeline (rule D10).

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

variable "serve" {
  description = "Version of model fraud that fraud-scoring serves."
  type        = number
  default     = 2
}

variable "rollback" {
  description = "Version of model fraud that fraud-scoring falls back to; empty for none."
  type        = string
  default     = "1"
}

variable "v1_pipeline" {
  description = "The feature pipeline of transactions v1: enabled, disabled or retired (removed)."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "disabled", "retired"], var.v1_pipeline)
    error_message = "v1_pipeline is enabled, disabled or retired."
  }
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
}

resource "mlops_feature_version" "transactions" {
  for_each = { "1" = "amount_1d", "2" = "amount_7d" }

  feature_group_id = mlops_feature_group.transactions.id
  version          = tonumber(each.key)
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = each.value, type = "double" },
  ]
}

# One feature pipeline per feature version: each keeps its version's
# features up to date.
resource "mlops_pipeline" "transactions" {
  for_each = var.v1_pipeline == "retired" ? toset(["2"]) : toset(["1", "2"])

  name     = "transactions-v${each.key}"
  kind     = "feature"
  enabled  = each.key == "2" || var.v1_pipeline == "enabled"
  schedule = "*/15 * * * *"
  code     = { repository = "https://git.example.com/features", ref = "a1b2c3d" }
  writes   = { feature_version_ids = [mlops_feature_version.transactions[each.key].id] }
}

resource "mlops_model" "fraud" {
  name = "fraud"
}

# The training pipeline reads both feature versions and writes fraud's
# versions.
resource "mlops_pipeline" "fraud_training" {
  name     = "fraud-training"
  kind     = "training"
  schedule = "0 3 * * 1"
  code     = { repository = "https://git.example.com/training", ref = "9f8e7d6" }
  reads    = { feature_version_ids = [for v in mlops_feature_version.transactions : v.id] }
  writes   = { model_id = mlops_model.fraud.id }
}

resource "mlops_model_version" "fraud" {
  for_each = toset(["1", "2"])

  model_id            = mlops_model.fraud.id
  version             = tonumber(each.key)
  artifact_uri        = "s3://models/fraud/${each.key}"
  feature_version_ids = [mlops_feature_version.transactions[each.key].id]
}

resource "mlops_deployment" "fraud" {
  name                      = "fraud-scoring"
  model_version_id          = mlops_model_version.fraud[tostring(var.serve)].id
  rollback_model_version_id = var.rollback == "" ? null : mlops_model_version.fraud[var.rollback].id

  # The rollback version's features must be written by an enabled feature
  # pipeline when the deployment is written: create the pipelines first.
  depends_on = [mlops_pipeline.transactions]
}
