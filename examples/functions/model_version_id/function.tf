# Model versions registered by the training stack, referred to by id without
# a registry lookup: provider::mlops::model_version_id("fraud", 2) is "fraud/2".
locals {
  fraud_stable = provider::mlops::model_version_id("fraud", 2)
  fraud_canary = provider::mlops::model_version_id("fraud", 3)
}

resource "mlops_deployment" "fraud_api" {
  name             = "fraud-api"
  model_version_id = local.fraud_stable

  canary = {
    model_version_id = local.fraud_canary
    percent          = 10
  }
}

output "fraud_api_model_version_id" {
  value = provider::mlops::model_version_id("fraud", 2) # "fraud/2"
}
