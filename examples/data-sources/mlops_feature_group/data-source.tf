# A feature group that another configuration manages.
data "mlops_feature_group" "transactions" {
  name = "transactions"
}

output "transactions_keys" {
  value = {
    primary_key = data.mlops_feature_group.transactions.primary_key
    event_time  = data.mlops_feature_group.transactions.event_time
  }
}
