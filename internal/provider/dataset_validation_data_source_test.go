package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/dataset"
)

// datasetSuites are a data suite on transactions v2 (every data
// expectation type) and a model suite, next to the seed.
const datasetSuites = `
resource "mlops_validation_suite" "quality" {
  name               = "transactions-quality"
  feature_version_id = mlops_feature_version.v2.id
  expectations = [
    { type = "expect_column_to_exist", column = "account_id" },
    { type = "expect_column_values_to_not_be_null", column = "account_id", mostly = 0.8 },
    { type = "expect_column_values_to_be_unique", column = "account_id" },
    { type = "expect_column_values_to_be_between", column = "amount_7d", min_value = 0, max_value = 1000 },
    { type = "expect_column_values_to_match_regex", column = "account_id", regex = "^acc-", severity = "warning" },
    { type = "expect_column_mean_to_be_between", column = "amount_7d", min_value = 0, max_value = 1000 },
    { type = "expect_table_row_count_to_be_between", min_value = 1, max_value = 10 },
    { type = "expect_column_values_to_be_in_set", column = "event_ts", value_set = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"], mostly = 0.3 },
  ]
}
resource "mlops_validation_suite" "gate" {
  name     = "fraud-gate"
  model_id = mlops_model.fraud.id
  expectations = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 }]
}
`

// The same six rows as CSV and as JSON Lines: a null account_id (a missing
// key in JSON), a repeated one, one that does not match ^acc-; amount_7d
// with a value out of range, a null, NaN (absent in JSON) and text.
const transactionsCSV = `account_id,event_ts,amount_7d
acc-1,2024-01-01T00:00:00Z,10
acc-2,2024-01-02T00:00:00Z,20.5
acc-2,2024-01-03T00:00:00Z,
,2024-01-04T00:00:00Z,2000
acc-5,2024-01-05T00:00:00Z,NaN
bad-6,2024-01-06T00:00:00Z,abc
`

const transactionsJSONL = `{"account_id": "acc-1", "event_ts": "2024-01-01T00:00:00Z", "amount_7d": 10}
{"account_id": "acc-2", "event_ts": "2024-01-02T00:00:00Z", "amount_7d": 20.5}
{"account_id": "acc-2", "event_ts": "2024-01-03T00:00:00Z", "amount_7d": null}
{"event_ts": "2024-01-04T00:00:00Z", "amount_7d": 2000}
{"account_id": "acc-5", "event_ts": "2024-01-05T00:00:00Z"}
{"account_id": "bad-6", "event_ts": "2024-01-06T00:00:00Z", "amount_7d": "abc"}
`

func resultCheck(index int64, typ, column, severity string, success bool, observed string, missing, unexpected int64, percent float64) knownvalue.Check {
	var col knownvalue.Check = knownvalue.Null()
	if column != "" {
		col = knownvalue.StringExact(column)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"index": knownvalue.Int64Exact(index), "type": knownvalue.StringExact(typ), "column": col,
		"severity": knownvalue.StringExact(severity), "success": knownvalue.Bool(success),
		"observed_value": knownvalue.StringExact(observed), "element_count": knownvalue.Int64Exact(6),
		"missing_count": knownvalue.Int64Exact(missing), "unexpected_count": knownvalue.Int64Exact(unexpected),
		"unexpected_percent": knownvalue.Float64Exact(percent),
	})
}

// expectedResults are the results of datasetSuites' data suite on the six
// rows, whichever the format.
func expectedResults() knownvalue.Check {
	pct := func(n, of float64) float64 { return n / of * 100 }
	return knownvalue.ListExact([]knownvalue.Check{
		resultCheck(0, "expect_column_to_exist", "account_id", "error", true, "column present", 0, 0, 0),
		// 5 of 6 rows have one: 5/6 >= 0.8.
		resultCheck(1, "expect_column_values_to_not_be_null", "account_id", "error", true, "1 null value", 1, 1, pct(1, 6)),
		// Both acc-2 are unexpected, of 5 non-null values.
		resultCheck(2, "expect_column_values_to_be_unique", "account_id", "error", false, "2 non-unique values", 1, 2, pct(2, 5)),
		// Non-null: 10, 20.5, 2000, "abc" (null: the empty field and NaN).
		resultCheck(3, "expect_column_values_to_be_between", "amount_7d", "error", false, "1 value out of range, 1 non-numeric value", 2, 2, pct(2, 4)),
		resultCheck(4, "expect_column_values_to_match_regex", "account_id", "warning", false, "1 value not matching", 1, 1, pct(1, 5)),
		resultCheck(5, "expect_column_mean_to_be_between", "amount_7d", "error", false,
			dataset.FormatNumber((10+20.5+2000)/3.0)+" (1 non-numeric value)", 2, 1, pct(1, 4)),
		resultCheck(6, "expect_table_row_count_to_be_between", "", "error", true, "6", 0, 0, 0),
		// 2 of 6 timestamps are in the set: 2/6 >= 0.3.
		resultCheck(7, "expect_column_values_to_be_in_set", "event_ts", "error", true, "4 values not in the set", 0, 4, pct(4, 6)),
	})
}

