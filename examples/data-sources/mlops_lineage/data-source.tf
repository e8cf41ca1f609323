# What fraud-scoring serves, and the feature versions those model versions
# read.
data "mlops_lineage" "fraud" {
  deployment = "fraud-scoring"
}

# The served model versions: role (main, canary or shadow), share of the traffic,
# feature versions read, and those of them the environment lacks.
output "fraud_scoring_served" {
  value = data.mlops_lineage.fraud.model_versions
}

# The same graph as a Mermaid flowchart, for a review comment or a README:
#   terraform output -raw fraud_scoring_lineage
output "fraud_scoring_lineage" {
  value = data.mlops_lineage.fraud.mermaid
}
