package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// This file tests validation suites: rule V1 on its own and against a
// feature version's schema, the write path, F2 for suite targets, the Great
// Expectations JSON, and the release gates of rule D3.

// suiteProblem finds the one problem whose text holds every word and checks
// its rule, severity and path.
func vsProblem(t *testing.T, ps registry.Problems, rule string, sev registry.Severity, path registry.Path, words ...string) {
	t.Helper()
	var hits []registry.Problem
	for _, p := range ps {
		text := p.Summary + ": " + p.Detail
		all := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			hits = append(hits, p)
		}
	}
	if len(hits) != 1 {
		t.Fatalf("want one problem saying %q, got %d among:\n%s", words, len(hits), vsDump(ps))
	}
	p := hits[0]
	if p.Rule != rule {
		t.Errorf("problem %q: rule %q, want %q", p, p.Rule, rule)
	}
	if p.Severity != sev {
		t.Errorf("problem %q: severity %v, want %v", p, p.Severity, sev)
	}
	if !reflect.DeepEqual(p.Path, path) {
		t.Errorf("problem %q: path %#v, want %#v", p, p.Path, path)
	}
}

func vsDump(ps registry.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestSuiteCheckExpectationV1(t *testing.T) {
	const data, model = registry.TargetData, registry.TargetModel
	at := func(i int, field string) registry.Path { return registry.Path{"expectations", i, field} }
	cases := []struct {
		name   string
		e      registry.Expectation
		target string
		path   registry.Path
		words  []string
	}{
		{"unknown type", registry.Expectation{Type: "expect_column_values_to_be_positive", Column: "amount"}, data, at(0, "type"),
			[]string{"Unknown expectation type", `"expect_column_values_to_be_positive" is not an expectation type`, "expect_column_values_to_not_be_null", "expect_metric_to_be_at_least"}},
		{"field not taken", registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", MinValue: "0"}, data, at(0, "min_value"),
			[]string{"Field not taken by this expectation", "expect_column_values_to_not_be_null does not take min_value", "it takes column, mostly (and severity)"}},
		{"metric on a data expectation", registry.Expectation{Type: "expect_column_to_exist", Column: "amount", Metric: "auc"}, data, at(0, "metric"),
			[]string{"Field not taken", "expect_column_to_exist does not take metric"}},
		{"missing column", registry.Expectation{Type: "expect_column_values_to_be_unique"}, data, registry.Path{"expectations", 0},
			[]string{"Missing field", "expect_column_values_to_be_unique needs column"}},
		{"missing value_set", registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "amount"}, data, registry.Path{"expectations", 0},
			[]string{"Missing field", "needs value_set"}},
		{"missing metric", registry.Expectation{Type: "expect_metric_to_be_at_least", MinValue: "0.9"}, model, registry.Path{"expectations", 0},
			[]string{"Missing field", "expect_metric_to_be_at_least needs metric"}},
		{"between without bounds", registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount"}, data, registry.Path{"expectations", 0},
			[]string{"Missing bound", "expect_column_values_to_be_between needs min_value or max_value"}},
		{"row count without bounds", registry.Expectation{Type: "expect_table_row_count_to_be_between"}, data, registry.Path{"expectations", 0},
			[]string{"Missing bound", "needs min_value or max_value"}},
		{"mostly below 0", registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "-0.1"}, data, at(0, "mostly"),
			[]string{"Invalid mostly", "between 0 and 1", "got -0.1"}},
		{"mostly above 1", registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "1.5"}, data, at(0, "mostly"),
			[]string{"Invalid mostly", "got 1.5"}},
		{"mostly not a number", registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "most"}, data, at(0, "mostly"),
			[]string{"Invalid number", `mostly "most" is not a number`}},
		{"regex does not compile", registry.Expectation{Type: "expect_column_values_to_match_regex", Column: "account_id", Regex: "("}, data, at(0, "regex"),
			[]string{"Invalid regex", `regex "(" does not compile (Python re syntax as Go's RE2 runs it`, "missing closing )"}},
		{"bounds out of order", registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: "10", MaxValue: "1"}, data, at(0, "max_value"),
			[]string{"Bounds out of order", "max_value (1) is below min_value (10)"}},
		{"metric gate on a data suite", registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}, data, at(0, "type"),
			[]string{"Metric expectation on a data suite", "expect_metric_to_be_at_least checks a model's metric", "model_id"}},
		{"data expectation on a model suite", registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount"}, model, at(0, "type"),
			[]string{"Data expectation on a model suite", "feature_version_id"}},
		{"bad severity", registry.Expectation{Type: "expect_column_to_exist", Column: "amount", Severity: "fatal"}, data, at(0, "severity"),
			[]string{"Invalid severity", `severity "fatal" must be "error" (refuses) or "warning" (warns)`}},
		{"empty value_set", registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "currency", ValueSet: []string{}}, data, at(0, "value_set"),
			[]string{"Empty value set", "at least one value"}},
		{"bad metric name", registry.Expectation{Type: "expect_metric_to_be_at_most", Metric: "9lives", MaxValue: "1"}, model, at(0, "metric"),
			[]string{"Invalid metric name", `"9lives"`}},
		{"bad column name", registry.Expectation{Type: "expect_column_to_exist", Column: "Amount-EUR"}, data, at(0, "column"),
			[]string{"Invalid column", `"Amount-EUR" is not a feature name`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := registry.CheckExpectation(0, c.e, c.target)
			if !ps.HasErrors() {
				t.Fatalf("CheckExpectation(%+v) found nothing", c.e)
			}
			vsProblem(t, ps, "V1", registry.SeverityError, c.path, c.words...)
		})
	}

	// Numbers are decimal text as JSON (and Terraform) write them: anything
	// else would make the Great Expectations JSON unrenderable.
	for _, text := range []string{"NaN", "Inf", "-Inf", "+1", ".5", "1.", "01", "0x1p4", "1_000", "zero"} {
		ps := registry.CheckExpectation(0, registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: text}, data)
		vsProblem(t, ps, "V1", registry.SeverityError, at(0, "min_value"), "Invalid number", `min_value "`+text+`" is not a number`)
		ps = registry.CheckExpectation(0, registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: text}, data)
		vsProblem(t, ps, "V1", registry.SeverityError, at(0, "mostly"), "Invalid number", `mostly "`+text+`" is not a number`)
	}

	// The index lands in the path.
	ps := registry.CheckExpectation(3, registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "2"}, data)
	vsProblem(t, ps, "V1", registry.SeverityError, at(3, "mostly"), "Invalid mostly")
}

