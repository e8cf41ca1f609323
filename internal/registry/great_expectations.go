package registry

import (
	"encoding/json"
	"regexp"
)

// GreatExpectationsVersion is the Great Expectations release whose
// ExpectationSuite JSON format GreatExpectationsJSON writes (the 0.18
// format: expectation_suite_name, expectations[].expectation_type, kwargs,
// meta).
const GreatExpectationsVersion = "0.18.21"

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

// GreatExpectationsJSON renders a suite in Great Expectations'
// ExpectationSuite JSON, so that a pipeline can run a data suite as it is.
// fv is the target feature version of a data suite (nil when unknown): a
// value_set of a numeric column is written as numbers. Model gates keep
// their own expectation types, which Great Expectations does not run: they
// are there for tools that read the suite. The mlops entry of meta names
// the target, the ingestion policy and each expectation's severity is in
// its meta.
func GreatExpectationsJSON(s ValidationSuite, fv *FeatureVersion) (string, error) {
	numeric := map[string]bool{}
	if fv != nil {
		for _, f := range fv.Features {
			if t, err := ParseFeatureType(f.Type); err == nil {
				numeric[f.Name] = t.IsNumeric()
			}
		}
	}
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
	out := geSuite{
		ExpectationSuiteName: s.Name,
		Expectations:         make([]geExpectation, len(s.Expectations)),
		Meta:                 geSuiteMeta{GreatExpectationsVersion: GreatExpectationsVersion, MLOps: mlops},
	}
	for i, e := range s.Expectations {
		kw := map[string]any{}
		if e.Column != "" {
			kw["column"] = e.Column
		}
		if e.Metric != "" {
			kw["metric"] = e.Metric
		}
		if e.MinValue != "" {
			kw["min_value"] = json.Number(e.MinValue)
		}
		if e.MaxValue != "" {
			kw["max_value"] = json.Number(e.MaxValue)
		}
		if e.ValueSet != nil {
			kw["value_set"] = geValueSet(e.ValueSet, numeric[e.Column])
		}
		if e.Regex != "" {
			kw["regex"] = e.Regex
		}
		if e.Mostly != "" {
			kw["mostly"] = json.Number(e.Mostly)
		}
		out.Expectations[i] = geExpectation{ExpectationType: e.Type, Kwargs: kw, Meta: map[string]any{"severity": e.EffectiveSeverity()}}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonNumberRE is JSON's number grammar.
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

func geValueSet(values []string, numeric bool) []any {
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
