package registry

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file holds the checks of validation suites: rule V1 (expectations
// that make sense for their target) and rule D3 (a model's release gates
// hold for every model version a deployment serves).

// Target kinds of a validation suite.
const (
	TargetData  = "data"  // a feature version's data
	TargetModel = "model" // a model's metrics (release gates)
)

// Severities of an expectation.
const (
	SeverityNameError   = "error"
	SeverityNameWarning = "warning"
)

// Ingestion policies of a data suite.
const (
	IngestionStrict = "strict" // data that fails the suite is not ingested
	IngestionAlways = "always" // data is ingested and the failures reported
)

// Expectation fields, in the names the configuration uses.
const (
	FieldColumn   = "column"
	FieldMetric   = "metric"
	FieldMinValue = "min_value"
	FieldMaxValue = "max_value"
	FieldValueSet = "value_set"
	FieldRegex    = "regex"
	FieldMostly   = "mostly"
	FieldSeverity = "severity"
)

// ExpectationType describes one expectation type: its target, the fields it
// takes and the ones it needs.
type ExpectationType struct {
	Name     string
	Target   string
	Fields   []string // fields it takes besides type and severity
	Required []string // fields it needs
	// OneOf lists fields of which at least one is needed.
	OneOf []string
	// NumericColumn says that the column must be numeric (bounds on values).
	NumericColumn bool
	Description   string
}

// ExpectationTypes are the supported expectation types: Great Expectations'
// names and kwargs for data, and metric gates for models.
var ExpectationTypes = []ExpectationType{
	{Name: "expect_column_to_exist", Target: TargetData, Fields: []string{FieldColumn}, Required: []string{FieldColumn},
		Description: "the column is present"},
	{Name: "expect_column_values_to_not_be_null", Target: TargetData, Fields: []string{FieldColumn, FieldMostly}, Required: []string{FieldColumn},
		Description: "values are not null"},
	{Name: "expect_column_values_to_be_unique", Target: TargetData, Fields: []string{FieldColumn, FieldMostly}, Required: []string{FieldColumn},
		Description: "values are unique"},
	{Name: "expect_column_values_to_be_between", Target: TargetData, Fields: []string{FieldColumn, FieldMinValue, FieldMaxValue, FieldMostly},
		Required: []string{FieldColumn}, OneOf: []string{FieldMinValue, FieldMaxValue}, NumericColumn: true,
		Description: "values lie between min_value and max_value (inclusive)"},
	{Name: "expect_column_values_to_be_in_set", Target: TargetData, Fields: []string{FieldColumn, FieldValueSet, FieldMostly},
		Required: []string{FieldColumn, FieldValueSet}, Description: "values are in value_set"},
	{Name: "expect_column_values_to_match_regex", Target: TargetData, Fields: []string{FieldColumn, FieldRegex, FieldMostly},
		Required: []string{FieldColumn, FieldRegex}, Description: "values match regex (Python re syntax, searched anywhere in the value as re.search does)"},
	{Name: "expect_column_mean_to_be_between", Target: TargetData, Fields: []string{FieldColumn, FieldMinValue, FieldMaxValue},
		Required: []string{FieldColumn}, OneOf: []string{FieldMinValue, FieldMaxValue}, NumericColumn: true,
		Description: "the mean of the non-null values lies between min_value and max_value"},
	{Name: "expect_table_row_count_to_be_between", Target: TargetData, Fields: []string{FieldMinValue, FieldMaxValue},
		OneOf: []string{FieldMinValue, FieldMaxValue}, Description: "the number of rows lies between min_value and max_value"},
	{Name: "expect_metric_to_be_at_least", Target: TargetModel, Fields: []string{FieldMetric, FieldMinValue},
		Required: []string{FieldMetric, FieldMinValue}, Description: "the model version's metric is at least min_value"},
	{Name: "expect_metric_to_be_at_most", Target: TargetModel, Fields: []string{FieldMetric, FieldMaxValue},
		Required: []string{FieldMetric, FieldMaxValue}, Description: "the model version's metric is at most max_value"},
	{Name: "expect_metric_to_be_between", Target: TargetModel, Fields: []string{FieldMetric, FieldMinValue, FieldMaxValue},
		Required: []string{FieldMetric, FieldMinValue, FieldMaxValue}, Description: "the model version's metric lies between min_value and max_value"},
}

// LookupExpectationType finds an expectation type by name.
func LookupExpectationType(name string) (ExpectationType, bool) {
	for _, t := range ExpectationTypes {
		if t.Name == name {
			return t, true
		}
	}
	return ExpectationType{}, false
}

// ExpectationTypeNames lists the type names of a target ("" for all).
func ExpectationTypeNames(target string) []string {
	var names []string
	for _, t := range ExpectationTypes {
		if target == "" || t.Target == target {
			names = append(names, t.Name)
		}
	}
	return names
}

// Expectation is one expectation of a suite. Numbers keep the decimal text
// they were written with ("" when unset). Unknown names the fields whose
// values plan does not know yet: they count as set and are not checked.
type Expectation struct {
	Type     string   `json:"type"`
	Column   string   `json:"column,omitempty"`
	Metric   string   `json:"metric,omitempty"`
	MinValue string   `json:"min_value,omitempty"`
	MaxValue string   `json:"max_value,omitempty"`
	ValueSet []string `json:"value_set,omitempty"`
	Regex    string   `json:"regex,omitempty"`
	Mostly   string   `json:"mostly,omitempty"`
	Severity string   `json:"severity,omitempty"` // "" means error
	Unknown  []string `json:"-"`
}

// Fields lists the fields set, besides type and severity.
func (e Expectation) Fields() []string {
	var set []string
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{FieldColumn, e.Column != ""}, {FieldMetric, e.Metric != ""}, {FieldMinValue, e.MinValue != ""}, {FieldMaxValue, e.MaxValue != ""},
		{FieldValueSet, e.ValueSet != nil}, {FieldRegex, e.Regex != ""}, {FieldMostly, e.Mostly != ""},
	} {
		if f.ok || slices.Contains(e.Unknown, f.name) {
			set = append(set, f.name)
		}
	}
	return set
}