func TestSuiteCheckExpectationAccepts(t *testing.T) {
	cases := []struct {
		e      registry.Expectation
		target string
	}{
		{registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "0"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "1"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "0.95", Severity: "warning"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: "0"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", MaxValue: "0"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: "5", MaxValue: "5"}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_match_regex", Column: "account_id", Regex: `^acc_[0-9]+$`}, registry.TargetData},
		{registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "currency", ValueSet: []string{"EUR"}, Severity: "error"}, registry.TargetData},
		{registry.Expectation{Type: "expect_table_row_count_to_be_between", MinValue: "1"}, registry.TargetData},
		{registry.Expectation{Type: "expect_metric_to_be_between", Metric: "auc", MinValue: "0.9", MaxValue: "1"}, registry.TargetModel},
		// The target is not known yet: either kind is fine.
		{registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}, ""},
		{registry.Expectation{Type: "expect_column_to_exist", Column: "amount"}, ""},
		// Unknown values count as set and are not checked.
		{registry.Expectation{Type: "expect_column_values_to_be_between", Column: "amount", Unknown: []string{"min_value"}}, registry.TargetData},
		{registry.Expectation{Type: "whatever", Unknown: []string{"type"}}, registry.TargetData},
	}
	for _, c := range cases {
		if ps := registry.CheckExpectation(0, c.e, c.target); len(ps) > 0 {
			t.Errorf("CheckExpectation(%+v, %q) refused it:\n%s", c.e, c.target, vsDump(ps))
		}
	}
}

func TestSuiteCheckTargetAndPolicy(t *testing.T) {
	vsProblem(t, registry.CheckSuiteTarget(true, true), "V1", registry.SeverityError, registry.Path{"model_id"},
		"Two targets", "either a feature version", "not both")
	vsProblem(t, registry.CheckSuiteTarget(false, false), "V1", registry.SeverityError, registry.Path{"feature_version_id"},
		"No target", "set feature_version_id", "or model_id")
	if ps := registry.CheckSuiteTarget(true, false); len(ps) > 0 {
		t.Errorf("data target refused: %s", vsDump(ps))
	}
	if ps := registry.CheckSuiteTarget(false, true); len(ps) > 0 {
		t.Errorf("model target refused: %s", vsDump(ps))
	}

	for _, ok := range []struct{ policy, target string }{
		{"", registry.TargetData}, {"", registry.TargetModel}, {"strict", registry.TargetData}, {"always", registry.TargetData}, {"always", ""},
	} {
		if ps := registry.CheckIngestionPolicy(ok.policy, ok.target); len(ps) > 0 {
			t.Errorf("CheckIngestionPolicy(%q, %q) refused it: %s", ok.policy, ok.target, vsDump(ps))
		}
	}
	vsProblem(t, registry.CheckIngestionPolicy("lenient", registry.TargetData), "V1", registry.SeverityError, registry.Path{"ingestion_policy"},
		"Invalid ingestion policy", `"lenient"`, `"strict"`, `"always"`)
	vsProblem(t, registry.CheckIngestionPolicy("strict", registry.TargetModel), "V1", registry.SeverityError, registry.Path{"ingestion_policy"},
		"Ingestion policy on a model suite", "remove it")

	ps := registry.CheckSuite(registry.ValidationSuite{Name: "empty", FeatureVersion: "transactions/1"})
	vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"expectations"}, "No expectations")
	ps = registry.CheckSuite(registry.ValidationSuite{Name: "Bad Name", Model: "fraud", Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}}})
	vsProblem(t, ps, "", registry.SeverityError, registry.Path{"name"}, "Invalid validation suite name", `"Bad Name"`)
	ps = registry.CheckSuite(registry.ValidationSuite{Name: "s", FeatureVersion: "transactions", Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount"}}})
	vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"feature_version_id"}, "Invalid feature version id", "<name>/<version>")
}

