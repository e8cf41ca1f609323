# A deployment that another configuration manages.
data "mlops_deployment" "fraud" {
  name = "fraud-scoring"
}

output "fraud_scoring" {
  value = {
    serves   = data.mlops_deployment.fraud.model_version_id
    canary   = data.mlops_deployment.fraud.canary
    status   = data.mlops_deployment.fraud.status
    replicas = data.mlops_deployment.fraud.replicas
  }
}
