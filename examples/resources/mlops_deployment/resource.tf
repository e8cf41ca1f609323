resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
}

resource "mlops_feature_version" "transactions_v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double", description = "sum over 1 day" },
  ]
}

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

resource "mlops_model" "fraud" {
  name        = "fraud"
  description = "Card fraud scoring"
}

# fraud v1 reads transactions v1, fraud v2 reads transactions v2.
resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.transactions_v1.id]
  metrics             = { auc = 0.91 }
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  artifact_digest     = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  feature_version_ids = [mlops_feature_version.transactions_v2.id]
  metrics             = { auc = 0.93, recall_at_1pct_fpr = 0.41 }
}

# fraud v3, a challenger trained on the same features as v2.
resource "mlops_model_version" "fraud_v3" {
  model_id            = mlops_model.fraud.id
  version             = 3
  artifact_uri        = "s3://models/fraud/3"
  feature_version_ids = [mlops_feature_version.transactions_v2.id]
  metrics             = { auc = 0.94, recall_at_1pct_fpr = 0.44 }
}

# fraud-scoring serves fraud v1, and sends 10% of the traffic to fraud v2, a
# canary. A copy of 25% of the requests also goes to fraud v3, a shadow whose
# answers are discarded. Every feature version a served model version (main,
# canary or shadow) reads must exist in the provider's environment (rules
# D1, D2). Promoting the canary is an in-place change: model_version_id =
# mlops_model_version.fraud_v2.id, and no canary.
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud_v1.id
  canary = {
    model_version_id = mlops_model_version.fraud_v2.id
    percent          = 10
  }
  shadow = {
    model_version_id = mlops_model_version.fraud_v3.id
    sample_percent   = 25
  }
  replicas = { min = 2, max = 8 }

  # In a configuration promoted workspace by workspace, such as prod with
  # environment = terraform.workspace, serve only what staging serves, as
  # the same artifact (rule D5):
  #   promote_from = "staging"
}
