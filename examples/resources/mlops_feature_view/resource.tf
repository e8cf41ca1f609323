# fraud_features/1 joins transactions/2 (every feature) with the account's
# age, prefixed acct_, on account_id. is_fraud is a training label: model
# versions train on it but never read it as an input.
resource "mlops_feature_view" "fraud" {
  name    = "fraud_features"
  version = 1
  sources = [
    { feature_version_id = "transactions/2" },
    { feature_version_id = "accounts/1", features = ["account_id", "age_days"], join_on = ["account_id"], prefix = "acct_" },
  ]
  labels      = ["is_fraud"]
  description = "Inputs of the fraud model"
  tags        = { team = "risk" }
}

# A model version reads the view; its inputs name the view's outputs.
resource "mlops_model_version" "fraud_v3" {
  model_id         = "fraud"
  version          = 3
  artifact_uri     = "s3://models/fraud/3"
  feature_view_ids = [mlops_feature_view.fraud.id]
  inputs           = [{ feature = "amount", type = "double" }, { feature = "acct_age_days", type = "int" }]
}

output "fraud_features_schema" {
  value = mlops_feature_view.fraud.schema # [{ name = "account_id", type = "string" }, …, { name = "acct_age_days", type = "int" }]
}
