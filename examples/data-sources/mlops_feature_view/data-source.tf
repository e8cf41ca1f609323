# The highest version of the view, as another configuration manages it.
data "mlops_feature_view" "fraud" {
  name = "fraud_features"
}

# A given version.
data "mlops_feature_view" "fraud_v1" {
  name    = "fraud_features"
  version = 1
}

output "fraud_features" {
  value = {
    id     = data.mlops_feature_view.fraud.id
    schema = data.mlops_feature_view.fraud.schema
    labels = data.mlops_feature_view.fraud.labels
  }
}
