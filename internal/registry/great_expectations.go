package registry

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// GreatExpectationsVersion is the Great Expectations release whose
// ExpectationSuite JSON format GreatExpectationsJSON writes: the 1.x format
// (name, expectations[].type, kwargs, meta, id, notes), read from
// great_expectations/core/expectation_suite.py (ExpectationSuite.__init__
// and ExpectationSuiteSchema) and
// great_expectations/expectations/expectation_configuration.py
// (ExpectationConfigurationSchema) of that release.
const GreatExpectationsVersion = "1.2.0"

// GreatExpectationsV0Version is the release whose format
// GreatExpectationsJSONV0 writes: the 0.18 format (expectation_suite_name,
// expectations[].expectation_type, kwargs, meta, data_asset_type,
// ge_cloud_id), which Great Expectations 1.x refuses.
const GreatExpectationsV0Version = "0.18.21"

// GreatExpectations is a suite rendered in both formats.
type GreatExpectations struct {
	JSON   string // 1.x: GreatExpectationsJSON
	JSONV0 string // 0.18: GreatExpectationsJSONV0
}

// RenderGreatExpectations renders a suite in both formats.
func RenderGreatExpectations(s ValidationSuite, fv *FeatureVersion) (GreatExpectations, error) {
	v1, err := GreatExpectationsJSON(s, fv)
	if err != nil {
		return GreatExpectations{}, err
	}
	v0, err := GreatExpectationsJSONV0(s, fv)
	if err != nil {
		return GreatExpectations{}, err
	}
	return GreatExpectations{JSON: v1, JSONV0: v0}, nil
}

// gxSuite is ExpectationSuite.to_json_dict() of Great Expectations 1.x for a
// suite not saved in a GX store: id and notes are null, suite_parameters
// (empty) is left out. Every key is a parameter of ExpectationSuite's
// constructor, so gx.ExpectationSuite(**json.loads(text)) loads it.
type gxSuite struct {
	Name         string          `json:"name"`
	ID           *string         `json:"id"`
	Expectations []gxExpectation `json:"expectations"`
	Meta         geSuiteMeta     `json:"meta"`
	Notes        *string         `json:"notes"`
}

// gxExpectation is ExpectationConfiguration.to_json_dict() of 1.x: id,
// notes, description and rendered content are left out when unset.
type gxExpectation struct {
	Type   string         `json:"type"`
	Kwargs map[string]any `json:"kwargs"`
	Meta   map[string]any `json:"meta"`
}

type geSuite struct {
	DataAssetType        *string         `json:"data_asset_type"`
	ExpectationSuiteName string          `json:"expectation_suite_name"`
	Expectations         []geExpectation `json:"expectations"`
	GeCloudID            *string         `json:"ge_cloud_id"`
	Meta                 geSuiteMeta     `json:"meta"`
}

type geExpectation struct {
	ExpectationType string         `json:"expectation_type"`
	Kwargs          map[string]any `json:"kwargs"`
	Meta            map[string]any `json:"meta"`
}

type geSuiteMeta struct {
	GreatExpectationsVersion string         `json:"great_expectations_version"`
	MLOps                    map[string]any `json:"mlops"`
}

// gxReleaseGate is a model gate in meta.mlops.release_gates of the 1.x
// format: Great Expectations 1.x refuses an expectation type it does not
// know (ExpectationNotFoundError) when it loads a suite, so the gates are
// not expectations there.
type gxReleaseGate struct {
	Type     string         `json:"type"`
	Kwargs   map[string]any `json:"kwargs"`
	Severity string         `json:"severity"`
}

// GreatExpectationsJSON renders a suite in the ExpectationSuite JSON of
// Great Expectations 1.x, so that a pipeline runs a data suite as it is:
// gx.ExpectationSuite(**json.loads(text)). fv is the target feature version
// of a data suite (nil when unknown): it types value_set (numbers for a
// numeric column, booleans for a boolean one, strings otherwise). Numbers
// are written as configured, in plain decimal notation (integers as JSON
// integers). Each expectation's severity is in its meta (Great
// Expectations has no severity); the mlops entry of the suite's meta names
// the target and the ingestion policy. A model suite has no expectations
// there: its gates, which Great Expectations does not run, are listed in
// meta.mlops.release_gates.
func GreatExpectationsJSON(s ValidationSuite, fv *FeatureVersion) (string, error) {
	types := featureTypes(fv)
	mlops := suiteMLOpsMeta(s)
	out := gxSuite{
		Name:         s.Name,
		Expectations: []gxExpectation{},
		Meta:         geSuiteMeta{GreatExpectationsVersion: GreatExpectationsVersion, MLOps: mlops},
	}
	var gates []gxReleaseGate
	for _, e := range s.Expectations {
		kw := expectationKwargs(e, func(v string) any { return PlainDecimal(v) }, func(vs []string) []any { return GXValueSet(vs, types[e.Column]) })
		if t, ok := LookupExpectationType(e.Type); ok && t.Target == TargetModel {
			gates = append(gates, gxReleaseGate{Type: e.Type, Kwargs: kw, Severity: e.EffectiveSeverity()})
			continue
		}
		out.Expectations = append(out.Expectations, gxExpectation{Type: e.Type, Kwargs: kw, Meta: map[string]any{"severity": e.EffectiveSeverity()}})
	}
	if gates != nil {
		mlops["release_gates"] = gates
	}
	return marshalSuite(out)
}

