package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// Result is the outcome of one expectation, in the terms of Great
// Expectations' validation results.
type Result struct {
	Index    int    // position in the suite
	Type     string // expectation type
	Column   string // "" for table expectations
	Severity string // error or warning
	Success  bool
	// ObservedValue says what was found: the mean, the row count, "2 null
	// values", "column missing"...
	ObservedValue string
	// ElementCount is the number of rows.
	ElementCount int64
	// MissingCount is the number of null values of the column.
	MissingCount int64
	// UnexpectedCount is the number of values that fail the expectation
	// (for expect_column_mean_to_be_between: the non-numeric values).
	UnexpectedCount int64
	// UnexpectedPercent is UnexpectedCount per 100 non-null values (per 100
	// rows for expect_column_values_to_not_be_null), 0 without any.
	UnexpectedPercent float64
}

// Report is the outcome of a suite on a file.
type Report struct {
	// Success is true when every expectation of severity error holds; a
	// failing warning does not fail the suite.
	Success  bool
	RowCount int64
	Results  []Result
}

// ObservedColumnMissing is the observed value of an expectation on a column
// that the file lacks.
const ObservedColumnMissing = "column missing"

type op uint8

const (
	opExist op = iota
	opNotNull
	opUnique
	opBetween
	opInSet
	opRegex
	opMean
	opRowCount
)

var ops = map[string]op{
	"expect_column_to_exist":               opExist,
	"expect_column_values_to_not_be_null":  opNotNull,
	"expect_column_values_to_be_unique":    opUnique,
	"expect_column_values_to_be_between":   opBetween,
	"expect_column_values_to_be_in_set":    opInSet,
	"expect_column_values_to_match_regex":  opRegex,
	"expect_column_mean_to_be_between":     opMean,
	"expect_table_row_count_to_be_between": opRowCount,
}

// check is the state of one expectation during the pass.
type check struct {
	op             op
	exp            registry.Expectation
	col            int // index into Evaluator.columns, -1 for the table
	min, max       float64
	hasMin, hasMax bool
	imin, imax     intBound // the bounds for exact integers
	hasMostly      bool
	mostly         float64 // as Great Expectations reads it: a Python float
	typed          bool    // value_set typed by the column's feature type
	set            map[string]struct{}
	smallSet       []string // set's elements when it has at most 8: a scan beats the map
	setNums        map[float64]struct{}
	setInts        map[int64]struct{}
	setBools       [2]bool // false, true
	re             matcher
	unexpected     int64
	nonNumeric     int64
	sum, comp      float64 // Neumaier's compensated sum
	count          int64
	seen           *valueSet
}

type column struct {
	name    string
	numeric bool
	boolean bool
	nulls   int64
}

