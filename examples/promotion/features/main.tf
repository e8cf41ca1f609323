# The feature stack: feature group transactions and its versions. It is
# promoted workspace by workspace (dev, staging, prod) against one registry
# that it shares with ../serving, which registers the models that read these
# features. The registry is given by MLOPS_REGISTRY, such as
#   export MLOPS_REGISTRY="sqlite://$PWD/mlops-registry.db"
# run from examples/promotion, so both stacks open the same file.

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

# The versions of transactions this environment gets. This release of the
# stack has versions 1 and 2; an environment still on the previous release
# has [1]. A version is removed from the list once nothing reads it any more
# (the registry refuses to delete one that a model version still reads).
variable "transactions_versions" {
  description = "Versions of the transactions feature group to manage in this environment."
  type        = set(number)
  default     = [1, 2]

  validation {
    condition     = alltrue([for v in var.transactions_versions : contains([1, 2], v)])
    error_message = "The transactions feature group has versions 1 and 2 only."
  }
}

locals {
  transactions_schemas = {
    # Version 1: what fraud model v1 was trained on.
    "1" = [
      { name = "account_id", type = "string" },
      { name = "event_ts", type = "timestamp" },
      { name = "amount_1d", type = "double", description = "sum over 1 day" },
    ]
    # Version 2: a wider window and a merchant histogram, for fraud v2.
    "2" = [
      { name = "account_id", type = "string" },
      { name = "event_ts", type = "timestamp" },
      { name = "amount_7d", type = "double", description = "sum over 7 days" },
      { name = "merchant_counts", type = "map<string, bigint>" },
    ]
  }
}

resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
  description = "Card transactions aggregated per account"
  tags        = { team = "fraud" }
}

resource "mlops_feature_version" "transactions" {
  for_each = { for v in var.transactions_versions : tostring(v) => local.transactions_schemas[tostring(v)] }

  feature_group_id = mlops_feature_group.transactions.id
  version          = tonumber(each.key)
  features         = each.value
}
