resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
}

resource "mlops_feature_version" "transactions_v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double", description = "sum over 7 days" },
    { name = "channel", type = "string" },
  ]
}

# A data suite: Great Expectations' expectation types and kwargs, checked
# against the feature version's schema at plan (rule V1). Its
# great_expectations_json is the suite in Great Expectations 1.x's
# ExpectationSuite JSON, for the ingestion pipeline to run as it is
# (gx.ExpectationSuite(**json.loads(...))); great_expectations_json_v0 is
# the same suite for Great Expectations 0.18.
resource "mlops_validation_suite" "transactions_quality" {
  name               = "transactions-quality"
  feature_version_id = mlops_feature_version.transactions_v2.id
  ingestion_policy   = "strict"
  expectations = [
    { type = "expect_column_values_to_not_be_null", column = "account_id" },
    { type = "expect_column_values_to_be_unique", column = "account_id", mostly = 0.99 },
    { type = "expect_column_values_to_be_between", column = "amount_7d", min_value = 0 },
    { type = "expect_column_values_to_be_in_set", column = "channel", value_set = ["web", "pos", "atm"], severity = "warning" },
    { type = "expect_table_row_count_to_be_between", min_value = 1000 },
  ]
}

resource "mlops_model" "fraud" {
  name = "fraud"
}

# A model suite: release gates on the metrics of the model's versions.
# Every deployment change that would serve a version failing an "error"
# gate is refused at plan (rule D3); a "warning" gate warns.
resource "mlops_validation_suite" "fraud_release_gate" {
  name     = "fraud-release-gate"
  model_id = mlops_model.fraud.id
  expectations = [
    { type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 },
    { type = "expect_metric_to_be_at_least", metric = "recall_at_1pct_fpr", min_value = 0.4, severity = "warning" },
  ]
}

output "transactions_quality_suite" {
  value = mlops_validation_suite.transactions_quality.great_expectations_json
}
