package registry_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// gxSuite has exactly the fields of Great Expectations 1.x's
// ExpectationSuite JSON (ExpectationSuiteSchema in
// great_expectations/core/expectation_suite.py, 1.2.0: name, id,
// expectations, suite_parameters, meta, notes; each a parameter of
// ExpectationSuite.__init__). Anything else, such as 0.18's
// expectation_suite_name or data_asset_type, fails the decode.
type gxSuite struct {
	Name            string           `json:"name"`
	ID              *string          `json:"id"`
	Expectations    []gxExpectation  `json:"expectations"`
	SuiteParameters map[string]any   `json:"suite_parameters"`
	Meta            map[string]any   `json:"meta"`
	Notes           *json.RawMessage `json:"notes"`
}

// gxExpectation has exactly the fields of 1.x's ExpectationConfiguration
// JSON (ExpectationConfigurationSchema in
// great_expectations/expectations/expectation_configuration.py, 1.2.0).
type gxExpectation struct {
	Type               string                     `json:"type"`
	Kwargs             map[string]json.RawMessage `json:"kwargs"`
	Meta               map[string]any             `json:"meta"`
	Notes              *json.RawMessage           `json:"notes"`
	ID                 *string                    `json:"id"`
	ExpectationContext map[string]any             `json:"expectation_context"`
	RenderedContent    []any                      `json:"rendered_content"`
	Description        *string                    `json:"description"`
}

// gxKwargs are the kwargs each expectation type takes in 1.x: the pydantic
// fields of its class under great_expectations/expectations/core/ (1.2.0),
// which refuses any other (Config.extra = forbid), besides the ones every
// expectation takes (meta, notes, result_format, catch_exceptions, ...)
// that the provider does not write.
var gxKwargs = map[string][]string{
	"expect_column_to_exist":               {"column", "column_index"},
	"expect_column_values_to_not_be_null":  {"column", "mostly", "row_condition", "condition_parser"},
	"expect_column_values_to_be_unique":    {"column", "mostly", "row_condition", "condition_parser"},
	"expect_column_values_to_be_between":   {"column", "min_value", "max_value", "strict_min", "strict_max", "mostly", "row_condition", "condition_parser"},
	"expect_column_values_to_be_in_set":    {"column", "value_set", "mostly", "row_condition", "condition_parser"},
	"expect_column_values_to_match_regex":  {"column", "regex", "mostly", "row_condition", "condition_parser"},
	"expect_column_mean_to_be_between":     {"column", "min_value", "max_value", "strict_min", "strict_max", "row_condition", "condition_parser"},
	"expect_table_row_count_to_be_between": {"min_value", "max_value", "row_condition", "condition_parser"},
}

func gxDecode(t *testing.T, s string) gxSuite {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var out gxSuite
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("not a GX 1.x ExpectationSuite: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("trailing data after the suite:\n%s", s)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatal(err)
	}
	// What to_json_dict writes for a suite that no GX store has saved.
	for _, k := range []string{"name", "id", "expectations", "meta", "notes"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if out.Name == "" || out.ID != nil {
		t.Errorf("name %q, id %v", out.Name, out.ID)
	}
	for _, e := range out.Expectations {
		allowed, ok := gxKwargs[e.Type]
		if !ok {
			t.Errorf("expectation type %q is not one GX 1.x runs", e.Type)
		}
		for k := range e.Kwargs {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s: kwarg %q is refused by GX 1.x (it takes %v)", e.Type, k, allowed)
			}
		}
	}
	return out
}

func gxKwarg(t *testing.T, e gxExpectation, name, want string) {
	t.Helper()
	got, ok := e.Kwargs[name]
	if !ok {
		t.Errorf("%s: kwarg %s missing (kwargs %v)", e.Type, name, e.Kwargs)
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatal(err)
	}
	if compact.String() != want {
		t.Errorf("%s: kwarg %s = %s, want %s", e.Type, name, compact.String(), want)
	}
}