// schemaVersion is transactions/2 with a string, a timestamp, a double and
// an array of ints.
func vsSchemaVersion() registry.FeatureVersion {
	return registry.FeatureVersion{Group: "transactions", Version: 2, Features: []registry.Feature{
		{Name: "account_id", Type: "string"},
		{Name: "event_ts", Type: "timestamp"},
		{Name: "amount_7d", Type: "double"},
		{Name: "merchant_ids", Type: "Array<INT>"},
		{Name: "fee", Type: "Decimal(10, 2)"},
	}}
}

func TestSuiteCheckExpectationsAgainstSchema(t *testing.T) {
	fv := vsSchemaVersion()
	ps := registry.CheckExpectationsAgainstSchema("transactions-quality", fv, []registry.Expectation{
		{Type: "expect_column_values_to_not_be_null", Column: "account_id"},
		{Type: "expect_column_values_to_not_be_null", Column: "amount_1d"},
	})
	if len(ps) != 1 {
		t.Fatalf("want one problem, got:\n%s", vsDump(ps))
	}
	vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"expectations", 1, "column"},
		"Column not in the feature version",
		`validation suite transactions-quality expects column "amount_1d", which feature version transactions/2 lacks`,
		"its features are account_id, event_ts, amount_7d, merchant_ids, fee")

	// A suite not named yet.
	ps = registry.CheckExpectationsAgainstSchema("", fv, []registry.Expectation{{Type: "expect_column_to_exist", Column: "nope"}})
	vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"expectations", 0, "column"}, "validation suite (new) expects column \"nope\"")

	// Bounds on values need a numeric column.
	for _, c := range []struct {
		typ, column string
	}{{"string", "account_id"}, {"timestamp", "event_ts"}, {"array<int>", "merchant_ids"}} {
		for _, typ := range []string{"expect_column_values_to_be_between", "expect_column_mean_to_be_between"} {
			ps := registry.CheckExpectationsAgainstSchema("s", fv, []registry.Expectation{{Type: typ, Column: c.column, MinValue: "0"}})
			vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"expectations", 0, "column"},
				"Bounds on a non-numeric column", typ+" bounds numbers", `"`+c.column+`" is `+c.typ+" in feature version transactions/2")
		}
	}
	ok := []registry.Expectation{
		{Type: "expect_column_values_to_be_between", Column: "amount_7d", MinValue: "0"},
		{Type: "expect_column_mean_to_be_between", Column: "fee", MaxValue: "100"},
		// Other expectation types take any column.
		{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"a"}},
		{Type: "expect_column_values_to_be_unique", Column: "merchant_ids"},
		{Type: "expect_table_row_count_to_be_between", MinValue: "1"},
	}
	if ps := registry.CheckExpectationsAgainstSchema("s", fv, ok); len(ps) > 0 {
		t.Errorf("refused:\n%s", vsDump(ps))
	}
}

// vsFixture is a registry with the transactions group, versions 1 and
// 2 (schemaVersion) and model fraud.
func vsFixture(t *testing.T) *registry.Registry {
	t.Helper()
	r := newEnv(t).registry(t, "default")
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))
	mustCreateVersion(t, r, vsSchemaVersion())
	if _, err := r.CreateModel(context.Background(), registry.Model{Name: "fraud"}); err != nil {
		t.Fatal(err)
	}
	return r
}

func vsDataSuite() registry.ValidationSuite {
	return registry.ValidationSuite{
		Name:            "transactions-quality",
		FeatureVersion:  "transactions/2",
		IngestionPolicy: "strict",
		Expectations: []registry.Expectation{
			{Type: "expect_column_values_to_not_be_null", Column: "account_id", Mostly: "0.95"},
			{Type: "expect_column_values_to_be_between", Column: "amount_7d", MinValue: "0", Severity: "warning"},
		},
	}
}

func vsGateSuite(severity string) registry.ValidationSuite {
	return registry.ValidationSuite{
		Name:         "fraud-release-gate",
		Model:        "fraud",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.92", Severity: severity}},
	}
}

