package dataset_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/dataset"
)

// absent is a cell whose key a JSON Lines row leaves out (null in CSV and
// Parquet).
type absent struct{}

type col struct{ name, typ string } // typ: double, string, bool, int64

// table is test data, written in each format by the helpers below. Cells
// are nil (null), absent{}, float64 (NaN allowed), string, bool or int64.
type table struct {
	cols []col
	rows [][]any
}

func writeCSV(t testing.TB, dir string, tb table) string {
	t.Helper()
	var b strings.Builder
	names := make([]string, len(tb.cols))
	for i, c := range tb.cols {
		names[i] = c.name
	}
	b.WriteString(strings.Join(names, ",") + "\n")
	for _, r := range tb.rows {
		fields := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case nil, absent:
			case float64:
				fields[i] = csvNumber(x)
			case int64:
				fields[i] = fmt.Sprint(x)
			case bool:
				fields[i] = fmt.Sprint(x)
			case string:
				fields[i] = x
				if strings.ContainsAny(x, ",\"\n") {
					fields[i] = `"` + strings.ReplaceAll(x, `"`, `""`) + `"`
				}
			}
		}
		b.WriteString(strings.Join(fields, ",") + "\n")
	}
	p := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func csvNumber(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	return dataset.FormatNumber(f)
}

