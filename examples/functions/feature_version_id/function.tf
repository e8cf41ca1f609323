# Feature versions owned by the feature-engineering stack, referred to by id
# without a registry lookup: provider::mlops::feature_version_id("transactions", 2)
# is "transactions/2".
locals {
  transactions_v2  = provider::mlops::feature_version_id("transactions", 2)
  user_profiles_v1 = provider::mlops::feature_version_id("user_profiles", 1)
}

resource "mlops_model_version" "fraud_v3" {
  model_id            = "fraud"
  version             = 3
  artifact_uri        = "s3://models/fraud/3"
  feature_version_ids = [local.transactions_v2, local.user_profiles_v1]
}

output "fraud_v3_feature_version_ids" {
  value = [local.transactions_v2, local.user_profiles_v1] # ["transactions/2", "user_profiles/1"]
}
