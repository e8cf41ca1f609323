# The platform stack: what each environment requires of the deployments in
# it. It is applied once, from any workspace: an environment's policy is
# not namespaced by the provider's environment, and the environments it
# names need not be this provider's own.

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  actor = "platform-team"
}

resource "mlops_environment" "dev" {
  name        = "dev"
  description = "Anything registered may be served here."
}

resource "mlops_environment" "staging" {
  name         = "staging"
  promote_from = "dev"
  description  = "Serves only what dev serves (rule D7)."
}

resource "mlops_environment" "prod" {
  name             = "prod"
  promote_from     = "staging"
  require_approval = true
  required_gates   = ["fraud-release"]
  protected        = true
  description      = "Serves what staging serves, approved by the risk team, passing the release gate; nothing served is destroyed."
}