// GreatExpectationsJSONV0 renders a suite in Great Expectations 0.18's
// ExpectationSuite JSON. A value_set of a numeric column is written as
// numbers, anything else as strings; numbers keep the text the registry
// holds. Model gates keep their own expectation types.
func GreatExpectationsJSONV0(s ValidationSuite, fv *FeatureVersion) (string, error) {
	types := featureTypes(fv)
	out := geSuite{
		ExpectationSuiteName: s.Name,
		Expectations:         make([]geExpectation, len(s.Expectations)),
		Meta:                 geSuiteMeta{GreatExpectationsVersion: GreatExpectationsV0Version, MLOps: suiteMLOpsMeta(s)},
	}
	for i, e := range s.Expectations {
		t, typed := types[e.Column]
		numeric := typed && t.IsNumeric()
		kw := expectationKwargs(e, func(v string) any { return json.Number(v) }, func(vs []string) []any { return geValueSetV0(vs, numeric) })
		out.Expectations[i] = geExpectation{ExpectationType: e.Type, Kwargs: kw, Meta: map[string]any{"severity": e.EffectiveSeverity()}}
	}
	return marshalSuite(out)
}

func marshalSuite(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// featureTypes maps the features of fv (nil: none) to their parsed types.
func featureTypes(fv *FeatureVersion) map[string]FeatureType {
	types := map[string]FeatureType{}
	if fv != nil {
		for _, f := range fv.Features {
			if t, err := ParseFeatureType(f.Type); err == nil {
				types[f.Name] = t
			}
		}
	}
	return types
}

func suiteMLOpsMeta(s ValidationSuite) map[string]any {
	mlops := map[string]any{"target": s.Target()}
	if s.FeatureVersion != "" {
		mlops["feature_version_id"] = s.FeatureVersion
		policy := s.IngestionPolicy
		if policy == "" {
			policy = IngestionStrict
		}
		mlops["ingestion_policy"] = policy
	}
	if s.Model != "" {
		mlops["model_id"] = s.Model
	}
	return mlops
}

func expectationKwargs(e Expectation, number func(string) any, valueSet func([]string) []any) map[string]any {
	kw := map[string]any{}
	if e.Column != "" {
		kw["column"] = e.Column
	}
	if e.Metric != "" {
		kw["metric"] = e.Metric
	}
	if e.MinValue != "" {
		kw["min_value"] = number(e.MinValue)
	}
	if e.MaxValue != "" {
		kw["max_value"] = number(e.MaxValue)
	}
	if e.ValueSet != nil {
		kw["value_set"] = valueSet(e.ValueSet)
	}
	if e.Regex != "" {
		kw["regex"] = e.Regex
	}
	if e.Mostly != "" {
		kw["mostly"] = number(e.Mostly)
	}
	return kw
}

// jsonNumberRE is JSON's number grammar.
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

func geValueSetV0(values []string, numeric bool) []any {
	out := make([]any, len(values))
	for i, v := range values {
		if numeric && jsonNumberRE.MatchString(v) {
			out[i] = json.Number(v)
		} else {
			out[i] = v
		}
	}
	return out
}

// GXValueSet types the elements of a value_set by the column's feature type
// t (the zero FeatureType when the column's type is unknown), as Great
// Expectations compares them with the column's values: numbers (as
// json.Number, see PlainDecimal) for a numeric column, booleans for a
// boolean column (true and false; any other text stays a string, which no
// boolean equals), strings otherwise.
func GXValueSet(values []string, t FeatureType) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = GXValue(v, t)
	}
	return out
}

// GXValue is one value_set element typed by the column's feature type (see
// GXValueSet).
func GXValue(v string, t FeatureType) any {
	switch {
	case t.IsNumeric() && jsonNumberRE.MatchString(v):
		return PlainDecimal(v)
	case t.Kind == "boolean" && (v == "true" || v == "false"):
		return v == "true"
	default:
		return v
	}
}

// maxPlainExponent bounds the exponents PlainDecimal writes out in digits.
const maxPlainExponent = 400

// PlainDecimal writes a number of JSON's grammar without an exponent, with
// the digits it was written with: "1e+06" is 1000000, "9.007199254740992e+15"
// is 9007199254740992, "1.50" is 1.5, "2.0" is 2 (an integer is a JSON
// integer, which Python reads as an int). Text outside JSON's number grammar,
// or with an exponent beyond ±400, is returned as it is.
func PlainDecimal(text string) json.Number {
	if !jsonNumberRE.MatchString(text) {
		return json.Number(text)
	}
	mant, exp := text, 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		e, err := strconv.Atoi(text[i+1:])
		if err != nil || e > maxPlainExponent || e < -maxPlainExponent {
			return json.Number(text)
		}
		mant, exp = text[:i], e
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	point := len(intPart) + exp // position of the decimal point in digits
	switch {
	case point <= 0:
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	ip := strings.TrimLeft(digits[:point], "0")
	if ip == "" {
		ip = "0"
	}
	fp := strings.TrimRight(digits[point:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return json.Number(out)
}