func writeJSONL(t testing.TB, dir string, tb table) string {
	t.Helper()
	var b strings.Builder
	for _, r := range tb.rows {
		obj := map[string]any{}
		for i, v := range r {
			switch x := v.(type) {
			case absent:
				continue
			case float64:
				if math.IsNaN(x) {
					obj[tb.cols[i].name] = nil // JSON has no NaN
					continue
				}
			}
			obj[tb.cols[i].name] = v
		}
		line, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	p := filepath.Join(dir, "data.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func parquetNode(typ string) parquet.Node {
	switch typ {
	case "double":
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case "bool":
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	case "int64":
		return parquet.Optional(parquet.Int(64))
	default:
		return parquet.Optional(parquet.String())
	}
}

// writeParquet writes the table with rowsPerGroup rows per row group and
// small pages, so that reading crosses pages and row groups.
func writeParquet(t testing.TB, dir string, tb table, rowsPerGroup int64) string {
	t.Helper()
	group := parquet.Group{}
	for _, c := range tb.cols {
		group[c.name] = parquetNode(c.typ)
	}
	schema := parquet.NewSchema("row", group)
	// Leaf columns are in schema order (a Group sorts its fields by name).
	pos := map[string]int{}
	for i, c := range tb.cols {
		pos[c.name] = i
	}
	p := filepath.Join(dir, "data.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, schema, parquet.MaxRowsPerRowGroup(rowsPerGroup), parquet.PageBufferSize(64))
	for _, r := range tb.rows {
		row := make(parquet.Row, 0, len(tb.cols))
		for ci, path := range schema.Columns() {
			v := r[pos[path[0]]]
			switch v.(type) {
			case nil, absent:
				row = append(row, parquet.NullValue().Level(0, 0, ci))
			default:
				row = append(row, parquet.ValueOf(v).Level(0, 1, ci))
			}
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// files writes the table in every format.
func files(t testing.TB, tb table) map[string]string {
	t.Helper()
	dir := t.TempDir()
	return map[string]string{
		dataset.FormatCSV:     writeCSV(t, dir, tb),
		dataset.FormatJSONL:   writeJSONL(t, dir, tb),
		dataset.FormatParquet: writeParquet(t, dir, tb, 2),
	}
}

func validate(t testing.TB, path string, exps []registry.Expectation, fv *registry.FeatureVersion) dataset.Report {
	t.Helper()
	rep, err := dataset.Validate(context.Background(), path, "", exps, fv)
	if err != nil {
		t.Fatalf("validate %s: %v", filepath.Base(path), err)
	}
	return rep
}

// want is the part of a result a case checks.
type want struct {
	success    bool
	observed   string
	missing    int64
	unexpected int64
	percent    float64
}

func got(r dataset.Result) want {
	return want{r.Success, r.ObservedValue, r.MissingCount, r.UnexpectedCount, r.UnexpectedPercent}
}

func closeTo(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkResults(t *testing.T, format string, rep dataset.Report, exps []registry.Expectation, wants []want) {
	t.Helper()
	if len(rep.Results) != len(wants) {
		t.Fatalf("%s: %d results, want %d", format, len(rep.Results), len(wants))
	}
	for i, w := range wants {
		g := got(rep.Results[i])
		if g.success != w.success || g.observed != w.observed || g.missing != w.missing || g.unexpected != w.unexpected || !closeTo(g.percent, w.percent) {
			t.Errorf("%s: expectation %d %s(%s mostly=%s): got %+v, want %+v", format, i, exps[i].Type, exps[i].Column, exps[i].Mostly, g, w)
		}
		if rep.Results[i].Index != i || rep.Results[i].Type != exps[i].Type || rep.Results[i].Column != exps[i].Column {
			t.Errorf("%s: result %d identifies %d %s %s", format, i, rep.Results[i].Index, rep.Results[i].Type, rep.Results[i].Column)
		}
	}
}

var nan = math.NaN()

// transactions is the main test table: nulls, NaN, duplicates, values out
// of range, a value outside the set, one that does not match.
var transactions = table{
	cols: []col{{"id", "string"}, {"amount", "double"}, {"country", "string"}, {"flag", "bool"}, {"n", "int64"}},
	rows: [][]any{
		{"a1", 10.0, "FR", true, int64(1)},
		{"a2", 20.5, "DE", false, int64(2)},
		{"a2", nil, "FR", true, int64(2)},
		{nil, 2000.0, "US", nil, int64(3)},
		{"b5", nan, "fr", true, int64(1000000)},
		{"a6", -1.0, nil, false, int64(4)},
	},
}

var transactionsFV = &registry.FeatureVersion{Group: "transactions", Version: 1, Features: []registry.Feature{
	{Name: "id", Type: "string"}, {Name: "amount", Type: "double"}, {Name: "country", Type: "string"},
	{Name: "flag", Type: "boolean"}, {Name: "n", Type: "bigint"},
}}

func exp(typ, column string, fields ...string) registry.Expectation {
	e := registry.Expectation{Type: typ, Column: column}
	for i := 0; i+1 < len(fields); i += 2 {
		switch fields[i] {
		case "min":
			e.MinValue = fields[i+1]
		case "max":
			e.MaxValue = fields[i+1]
		case "mostly":
			e.Mostly = fields[i+1]
		case "regex":
			e.Regex = fields[i+1]
		case "set":
			e.ValueSet = strings.Split(fields[i+1], "|")
		case "severity":
			e.Severity = fields[i+1]
		}
	}
	return e
}

const (
	exist    = "expect_column_to_exist"
	notNull  = "expect_column_values_to_not_be_null"
	unique   = "expect_column_values_to_be_unique"
	between  = "expect_column_values_to_be_between"
	inSet    = "expect_column_values_to_be_in_set"
	regex    = "expect_column_values_to_match_regex"
	mean     = "expect_column_mean_to_be_between"
	rowCount = "expect_table_row_count_to_be_between"
)

func TestExpectationsAllFormats(t *testing.T) {
	cases := []struct {
		name string
		exps []registry.Expectation
		want []want
	}{
		{"exist", []registry.Expectation{exp(exist, "id"), exp(exist, "nope")}, []want{
			{true, "column present", 0, 0, 0},
			{false, "column missing", 0, 0, 0},
		}},
		{"not null", []registry.Expectation{
			exp(notNull, "id"), exp(notNull, "id", "mostly", "0.8"), exp(notNull, "id", "mostly", "0.84"),
			exp(notNull, "amount"), exp(notNull, "n"), exp(notNull, "nope"),
		}, []want{
			{false, "1 null value", 1, 1, 100.0 / 6},
			{true, "1 null value", 1, 1, 100.0 / 6},   // 5/6 >= 0.8
			{false, "1 null value", 1, 1, 100.0 / 6},  // 5/6 < 0.84
			{false, "2 null values", 2, 2, 200.0 / 6}, // null and NaN
			{true, "0 null values", 0, 0, 0},
			{false, "column missing", 0, 0, 0},
		}},
		{"unique", []registry.Expectation{
			exp(unique, "id"), exp(unique, "id", "mostly", "0.6"), exp(unique, "id", "mostly", "0.61"),
			exp(unique, "n"), exp(unique, "amount"), exp(unique, "flag"), exp(unique, "nope"),
		}, []want{
			{false, "2 non-unique values", 1, 2, 40}, // a2 twice, of 5 non-null
			{true, "2 non-unique values", 1, 2, 40},  // 3/5 = 0.6 exactly
			{false, "2 non-unique values", 1, 2, 40},
			{false, "2 non-unique values", 0, 2, 100.0 / 3},
			{true, "0 non-unique values", 2, 0, 0},
			{false, "5 non-unique values", 1, 5, 100},
			{false, "column missing", 0, 0, 0},
		}},
		{"between", []registry.Expectation{
			exp(between, "amount", "min", "0", "max", "100"), exp(between, "amount", "min", "0", "max", "100", "mostly", "0.5"),
			exp(between, "amount", "min", "0"), exp(between, "amount", "max", "2000"), exp(between, "amount", "min", "-1", "max", "2000"),
			exp(between, "n", "min", "1", "max", "4"), exp(between, "nope", "min", "0"),
		}, []want{
			{false, "2 values out of range", 2, 2, 50},
			{true, "2 values out of range", 2, 2, 50},
			{false, "1 value out of range", 2, 1, 25},
			{true, "0 values out of range", 2, 0, 0}, // bounds inclusive
			{true, "0 values out of range", 2, 0, 0},
			{false, "1 value out of range", 0, 1, 100.0 / 6},
			{false, "column missing", 0, 0, 0},
		}},
		{"in set", []registry.Expectation{
			exp(inSet, "country", "set", "FR|DE"), exp(inSet, "country", "set", "FR|DE", "mostly", "0.6"),
			exp(inSet, "n", "set", "1|2.0|3e0"), exp(inSet, "flag", "set", "true"), exp(inSet, "amount", "set", "10|20.50|2e3|-1"),
		}, []want{
			{false, "2 values not in the set", 1, 2, 40},
			{true, "2 values not in the set", 1, 2, 40},
			{false, "2 values not in the set", 0, 2, 100.0 / 3}, // 1000000 and 4; 2.0 and 3e0 equal 2 and 3
			{false, "2 values not in the set", 1, 2, 40},
			{true, "0 values not in the set", 2, 0, 0},
		}},
		{"regex", []registry.Expectation{
			exp(regex, "id", "regex", "^a[0-9]+$"), exp(regex, "id", "regex", "5"), exp(regex, "id", "regex", "[0-9]"),
			exp(regex, "n", "regex", "^1"), exp(regex, "n", "regex", "^1000000$"), exp(regex, "amount", "regex", `^20\.5$`),
			exp(regex, "id", "regex", "^a", "mostly", "0.8"),
		}, []want{
			{false, "1 value not matching", 1, 1, 20},
			{false, "4 values not matching", 1, 4, 80}, // unanchored: "b5" matches "5"
			{true, "0 values not matching", 1, 0, 0},
			{false, "4 values not matching", 0, 4, 400.0 / 6}, // 1 and 1000000 match
			{false, "5 values not matching", 0, 5, 500.0 / 6}, // numbers in plain notation
			{false, "3 values not matching", 2, 3, 75},
			{true, "1 value not matching", 1, 1, 20},
		}},
		{"mean", []registry.Expectation{
			exp(mean, "amount", "min", "0", "max", "1000"), exp(mean, "amount", "max", "500"),
			exp(mean, "amount", "min", "507.375", "max", "507.375"), exp(mean, "n", "min", "0"), exp(mean, "nope", "min", "0"),
		}, []want{
			{true, "507.375", 2, 0, 0}, // (10+20.5+2000-1)/4; null and NaN left out
			{false, "507.375", 2, 0, 0},
			{true, "507.375", 2, 0, 0},
			{true, "166668.66666666666", 0, 0, 0},
			{false, "column missing", 0, 0, 0},
		}},
		{"row count", []registry.Expectation{
			exp(rowCount, "", "min", "1", "max", "6"), exp(rowCount, "", "min", "7"), exp(rowCount, "", "max", "5"),
		}, []want{
			{true, "6", 0, 0, 0},
			{false, "6", 0, 0, 0},
			{false, "6", 0, 0, 0},
		}},
	}
	paths := files(t, transactions)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, format := range dataset.Formats {
				rep := validate(t, paths[format], c.exps, transactionsFV)
				if rep.RowCount != 6 {
					t.Errorf("%s: row count %d", format, rep.RowCount)
				}
				checkResults(t, format, rep, c.exps, c.want)
				for _, r := range rep.Results {
					if r.ElementCount != 6 {
						t.Errorf("%s: element count %d", format, r.ElementCount)
					}
				}
			}
		})
	}
}

func TestSuccessAndSeverity(t *testing.T) {
	paths := files(t, transactions)
	for _, format := range dataset.Formats {
		rep := validate(t, paths[format], []registry.Expectation{
			exp(exist, "id"), exp(notNull, "id", "severity", "warning"),
		}, nil)
		if !rep.Success || rep.Results[1].Success || rep.Results[1].Severity != "warning" || rep.Results[0].Severity != "error" {
			t.Errorf("%s: a failing warning must not fail the suite: %+v", format, rep)
		}
		rep = validate(t, paths[format], []registry.Expectation{
			exp(exist, "id"), exp(notNull, "id", "severity", "error"),
		}, nil)
		if rep.Success {
			t.Errorf("%s: a failing error must fail the suite", format)
		}
	}
}

// TestEmpty: a header-only CSV, an empty JSON Lines file and a Parquet file
// without rows. Column-value expectations hold vacuously; a mean has no
// value to hold; JSON Lines without rows has no columns.
func TestEmpty(t *testing.T) {
	empty := table{cols: []col{{"id", "string"}, {"amount", "double"}}}
	paths := files(t, empty)
	exps := []registry.Expectation{
		exp(exist, "id"), exp(notNull, "id"), exp(unique, "id"), exp(between, "amount", "min", "0"),
		exp(inSet, "id", "set", "x"), exp(regex, "id", "regex", "x"), exp(mean, "amount", "min", "0"),
		exp(rowCount, "", "min", "1"), exp(rowCount, "", "max", "0"),
	}
	withColumns := []want{
		{true, "column present", 0, 0, 0},
		{true, "0 null values", 0, 0, 0},
		{true, "0 non-unique values", 0, 0, 0},
		{true, "0 values out of range", 0, 0, 0},
		{true, "0 values not in the set", 0, 0, 0},
		{true, "0 values not matching", 0, 0, 0},
		{false, "no numeric values", 0, 0, 0},
		{false, "0", 0, 0, 0},
		{true, "0", 0, 0, 0},
	}
	missing := want{false, "column missing", 0, 0, 0}
	withoutColumns := append([]want{missing, missing, missing, missing, missing, missing, missing}, withColumns[7:]...)
	checkResults(t, "csv", validate(t, paths["csv"], exps, nil), exps, withColumns)
	checkResults(t, "parquet", validate(t, paths["parquet"], exps, nil), exps, withColumns)
	checkResults(t, "jsonl", validate(t, paths["jsonl"], exps, nil), exps, withoutColumns)

	// A file without a single byte: no header, no columns.
	dir := t.TempDir()
	for _, name := range []string{"empty.csv", "empty.jsonl"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		checkResults(t, name, validate(t, p, exps, nil), exps, withoutColumns)
	}
}

func TestAllNullColumn(t *testing.T) {
	tb := table{cols: []col{{"amount", "double"}, {"s", "string"}}, rows: [][]any{{nil, nil}, {nan, nil}, {nil, absent{}}}}
	exps := []registry.Expectation{
		exp(notNull, "amount", "mostly", "0"), exp(between, "amount", "min", "0"), exp(mean, "amount", "min", "0"),
		exp(unique, "s"), exp(exist, "s"),
	}
	wants := []want{
		{true, "3 null values", 3, 3, 100}, // mostly 0: any share passes
		{true, "0 values out of range", 3, 0, 0},
		{false, "no numeric values", 3, 0, 0},
		{true, "0 non-unique values", 3, 0, 0},
		{true, "column present", 0, 0, 0},
	}
	paths := files(t, tb)
	for _, format := range []string{"csv", "parquet"} {
		checkResults(t, format, validate(t, paths[format], exps, nil), exps, wants)
	}
	// JSON Lines: s is null twice and absent once: present. amount is null
	// (NaN is written as null).
	checkResults(t, "jsonl", validate(t, paths["jsonl"], exps, nil), exps, wants)
}

// TestNonNumeric: text in a numeric column is unexpected for bounds and
// fails the mean; "NaN" is null, "inf" a number.
func TestNonNumeric(t *testing.T) {
	// A second column keeps the null row from being a blank line, which CSV
	// skips.
	tb := table{cols: []col{{"amount", "string"}, {"k", "int64"}}, rows: [][]any{
		{"12", int64(1)}, {"abc", int64(1)}, {" 8 ", int64(1)}, {"NaN", int64(1)}, {nil, int64(1)}, {"1e400", int64(1)},
	}}
	fv := &registry.FeatureVersion{Features: []registry.Feature{{Name: "amount", Type: "double"}}}
	exps := []registry.Expectation{
		exp(between, "amount", "min", "0", "max", "100"), exp(mean, "amount", "min", "0"),
		exp(notNull, "amount"), exp(inSet, "amount", "set", "12|8|abc"),
	}
	wants := []want{
		{false, "1 value out of range, 1 non-numeric value", 2, 2, 50}, // 1e400 is +Inf
		{false, "+Inf (1 non-numeric value)", 2, 1, 25},
		{false, "2 null values", 2, 2, 100.0 / 3},
		{false, "1 value not in the set", 2, 1, 25},
	}
	paths := files(t, tb)
	// The column is text in every format; its feature type makes it numeric.
	for _, format := range dataset.Formats {
		checkResults(t, format, validate(t, paths[format], exps, fv), exps, wants)
	}
	// JSON numbers and strings mixed in one column.
	p := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(p, []byte(`{"amount": 12}`+"\n"+`{"amount": "abc"}`+"\n"+`{"amount": true}`+"\n\n"+`{"amount": 30}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkResults(t, "mixed jsonl", validate(t, p, exps[:2], nil), exps[:2], []want{
		{false, "0 values out of range, 2 non-numeric values", 0, 2, 50},
		{false, "21 (2 non-numeric values)", 0, 2, 50},
	})
}

// TestCSVWithoutTypes: without a feature version, CSV fields are text
// unless a bound applies to their column; JSON Lines and Parquet keep their
// own types.
func TestCSVWithoutTypes(t *testing.T) {
	paths := files(t, transactions)
	exps := []registry.Expectation{exp(notNull, "amount"), exp(inSet, "n", "set", "1|2.0|3e0")}
	checkResults(t, "csv", validate(t, paths["csv"], exps, nil), exps, []want{
		{false, "2 null values", 2, 2, 200.0 / 6},           // "NaN" is one of pandas' null markers
		{false, "5 values not in the set", 0, 5, 500.0 / 6}, // text: only "1" is in the set
	})
	for _, format := range []string{"jsonl", "parquet"} {
		checkResults(t, format, validate(t, paths[format], exps, nil), exps, []want{
			{false, "2 null values", 2, 2, 200.0 / 6},
			{false, "2 values not in the set", 0, 2, 100.0 / 3},
		})
	}
	// A bound makes the column numeric, for every expectation on it: "NaN"
	// is null.
	exps = []registry.Expectation{exp(notNull, "amount"), exp(mean, "amount", "min", "0")}
	for _, format := range dataset.Formats {
		checkResults(t, format, validate(t, paths[format], exps, nil), exps, []want{
			{false, "2 null values", 2, 2, 200.0 / 6},
			{true, "507.375", 2, 0, 0},
		})
	}
}

// TestFeatureTypes: the feature version decides whether text is a number.
func TestFeatureTypes(t *testing.T) {
	tb := table{cols: []col{{"code", "string"}}, rows: [][]any{{"01"}, {"1"}, {"1.0"}, {"x"}}}
	exps := []registry.Expectation{exp(inSet, "code", "set", "1"), exp(unique, "code"), exp(regex, "code", "regex", "^1$")}
	asString := &registry.FeatureVersion{Features: []registry.Feature{{Name: "code", Type: "string"}}}
	asNumber := &registry.FeatureVersion{Features: []registry.Feature{{Name: "code", Type: "decimal(10,2)"}}}
	paths := files(t, tb)
	for _, format := range dataset.Formats {
		checkResults(t, format+" string", validate(t, paths[format], exps, asString), exps, []want{
			{false, "3 values not in the set", 0, 3, 75},
			{true, "0 non-unique values", 0, 0, 0},
			{false, "3 values not matching", 0, 3, 75},
		})
		checkResults(t, format+" number", validate(t, paths[format], exps, asNumber), exps, []want{
			{false, "1 value not in the set", 0, 1, 25},
			{false, "3 non-unique values", 0, 3, 75},
			// Numbers are matched in Python's str(): 01 is the integer 1,
			// 1.0 a float, "1.0".
			{false, "2 values not matching", 0, 2, 50},
		})
	}
}

// TestUniqueKinds: a JSON number never equals a string; 1 equals 1.0; -0
// equals 0.
func TestUniqueKinds(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kinds.ndjson")
	lines := `{"v": 1}` + "\n" + `{"v": "1"}` + "\n" + `{"v": 1.0}` + "\n" + `{"v": -0}` + "\n" + `{"v": 0}` + "\n" + `{"v": true}` + "\n" + `{"v": "true"}` + "\n" +
		`{"v": {"a": [1, 2]}}` + "\n" + `{"v":{"a":[1,2]}}` + "\n"
	if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	exps := []registry.Expectation{exp(unique, "v"), exp(inSet, "v", "set", `{"a":[1,2]}|true`)}
	checkResults(t, "ndjson", validate(t, p, exps, nil), exps, []want{
		{false, "6 non-unique values", 0, 6, 600.0 / 9}, // 1 and 1.0, -0 and 0, the two objects
		{false, "5 values not in the set", 0, 5, 500.0 / 9},
	})
}

func TestMostlyBoundary(t *testing.T) {
	rows := make([][]any, 20)
	for i := range rows {
		rows[i] = []any{float64(i)}
	}
	tb := table{cols: []col{{"x", "double"}}, rows: rows}
	// 19 of 20 values are at most 18: exactly 0.95.
	exps := []registry.Expectation{
		exp(between, "x", "max", "18", "mostly", "0.95"), exp(between, "x", "max", "18", "mostly", "0.950000000000000001"),
		exp(between, "x", "max", "18", "mostly", "1"), exp(between, "x", "max", "19", "mostly", "1"),
	}
	paths := files(t, tb)
	for _, format := range dataset.Formats {
		checkResults(t, format, validate(t, paths[format], exps, nil), exps, []want{
			{true, "1 value out of range", 0, 1, 5},
			{true, "1 value out of range", 0, 1, 5}, // compared in float64, as GX does: 0.950000000000000001 is 0.95
			{false, "1 value out of range", 0, 1, 5},
			{true, "0 values out of range", 0, 0, 0},
		})
	}
}

// TestParquetLogicalTypes: dates, timestamps and decimals read as text and
// numbers.
func TestParquetLogicalTypes(t *testing.T) {
	type row struct {
		Day   int32  `parquet:"day,date"`
		TS    int64  `parquet:"ts,timestamp(millisecond)"`
		Price int32  `parquet:"price,decimal(2:9)"`
		Small int32  `parquet:"small"`
		Name  []byte `parquet:"name"`
	}
	p := filepath.Join(t.TempDir(), "typed.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	day := int32(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	ts := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC).UnixMilli()
	w := parquet.NewGenericWriter[row](f)
	if _, err := w.Write([]row{{day, ts, 1999, -3, []byte("x")}, {day + 1, ts + 1500, 5, 7, []byte("y")}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	exps := []registry.Expectation{
		exp(inSet, "day", "set", "2024-03-01|2024-03-02"), exp(regex, "ts", "regex", `^2024-03-01T12:30:0(0|1\.5)Z$`),
		exp(mean, "price", "min", "10.02", "max", "10.02"), exp(between, "small", "min", "-3", "max", "7"), exp(inSet, "name", "set", "x|y"),
	}
	rep := validate(t, p, exps, nil)
	for i, r := range rep.Results {
		if !r.Success {
			t.Errorf("expectation %d %s: %+v", i, exps[i].Type, r)
		}
	}
}

func TestParquetNestedRefused(t *testing.T) {
	type row struct {
		Tags []string `parquet:"tags,list"`
		ID   string   `parquet:"id"`
	}
	p := filepath.Join(t.TempDir(), "nested.parquet")
	if err := parquet.WriteFile(p, []row{{[]string{"a"}, "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := dataset.Validate(context.Background(), p, "", []registry.Expectation{exp(notNull, "tags")}, nil); err == nil ||
		!strings.Contains(err.Error(), `column "tags" is a nested or repeated Parquet field`) {
		t.Errorf("nested column: %v", err)
	}
	rep := validate(t, p, []registry.Expectation{exp(notNull, "id")}, nil)
	if !rep.Success {
		t.Errorf("flat column next to a nested one: %+v", rep)
	}
}

// TestParquetRowGroups: one row per row group, and many rows per group,
// give the results of the CSV file.
func TestParquetRowGroups(t *testing.T) {
	exps := []registry.Expectation{
		exp(notNull, "amount"), exp(unique, "id"), exp(between, "amount", "min", "0", "max", "100"),
		exp(inSet, "country", "set", "FR|DE"), exp(regex, "id", "regex", "^a"), exp(mean, "amount", "min", "0"), exp(rowCount, "", "min", "0"),
	}
	dir := t.TempDir()
	want := validate(t, writeCSV(t, dir, transactions), exps, nil)
	for _, per := range []int64{1, 4, 1000} {
		got := validate(t, writeParquet(t, dir, transactions, per), exps, nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d rows per group:\n got %+v\nwant %+v", per, got, want)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct{ path, format, want, err string }{
		{"a.csv", "", "csv", ""},
		{"a.CSV", "", "csv", ""},
		{"a.jsonl", "", "jsonl", ""},
		{"a.ndjson", "", "jsonl", ""},
		{"dir/a.parquet", "", "parquet", ""},
		{"a.txt", "csv", "csv", ""},
		{"a.csv", "parquet", "parquet", ""},
		{"a.json", "", "", `cannot tell the format of "a.json" from its extension ".json"`},
		{"data", "", "", `it has no extension`},
		{"a.csv", "xlsx", "", `unknown format "xlsx": the formats are csv, jsonl, parquet`},
	} {
		got, err := dataset.DetectFormat(c.path, c.format)
		if got != c.want || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("DetectFormat(%q, %q) = %q, %v; want %q, %q", c.path, c.format, got, err, c.want, c.err)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e := []registry.Expectation{exp(notNull, "a")}
	_, err := dataset.Validate(context.Background(), filepath.Join(dir, "missing.csv"), "", e, nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	for _, c := range []struct{ path, want string }{
		{write("ragged.csv", "a,b\n1,2\n3\n"), "ragged.csv: record on line 3: wrong number of fields"},
		{write("quote.csv", "a\n\"x\n"), "quote.csv: parse error on line 2"},
		{write("array.jsonl", `{"a": 1}`+"\n"+`[1]`+"\n"), "array.jsonl: line 2: not a JSON object"},
		{write("bad.jsonl", `{"a": 1}`+"\n\n"+`{"a": }`+"\n"), "bad.jsonl: line 3: invalid JSON"},
		{write("two.jsonl", `{"a": 1} {"a": 2}`+"\n"), "two.jsonl: line 1: invalid JSON"},
		{write("text.parquet", "not parquet at all"), "text.parquet: not a readable Parquet file"},
	} {
		_, err := dataset.Validate(context.Background(), c.path, "", e, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", filepath.Base(c.path), err, c.want)
		}
	}
	if _, err := dataset.Validate(context.Background(), write("x.csv", "a\n1\n"), "", []registry.Expectation{
		{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"},
	}, nil); err == nil || !strings.Contains(err.Error(), "not a data expectation type") {
		t.Errorf("model gate: %v", err)
	}
}

// TestCSVDetails: a byte order mark, quoted fields, a duplicate header, a
// blank line.
func TestCSVDetails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bom.csv")
	if err := os.WriteFile(p, []byte("\ufeffid,note,id\r\n\"a,1\",\"say \"\"hi\"\"\",x\r\n\r\nb,,y\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exps := []registry.Expectation{exp(inSet, "id", "set", "a,1|b"), exp(notNull, "note"), exp(regex, "note", "regex", `^say "hi"$`), exp(rowCount, "", "max", "2")}
	checkResults(t, "csv", validate(t, p, exps, nil), exps, []want{
		{true, "0 values not in the set", 0, 0, 0},
		{false, "1 null value", 1, 1, 50},
		{true, "0 values not matching", 1, 0, 0},
		{true, "2", 0, 0, 0}, // the blank line is skipped
	})
}

// TestJSONLLongLine: a line longer than the read buffer.
func TestJSONLLongLine(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	p := filepath.Join(t.TempDir(), "long.jsonl")
	content := `{"s": "` + long + `"}` + "\n" + `{"s": "short", "t": "a\"b"}` // no final newline
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	exps := []registry.Expectation{exp(regex, "s", "regex", "^x{100}"), exp(inSet, "t", "set", `a"b`), exp(rowCount, "", "min", "2", "max", "2")}
	checkResults(t, "jsonl", validate(t, p, exps, nil), exps, []want{
		{false, "1 value not matching", 0, 1, 50},
		{true, "0 values not in the set", 1, 0, 0},
		{true, "2", 0, 0, 0},
	})
}

func TestCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("a\n")
	for i := 0; i < 70000; i++ {
		b.WriteString("1\n")
	}
	p := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := dataset.Validate(ctx, p, "", []registry.Expectation{exp(notNull, "a")}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestFormatNumber(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", 1: "1", -1.5: "-1.5", 1e6: "1000000", 0.1: "0.1", 1e-7: "1e-07", 1e21: "1e+21", 123456789012: "123456789012",
		math.Inf(1): "+Inf",
	} {
		if got := dataset.FormatNumber(f); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestJSONLScanner: keys and values the line scanner must split right.
func TestJSONLScanner(t *testing.T) {
	lines := []string{
		`{ "a" : "x}\"]," , "b\u0063" : {"k": "}{", "l": [1, "]"]}, "n": -1.5e2 }`,
		`{}`,
		`{"a": "d\u00e9j\u00e0", "a": "y", "n": 0, "bc": [ ]}`,
		"\t{\"n\":7,\"a\":null}\r",
	}
	p := filepath.Join(t.TempDir(), "scan.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	exps := []registry.Expectation{
		exp(inSet, "a", "set", `x}"],|y`), exp(inSet, "bc", "set", `{"k":"}{","l":[1,"]"]}|[]`),
		exp(mean, "n", "min", "-48", "max", "-47"), exp(notNull, "a"), exp(rowCount, "", "min", "4", "max", "4"),
	}
	checkResults(t, "jsonl", validate(t, p, exps, nil), exps, []want{
		{true, "0 values not in the set", 2, 0, 0}, // the repeated key: the last value
		{true, "0 values not in the set", 2, 0, 0},
		{true, "-47.666666666666664", 1, 0, 0}, // (-150 + 0 + 7) / 3
		{false, "2 null values", 2, 2, 50},
		{true, "4", 0, 0, 0},
	})
}

// TestCSVQuotedEmpty: in a file of one column, "" is a null row, and a
// blank line no row.
func TestCSVQuotedEmpty(t *testing.T) {
	p := filepath.Join(t.TempDir(), "one.csv")
	if err := os.WriteFile(p, []byte("a\n1\n\"\"\n\n2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exps := []registry.Expectation{exp(notNull, "a"), exp(rowCount, "", "min", "3", "max", "3")}
	checkResults(t, "csv", validate(t, p, exps, nil), exps, []want{
		{false, "1 null value", 1, 1, 100.0 / 3},
		{true, "3", 0, 0, 0},
	})
}
