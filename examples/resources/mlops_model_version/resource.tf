resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
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

# fraud v2, trained on transactions v2. The artifact, the feature versions
# and the inputs are what the version was trained on: changing any of them
# replaces the version, so a retrained model is declared as a new version.
# Metrics, description and tags change in place.
resource "mlops_model_version" "fraud_v2" {
  model_id        = mlops_model.fraud.id
  version         = 2
  artifact_uri    = "s3://models/fraud/2"
  artifact_digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

  # The lineage: the feature versions the model reads. Every one must exist
  # in the provider's environment (rule M1). A feature version that another
  # configuration manages is referenced by its id, written out as
  #   provider::mlops::feature_version_id("transactions", 2)
  # which plan checks against the registry.
  feature_version_ids = [mlops_feature_version.transactions_v2.id]

  # The features the model reads, in its input order; unset, every feature
  # of the listed versions. Each must be a feature of those versions with
  # the same type (rule M2); a feature found in two of them is written
  # group.feature, such as "transactions.amount_7d".
  inputs = [
    { feature = "amount_7d", type = "double" },
    { feature = "merchant_counts", type = "map<string,bigint>" },
  ]

  # Kept exactly as written.
  metrics = { auc = 0.93, recall_at_1pct_fpr = 0.41 }

  description = "Trained on transactions v2 (7-day window)"
}
