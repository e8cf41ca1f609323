# The serving stack: the alias champion and the deployment fraud-scoring,
# which serves whatever champion points at. It is promoted workspace by
# workspace, dev, staging, prod; each plan is checked against the policy of
# its environment (../platform) and the approvals there (../risk).

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  environment = terraform.workspace
  actor       = "ml-team"
}

# The version of model fraud to serve: 2 in this release.
variable "champion" {
  description = "Version of model fraud that the alias champion points at, and fraud-scoring serves."
  type        = number
  default     = 2
}

resource "mlops_model_alias" "champion" {
  model_id         = "fraud"
  name             = "champion"
  model_version_id = provider::mlops::model_version_id("fraud", var.champion)
}

# No promote_from: the environment's policy names where its deployments
# come from (rule D7).
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_alias.champion.model_version_id
  replicas         = { min = 2, max = 8 }
}
