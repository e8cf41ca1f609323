# The risk stack, owned by the risk team: the model versions it approves in
# prod. It runs with its own actor (and, on a shared PostgreSQL registry,
# its own database role), so the team that registers models does not
# approve its own. Apply it in workspace prod.

terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  environment = terraform.workspace
  actor       = "risk-team"
}

# The versions of model fraud approved in this environment, each with the
# reason for the record.
variable "approved" {
  description = "Approved versions of model fraud: version => reason."
  type        = map(string)
  default = {
    "1" = "backtest 2026-10 signed off"
  }
}

resource "mlops_model_version_approval" "fraud" {
  for_each = var.approved

  model_version_id = provider::mlops::model_version_id("fraud", tonumber(each.key))
  status           = "approved"
  reason           = each.value
}

# Who decided on what, from the audit trail: the newest write of each
# approval.
data "mlops_audit" "fraud" {
  for_each = mlops_model_version_approval.fraud

  kind  = "model_version_approval"
  id    = each.value.id
  limit = 1
}

output "approvals" {
  value = {
    for id, a in mlops_model_version_approval.fraud :
    id => "${a.status} by ${data.mlops_audit.fraud[id].records[0].actor} at ${data.mlops_audit.fraud[id].records[0].at}, artifact ${a.artifact_digest}"
  }
}