// EffectiveSeverity is the severity, error when unset.
func (e Expectation) EffectiveSeverity() string {
	if e.Severity == "" {
		return SeverityNameError
	}
	return e.Severity
}

// ParseDecimal parses a number field.
func ParseDecimal(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

// SuiteNamePattern is the pattern of validation suite names.
const SuiteNamePattern = ModelNamePattern

// CheckSuite checks a validation suite's own fields, without the registry
// (rule V1 where the configuration alone shows it).
func CheckSuite(s ValidationSuite) Problems {
	ps := CheckSuiteName(s.Name)
	ps = append(ps, CheckSuiteTarget(s.FeatureVersion != "", s.Model != "")...)
	target := s.Target()
	if s.FeatureVersion != "" {
		if _, _, err := ParseFeatureVersionID(s.FeatureVersion); err != nil {
			ps.errorf("V1", Path{"feature_version_id"}, "Invalid feature version id", "%s", err.Error())
		}
	}
	if s.Model != "" && !ValidModelName(s.Model) {
		ps.errorf("V1", Path{"model_id"}, "Invalid model id", "%q is not a valid model name: it must match %s (%s)", s.Model, ModelNamePattern, ModelNameRule)
	}
	ps = append(ps, CheckIngestionPolicy(s.IngestionPolicy, target)...)
	ps = append(ps, CheckExpectationCount(len(s.Expectations))...)
	for i, e := range s.Expectations {
		ps = append(ps, CheckExpectation(i, e, target)...)
	}
	return ps
}

// CheckExpectationCount refuses a suite without expectations.
func CheckExpectationCount(n int) Problems {
	var ps Problems
	if n == 0 {
		ps.errorf("V1", Path{"expectations"}, "No expectations", "a validation suite needs at least one expectation")
	}
	return ps
}

// Target is TargetData or TargetModel, "" while neither is set.
func (s ValidationSuite) Target() string {
	switch {
	case s.FeatureVersion != "":
		return TargetData
	case s.Model != "":
		return TargetModel
	default:
		return ""
	}
}

// ID is the suite's id: its name.
func (s ValidationSuite) ID() string { return s.Name }

// CheckSuiteName checks a validation suite name.
func CheckSuiteName(name string) Problems {
	var ps Problems
	if !ValidSuiteName(name) {
		ps.errorf("", Path{"name"}, "Invalid validation suite name",
			"%q is not a valid validation suite name: it must match %s (%s)", name, SuiteNamePattern, SuiteNameRule)
	}
	return ps
}

// CheckSuiteTarget is V1's rule that a suite targets exactly one of a
// feature version (data) and a model (release gates).
func CheckSuiteTarget(featureVersionSet, modelSet bool) Problems {
	var ps Problems
	switch {
	case featureVersionSet && modelSet:
		ps.errorf("V1", Path{"model_id"}, "Two targets",
			"a validation suite targets either a feature version (feature_version_id: data expectations) or a model (model_id: release gates), not both")
	case !featureVersionSet && !modelSet:
		ps.errorf("V1", Path{"feature_version_id"}, "No target",
			"set feature_version_id for data expectations, or model_id for release gates on a model's metrics")
	}
	return ps
}

// CheckIngestionPolicy checks ingestion_policy: strict or always, on a data
// suite only. target is "" while unknown.
func CheckIngestionPolicy(policy, target string) Problems {
	var ps Problems
	switch {
	case policy == "":
	case policy != IngestionStrict && policy != IngestionAlways:
		ps.errorf("V1", Path{"ingestion_policy"}, "Invalid ingestion policy",
			"ingestion_policy %q must be %q (data that fails the suite is not ingested) or %q (ingested, failures reported)", policy, IngestionStrict, IngestionAlways)
	case target == TargetModel:
		ps.errorf("V1", Path{"ingestion_policy"}, "Ingestion policy on a model suite",
			"ingestion_policy applies to data suites (feature_version_id); a model suite gates deployments instead: remove it")
	}
	return ps
}

// CheckExpectation is rule V1 for one expectation on its own: a known type
// for the suite's target (target "" while unknown), only the fields the type
// takes, the fields it needs, mostly within 0..1, bounds that are numbers in
// order, a regex that compiles, a known severity.
func CheckExpectation(i int, e Expectation, target string) Problems {
	var ps Problems
	at := func(field string) Path { return Path{"expectations", i, field} }
	t, ok := LookupExpectationType(e.Type)
	if !ok {
		if slices.Contains(e.Unknown, "type") {
			return ps
		}
		ps.errorf("V1", at("type"), "Unknown expectation type",
			"%q is not an expectation type; data suites take %s; model suites take %s",
			e.Type, strings.Join(ExpectationTypeNames(TargetData), ", "), strings.Join(ExpectationTypeNames(TargetModel), ", "))
		return ps
	}
	switch {
	case target == TargetData && t.Target == TargetModel:
		ps.errorf("V1", at("type"), "Metric expectation on a data suite",
			"%s checks a model's metric, but this suite targets a feature version's data; put it in a suite with model_id", t.Name)
	case target == TargetModel && t.Target == TargetData:
		ps.errorf("V1", at("type"), "Data expectation on a model suite",
			"%s checks data, but this suite targets a model; put it in a suite with feature_version_id", t.Name)
	}
	set := e.Fields()
	for _, f := range set {
		if !slices.Contains(t.Fields, f) {
			ps.errorf("V1", at(f), "Field not taken by this expectation",
				"%s does not take %s; it takes %s", t.Name, f, fieldList(t.Fields))
		}
	}
	for _, f := range t.Required {
		if !slices.Contains(set, f) {
			ps.errorf("V1", Path{"expectations", i}, "Missing field", "%s needs %s", t.Name, f)
		}
	}
	if len(t.OneOf) > 0 && !slices.ContainsFunc(t.OneOf, func(f string) bool { return slices.Contains(set, f) }) {
		ps.errorf("V1", Path{"expectations", i}, "Missing bound", "%s needs %s", t.Name, strings.Join(t.OneOf, " or "))
	}
	minV, minOK := decimalField(&ps, at(FieldMinValue), FieldMinValue, e.MinValue)
	maxV, maxOK := decimalField(&ps, at(FieldMaxValue), FieldMaxValue, e.MaxValue)
	if minOK && maxOK && minV > maxV {
		ps.errorf("V1", at(FieldMaxValue), "Bounds out of order", "max_value (%s) is below min_value (%s)", e.MaxValue, e.MinValue)
	}
	if m, ok := decimalField(&ps, at(FieldMostly), FieldMostly, e.Mostly); ok && (m < 0 || m > 1) {
		ps.errorf("V1", at(FieldMostly), "Invalid mostly",
			"mostly is the share of values that must pass, between 0 and 1 (0.95 = 95%%); got %s", e.Mostly)
	}
	if e.Regex != "" {
		if _, err := CompilePythonRegex(e.Regex); err != nil {
			ps.errorf("V1", at(FieldRegex), "Invalid regex",
				"regex %q does not compile (Python re syntax as Go's RE2 runs it: no lookaround, no backreferences): %s", e.Regex, err.Error())
		}
	}
	if e.ValueSet != nil && len(e.ValueSet) == 0 {
		ps.errorf("V1", at(FieldValueSet), "Empty value set", "value_set needs at least one value")
	}
	if e.Column != "" && !ValidName(e.Column) {
		ps.errorf("V1", at(FieldColumn), "Invalid column", "%q is not a feature name: it must match %s (%s)", e.Column, NamePattern, NameRule)
	}
	if e.Metric != "" {
		for _, p := range CheckMetricName(e.Metric) {
			p.Rule, p.Path = "V1", at(FieldMetric)
			ps.add(p)
		}
	}
	if e.Severity != "" && e.Severity != SeverityNameError && e.Severity != SeverityNameWarning {
		ps.errorf("V1", at(FieldSeverity), "Invalid severity", "severity %q must be %q (refuses) or %q (warns)", e.Severity, SeverityNameError, SeverityNameWarning)
	}
	return ps
}

func decimalField(ps *Problems, path Path, field, text string) (float64, bool) {
	if text == "" {
		return 0, false
	}
	// Only decimal text in JSON's number grammar: strconv.ParseFloat also
	// takes NaN, Inf, hex floats, "+1", ".5" and "01", which no Terraform
	// number reads back as and which the Great Expectations JSON cannot hold.
	v, err := ParseDecimal(text)
	if err != nil || !jsonNumberRE.MatchString(text) {
		ps.errorf("V1", path, "Invalid number", "%s %q is not a number", field, text)
		return 0, false
	}
	return v, true
}

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "no fields besides type and severity"
	}
	return strings.Join(fields, ", ") + " (and severity)"
}

