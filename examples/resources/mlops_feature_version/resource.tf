resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
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

# Version 2: a wider window and more features. Version 1 stays as long as
# something reads it.
resource "mlops_feature_version" "transactions_v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  description      = "7-day window"
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double", description = "sum over 7 days" },
    { name = "avg_amount_7d", type = "decimal(12,2)" },
    { name = "merchant_counts", type = "map<string, bigint>" },
    # Case and spaces are not significant: "Array< INT >" and "array<int>"
    # are the same type. The spelling is kept as written.
    { name = "hourly_counts", type = "array<int>", description = "transactions per hour over the last 24 hours" },
  ]
}
