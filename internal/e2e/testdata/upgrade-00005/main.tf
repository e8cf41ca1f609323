# Quickstart: the seed scenario. Models fraud v1 and v2 read transactions
# feature versions 1 and 2. Everything lives in the embedded registry, a
# SQLite file (mlops-registry.db) in this directory.

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  environment = "prod"
  registry = "sqlite://registry.db"
  actor = "release-bot"
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
  description = "Card transactions aggregated per account"
  tags        = { team = "fraud" }
}

# Version 1: what fraud model v1 was trained on.
resource "mlops_feature_version" "transactions_v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double", description = "sum over 1 day" },
  ]
}

# Version 2: a wider window and a merchant histogram.
resource "mlops_feature_version" "transactions_v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double", description = "sum over 7 days" },
    { name = "merchant_counts", type = "map<string, bigint>" },
  ]
}

resource "mlops_model" "fraud" {
  name        = "fraud"
  description = "Card fraud scoring"
}

# fraud v1 was trained on transactions v1 ...
resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.transactions_v1.id]
  metrics             = { auc = 0.91 }
}

# ... and fraud v2 on transactions v2, reading two of its features. Plan
# checks that both exist in transactions v2 with these types (rule M2).
resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  artifact_digest     = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  feature_version_ids = [mlops_feature_version.transactions_v2.id]
  inputs = [
    { feature = "amount_7d", type = "double" },
    { feature = "merchant_counts", type = "map<string,bigint>" },
  ]
  metrics = { auc = 0.93, recall_at_1pct_fpr = 0.41 }
}

output "lineage" {
  value = {
    (mlops_model_version.fraud_v1.id) = mlops_model_version.fraud_v1.feature_version_ids
    (mlops_model_version.fraud_v2.id) = mlops_model_version.fraud_v2.feature_version_ids
  }
}

resource "mlops_validation_suite" "gate" {
  name     = "fraud-release-gate"
  model_id = mlops_model.fraud.id
  expectations = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 }]
}

resource "mlops_validation_suite" "quality" {
  name               = "transactions-quality"
  feature_version_id = mlops_feature_version.transactions_v2.id
  expectations = [{ type = "expect_column_values_to_not_be_null", column = "account_id" }]
}

resource "mlops_model_alias" "champion" {
  model_id         = mlops_model.fraud.id
  name             = "champion"
  model_version_id = mlops_model_version.fraud_v2.id
}

resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud_v2.id
  canary           = { model_version_id = mlops_model_version.fraud_v1.id, percent = 10 }
}