// CheckExpectationsAgainstSchema is rule V1 against the target feature
// version: each column exists, bounds on values apply to numeric columns
// only, and a value_set holds numbers for a numeric column and true or
// false for a boolean one.
func CheckExpectationsAgainstSchema(suite string, fv FeatureVersion, exps []Expectation) Problems {
	var ps Problems
	types := make(map[string]string, len(fv.Features))
	for _, f := range fv.Features {
		types[f.Name] = f.Type
	}
	for i, e := range exps {
		if e.Column == "" {
			continue
		}
		typ, ok := types[e.Column]
		if !ok {
			ps.errorf("V1", Path{"expectations", i, FieldColumn}, "Column not in the feature version",
				"validation suite %s expects column %q, which feature version %s lacks; its features are %s", nameOrNew(suite), e.Column, fv.ID(), featureNames(fv))
			continue
		}
		t, _ := LookupExpectationType(e.Type)
		ft, err := ParseFeatureType(typ)
		if err != nil {
			continue
		}
		if t.NumericColumn && !ft.IsNumeric() {
			ps.errorf("V1", Path{"expectations", i, FieldColumn}, "Bounds on a non-numeric column",
				"%s bounds numbers, but %q is %s in feature version %s; use it on a numeric feature, or another expectation type", e.Type, e.Column, ft, fv.ID())
		}
		if ft.Kind == "boolean" {
			for j, v := range e.ValueSet {
				if v != "true" && v != "false" {
					ps.errorf("V1", Path{"expectations", i, FieldValueSet, j}, "Non-boolean value for a boolean column",
						"value_set holds %q, but %q is boolean in feature version %s: every value must be true or false (Great Expectations compares them as booleans)", v, e.Column, fv.ID())
				}
			}
		}
		if ft.IsNumeric() {
			for j, v := range e.ValueSet {
				if !jsonNumberRE.MatchString(v) {
					ps.errorf("V1", Path{"expectations", i, FieldValueSet, j}, "Non-numeric value for a numeric column",
						"value_set holds %q, but %q is %s in feature version %s: every value must be a number", v, e.Column, ft, fv.ID())
				}
			}
		}
	}
	return ps
}

