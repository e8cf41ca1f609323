# A pipeline that another configuration manages.
data "mlops_pipeline" "transactions_v1" {
  name = "transactions-v1"
}

output "transactions_v1" {
  value = {
    enabled = data.mlops_pipeline.transactions_v1.enabled
    writes  = data.mlops_pipeline.transactions_v1.writes.feature_version_ids
  }
}