// Evaluator runs the data expectations of a suite over rows in one pass,
// with constant memory per expectation except uniqueness.
//
// The semantics are those of Great Expectations (0.18, pandas engine):
//
//   - Null values — an empty CSV field, JSON null or a missing key, a
//     Parquet null, and NaN in a numeric column (NaN is missing, as in
//     pandas) — are ignored by every column-value expectation but
//     expect_column_values_to_not_be_null.
//   - mostly is the share of non-null values that must pass:
//     unexpected_percent = unexpected_count / non-null count * 100, and the
//     expectation holds when (non-null - unexpected) / non-null >= mostly,
//     compared exactly (rational arithmetic on the decimal text). Without
//     mostly every non-null value must pass. For
//     expect_column_values_to_not_be_null the share is of all rows. Without
//     any (non-null) value, a column-value expectation holds vacuously.
//   - A column missing from the file fails every expectation on it, with the
//     observed value "column missing".
//   - Numbers: the values of a numeric column (by the feature version's
//     type, or, for a column the feature version does not type, any column
//     that a bound applies to) are parsed as float64; a value that is not a
//     number is unexpected for expect_column_values_to_be_between, and makes
//     expect_column_mean_to_be_between fail. Bounds are inclusive.
//   - expect_column_mean_to_be_between: the mean of the non-null numeric
//     values; without any it fails ("no numeric values").
//   - expect_column_values_to_be_in_set: a number is in the set when a set
//     element parses as the same number (1, 1.0 and 1e0 are equal); any
//     other value is compared as text (true/false for booleans).
//   - expect_column_values_to_match_regex: Go's RE2 syntax, matched anywhere
//     in the value (an unanchored search, like Great Expectations' pandas
//     str.contains and Spark rlike; anchor with ^ and $ to match the whole
//     value). Numbers are matched in their canonical text (FormatNumber),
//     booleans as true/false.
//   - expect_column_values_to_be_unique: every occurrence of a value that
//     occurs more than once is unexpected (pandas duplicated(keep=False)).
//     Numbers compare by value (1 and 1.0 are duplicates), and a number never
//     equals a string. This is the one expectation whose memory grows: with
//     the number of DISTINCT values, not of rows. It keeps each distinct
//     value once (valueSet) and compares values exactly, never by hash
//     alone: its bytes plus 13 to 23 bytes, about 35 MiB of live heap for a
//     million distinct values of 11 characters (BenchmarkValidateCSV1M's
//     peak-live-MiB).
//   - expect_table_row_count_to_be_between counts rows, bounds inclusive.
type Evaluator struct {
	columns []column
	checks  []*check
	rows    int64
	cells   []Value
}

// NewEvaluator prepares the data expectations of a suite. fv, the suite's
// feature version (nil when unknown), says which columns are numeric.
func NewEvaluator(exps []registry.Expectation, fv *registry.FeatureVersion) (*Evaluator, error) {
	e := &Evaluator{}
	types := map[string]registry.FeatureType{}
	if fv != nil {
		for _, f := range fv.Features {
			if t, err := registry.ParseFeatureType(f.Type); err == nil {
				types[f.Name] = t
			}
		}
	}
	colIndex := map[string]int{}
	for i, x := range exps {
		o, ok := ops[x.Type]
		if !ok {
			return nil, fmt.Errorf("expectation %d: %q is not a data expectation type; data suites take %s",
				i, x.Type, strings.Join(registry.ExpectationTypeNames(registry.TargetData), ", "))
		}
		k := &check{op: o, exp: x, col: -1}
		if o != opRowCount {
			if x.Column == "" {
				return nil, fmt.Errorf("expectation %d (%s): no column", i, x.Type)
			}
			ci, ok := colIndex[x.Column]
			if !ok {
				ci = len(e.columns)
				colIndex[x.Column] = ci
				e.columns = append(e.columns, column{name: x.Column})
			}
			k.col = ci
		}
		var err error
		if k.min, k.hasMin, err = bound(x.MinValue); err != nil {
			return nil, fmt.Errorf("expectation %d (%s): min_value: %w", i, x.Type, err)
		}
		if k.max, k.hasMax, err = bound(x.MaxValue); err != nil {
			return nil, fmt.Errorf("expectation %d (%s): max_value: %w", i, x.Type, err)
		}
		if (o == opBetween || o == opMean || o == opRowCount) && !k.hasMin && !k.hasMax {
			return nil, fmt.Errorf("expectation %d (%s): needs min_value or max_value", i, x.Type)
		}
		k.imin, k.imax = intMin(x.MinValue), intMax(x.MaxValue)
		if x.Mostly != "" {
			m, err := strconv.ParseFloat(x.Mostly, 64)
			if err != nil || m < 0 || m > 1 {
				return nil, fmt.Errorf("expectation %d (%s): mostly %q is not a number between 0 and 1", i, x.Type, x.Mostly)
			}
			k.mostly, k.hasMostly = m, true
		}
		switch o {
		case opInSet:
			ft, typed := types[x.Column]
			k.fillSet(x.ValueSet, ft, typed)
		case opRegex:
			if k.re, err = compileRegex(x.Regex); err != nil {
				return nil, fmt.Errorf("expectation %d (%s): regex %q does not compile: %w", i, x.Type, x.Regex, err)
			}
		case opUnique:
			k.seen = newValueSet()
		}
		e.checks = append(e.checks, k)
	}
	for i := range e.columns {
		c := &e.columns[i]
		if t, ok := types[c.name]; ok {
			c.numeric = t.IsNumeric()
			c.boolean = t.Kind == "boolean"
			continue
		}
		for _, k := range e.checks {
			if k.col == i && (k.op == opBetween || k.op == opMean) {
				c.numeric = true
			}
		}
	}
	e.cells = make([]Value, len(e.columns))
	return e, nil
}

