# Card transactions, aggregated per account. Every version of the group's
# schema must include the primary key and the event-time feature.
resource "mlops_feature_group" "transactions" {
  name           = "transactions"
  primary_key    = ["account_id"]
  event_time     = "event_ts"
  online_enabled = true
  description    = "Card transactions aggregated per account"
  tags           = { team = "fraud" }
}
