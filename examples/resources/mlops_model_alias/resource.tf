resource "mlops_model" "fraud" {
  name = "fraud"
}

# Two versions of fraud (see mlops_model_version for their lineage).
resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = ["transactions/1"]
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = ["transactions/2"]
}

# fraud@champion names the version in production. The version must be one
# of fraud's, existing in the environment or created by the same plan
# (rule A1). Promoting another version is a one-line change, made in place.
resource "mlops_model_alias" "champion" {
  model_id         = mlops_model.fraud.id
  name             = "champion"
  model_version_id = mlops_model_version.fraud_v2.id
  description      = "Serves fraud-api"
}

# The deployment serves whatever the alias names: moving the alias moves
# the deployment in the same plan, and the diff shows both.
resource "mlops_deployment" "fraud_api" {
  name             = "fraud-api"
  model_version_id = mlops_model_alias.champion.model_version_id
}
