# Hand a suite managed by another configuration to a pipeline.
data "mlops_validation_suite" "transactions_quality" {
  name = "transactions-quality"
}

output "great_expectations_suite" {
  value = data.mlops_validation_suite.transactions_quality.great_expectations_json
}