func TestSuiteWritePath(t *testing.T) {
	ctx := context.Background()
	r := vsFixture(t)

	created, err := r.CreateSuite(ctx, vsDataSuite())
	if err != nil {
		t.Fatal(err)
	}
	if created.Revision != 1 || !created.CreatedAt.Equal(t0Stored) {
		t.Errorf("created: revision %d, created_at %v", created.Revision, created.CreatedAt)
	}
	// Severity is written out.
	if got := created.Expectations[0].Severity; got != "error" {
		t.Errorf("severity %q, want error", got)
	}
	read, err := r.Suite(ctx, "transactions-quality")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, created) {
		t.Errorf("read back\n%+v\nwant\n%+v", read, created)
	}
	_, err = r.CreateSuite(ctx, vsDataSuite())
	if !errors.Is(err, registry.ErrAlreadyExists) {
		t.Errorf("second create: %v, want already exists", err)
	}

	refusals := []struct {
		name  string
		s     registry.ValidationSuite
		words []string
	}{
		{"both targets", registry.ValidationSuite{Name: "both", FeatureVersion: "transactions/2", Model: "fraud",
			Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "account_id"}}}, []string{"[V1] Two targets"}},
		{"no target", registry.ValidationSuite{Name: "neither",
			Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "account_id"}}}, []string{"[V1] No target"}},
		{"mostly", registry.ValidationSuite{Name: "mostly", FeatureVersion: "transactions/2",
			Expectations: []registry.Expectation{{Type: "expect_column_values_to_not_be_null", Column: "account_id", Mostly: "1.5"}}}, []string{"[V1] Invalid mostly"}},
		{"metric on data", registry.ValidationSuite{Name: "metric-on-data", FeatureVersion: "transactions/2",
			Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}}}, []string{"[V1] Metric expectation on a data suite"}},
		{"column missing", registry.ValidationSuite{Name: "column-missing", FeatureVersion: "transactions/2",
			Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount_1d"}}}, []string{"[V1] Column not in the feature version", "transactions/2 lacks"}},
		{"bounds on a string", registry.ValidationSuite{Name: "bounds-on-string", FeatureVersion: "transactions/2",
			Expectations: []registry.Expectation{{Type: "expect_column_values_to_be_between", Column: "account_id", MinValue: "0"}}}, []string{"[V1] Bounds on a non-numeric column"}},
		{"bound not a decimal number", registry.ValidationSuite{Name: "nan-bound", FeatureVersion: "transactions/2",
			Expectations: []registry.Expectation{{Type: "expect_column_values_to_be_between", Column: "amount_7d", MinValue: "NaN"}}}, []string{"[V1] Invalid number", `min_value "NaN"`}},
		{"feature version missing", registry.ValidationSuite{Name: "fv-missing", FeatureVersion: "transactions/9",
			Expectations: []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount"}}}, []string{"[V1] Feature version not found", `transactions/9, which does not exist in environment "default"`}},
		{"model missing", registry.ValidationSuite{Name: "model-missing", Model: "churn",
			Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}}}, []string{"[V1] Model not found", `model "churn", which does not exist`}},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.CreateSuite(ctx, c.s)
			refusedWith(t, err, c.words...)
			if _, err := r.Suite(ctx, c.s.Name); !registry.IsNotFound(err) {
				t.Errorf("a refused suite was written (err=%v)", err)
			}
			if recs := audit(t, r, registry.KindSuite, c.s.Name); len(recs) != 0 {
				t.Errorf("a refused create left audit rows: %s", actions(recs))
			}
		})
	}

	// Update: expectations in place; the target never changes in place.
	upd := created
	upd.Expectations = append(upd.Expectations, registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"a", "b"}})
	updated, err := r.UpdateSuite(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Revision != 2 || len(updated.Expectations) != 3 || updated.Expectations[2].Severity != "error" {
		t.Errorf("updated: %+v", updated)
	}
	bad := updated
	bad.Expectations = []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount_1d"}}
	refusedWith(t, func() error { _, err := r.UpdateSuite(ctx, bad); return err }(), "Column not in the feature version")
	moved := updated
	moved.FeatureVersion = "transactions/1"
	moved.Expectations = []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount"}}
	refusedWith(t, func() error { _, err := r.UpdateSuite(ctx, moved); return err }(), "Target cannot change in place", "feature version transactions/2")
	if s, _ := r.Suite(ctx, "transactions-quality"); s.Revision != 2 || len(s.Expectations) != 3 {
		t.Errorf("a refused update changed the suite: %+v", s)
	}
	if got := actions(audit(t, r, registry.KindSuite, "transactions-quality")); got != "create,update" {
		t.Errorf("audit %q", got)
	}

	if err := r.DeleteSuite(ctx, "transactions-quality"); err != nil {
		t.Fatal(err)
	}
	notFound(t, func() error { _, err := r.Suite(ctx, "transactions-quality"); return err }(), `validation suite "transactions-quality"`, `environment "default"`)
	if err := r.DeleteSuite(ctx, "transactions-quality"); err != nil {
		t.Errorf("deleting a suite already gone: %v", err)
	}
}