func TestAccDatasetValidation(t *testing.T) {
	reg := newTestRegistry(t)
	dir := t.TempDir()
	csvPath, jsonlPath := filepath.Join(dir, "transactions.csv"), filepath.Join(dir, "transactions.data")
	if err := os.WriteFile(csvPath, []byte(transactionsCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonlPath, []byte(transactionsJSONL), 0o600); err != nil {
		t.Fatal(err)
	}
	base := seedModels + datasetSuites
	validation := func(body string) string { return reg.config(base + body) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(base)},
			{
				// A failing check is a warning: apply succeeds, and state
				// records success = false.
				Config: validation(fmt.Sprintf(`
data "mlops_dataset_validation" "csv" {
  suite = mlops_validation_suite.quality.name
  path  = %q
}
data "mlops_dataset_validation" "jsonl" {
  suite  = "transactions-quality"
  path   = %q
  format = "jsonl"
}
data "mlops_dataset_validation" "csv_no_nulls" {
  suite       = "transactions-quality"
  path        = %[1]q
  null_values = []
}
check "transactions_data" {
  assert {
    condition     = data.mlops_dataset_validation.csv.success
    error_message = "transactions.csv fails validation suite transactions-quality"
  }
}
`, csvPath, jsonlPath)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("row_count"), knownvalue.Int64Exact(6)),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("format"), knownvalue.StringExact("csv")),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("feature_version_id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("results"), expectedResults()),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.jsonl", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.jsonl", tfjsonpath.New("row_count"), knownvalue.Int64Exact(6)),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.jsonl", tfjsonpath.New("results"), expectedResults()),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv", tfjsonpath.New("null_values"), knownvalue.Null()),
					// Without null markers the empty account_id is the text "".
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv_no_nulls", tfjsonpath.New("null_values"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv_no_nulls", tfjsonpath.New("results").AtSliceIndex(1).AtMapKey("observed_value"), knownvalue.StringExact("0 null values")),
					statecheck.ExpectKnownValue("data.mlops_dataset_validation.csv_no_nulls", tfjsonpath.New("results").AtSliceIndex(4).AtMapKey("unexpected_count"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"transactions-quality\"\n  path = %q\n}\n", filepath.Join(dir, "missing.csv"))),
				ExpectError: errorRE("Dataset file not found", `validation suite "transactions-quality" on`, "missing.csv", "does not exist"),
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"nope\"\n  path = %q\n}\n", csvPath)),
				ExpectError: errorRE("No such validation suite", `validation suite "nope" does not exist in environment "default"`),
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"fraud-gate\"\n  path = %q\n}\n", csvPath)),
				ExpectError: errorRE("Not a data suite", `Validation suite "fraud-gate" targets model "fraud"`),
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"transactions-quality\"\n  path = %q\n}\n", jsonlPath)),
				ExpectError: errorRE("Unknown dataset format", `from its extension ".data"`),
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"transactions-quality\"\n  path = %q\n  format = \"xlsx\"\n}\n", csvPath)),
				ExpectError: errorRE(`value must be one of`, `"csv"`, `"jsonl"`, `"parquet"`),
			},
			{
				Config:      validation(fmt.Sprintf("data \"mlops_dataset_validation\" \"x\" {\n  suite = \"transactions-quality\"\n  path = %q\n  format = \"parquet\"\n}\n", csvPath)),
				ExpectError: errorRE("Cannot read dataset file", "as PARQUET", "not a readable Parquet file"),
			},
		},
	})
}
