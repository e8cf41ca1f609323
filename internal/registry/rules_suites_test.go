package registry

import "testing"

// These tests call the V1 checks of a whole suite directly: its own fields
// (CheckSuite) and value sets against the target feature version's types.
// suites_test.go covers each expectation on its own, the schema's columns
// and the release gates of rule D3.

func TestCheckSuite(t *testing.T) {
	data := ValidationSuite{Name: "transactions-quality", FeatureVersion: "transactions/2", IngestionPolicy: IngestionStrict,
		Expectations: []Expectation{{Type: "expect_column_to_exist", Column: "amount"}}}
	model := ValidationSuite{Name: "fraud-release-gate", Model: "fraud",
		Expectations: []Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}}}
	expectProblems(t, CheckSuite(data))
	expectProblems(t, CheckSuite(model))
	cases := []struct {
		name  string
		suite ValidationSuite
		want  []want
	}{
		{"name", ValidationSuite{Name: "Quality", Model: "fraud", Expectations: model.Expectations},
			[]want{errorAt("", Path{"name"}, "Invalid validation suite name", `"Quality"`)}},
		{"model id", ValidationSuite{Name: "gate", Model: "Fraud", Expectations: model.Expectations},
			[]want{errorAt("V1", Path{"model_id"}, "Invalid model id", `"Fraud" is not a valid model name`)}},
		{"feature version id", ValidationSuite{Name: "q", FeatureVersion: "transactions/v2", Expectations: data.Expectations},
			[]want{errorAt("V1", Path{"feature_version_id"}, "Invalid feature version id")}},
		{"two targets", ValidationSuite{Name: "q", FeatureVersion: "transactions/2", Model: "fraud", Expectations: data.Expectations},
			[]want{errorAt("V1", Path{"model_id"}, "Two targets")}},
		{"no target", ValidationSuite{Name: "q", Expectations: data.Expectations},
			[]want{errorAt("V1", Path{"feature_version_id"}, "No target")}},
		{"policy on a model suite", ValidationSuite{Name: "gate", Model: "fraud", IngestionPolicy: IngestionAlways, Expectations: model.Expectations},
			[]want{errorAt("V1", Path{"ingestion_policy"}, "Ingestion policy on a model suite")}},
		{"no expectations", ValidationSuite{Name: "q", FeatureVersion: "transactions/2"},
			[]want{errorAt("V1", Path{"expectations"}, "No expectations")}},
		{"expectations checked for the target, at their index", ValidationSuite{Name: "q", FeatureVersion: "transactions/2",
			Expectations: []Expectation{data.Expectations[0], model.Expectations[0]}},
			[]want{errorAt("V1", Path{"expectations", 1, "type"}, "Metric expectation on a data suite")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckSuite(c.suite), c.want...)
		})
	}
}

// TestCheckValueSetsAgainstSchema: a value set on a numeric column holds
// numbers only, on a boolean column true and false only; on any other
// column, any text.
func TestCheckValueSetsAgainstSchema(t *testing.T) {
	schema := fv("transactions", 2, feats("currency", "string", "amount", "double", "fee", "Decimal(10, 2)", "count", "bigint", "flag", "boolean")...)
	inSet := func(column string, values ...string) []Expectation {
		return []Expectation{{Type: "expect_column_values_to_be_in_set", Column: column, ValueSet: values}}
	}
	nonNumeric := func(j int, words ...string) want {
		return errorAt("V1", Path{"expectations", 0, FieldValueSet, j},
			append([]string{"Non-numeric value for a numeric column", "every value must be a number"}, words...)...)
	}
	cases := []struct {
		name string
		exps []Expectation
		want []want
	}{
		{"text column takes any text", inSet("currency", "EUR", "1e3", "NaN"), nil},
		{"numbers on a double", inSet("amount", "0", "-1.5", "2e10"), nil},
		{"numbers on a decimal", inSet("fee", "0.25"), nil},
		{"text on a double", inSet("amount", "1", "ten"), []want{nonNumeric(1, `value_set holds "ten", but "amount" is double in feature version transactions/2`)}},
		{"JSON numbers only", inSet("count", "NaN", "+1", "0x10"), []want{nonNumeric(0, `"NaN"`), nonNumeric(1, `"+1"`), nonNumeric(2, `"0x10"`)}},
		{"a decimal's canonical type", inSet("fee", "cheap"), []want{nonNumeric(0, `"fee" is decimal(10,2)`)}},
		{"booleans on a boolean", inSet("flag", "true", "false"), nil},
		{"other text on a boolean", inSet("flag", "true", "True", "1"), []want{
			errorAt("V1", Path{"expectations", 0, FieldValueSet, 1}, "Non-boolean value for a boolean column", `value_set holds "True", but "flag" is boolean`, "true or false"),
			errorAt("V1", Path{"expectations", 0, FieldValueSet, 2}, "Non-boolean value for a boolean column", `value_set holds "1"`),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckExpectationsAgainstSchema("transactions-quality", schema, c.exps), c.want...)
		})
	}
}