func featureNames(fv FeatureVersion) string {
	names := make([]string, len(fv.Features))
	for i, f := range fv.Features {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// GateOutcome is one release gate evaluated on one model version.
type GateOutcome struct {
	Suite       string
	Expectation Expectation
	Value       float64
	HasValue    bool
	Passed      bool
}

// EvaluateGate evaluates a model gate on a model version's metrics.
func EvaluateGate(suite string, e Expectation, mv ModelVersion) GateOutcome {
	o := GateOutcome{Suite: suite, Expectation: e}
	o.Value, o.HasValue = mv.MetricValue(e.Metric)
	if !o.HasValue {
		return o
	}
	minV, minErr := ParseDecimal(e.MinValue)
	maxV, maxErr := ParseDecimal(e.MaxValue)
	switch e.Type {
	case "expect_metric_to_be_at_least":
		o.Passed = minErr == nil && o.Value >= minV
	case "expect_metric_to_be_at_most":
		o.Passed = maxErr == nil && o.Value <= maxV
	case "expect_metric_to_be_between":
		o.Passed = minErr == nil && maxErr == nil && o.Value >= minV && o.Value <= maxV
	}
	return o
}

// CheckGates is rule D3: every release gate of the served models holds for
// each served model version; a failing gate of severity warning warns.
// suites holds the model suites of the served models.
func CheckGates(deployment string, served []ServedVersion, suites []ValidationSuite) Problems {
	var ps Problems
	for _, s := range served {
		if s.Version == nil {
			continue
		}
		for _, suite := range suites {
			if suite.Model != s.Version.Model {
				continue
			}
			ps = append(ps, gateProblems("D3", "Release gate fails", deployment, s, suite,
				"release gate "+suite.Name, "or change the gate in validation suite "+suite.Name)...)
		}
	}
	return ps
}

// gateProblems evaluates every expectation of a model suite on a served
// version: a failure refuses under rule, or warns when its severity
// is warning. gate names the suite in the message and fix is the way out
// besides serving another version.
func gateProblems(rule, summary, deployment string, s ServedVersion, suite ValidationSuite, gate, fix string) Problems {
	var ps Problems
	for _, e := range suite.Expectations {
		o := EvaluateGate(suite.Name, e, *s.Version)
		if o.Passed {
			continue
		}
		detail := gateFailure(deployment, s.ID, o, gate, fix)
		if e.EffectiveSeverity() == SeverityNameWarning {
			ps.warnf(rule, servedPath(s.Role), summary+" (warning)", "%s", detail)
		} else {
			ps.errorf(rule, servedPath(s.Role), summary, "%s", detail)
		}
	}
	return ps
}

func gateFailure(deployment, mv string, o GateOutcome, gate, fix string) string {
	e := o.Expectation
	var want string
	switch e.Type {
	case "expect_metric_to_be_at_least":
		want = "at least " + e.MinValue
	case "expect_metric_to_be_at_most":
		want = "at most " + e.MaxValue
	default:
		want = "between " + e.MinValue + " and " + e.MaxValue
	}
	if !o.HasValue {
		return fmt.Sprintf("deployment %s -> model version %s: %s expects metric %s to be %s, but %s has no metric %s. Record it in the model version's metrics, or serve a version that has it",
			nameOrNew(deployment), mv, gate, e.Metric, want, mv, e.Metric)
	}
	return fmt.Sprintf("deployment %s -> model version %s: %s expects %s to be %s, but %s has %s = %s. Serve a model version that passes the gate, %s",
		nameOrNew(deployment), mv, gate, e.Metric, want, mv, e.Metric, strconv.FormatFloat(o.Value, 'g', -1, 64), fix)
}
