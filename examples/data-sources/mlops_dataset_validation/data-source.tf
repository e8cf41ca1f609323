# Run the data suite of transactions v2 on the latest extract, in a check
# block: a failing suite (or a missing file) warns at plan and apply, it
# does not stop them.
check "transactions_extract" {
  data "mlops_dataset_validation" "extract" {
    suite = "transactions-quality"
    path  = "${path.module}/data/transactions.parquet"
    # format = "parquet"  # optional: csv, jsonl or parquet; default from the extension
  }

  assert {
    condition = data.mlops_dataset_validation.extract.success
    error_message = format("transactions.parquet fails suite transactions-quality: %s",
      join("; ", [
        for r in data.mlops_dataset_validation.extract.results :
        "${r.type}(${coalesce(r.column, "table")}): ${r.observed_value}" if !r.success && r.severity == "error"
    ]))
  }
}

# Outside a check block the results can feed other configuration: here, the
# failures of a CSV sample.
data "mlops_dataset_validation" "sample" {
  suite = "transactions-quality"
  path  = "${path.module}/data/sample.csv"
  # CSV null markers; unset: pandas' defaults (NA, N/A, NULL, null, NaN, "", ...).
  null_values = ["", "-"]
}

output "sample_validation" {
  value = {
    success   = data.mlops_dataset_validation.sample.success
    row_count = data.mlops_dataset_validation.sample.row_count
    failed = [
      for r in data.mlops_dataset_validation.sample.results :
      { type = r.type, column = r.column, observed = r.observed_value, unexpected_percent = r.unexpected_percent } if !r.success
    ]
  }
}
