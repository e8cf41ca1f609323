# A feature pipeline keeps transactions/1 up to date every 15 minutes.
resource "mlops_pipeline" "transactions_v1" {
  name     = "transactions-v1"
  kind     = "feature"
  schedule = "*/15 * * * *"
  code     = { repository = "https://git.example.com/features", ref = "a1b2c3d" }
  writes   = { feature_version_ids = ["transactions/1"] }
}

# A training pipeline reads feature versions and writes versions of fraud.
resource "mlops_pipeline" "fraud_training" {
  name     = "fraud-training"
  kind     = "training"
  schedule = "0 3 * * 1"
  code     = { image = "registry.example.com/fraud-training:1.4" }
  reads    = { feature_version_ids = ["transactions/1", "transactions/2"] }
  writes   = { model_id = "fraud" }
}

# An inference pipeline scores a batch through a deployment each night.
resource "mlops_pipeline" "fraud_batch" {
  name        = "fraud-batch"
  kind        = "inference"
  schedule    = "0 1 * * *"
  reads       = { deployment_id = "fraud-scoring" }
  description = "Scores yesterday's transactions"
}
