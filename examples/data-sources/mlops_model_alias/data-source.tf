# The version that the model registry's configuration names fraud@champion,
# served here without managing the alias.
data "mlops_model_alias" "champion" {
  model_id = "fraud"
  name     = "champion"
}

resource "mlops_deployment" "fraud_api" {
  name             = "fraud-api"
  model_version_id = data.mlops_model_alias.champion.model_version_id
}