func TestSuiteGreatExpectationsJSON(t *testing.T) {
	fv := vsSchemaVersion()
	fv.Features = append(fv.Features, registry.Feature{Name: "channel", Type: "bigint"}, registry.Feature{Name: "is_fraud", Type: "boolean"})
	s := registry.ValidationSuite{
		Name:           "transactions-quality",
		FeatureVersion: "transactions/2",
		Expectations: []registry.Expectation{
			{Type: "expect_column_values_to_not_be_null", Column: "account_id", Mostly: "0.95"},
			// Terraform hands numbers over as big.Float text: 1e+06, 9.007199254740992e+15.
			{Type: "expect_column_values_to_be_between", Column: "amount_7d", MinValue: "-1.5", MaxValue: "1e+06", Severity: "warning"},
			{Type: "expect_column_values_to_be_in_set", Column: "channel", ValueSet: []string{"1", "2", "9007199254740993", "1e3"}},
			{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"1", "true"}},
			{Type: "expect_column_values_to_be_in_set", Column: "is_fraud", ValueSet: []string{"false", "true"}},
			{Type: "expect_column_values_to_match_regex", Column: "account_id", Regex: `^acc_\d+$`},
			{Type: "expect_column_mean_to_be_between", Column: "channel", MinValue: "0.000125e+1", MaxValue: "9.007199254740992e+15"},
			{Type: "expect_table_row_count_to_be_between", MinValue: "1", MaxValue: "1000000"},
		},
	}
	out, err := registry.GreatExpectationsJSON(s, &fv)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := registry.GreatExpectationsJSON(s, &fv); again != out {
		t.Errorf("output differs between two runs:\n%s\n%s", out, again)
	}
	for _, v0 := range []string{"expectation_suite_name", "expectation_type", "data_asset_type", "ge_cloud_id"} {
		if strings.Contains(out, `"`+v0+`"`) {
			t.Errorf("0.18 key %s in the 1.x format:\n%s", v0, out)
		}
	}
	gx := gxDecode(t, out)
	if gx.Name != "transactions-quality" || gx.SuiteParameters != nil || gx.Notes != nil {
		t.Errorf("suite fields: %+v", gx)
	}
	if v := gx.Meta["great_expectations_version"]; v != registry.GreatExpectationsVersion || !strings.HasPrefix(registry.GreatExpectationsVersion, "1.") {
		t.Errorf("meta.great_expectations_version = %v", v)
	}
	mlops, _ := gx.Meta["mlops"].(map[string]any)
	if mlops["target"] != "data" || mlops["feature_version_id"] != "transactions/2" || mlops["ingestion_policy"] != "strict" {
		t.Errorf("meta.mlops = %v", mlops)
	}
	if len(gx.Expectations) != len(s.Expectations) {
		t.Fatalf("%d expectations, want %d", len(gx.Expectations), len(s.Expectations))
	}
	for i, e := range gx.Expectations {
		if e.Type != s.Expectations[i].Type {
			t.Errorf("expectation %d: type %q, want %q (order kept)", i, e.Type, s.Expectations[i].Type)
		}
		if want := s.Expectations[i].EffectiveSeverity(); e.Meta["severity"] != want || len(e.Meta) != 1 {
			t.Errorf("expectation %d: meta %v, want severity %s", i, e.Meta, want)
		}
	}
	e := gx.Expectations
	gxKwarg(t, e[0], "mostly", `0.95`)
	gxKwarg(t, e[1], "min_value", `-1.5`)
	gxKwarg(t, e[1], "max_value", `1000000`)
	gxKwarg(t, e[2], "value_set", `[1,2,9007199254740993,1000]`)
	gxKwarg(t, e[3], "value_set", `["1","true"]`)
	gxKwarg(t, e[4], "value_set", `[false,true]`)
	gxKwarg(t, e[5], "regex", `"^acc_\\d+$"`)
	gxKwarg(t, e[6], "min_value", `0.00125`)
	gxKwarg(t, e[6], "max_value", `9007199254740992`)
	gxKwarg(t, e[7], "min_value", `1`)
	gxKwarg(t, e[7], "max_value", `1000000`)

	// A model suite loads in GX too: its gates are in meta, not expectations.
	out, err = registry.GreatExpectationsJSON(vsGateSuite("warning"), nil)
	if err != nil {
		t.Fatal(err)
	}
	gx = gxDecode(t, out)
	if gx.Expectations == nil || len(gx.Expectations) != 0 {
		t.Errorf("model suite expectations: %v", gx.Expectations)
	}
	mlops, _ = gx.Meta["mlops"].(map[string]any)
	gates, _ := json.Marshal(mlops["release_gates"])
	if mlops["target"] != "model" || mlops["model_id"] != "fraud" ||
		string(gates) != `[{"kwargs":{"metric":"auc","min_value":0.92},"severity":"warning","type":"expect_metric_to_be_at_least"}]` {
		t.Errorf("meta.mlops = %v (gates %s)", mlops, gates)
	}
}

func TestPlainDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "1": "1", "1e+06": "1000000", "1E6": "1000000", "9.007199254740992e+15": "9007199254740992",
		"9007199254740993": "9007199254740993", "0.95": "0.95", "1.50": "1.5", "2.0": "2", "-1.5e-07": "-0.00000015",
		"1.25e-1": "0.125", "120e-1": "12", "0.000e5": "0", "1e401": "1e401", "abc": "abc",
	} {
		if got := registry.PlainDecimal(in); string(got) != want {
			t.Errorf("PlainDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGXValue(t *testing.T) {
	typ := func(s string) registry.FeatureType {
		ft, err := registry.ParseFeatureType(s)
		if err != nil {
			t.Fatal(err)
		}
		return ft
	}
	for _, c := range []struct {
		typ, in string
		want    any
	}{
		{"boolean", "true", true}, {"boolean", "false", false}, {"boolean", "True", "True"},
		{"int", "7", json.Number("7")}, {"double", "1e3", json.Number("1000")}, {"double", "x", "x"},
		{"string", "true", "true"}, {"string", "1", "1"}, {"date", "2024-01-01", "2024-01-01"},
	} {
		if got := registry.GXValue(c.in, typ(c.typ)); got != c.want {
			t.Errorf("GXValue(%q, %s) = %#v, want %#v", c.in, c.typ, got, c.want)
		}
	}
	if got := registry.GXValue("1", registry.FeatureType{}); got != "1" {
		t.Errorf("untyped: %#v", got)
	}
}

// TestPythonRegex: patterns answer as Python's re.search does (the Python
// results in the comments are those of re.search in CPython 3.12; the
// classes are documented at https://docs.python.org/3/library/re.html).
func TestPythonRegex(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{`^\d+$`, "١٢٣", true},        // \d: any Unicode decimal digit (Nd)
		{`^\d+$`, "12a", false},       //
		{`^\w+$`, "café_1", true},     // \w: str.isalnum() and _
		{`^\W$`, "é", false},          //
		{`^a\sb$`, "a\u00a0b", true},  // \s: str.isspace(), no-break space included
		{`^a\sb$`, "a\vb", true},      // \v is whitespace in Python, not in RE2's \s
		{`^a\Sb$`, "a\u2003b", false}, //
		{`^abc$`, "abc\n", true},      // $ matches before a final newline
		{`^abc$`, "abc\n\n", false},   // but only the last one
		{`^abc\Z`, "abc\n", false},    // \Z is the very end
		{`^[\d.]+$`, "٣.5", true},     // \d in a class
		{`^[\w-]+$`, "é-x", true},     // \w in a class
		{`^[\s]$`, "\u3000", true},    // \s in a class
		{`b`, "abc", true},            // search: anywhere in the value
		{`[$]`, "a$", true},           // $ in a class is a literal
		{`^\$`, "$", true},            // so is \$
		{`(?m)^a$`, "a\nb", true},     // multiline $ before any newline
	} {
		re, err := registry.CompilePythonRegex(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		if got := re.MatchString(c.value); got != c.want {
			t.Errorf("%q on %q = %v, want %v (translated %q)", c.pattern, c.value, got, c.want, registry.TranslatePythonRegex(c.pattern))
		}
	}
	for _, bad := range []string{`(?<=a)b`, `(a)\1`, `(`} {
		if _, err := registry.CompilePythonRegex(bad); err == nil {
			t.Errorf("%q compiles; RE2 cannot run it", bad)
		}
	}
}