// TestSuiteTargetsNotDeleted is F2 for what a suite targets.
func TestSuiteTargetsNotDeleted(t *testing.T) {
	ctx := context.Background()
	r := vsFixture(t)
	if _, err := r.CreateSuite(ctx, vsDataSuite()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateSuite(ctx, vsGateSuite("")); err != nil {
		t.Fatal(err)
	}

	err := r.DeleteFeatureVersion(ctx, "transactions", 2)
	refusedWith(t, err, "[F2] Object still referenced", `feature version "transactions/2" in environment "default" is still referenced by validation suite "transactions-quality"`, "Nothing was deleted")
	if _, err := r.FeatureVersion(ctx, "transactions", 2); err != nil {
		t.Errorf("feature version lost: %v", err)
	}
	err = r.DeleteModel(ctx, "fraud")
	refusedWith(t, err, "[F2] Object still referenced", `model "fraud" in environment "default" is still referenced by validation suite "fraud-release-gate"`)
	if _, err := r.Model(ctx, "fraud"); err != nil {
		t.Errorf("model lost: %v", err)
	}

	// Plan time: the same problem, as a warning-to-be.
	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindModel, ID: "fraud"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []registry.Ref{{Kind: registry.KindSuite, ID: "fraud-release-gate"}}; !reflect.DeepEqual(deps, want) {
		t.Errorf("dependents %+v, want %+v", deps, want)
	}
	// The version no suite targets goes.
	if err := r.DeleteFeatureVersion(ctx, "transactions", 1); err != nil {
		t.Errorf("transactions/1: %v", err)
	}

	if err := r.DeleteSuite(ctx, "transactions-quality"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteSuite(ctx, "fraud-release-gate"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteFeatureVersion(ctx, "transactions", 2); err != nil {
		t.Errorf("after the suite went: %v", err)
	}
	if err := r.DeleteModel(ctx, "fraud"); err != nil {
		t.Errorf("after the suite went: %v", err)
	}
}

// vsGESuite is Great Expectations 0.18's ExpectationSuite as JSON; a field
// the output has beyond these fails the decode.
type vsGESuite struct {
	DataAssetType        *string           `json:"data_asset_type"`
	ExpectationSuiteName string            `json:"expectation_suite_name"`
	Expectations         []vsGEExpectation `json:"expectations"`
	GeCloudID            *string           `json:"ge_cloud_id"`
	Meta                 map[string]any    `json:"meta"`
}

type vsGEExpectation struct {
	ExpectationType string                     `json:"expectation_type"`
	Kwargs          map[string]json.RawMessage `json:"kwargs"`
	Meta            map[string]any             `json:"meta"`
}

func vsDecodeGE(t *testing.T, s string) vsGESuite {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var out vsGESuite
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("not a GE 0.18 ExpectationSuite: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("trailing data after the suite:\n%s", s)
	}
	// Every key the format requires is there, null or not.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"data_asset_type", "expectation_suite_name", "expectations", "ge_cloud_id", "meta"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	return out
}

func vsKwarg(t *testing.T, e vsGEExpectation, name, want string) {
	t.Helper()
	got, ok := e.Kwargs[name]
	if !ok {
		t.Errorf("%s: kwarg %s missing (kwargs %v)", e.ExpectationType, name, e.Kwargs)
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatal(err)
	}
	if compact.String() != want {
		t.Errorf("%s: kwarg %s = %s, want %s", e.ExpectationType, name, compact.String(), want)
	}
}

// TestSuiteGreatExpectationsJSONV0: the 0.18 format, as before 1.x.
func TestSuiteGreatExpectationsJSONV0(t *testing.T) {
	fv := vsSchemaVersion()
	fv.Features = append(fv.Features, registry.Feature{Name: "channel", Type: "int"})
	s := registry.ValidationSuite{
		Name:           "transactions-quality",
		FeatureVersion: "transactions/2",
		Expectations: []registry.Expectation{
			{Type: "expect_column_values_to_not_be_null", Column: "account_id", Mostly: "0.95"},
			{Type: "expect_column_values_to_be_between", Column: "amount_7d", MinValue: "0", MaxValue: "1e+06", Severity: "warning"},
			{Type: "expect_column_values_to_be_in_set", Column: "channel", ValueSet: []string{"1", "2", "10"}},
			{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"1", "acc"}},
			{Type: "expect_column_values_to_match_regex", Column: "account_id", Regex: `^acc_\d+$`},
			{Type: "expect_table_row_count_to_be_between", MinValue: "1"},
		},
	}
	out, err := registry.GreatExpectationsJSONV0(s, &fv)
	if err != nil {
		t.Fatal(err)
	}
	again, err := registry.GreatExpectationsJSONV0(s, &fv)
	if err != nil {
		t.Fatal(err)
	}
	if out != again {
		t.Errorf("output differs between two runs:\n%s\n%s", out, again)
	}

	ge := vsDecodeGE(t, out)
	if ge.ExpectationSuiteName != "transactions-quality" || ge.DataAssetType != nil || ge.GeCloudID != nil {
		t.Errorf("suite fields: %+v", ge)
	}
	if v := ge.Meta["great_expectations_version"]; v != registry.GreatExpectationsV0Version || !strings.HasPrefix(registry.GreatExpectationsV0Version, "0.18.") {
		t.Errorf("meta.great_expectations_version = %v", v)
	}
	mlops, _ := ge.Meta["mlops"].(map[string]any)
	if mlops["target"] != "data" || mlops["feature_version_id"] != "transactions/2" || mlops["ingestion_policy"] != "strict" {
		t.Errorf("meta.mlops = %v", mlops)
	}
	if len(ge.Expectations) != len(s.Expectations) {
		t.Fatalf("%d expectations, want %d", len(ge.Expectations), len(s.Expectations))
	}
	for i, e := range ge.Expectations {
		if e.ExpectationType != s.Expectations[i].Type {
			t.Errorf("expectation %d: type %q, want %q (order kept)", i, e.ExpectationType, s.Expectations[i].Type)
		}
	}
	e := ge.Expectations
	vsKwarg(t, e[0], "column", `"account_id"`)
	vsKwarg(t, e[0], "mostly", `0.95`)
	if len(e[0].Kwargs) != 2 {
		t.Errorf("kwargs of not_be_null: %v", e[0].Kwargs)
	}
	vsKwarg(t, e[1], "min_value", `0`)
	vsKwarg(t, e[1], "max_value", `1e+06`)
	if e[0].Meta["severity"] != "error" || e[1].Meta["severity"] != "warning" {
		t.Errorf("severities in meta: %v, %v", e[0].Meta, e[1].Meta)
	}
	vsKwarg(t, e[2], "value_set", `[1,2,10]`)
	vsKwarg(t, e[3], "value_set", `["1","acc"]`)
	vsKwarg(t, e[4], "regex", `"^acc_\\d+$"`)
	vsKwarg(t, e[5], "min_value", `1`)
	if _, ok := e[5].Kwargs["column"]; ok {
		t.Errorf("row count has a column: %v", e[5].Kwargs)
	}

	// Without the feature version (not known) a value_set stays strings.
	out, err = registry.GreatExpectationsJSONV0(registry.ValidationSuite{Name: "s", FeatureVersion: "transactions/2", IngestionPolicy: "always",
		Expectations: []registry.Expectation{{Type: "expect_column_values_to_be_in_set", Column: "channel", ValueSet: []string{"1"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ge = vsDecodeGE(t, out)
	vsKwarg(t, ge.Expectations[0], "value_set", `["1"]`)
	if mlops, _ := ge.Meta["mlops"].(map[string]any); mlops["ingestion_policy"] != "always" {
		t.Errorf("meta.mlops = %v", mlops)
	}

	// A model suite keeps its gate types, and names the model.
	out, err = registry.GreatExpectationsJSONV0(vsGateSuite(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	ge = vsDecodeGE(t, out)
	vsKwarg(t, ge.Expectations[0], "metric", `"auc"`)
	vsKwarg(t, ge.Expectations[0], "min_value", `0.92`)
	mlops, _ = ge.Meta["mlops"].(map[string]any)
	if mlops["target"] != "model" || mlops["model_id"] != "fraud" || mlops["ingestion_policy"] != nil {
		t.Errorf("meta.mlops = %v", mlops)
	}
}

func TestSuiteGreatExpectationsJSONThroughRegistry(t *testing.T) {
	ctx := context.Background()
	r := vsFixture(t)
	s := vsDataSuite()
	s.Expectations = append(s.Expectations, registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "amount_7d", ValueSet: []string{"0", "1.5"}})
	created, err := r.CreateSuite(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.GreatExpectationsJSON(ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	ge := vsDecodeGE(t, out.JSONV0)
	// The registry reads the target's schema: amount_7d is a double.
	vsKwarg(t, ge.Expectations[2], "value_set", `[0,1.5]`)
	gx := gxDecode(t, out.JSON)
	gxKwarg(t, gx.Expectations[2], "value_set", `[0,1.5]`)

	// Plan renders the same JSON as the stored suite.
	ps, planned, err := r.CheckSuitePlan(ctx, registry.SuitePlan{Suite: s, TargetKnown: true})
	if err != nil || len(ps) > 0 {
		t.Fatalf("CheckSuitePlan: %v %s", err, vsDump(ps))
	}
	// The plan's suite has severity unset where the stored one says error.
	if planned != out {
		t.Errorf("plan renders\n%s\nthe registry\n%s", planned, out)
	}
	// Unknown: no JSON, no problems.
	unknown := s
	unknown.Expectations = append([]registry.Expectation(nil), s.Expectations...)
	unknown.Expectations[0].Unknown = []string{"mostly"}
	if ps, planned, err := r.CheckSuitePlan(ctx, registry.SuitePlan{Suite: unknown, TargetKnown: true}); err != nil || len(ps) > 0 || planned != (registry.GreatExpectations{}) {
		t.Errorf("with an unknown field: %q %v %s", planned, err, vsDump(ps))
	}
	if ps, planned, err := r.CheckSuitePlan(ctx, registry.SuitePlan{Suite: registry.ValidationSuite{Name: "x"}, TargetKnown: false}); err != nil || len(ps) > 0 || planned != (registry.GreatExpectations{}) {
		t.Errorf("with an unknown target: %q %v %s", planned, err, vsDump(ps))
	}
	bad := s
	bad.Expectations = []registry.Expectation{{Type: "expect_column_values_to_be_between", Column: "account_id", MinValue: "0"}}
	ps, planned, err = r.CheckSuitePlan(ctx, registry.SuitePlan{Suite: bad, TargetKnown: true})
	if err != nil || planned != (registry.GreatExpectations{}) {
		t.Fatalf("%q %v", planned, err)
	}
	vsProblem(t, ps, "V1", registry.SeverityError, registry.Path{"expectations", 0, "column"}, "Bounds on a non-numeric column")
}

func vsModelVersion(version int64, metrics map[string]string) registry.ModelVersion {
	return registry.ModelVersion{Model: "fraud", Version: version, ArtifactURI: "s3://models/fraud/x", FeatureVersionIDs: []string{"transactions/2"}, Metrics: metrics}
}

func TestSuiteEvaluateGate(t *testing.T) {
	mv := vsModelVersion(1, map[string]string{"auc": "0.92", "latency_ms": "40"})
	cases := []struct {
		e    registry.Expectation
		pass bool
	}{
		{registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.92"}, true},
		{registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9200001"}, false},
		{registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.91"}, true},
		{registry.Expectation{Type: "expect_metric_to_be_at_most", Metric: "latency_ms", MaxValue: "40"}, true},
		{registry.Expectation{Type: "expect_metric_to_be_at_most", Metric: "latency_ms", MaxValue: "39.999"}, false},
		{registry.Expectation{Type: "expect_metric_to_be_between", Metric: "auc", MinValue: "0.92", MaxValue: "0.92"}, true},
		{registry.Expectation{Type: "expect_metric_to_be_between", Metric: "auc", MinValue: "0.8", MaxValue: "0.92"}, true},
		{registry.Expectation{Type: "expect_metric_to_be_between", Metric: "auc", MinValue: "0.921", MaxValue: "1"}, false},
		{registry.Expectation{Type: "expect_metric_to_be_between", Metric: "auc", MinValue: "0", MaxValue: "0.919"}, false},
		{registry.Expectation{Type: "expect_metric_to_be_at_least", Metric: "recall", MinValue: "0"}, false},
	}
	for _, c := range cases {
		o := registry.EvaluateGate("g", c.e, mv)
		if o.Passed != c.pass {
			t.Errorf("%s %s min=%s max=%s: passed %v, want %v", c.e.Type, c.e.Metric, c.e.MinValue, c.e.MaxValue, o.Passed, c.pass)
		}
		if o.Suite != "g" || o.HasValue != (c.e.Metric != "recall") {
			t.Errorf("outcome %+v", o)
		}
	}
}

func TestSuiteCheckGates(t *testing.T) {
	v1 := vsModelVersion(1, map[string]string{"auc": "0.91"})
	v2 := vsModelVersion(2, map[string]string{"auc": "0.93", "recall_at_1pct_fpr": "0.41"})
	served := func(vs ...*registry.ModelVersion) []registry.ServedVersion {
		out := make([]registry.ServedVersion, len(vs))
		for i, v := range vs {
			if v != nil {
				out[i] = registry.ServedVersion{ID: v.ID(), Role: []string{registry.RoleMain, registry.RoleCanary}[i], Version: v}
			}
		}
		return out
	}
	gate := vsGateSuite("")
	other := registry.ValidationSuite{Name: "churn-gate", Model: "churn",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.99"}}}

	if ps := registry.CheckGates("fraud-scoring", served(&v2), []registry.ValidationSuite{gate, other}); len(ps) > 0 {
		t.Errorf("fraud/2 (auc 0.93) refused:\n%s", vsDump(ps))
	}
	ps := registry.CheckGates("fraud-scoring", served(&v1), []registry.ValidationSuite{gate, other})
	if len(ps) != 1 {
		t.Fatalf("want one problem:\n%s", vsDump(ps))
	}
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"model_version_id"},
		"Release gate fails",
		"deployment fraud-scoring -> model version fraud/1: release gate fraud-release-gate expects auc to be at least 0.92, but fraud/1 has auc = 0.91",
		"Serve a model version that passes the gate, or change the gate in validation suite fraud-release-gate")

	// The canary is gated too, at its own path.
	ps = registry.CheckGates("fraud-scoring", served(&v2, &v1), []registry.ValidationSuite{gate})
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"canary", "model_version_id"}, "model version fraud/1")

	// Warning severity warns.
	ps = registry.CheckGates("fraud-scoring", served(&v1), []registry.ValidationSuite{vsGateSuite("warning")})
	vsProblem(t, ps, "D3", registry.SeverityWarning, registry.Path{"model_version_id"}, "Release gate fails (warning)", "fraud/1 has auc = 0.91")
	if ps.HasErrors() || ps.Err() != nil {
		t.Errorf("a warning gate blocks: %s", vsDump(ps))
	}

	// A missing metric fails the gate.
	recall := registry.ValidationSuite{Name: "recall-gate", Model: "fraud",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_between", Metric: "recall_at_1pct_fpr", MinValue: "0.4", MaxValue: "1"}}}
	ps = registry.CheckGates("fraud-scoring", served(&v1), []registry.ValidationSuite{recall})
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"model_version_id"},
		"deployment fraud-scoring -> model version fraud/1: release gate recall-gate expects metric recall_at_1pct_fpr to be between 0.4 and 1",
		"but fraud/1 has no metric recall_at_1pct_fpr", "Record it in the model version's metrics")
	if ps := registry.CheckGates("fraud-scoring", served(&v2), []registry.ValidationSuite{recall}); len(ps) > 0 {
		t.Errorf("fraud/2 has recall 0.41:\n%s", vsDump(ps))
	}
	at := registry.ValidationSuite{Name: "latency", Model: "fraud",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_most", Metric: "auc", MaxValue: "0.9"}}}
	ps = registry.CheckGates("fraud-scoring", served(&v2), []registry.ValidationSuite{at})
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"model_version_id"}, "expects auc to be at most 0.9, but fraud/2 has auc = 0.93")

	// A version the environment lacks (D1's business) or not known yet is
	// not gated.
	if ps := registry.CheckGates("", []registry.ServedVersion{{ID: "fraud/7"}, {}}, []registry.ValidationSuite{gate}); len(ps) > 0 {
		t.Errorf("missing versions gated:\n%s", vsDump(ps))
	}
	// A new deployment is named as such.
	ps = registry.CheckGates("", served(&v1), []registry.ValidationSuite{gate})
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"model_version_id"}, "deployment (new) -> model version fraud/1")
}

// TestSuiteGatesOnDeploymentWrites is D3 on the write path and at plan.
func TestSuiteGatesOnDeploymentWrites(t *testing.T) {
	ctx := context.Background()
	r := vsFixture(t)
	for _, v := range []registry.ModelVersion{
		vsModelVersion(1, map[string]string{"auc": "0.91"}),
		vsModelVersion(2, map[string]string{"auc": "0.93"}),
	} {
		if _, err := r.CreateModelVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.CreateSuite(ctx, vsGateSuite("")); err != nil {
		t.Fatal(err)
	}
	_, err := r.CreateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas})
	refusedWith(t, err, "[D3] Release gate fails", "deployment fraud-scoring -> model version fraud/1", "expects auc to be at least 0.92", "fraud/1 has auc = 0.91")
	if _, err := r.Deployment(ctx, "fraud-scoring"); !registry.IsNotFound(err) {
		t.Errorf("a refused deployment was written (err=%v)", err)
	}
	d, err := r.CreateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/2", Replicas: registry.DefaultReplicas})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := r.CheckDeploymentPlan(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/2", Canary: &registry.Canary{ModelVersion: "fraud/1", Percent: 10}})
	if err != nil {
		t.Fatal(err)
	}
	vsProblem(t, ps, "D3", registry.SeverityError, registry.Path{"canary", "model_version_id"}, "fraud/1 has auc = 0.91")

	// Warning: the change goes through.
	g, err := r.Suite(ctx, "fraud-release-gate")
	if err != nil {
		t.Fatal(err)
	}
	g.Expectations[0].Severity = "warning"
	if _, err := r.UpdateSuite(ctx, g); err != nil {
		t.Fatal(err)
	}
	d.ModelVersion = "fraud/1"
	if _, err := r.UpdateDeployment(ctx, d); err != nil {
		t.Errorf("a warning gate refused the change: %v", err)
	}
	ps, err = r.CheckDeploymentPlan(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1"})
	if err != nil {
		t.Fatal(err)
	}
	vsProblem(t, ps, "D3", registry.SeverityWarning, registry.Path{"model_version_id"}, "Release gate fails (warning)")
}

// TestServedGateFailuresWarn: tightening a gate that a served version fails
// warns at plan, naming the deployment; it does not refuse.
func TestServedGateFailuresWarn(t *testing.T) {
	ctx := context.Background()
	reg := vsFixture(t)
	if _, err := reg.CreateModelVersion(ctx, vsModelVersion(1, map[string]string{"auc": "0.91"})); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas}); err != nil {
		t.Fatal(err)
	}
	ps, _, err := reg.CheckSuitePlan(ctx, registry.SuitePlan{TargetKnown: true, Suite: registry.ValidationSuite{
		Name: "fraud-release-gate", Model: "fraud",
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.95"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Severity != registry.SeverityWarning || ps[0].Rule != "D3" ||
		!strings.Contains(ps[0].Detail, "deployment fraud-scoring -> model version fraud/1") || !strings.Contains(ps[0].Detail, "next change of deployment fraud-scoring") {
		t.Fatalf("want one D3 warning naming the deployment, got %v", ps)
	}
}