func bound(text string) (float64, bool, error) {
	if text == "" {
		return 0, false, nil
	}
	f, err := registry.ParseDecimal(text)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a number", text)
	}
	return f, true, nil
}

// Columns lists the columns the expectations read, in the order Add takes
// their values.
func (e *Evaluator) Columns() []string {
	names := make([]string, len(e.columns))
	for i, c := range e.columns {
		names[i] = c.name
	}
	return names
}

// Add evaluates one row: row holds a value per column of Columns. Strings
// of the row need to live only during the call.
func (e *Evaluator) Add(row []Value) {
	e.rows++
	for i := range e.columns {
		c := &e.columns[i]
		v := &e.cells[i]
		*v = row[i]
		if v.Kind == KindString {
			switch {
			case c.numeric:
				if !fastNumber(v.Str, v) {
					*v = parseNumber(*v)
				}
			case c.boolean:
				*v = parseBool(*v)
			}
		}
		if v.Kind == KindNumber && math.IsNaN(v.Num) {
			*v = Value{Kind: KindNull}
		}
		if v.Kind == KindNull {
			c.nulls++
		}
	}
	for _, k := range e.checks {
		if k.col < 0 {
			continue
		}
		v := &e.cells[k.col]
		if v.Kind == KindNull {
			continue
		}
		switch k.op {
		case opUnique:
			k.seen.add(v)
		case opBetween:
			switch {
			case v.Kind != KindNumber:
				k.nonNumeric++
				k.unexpected++
			case !k.numberInRange(v):
				k.unexpected++
			}
		case opInSet:
			if !k.inSet(v) {
				k.unexpected++
			}
		case opRegex:
			if !k.re.MatchString(text(v)) {
				k.unexpected++
			}
		case opMean:
			if v.Kind != KindNumber {
				k.nonNumeric++
				continue
			}
			// Neumaier's summation keeps the mean of a million values exact
			// to the last digits.
			t := k.sum + v.Num
			if math.Abs(k.sum) >= math.Abs(v.Num) {
				k.comp += (k.sum - t) + v.Num
			} else {
				k.comp += (v.Num - t) + k.sum
			}
			k.sum = t
			k.count++
		}
	}
}

// fillSet prepares value_set. Typed (the column's feature type is known),
// each element is what Great Expectations compares with: a number for a
// numeric column, a boolean for a boolean one, a string otherwise
// (registry.GXValue), and a value is in the set when an element of its own
// kind equals it. Untyped, any element that reads as a number is also that
// number, and booleans compare as the text true or false.
func (k *check) fillSet(values []string, ft registry.FeatureType, typed bool) {
	k.typed = typed
	k.set, k.setNums, k.setInts = map[string]struct{}{}, map[float64]struct{}{}, map[int64]struct{}{}
	for _, v := range values {
		var el any = v
		if typed {
			el = registry.GXValue(v, ft)
		} else {
			k.set[v] = struct{}{}
			if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				el = registry.PlainDecimal(strings.TrimSpace(v))
			}
		}
		switch e := el.(type) {
		case bool:
			k.setBools[b2i(e)] = true
		case string:
			k.set[e] = struct{}{}
		case json.Number:
			k.addSetNumber(string(e))
		}
	}
	if n := len(k.set); n > 0 && n <= 8 {
		k.smallSet = make([]string, 0, n)
		for x := range k.set {
			k.smallSet = append(k.smallSet, x)
		}
	}
}

