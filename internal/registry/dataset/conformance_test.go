package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/dataset"
)

// TestGXConformance runs one case per rule in which the evaluation follows
// Great Expectations 1.x's pandas engine; each case cites where GX (1.2.0)
// or pandas decides the expected result.
func TestGXConformance(t *testing.T) {
	cases := []struct {
		name     string
		file     string // name: its extension tells the format
		content  string
		types    []string // column, feature type, ...
		exp      registry.Expectation
		opts     dataset.Options
		success  bool
		unexpect int64
		missing  int64
	}{
		{
			// column_values_in_set.py (pandas): column.isin(value_set); the
			// value_set of a boolean column holds booleans, and pandas reads
			// true/True/TRUE as booleans (parsers.pyx _true_values).
			name: "in_set on a boolean column compares booleans", file: "b.csv", content: "flag\ntrue\nTrue\nFALSE\n",
			types: []string{"flag", "boolean"}, exp: registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "flag", ValueSet: []string{"true"}},
			success: false, unexpect: 1,
		},
		{
			// isin is typed: the string "true" is not the boolean True.
			name: "in_set: a boolean is not the text true", file: "b.jsonl", content: `{"s": true}` + "\n" + `{"s": "true"}` + "\n",
			types: []string{"s", "string"}, exp: registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "s", ValueSet: []string{"true"}},
			success: false, unexpect: 1,
		},
		{
			// pandas/_libs/parsers.pyx STR_NA_VALUES: the default na_values
			// of read_csv, with which GX's pandas engine reads CSV.
			name: "CSV null markers are pandas' na_values", file: "n.csv",
			content: "c\nNA\nN/A\nNULL\nnull\nNaN\nnan\nn/a\n#N/A\n<NA>\n-NaN\n1.#QNAN\nNone\n\"\"\nok\n",
			types:   []string{"c", "string"}, exp: registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "c"},
			success: false, unexpect: 13, missing: 13,
		},
		{
			// read_csv(na_values=[...], keep_default_na=False): only those.
			name: "null_values replace the defaults", file: "n.csv", content: "c\nNA\n-\n\"\"\nok\n",
			types: []string{"c", "string"}, exp: registry.Expectation{Type: "expect_column_values_to_not_be_null", Column: "c"},
			opts: dataset.Options{NullValues: []string{"-"}}, success: false, unexpect: 1, missing: 1,
		},
		{
			// pandas reads an integer column as int64: 2^53 and 2^53+1 are
			// different values for duplicated(keep=False)
			// (column_values_unique.py).
			name: "unique: int64 beyond 2^53 exact", file: "i.csv", content: "n\n9007199254740992\n9007199254740993\n",
			types: []string{"n", "bigint"}, exp: registry.Expectation{Type: "expect_column_values_to_be_unique", Column: "n"},
			success: true,
		},
		{
			// column_values_between.py compares the int64 with the bound.
			name: "between: int64 beyond 2^53 exact", file: "i.jsonl", content: `{"n": 9007199254740993}` + "\n",
			types: []string{"n", "bigint"}, exp: registry.Expectation{Type: "expect_column_values_to_be_between", Column: "n", MaxValue: "9007199254740992"},
			success: false, unexpect: 1,
		},
		{
			// isin on int64 with an int value_set: exact.
			name: "in_set: int64 beyond 2^53 exact", file: "i.csv", content: "n\n9007199254740993\n",
			types: []string{"n", "bigint"}, exp: registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "n", ValueSet: []string{"9007199254740992"}},
			success: false, unexpect: 1,
		},
		{
			// expectation.py _mostly_success: (considered - unexpected) /
			// considered >= mostly, in Python floats: 19/20 = 0.95 >= 0.95,
			// and 0.950000000000000001 reads as the float 0.95.
			name: "mostly compared as a float", file: "m.csv", content: "x\n" + strings.Repeat("1\n", 19) + "5\n",
			types: []string{"x", "int"}, exp: registry.Expectation{Type: "expect_column_values_to_be_between", Column: "x", MaxValue: "1", Mostly: "0.950000000000000001"},
			success: true, unexpect: 1,
		},
		{
			// column_values_between.py (pandas, non-numeric dtype): is_between
			// raises TypeError on a string, and the expectation fails
			// whatever mostly says.
			name: "between: a non-number fails whatever mostly", file: "x.jsonl", content: `{"x": 1}` + "\n" + `{"x": 2}` + "\n" + `{"x": "two"}` + "\n",
			types: []string{"x", "double"}, exp: registry.Expectation{Type: "expect_column_values_to_be_between", Column: "x", MinValue: "0", Mostly: "0.5"},
			success: false, unexpect: 1,
		},
		{
			// column_mean.py: column.mean() raises on a string.
			name: "mean: a non-number fails", file: "x.jsonl", content: `{"x": 1}` + "\n" + `{"x": "two"}` + "\n",
			types: []string{"x", "double"}, exp: registry.Expectation{Type: "expect_column_mean_to_be_between", Column: "x", MinValue: "0"},
			success: false, unexpect: 1,
		},
		{
			// column_values_match_regex.py: column.astype(str).str.contains,
			// that is re.search: \d is any Unicode digit (Python re docs,
			// "\d ... any Unicode decimal digit").
			name: "regex: Unicode \\d", file: "r.csv", content: "s\n١٢٣\n",
			types: []string{"s", "string"}, exp: registry.Expectation{Type: "expect_column_values_to_match_regex", Column: "s", Regex: `^\d+$`},
			success: true,
		},
		{
			// Python re docs: "$ Matches the end of the string or just before
			// the newline at the end of the string".
			name: "regex: $ before a final newline", file: "r.jsonl", content: `{"s": "abc\n"}` + "\n",
			types: []string{"s", "string"}, exp: registry.Expectation{Type: "expect_column_values_to_match_regex", Column: "s", Regex: `^abc$`},
			success: true,
		},
		{
			// astype(str) of a boolean is Python's str(): True.
			name: "regex: booleans as True and False", file: "r.csv", content: "b\ntrue\n",
			types: []string{"b", "boolean"}, exp: registry.Expectation{Type: "expect_column_values_to_match_regex", Column: "b", Regex: `^True$`},
			success: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(p, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			fv := &registry.FeatureVersion{}
			for i := 0; i+1 < len(c.types); i += 2 {
				fv.Features = append(fv.Features, registry.Feature{Name: c.types[i], Type: c.types[i+1]})
			}
			rep, err := dataset.ValidateWith(context.Background(), p, "", []registry.Expectation{c.exp}, fv, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Results[0]
			if r.Success != c.success || r.UnexpectedCount != c.unexpect || r.MissingCount != c.missing {
				t.Errorf("success %v, unexpected %d, missing %d (%s); want %v, %d, %d", r.Success, r.UnexpectedCount, r.MissingCount, r.ObservedValue, c.success, c.unexpect, c.missing)
			}
		})
	}
}

// TestWarningOnlySuite: GX 1.x has no severity, so a failing expectation
// fails its suite there; here a failing warning leaves success true (a
// documented difference).
func TestWarningOnlySuite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.csv")
	if err := os.WriteFile(p, []byte("a,b\n,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := dataset.Validate(context.Background(), p, "", []registry.Expectation{
		{Type: "expect_column_values_to_not_be_null", Column: "a", Severity: registry.SeverityNameWarning},
		{Type: "expect_table_row_count_to_be_between", MinValue: "0"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Success || rep.Results[0].Success {
		t.Errorf("report %+v", rep)
	}
}
