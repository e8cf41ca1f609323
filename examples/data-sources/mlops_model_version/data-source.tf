# A given version.
data "mlops_model_version" "fraud_v2" {
  model_id = "fraud"
  version  = 2
}

# Without version: the highest version of the model.
data "mlops_model_version" "fraud_latest" {
  model_id = "fraud"
}

output "fraud_model_versions" {
  value = {
    v2 = {
      artifact_uri = data.mlops_model_version.fraud_v2.artifact_uri
      reads        = data.mlops_model_version.fraud_v2.feature_version_ids
      metrics      = data.mlops_model_version.fraud_v2.metrics
    }
    latest = data.mlops_model_version.fraud_latest.id
  }
}
