# The platform configuration declares the policy of every environment. Its
# provider's environment may be any: a policy governs the environment it
# names, and its audit trail is kept there.
resource "mlops_environment" "dev" {
  name = "dev"
}

resource "mlops_environment" "staging" {
  name         = "staging"
  promote_from = "dev"
}

# prod: deployments come from staging (D7, then D5), serve only approved
# versions (D6) that pass the release gate fraud-release (D8), and a plan
# cannot destroy what serves there (D9).
resource "mlops_environment" "prod" {
  name             = "prod"
  promote_from     = "staging"
  require_approval = true
  required_gates   = ["fraud-release"]
  protected        = true
  description      = "Customer-facing scoring"
}
