# A model that another configuration manages.
data "mlops_model" "fraud" {
  name = "fraud"
}

output "fraud_model" {
  value = {
    id          = data.mlops_model.fraud.id
    description = data.mlops_model.fraud.description
    created_at  = data.mlops_model.fraud.created_at
  }
}
