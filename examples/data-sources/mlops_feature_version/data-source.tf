# A given version.
data "mlops_feature_version" "transactions_v1" {
  feature_group_id = "transactions"
  version          = 1
}

# Without version: the highest version that is not deprecated.
data "mlops_feature_version" "transactions_latest" {
  feature_group_id = "transactions"
}

output "transactions_feature_versions" {
  value = {
    v1     = data.mlops_feature_version.transactions_v1.schema_hash
    latest = data.mlops_feature_version.transactions_latest.id
  }
}
