# Who changed the fraud scoring deployment lately, and what it served before.
data "mlops_audit" "fraud_scoring" {
  kind  = "deployment"
  id    = "fraud-scoring"
  limit = 5
}

output "fraud_scoring_history" {
  value = [
    for r in data.mlops_audit.fraud_scoring.records : {
      at     = r.at
      actor  = r.actor
      action = r.action
      served = r.after == null ? null : jsondecode(r.after).model_version_id
    }
  ]
}

# A model version's history, from its create on.
data "mlops_audit" "fraud_v2" {
  kind  = "model_version"
  id    = "fraud/2"
  limit = 1000
}
