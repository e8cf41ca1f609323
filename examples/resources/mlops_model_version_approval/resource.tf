# In the configuration the risk team owns, with a provider of its own:
#
#   provider "mlops" {
#     environment = "prod"
#     actor       = "risk-team"
#   }
#
# The model versions are registered by another configuration (the team
# that trains and serves the models); the approval names them by id.
resource "mlops_model_version_approval" "fraud_v2" {
  model_version_id = "fraud/2"
  status           = "approved"
  reason           = "backtest 2026-11 signed off"
  # approver defaults to the provider's actor: "risk-team".
}

# A rejection is recorded the same way; a version with no approval is
# pending.
resource "mlops_model_version_approval" "fraud_v3" {
  model_version_id = "fraud/3"
  status           = "rejected"
  reason           = "recall below the 2026-11 baseline"
}
