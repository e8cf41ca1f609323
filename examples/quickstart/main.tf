# Quickstart: a feature group and two versions of its schema in the embedded
# registry (a SQLite file, mlops-registry.db, in this directory).

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

output "feature_versions" {
  value = {
    v1 = mlops_feature_version.transactions_v1.schema_hash
    v2 = mlops_feature_version.transactions_v2.schema_hash
  }
}
