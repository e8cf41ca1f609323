# The models stack, owned by the ML team: the features, model fraud, its
# versions and its release gate, applied in every environment (the
# workspace). Registering a version and serving it are separate steps: a
# version is registered in prod first, so that the risk team can approve
# exactly that artifact, before any deployment serves it.

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  environment = terraform.workspace
  actor       = "ml-team"
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
  name        = "fraud"
  description = "Card fraud scoring"
}

resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  artifact_digest     = "sha256:5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5"
  feature_version_ids = [mlops_feature_version.transactions_v1.id]
  metrics             = { auc = 0.91 }
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  artifact_digest     = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  feature_version_ids = [mlops_feature_version.transactions_v2.id]
  metrics             = { auc = 0.93 }
}

# The release gate prod requires (required_gates): a served version's AUC
# is at least 0.9.
resource "mlops_validation_suite" "fraud_release" {
  name     = "fraud-release"
  model_id = mlops_model.fraud.id
  expectations = [
    { type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 },
  ]
}
