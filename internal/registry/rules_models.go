package registry

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file holds the checks of models and model versions: the input
// checks, M1 (the listed feature versions exist in the environment) and M2
// (the inputs are features of those versions, unambiguous, of the same type).

// ArtifactURIPattern is the form of an artifact URI: a URL with a scheme.
const ArtifactURIPattern = `^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$`

var (
	artifactURIRE    = regexp.MustCompile(ArtifactURIPattern)
	artifactDigestRE = regexp.MustCompile(ArtifactDigestPattern)
	metricNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@-]{0,127}$`)
)

// ArtifactDigestPattern is the form of an artifact digest.
const ArtifactDigestPattern = `^[a-z0-9]+:[0-9a-f]{32,128}$`

// ArtifactURIRule and ArtifactDigestRule describe the two patterns above.
const (
	ArtifactURIRule    = "a URL with a scheme, such as s3://models/fraud/2 or gs://bucket/path"
	ArtifactDigestRule = "<algorithm>:<lower-case hex>, such as sha256:9f86d0…"
)

// ValidArtifactURI reports whether s matches ArtifactURIPattern.
func ValidArtifactURI(s string) bool { return artifactURIRE.MatchString(s) }

// ValidArtifactDigest reports whether s matches ArtifactDigestPattern.
func ValidArtifactDigest(s string) bool { return artifactDigestRE.MatchString(s) }

// CheckModel checks a model's own fields.
func CheckModel(m Model) Problems {
	var ps Problems
	if !ValidModelName(m.Name) {
		ps.errorf("", Path{"name"}, "Invalid model name",
			"%q is not a valid model name: it must match %s (%s)", m.Name, ModelNamePattern, ModelNameRule)
	}
	return ps
}

// CheckArtifactURI checks an artifact URI: a URL with a scheme, such as
// s3://models/fraud/2.
func CheckArtifactURI(uri string) Problems {
	var ps Problems
	if !ValidArtifactURI(uri) {
		ps.errorf("", Path{"artifact_uri"}, "Invalid artifact URI",
			"%q is not an artifact URI: write %s", uri, ArtifactURIRule)
	}
	return ps
}

// CheckArtifactDigest checks an artifact digest: algorithm:hex.
func CheckArtifactDigest(d string) Problems {
	var ps Problems
	if d != "" && !ValidArtifactDigest(d) {
		ps.errorf("", Path{"artifact_digest"}, "Invalid artifact digest",
			"%q is not a digest: write %s", d, ArtifactDigestRule)
	}
	return ps
}

// CheckMetricName checks the name of a metric.
func CheckMetricName(name string) Problems {
	var ps Problems
	if !metricNameRE.MatchString(name) {
		ps.errorf("", Path{"metrics"}, "Invalid metric name",
			"%q is not a valid metric name: letters, digits, _ . @ -, starting with a letter or underscore", name)
	}
	return ps
}

// CheckMetricValue checks a metric's value, its decimal text: a finite
// 64-bit floating-point number, the numbers the gates compare. A larger one
// (1e400) would be stored and then read as missing.
func CheckMetricValue(name, text string) Problems {
	var ps Problems
	if f, err := strconv.ParseFloat(text, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		ps.errorf("", Path{"metrics"}, "Invalid metric value",
			"metric %q = %s is not a finite 64-bit floating-point number (at most about 1.8e308 in magnitude), so gates could not compare it; write a number in that range", name, text)
	}
	return ps
}

// CheckMetrics checks every metric's name and value, in name order.
func CheckMetrics(metrics map[string]string) Problems {
	var ps Problems
	for _, name := range slices.Sorted(maps.Keys(metrics)) {
		ps = append(ps, CheckMetricName(name)...)
		ps = append(ps, CheckMetricValue(name, metrics[name])...)
	}
	return ps
}

// CheckInputNames checks the inputs' names alone: each "feature" or
// "group.feature", each once.
func CheckInputNames(inputs []Input) Problems {
	var ps Problems
	seen := map[string]int{}
	for i, in := range inputs {
		group, feature, qualified := strings.Cut(in.Feature, ".")
		if !qualified {
			feature, group = group, ""
		}
		if (qualified && !ValidName(group)) || !ValidName(feature) {
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Invalid input name",
				"%q is not an input name: write a feature name, or group.feature where two listed feature versions both have the feature", in.Feature)
		}
		if in.Type != "" {
			ps = append(ps, checkTypeAt(Path{"inputs", i, "type"}, "M2", in.Type)...)
		}
		if j, dup := seen[in.Feature]; dup {
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Duplicate input",
				"input %q is listed at positions %d and %d; list each input once", in.Feature, j+1, i+1)
		}
		seen[in.Feature] = i
	}
	return ps
}

// CheckModelVersion checks a model version's own fields, without the
// registry.
func CheckModelVersion(v ModelVersion) Problems {
	var ps Problems
	if !ValidModelName(v.Model) {
		ps.errorf("", Path{"model_id"}, "Invalid model id", "%q is not a valid model name: it must match %s (%s)", v.Model, ModelNamePattern, ModelNameRule)
	}
	ps = append(ps, CheckVersionNumber(v.Version)...)
	ps = append(ps, CheckArtifactURI(v.ArtifactURI)...)
	ps = append(ps, CheckArtifactDigest(v.ArtifactDigest)...)
	ps = append(ps, CheckReadsSomething(v.ID(), len(v.FeatureVersionIDs) == 0, len(v.FeatureViewIDs) == 0)...)
	for _, id := range v.FeatureVersionIDs {
		if _, _, err := ParseFeatureVersionID(id); err != nil {
			ps.errorf("M1", Path{"feature_version_ids"}, "Invalid feature version id", "%s", err.Error())
		}
	}
	for _, id := range v.FeatureViewIDs {
		if _, _, err := ParseFeatureViewID(id); err != nil {
			ps.errorf("M1", Path{"feature_view_ids"}, "Invalid feature view id", "%s", err.Error())
		}
	}
	if v.Inputs != nil && len(v.Inputs) == 0 {
		ps.errorf("M2", Path{"inputs"}, "No inputs", "leave inputs unset to mean every feature of the listed feature versions, or list at least one")
	}
	ps = append(ps, CheckInputNames(v.Inputs)...)
	return append(ps, CheckMetrics(v.Metrics)...)
}

// CheckReadsSomething is the part of M1 the configuration alone shows: a
// model version reads at least one feature version or feature view
// (noVersions and noViews say that it lists none of either).
func CheckReadsSomething(modelVersionID string, noVersions, noViews bool) Problems {
	var ps Problems
	if noVersions && noViews {
		ps.errorf("M1", Path{"feature_version_ids"}, "No feature versions",
			"model version %s must list what it reads: at least one feature version (feature_version_ids) or feature view (feature_view_ids)", modelVersionID)
	}
	return ps
}

// CheckFeatureViewsPresent is rule M1 for feature views: every feature view
// a model version lists exists in the environment. found holds the views
// that exist, by id.
func CheckFeatureViewsPresent(modelVersionID, env string, ids []string, found map[string]FeatureView) Problems {
	var ps Problems
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			ps.errorf("M1", Path{"feature_view_ids"}, "Feature view missing",
				"model version %s reads feature view %s, which does not exist in environment %q. Apply feature view %s in %q first (the configuration that manages the features), or list a feature view that exists there",
				modelVersionID, id, env, id, env)
		}
	}
	return ps
}

func nilIfEmpty(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// CheckFeatureVersionsPresent is rule M1: every feature version a model
// version lists exists in the environment; a deprecated one warns. found
// holds the versions that exist, by id.
func CheckFeatureVersionsPresent(modelVersionID, env string, ids []string, found map[string]FeatureVersion) Problems {
	var ps Problems
	for _, id := range ids {
		fv, ok := found[id]
		switch {
		case !ok:
			ps.errorf("M1", Path{"feature_version_ids"}, "Feature version missing",
				"model version %s reads feature version %s, which does not exist in environment %q. Apply feature version %s in %q first (the configuration that manages the features), or list a feature version that exists there",
				modelVersionID, id, env, id, env)
		case fv.Deprecated:
			ps.warnf("M1", Path{"feature_version_ids"}, "Deprecated feature version",
				"model version %s reads feature version %s, which is deprecated in environment %q; plan the move to a newer version", modelVersionID, id, env)
		}
	}
	return ps
}

// CheckFeatureVersionNotDeprecated warns, at version, about a feature
// version looked up by its number while it is deprecated in env: what M1
// says of a model version that reads it.
func CheckFeatureVersionNotDeprecated(v FeatureVersion, env string) Problems {
	var ps Problems
	if v.Deprecated {
		ps.warnf("", Path{"version"}, "Deprecated feature version",
			"feature version %s is deprecated in environment %q; plan the move to a newer version", v.ID(), env)
	}
	return ps
}

// CheckInputs is rule M2: each input is a feature of the listed feature
// versions or an output feature of the listed feature views (not one of
// their labels, which are not served), unambiguous, and of the declared
// type. A view's features are qualified by the view's name
// ("fraud_features.amount").
func CheckInputs(modelVersionID string, inputs []Input, versions []FeatureVersion, views []FeatureView) Problems {
	var ps Problems
	type candidate struct {
		from  string // "feature version transactions/2"
		where string // "transactions/2", "feature view fraud_features/1"
		typ   string
		name  string
		label bool
	}
	byName := map[string][]candidate{}
	add := func(qualifier, from, where string, f Feature, label bool) {
		c := candidate{from: from, where: where, typ: f.Type, name: f.Name, label: label}
		byName[f.Name] = append(byName[f.Name], c)
		byName[qualifier+"."+f.Name] = append(byName[qualifier+"."+f.Name], c)
	}
	listed := make([]string, 0, len(versions)+len(views))
	for _, fv := range versions {
		listed = append(listed, fv.ID())
		for _, f := range fv.Features {
			add(fv.Group, "feature version "+fv.ID(), fv.ID(), f, false)
		}
	}
	for _, v := range views {
		listed = append(listed, "feature view "+v.ID())
		for _, f := range v.Schema {
			add(v.Name, "feature view "+v.ID(), "feature view "+v.ID(), f, slices.Contains(v.Labels, f.Name))
		}
	}
	for i, in := range inputs {
		cands := byName[in.Feature]
		switch {
		case len(cands) == 0 && len(views) == 0:
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Input not found",
				"model version %s reads input %q, which is not a feature of the listed feature versions (%s); add the feature version that has it to feature_version_ids, or fix the name",
				modelVersionID, in.Feature, strings.Join(listed, ", "))
		case len(cands) == 0:
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Input not found",
				"model version %s reads input %q, which is not a feature of the listed feature versions and feature views (%s); add the feature version or feature view that has it, or fix the name",
				modelVersionID, in.Feature, strings.Join(listed, ", "))
		case len(cands) > 1:
			where := make([]string, len(cands))
			for j, c := range cands {
				where[j] = c.where
			}
			fix := "write it as group.feature to say which"
			if len(views) > 0 {
				fix = "write it as group.feature (view.feature for a feature view's) to say which"
			}
			if strings.Contains(in.Feature, ".") {
				fix = "list only one version of each feature group"
			}
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Ambiguous input",
				"model version %s reads input %q, which is a feature of %s: %s", modelVersionID, in.Feature, strings.Join(where, " and "), fix)
		case cands[0].label:
			ps.errorf("M2", Path{"inputs", i, "feature"}, "Input is a label",
				"model version %s reads input %q, which %s declares as a training label: labels are not served. Remove it from inputs, or read a view that does not label it",
				modelVersionID, in.Feature, cands[0].from)
		case in.Type != "" && !FeatureTypesEqual(in.Type, cands[0].typ):
			ps.errorf("M2", Path{"inputs", i, "type"}, "Input type mismatch",
				"model version %s reads input %q as %s, but %s declares %q as %s; change the input's type, or read a feature of that type",
				modelVersionID, in.Feature, canonicalOrRaw(in.Type), cands[0].from, cands[0].name, canonicalOrRaw(cands[0].typ))
		}
	}
	return ps
}

func checkTypeAt(path Path, rule, typ string) Problems {
	var ps Problems
	if _, err := ParseFeatureType(typ); err != nil {
		ps.errorf(rule, path, "Unknown feature type", "%s", err.Error())
	}
	return ps
}

// SortedIDs returns ids sorted and without duplicates.
func SortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// InputsEquivalent reports whether two input lists differ at most in the
// spelling of their types ("Array< INT >" and "array<int>"): such a change
// is made in place, any other makes a new model version.
func InputsEquivalent(a, b []Input) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Feature != b[i].Feature || (a[i].Type == "") != (b[i].Type == "") || !FeatureTypesEqual(a[i].Type, b[i].Type) {
			return false
		}
	}
	return true
}