// addSetNumber adds a number of value_set: an integer exactly, anything
// else as the float64 Python reads it as.
func (k *check) addSetNumber(text string) {
	if i, ok := parseInt(text); ok {
		k.setInts[i] = struct{}{}
		return
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(f) {
		k.setNums[f] = struct{}{}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (k *check) inSet(v *Value) bool {
	switch v.Kind {
	case KindNumber:
		if v.IsInt {
			if _, ok := k.setInts[v.Int]; ok {
				return true
			}
		} else if i, ok := floatInt(v.Num); ok {
			if _, ok := k.setInts[i]; ok {
				return true
			}
		}
		_, ok := k.setNums[v.Num]
		return ok
	case KindBool:
		if k.typed {
			return k.setBools[b2i(v.Bool)]
		}
		_, ok := k.set[strconv.FormatBool(v.Bool)]
		return ok
	default:
		if k.smallSet != nil {
			for _, x := range k.smallSet {
				if x == v.Str {
					return true
				}
			}
			return false
		}
		_, ok := k.set[v.Str]
		return ok
	}
}

// floatInt is f as an int64 when f is an integer within int64's range.
func floatInt(f float64) (int64, bool) {
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// numberInRange compares a number with the bounds: an exact integer
// exactly, a float as a float.
func (k *check) numberInRange(v *Value) bool {
	if v.IsInt {
		return k.imin.allows(v.Int, false) && k.imax.allows(v.Int, true)
	}
	return k.inRange(v.Num)
}

// intBound is a bound of between as it applies to integers: the least (for
// a minimum) or greatest (for a maximum) integer allowed.
type intBound struct {
	set   bool  // a bound applies
	v     int64 // the bound, when within int64
	below bool  // the bound lies below int64's range
	above bool  // the bound lies above int64's range
}

func (b intBound) allows(i int64, isMax bool) bool {
	switch {
	case !b.set:
		return true
	case isMax:
		return !b.below && (b.above || i <= b.v)
	default:
		return !b.above && (b.below || i >= b.v)
	}
}

// intMin is the least integer at or above the decimal text; intMax the
// greatest at or below.
func intMin(text string) intBound { return intBoundOf(text, true) }
func intMax(text string) intBound { return intBoundOf(text, false) }

func intBoundOf(text string, ceil bool) intBound {
	r, ok := new(big.Rat).SetString(text)
	if text == "" || !ok {
		return intBound{}
	}
	q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int)) // floor: Euclidean with a positive divisor
	if ceil && m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	switch {
	case !q.IsInt64() && q.Sign() < 0:
		return intBound{set: true, below: true}
	case !q.IsInt64():
		return intBound{set: true, above: true}
	default:
		return intBound{set: true, v: q.Int64()}
	}
}

// parseInt reads an integer in decimal digits with an optional minus sign,
// within int64, without allocating.
func parseInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 19 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(digits[i]-'0')
	}
	if len(digits) <= 18 { // below 10^18: no overflow
		if len(digits) < len(s) {
			n = -n
		}
		return n, true
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

func intValue(i int64) Value { return Value{Kind: KindNumber, Num: float64(i), Int: i, IsInt: true} }

// parseNumber reads the text of a numeric column's value as a number: an
// integer exactly, anything else as float64. Text that is not a number
// stays text.
func parseNumber(v Value) Value {
	var n Value
	if fastNumber(v.Str, &n) {
		return n
	}
	s := strings.TrimSpace(v.Str)
	if i, ok := parseInt(s); ok {
		return intValue(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return Value{Kind: KindNumber, Num: f}
	}
	return v
}

// pow10 are the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastNumber reads the common numbers quickly, to the values parseNumber's
// general path gives: an integer of at most 18 digits exactly, a decimal
// with a point and at most 15 digits (-12.5, 0.001) as strconv.ParseFloat
// does — the digits make an integer below 2^53 and the divisor a power of
// ten at most 1e15, both exact in float64, so the one division is
// correctly rounded (Clinger's fast path). Anything else (spaces,
// exponents, more digits...) is left to the general path.
func fastNumber(s string, v *Value) bool {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	var n uint64
	point := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + uint64(c-'0')
		case c == '.' && point < 0:
			point = i
		default:
			return false
		}
	}
	if point < 0 {
		i := int64(n)
		if neg {
			i = -i
		}
		*v = intValue(i)
		return true
	}
	if point == 0 || point == len(s)-1 || len(s) > 16 {
		return false
	}
	f := float64(n) / pow10[len(s)-1-point]
	if neg {
		f = -f
	}
	*v = Value{Kind: KindNumber, Num: f}
	return true
}

// parseBool reads the text of a boolean column's value as pandas' read_csv
// does (its true_values and false_values: True, TRUE, true, False, FALSE,
// false). Other text stays text.
func parseBool(v Value) Value {
	switch v.Str {
	case "True", "TRUE", "true":
		return Value{Kind: KindBool, Bool: true}
	case "False", "FALSE", "false":
		return Value{Kind: KindBool, Bool: false}
	}
	return v
}

// text is a value's text as Great Expectations' regex sees it (pandas'
// astype(str), that is Python's str()): strings as they are, integers in
// decimal, other numbers as Python's repr of a float (1.0, 1e-05, 1e+16),
// booleans as True or False.
func text(v *Value) string {
	switch v.Kind {
	case KindString:
		return v.Str
	case KindNumber:
		if v.IsInt {
			return strconv.FormatInt(v.Int, 10)
		}
		return PythonFloat(v.Num)
	case KindBool:
		if v.Bool {
			return "True"
		}
		return "False"
	default:
		return ""
	}
}

// PythonFloat writes a float64 as Python's repr does: the shortest digits
// that read back, in plain notation with at least one decimal when the
// exponent is within -4..15, else in exponent notation (1e-05, 1.5e+16).
func PythonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if f != 0 && (exp < -4 || exp >= 16) {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// FormatNumber is the canonical text of a number: the shortest decimal
// that reads back as the same float64, in plain notation (1000000, 0.25),
// in exponent notation below 1e-6 and from 1e21 on, as JSON encoders and
// JavaScript write numbers.
func FormatNumber(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Finish returns the results; present says whether each column of Columns
// is in the file.
func (e *Evaluator) Finish(present func(i int) bool) Report {
	rep := Report{Success: true, RowCount: e.rows, Results: make([]Result, len(e.checks))}
	for i, k := range e.checks {
		r := Result{Index: i, Type: k.exp.Type, Column: k.exp.Column, Severity: k.exp.EffectiveSeverity(), ElementCount: e.rows}
		switch {
		case k.col >= 0 && !present(k.col):
			r.ObservedValue = ObservedColumnMissing
		case k.op == opExist:
			r.Success, r.ObservedValue = true, "column present"
		case k.op == opRowCount:
			r.Success = k.inRange(float64(e.rows))
			r.ObservedValue = strconv.FormatInt(e.rows, 10)
		default:
			e.finishColumn(k, &r)
		}
		if !r.Success && r.Severity != registry.SeverityNameWarning {
			rep.Success = false
		}
		rep.Results[i] = r
	}
	return rep
}

func (e *Evaluator) finishColumn(k *check, r *Result) {
	nulls := e.columns[k.col].nulls
	nonNull := e.rows - nulls
	r.MissingCount = nulls
	switch k.op {
	case opNotNull:
		r.UnexpectedCount = nulls
		r.UnexpectedPercent = percent(nulls, e.rows)
		r.Success = k.mostlyHolds(e.rows-nulls, e.rows)
		r.ObservedValue = count(nulls, "null value", "null values")
		return
	case opMean:
		r.UnexpectedCount = k.nonNumeric
		r.UnexpectedPercent = percent(k.nonNumeric, nonNull)
		if k.count == 0 {
			r.ObservedValue = "no numeric values"
			if k.nonNumeric > 0 {
				r.ObservedValue += " (" + count(k.nonNumeric, "non-numeric value", "non-numeric values") + ")"
			}
			return
		}
		total := k.sum
		if !math.IsInf(total, 0) && !math.IsNaN(k.comp) {
			total += k.comp
		}
		mean := total / float64(k.count)
		r.ObservedValue = FormatNumber(mean)
		r.Success = k.nonNumeric == 0 && k.inRange(mean)
		if k.nonNumeric > 0 {
			r.ObservedValue += " (" + count(k.nonNumeric, "non-numeric value", "non-numeric values") + ")"
		}
		return
	case opUnique:
		distinct, duplicated := k.seen.counts()
		k.unexpected = nonNull - int64(distinct-duplicated)
		r.ObservedValue = count(k.unexpected, "non-unique value", "non-unique values")
	case opBetween:
		out := k.unexpected - k.nonNumeric
		r.ObservedValue = count(out, "value out of range", "values out of range")
		if k.nonNumeric > 0 {
			r.ObservedValue += ", " + count(k.nonNumeric, "non-numeric value", "non-numeric values")
		}
		r.UnexpectedCount = k.unexpected
		r.UnexpectedPercent = percent(k.unexpected, nonNull)
		// Great Expectations compares each value with the bounds; a value
		// that is not a number raises a TypeError, which fails the
		// expectation whatever mostly says.
		r.Success = k.nonNumeric == 0 && k.mostlyHolds(nonNull-k.unexpected, nonNull)
		return
	case opInSet:
		r.ObservedValue = count(k.unexpected, "value not in the set", "values not in the set")
	case opRegex:
		r.ObservedValue = count(k.unexpected, "value not matching", "values not matching")
	}
	r.UnexpectedCount = k.unexpected
	r.UnexpectedPercent = percent(k.unexpected, nonNull)
	r.Success = k.mostlyHolds(nonNull-k.unexpected, nonNull)
}

// mostlyHolds: pass of total values passed; vacuously true without values.
// With mostly, the share is computed and compared in float64, as Great
// Expectations' _mostly_success does.
func (k *check) mostlyHolds(pass, total int64) bool {
	if total == 0 {
		return true
	}
	if !k.hasMostly {
		return pass == total
	}
	t := float64(total)
	return (t-float64(total-pass))/t >= k.mostly
}

func (k *check) inRange(f float64) bool {
	return (!k.hasMin || f >= k.min) && (!k.hasMax || f <= k.max)
}

func percent(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of) * 100
}

func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// progressEvery is how many rows pass between checks of the context.
const progressEvery = 1 << 16

// Validate runs the data expectations exps on the file at path in one
// streaming pass, with the default Options. format is "" (from the extension), csv, jsonl or parquet;
// fv is the suite's feature version (nil when unknown), which says which
// columns are numeric. Errors name the file.
func Validate(ctx context.Context, path, format string, exps []registry.Expectation, fv *registry.FeatureVersion) (Report, error) {
	return ValidateWith(ctx, path, format, exps, fv, Options{})
}

// ValidateWith is Validate with Options.
func ValidateWith(ctx context.Context, path, format string, exps []registry.Expectation, fv *registry.FeatureVersion, opts Options) (Report, error) {
	ev, err := NewEvaluator(exps, fv)
	if err != nil {
		return Report{}, err
	}
	src, err := Open(path, format, ev.Columns(), opts)
	if err != nil {
		return Report{}, err
	}
	defer func() { _ = src.Close() }()
	row := make([]Value, len(ev.columns))
	for n := 1; ; n++ {
		if n%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return Report{}, fmt.Errorf("%s: validation stopped after %d rows: %w", path, n-1, err)
			}
		}
		ok, err := src.Next(row)
		if err != nil {
			return Report{}, err
		}
		if !ok {
			break
		}
		ev.Add(row)
	}
	return ev.Finish(src.Present), nil
}
