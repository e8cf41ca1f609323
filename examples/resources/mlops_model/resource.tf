# The card-fraud model. Its versions (mlops_model_version) are registered
# under it; the model can be deleted only once it has none left.
resource "mlops_model" "fraud" {
  name        = "fraud"
  description = "Card fraud scoring"
  tags        = { team = "fraud" }
}
