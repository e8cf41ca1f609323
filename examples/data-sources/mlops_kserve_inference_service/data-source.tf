# fraud-scoring as a KServe InferenceService in namespace fraud.
data "mlops_kserve_inference_service" "fraud" {
  deployment_id = "fraud-scoring"
  namespace     = "fraud"
  predictor = {
    model_format = "xgboost"
    resources = {
      requests = { cpu = "500m", memory = "1Gi" }
      limits   = { memory = "2Gi" }
    }
  }
  service_account = "models-reader"
}

# Applied with the kubernetes provider:
resource "kubernetes_manifest" "fraud_scoring" {
  manifest = data.mlops_kserve_inference_service.fraud.manifest
}

# Or written out for kubectl or a GitOps repository:
#   terraform output -raw fraud_scoring_inference_service > fraud-scoring.yaml
output "fraud_scoring_inference_service" {
  value = data.mlops_kserve_inference_service.fraud.yaml
}
