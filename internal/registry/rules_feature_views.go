package registry

import (
	"fmt"
	"regexp"
	"strings"
)

// This file holds the checks of feature views: their own fields, and rule
// FV1 (the sources exist in the environment, the selected features exist,
// the join keys exist on both sides with equal types, the output names are
// unique after prefixing, the labels are among the outputs).
//
// How a view's output is formed: the sources in order; of each, the
// selected features in the order listed (every feature of its feature
// version, in its order, when none are listed), each named prefix+name.
// A source after the first joins the output of the sources before it on
// its join_on keys: a key is an output feature before it (named as output)
// and a feature of its own feature version (named as there), of equal
// types; the key is not output again.

// FeatureViewPrefixPattern is the form of a source's prefix.
const FeatureViewPrefixPattern = `^[a-z][a-z0-9_]{0,61}$`

// FeatureViewPrefixRule describes FeatureViewPrefixPattern.
const FeatureViewPrefixRule = "lower-case letters, digits and underscores, starting with a letter, such as acct_"

var prefixRE = regexp.MustCompile(FeatureViewPrefixPattern)

// ValidFeatureViewPrefix reports whether s is a valid source prefix.
func ValidFeatureViewPrefix(s string) bool { return prefixRE.MatchString(s) }

// CheckFeatureView checks a view's own fields, without the registry: its
// name and version, the form of its sources and labels, and the part of
// FV1 the configuration alone shows (output names of sources that list
// their features, and labels once every source does). A source's
// FeatureVersionID "" is one not known yet.
func CheckFeatureView(v FeatureView) Problems {
	var ps Problems
	if !ValidName(v.Name) {
		ps.errorf("", Path{"name"}, "Invalid feature view name",
			"%q is not a valid feature view name: it must match %s (%s)", v.Name, NamePattern, NameRule)
	}
	ps = append(ps, CheckVersionNumber(v.Version)...)
	return append(ps, CheckFeatureViewConfig(v)...)
}

// CheckFeatureViewConfig is what the configuration alone shows of a view's
// sources and labels (CheckFeatureView without the name and version, which
// may not be known yet at validate): their form, and FV1 on the output
// names of the sources that list their features.
func CheckFeatureViewConfig(v FeatureView) Problems {
	ps := CheckFeatureViewSourceForms(v.Sources)
	ps = append(ps, checkNameList(Path{"labels"}, "label", v.Labels)...)
	_, more := viewOutputs(v, make([]*FeatureVersion, len(v.Sources)))
	return append(ps, more...)
}

// CheckFeatureViewSourceForms checks the sources' form: at least one; the
// first joins on nothing, every later one on at least one key; ids,
// feature names, keys and prefixes well formed and listed once.
func CheckFeatureViewSourceForms(sources []FeatureViewSource) Problems {
	var ps Problems
	if len(sources) == 0 {
		ps.errorf("FV1", Path{"sources"}, "No sources", "a feature view reads at least one source")
	}
	for i, s := range sources {
		at := func(rest ...any) Path { return append(Path{"sources", i}, rest...) }
		if s.FeatureVersionID != "" {
			if _, _, err := ParseFeatureVersionID(s.FeatureVersionID); err != nil {
				ps.errorf("FV1", at("feature_version_id"), "Invalid feature version id", "%s", err.Error())
			}
		}
		if s.Features != nil && len(s.Features) == 0 {
			ps.errorf("FV1", at("features"), "No features selected",
				"source %d selects no feature: leave features unset to select every feature of its feature version, or list at least one", i+1)
		}
		ps = append(ps, checkNameList(at("features"), "feature", s.Features)...)
		ps = append(ps, checkNameList(at("join_on"), "join key", s.JoinOn)...)
		switch {
		case i == 0 && len(s.JoinOn) > 0:
			ps.errorf("FV1", at("join_on"), "First source joins on nothing",
				"the first source is the left side of every join and joins on nothing: remove its join_on, or put the source it joins first")
		case i > 0 && len(s.JoinOn) == 0:
			ps.errorf("FV1", at("join_on"), "Join keys missing",
				"source %d joins the sources before it: list in join_on the keys it shares with them, such as [\"account_id\"]", i+1)
		}
		if s.Prefix != "" && !ValidFeatureViewPrefix(s.Prefix) {
			ps.errorf("FV1", at("prefix"), "Invalid prefix",
				"%q is not a valid prefix: it must match %s (%s)", s.Prefix, FeatureViewPrefixPattern, FeatureViewPrefixRule)
		}
	}
	return ps
}

// checkNameList checks a list of feature names at path: each valid, each
// once.
func checkNameList(path Path, what string, names []string) Problems {
	var ps Problems
	first := map[string]int{}
	for j, n := range names {
		at := append(append(Path{}, path...), j)
		if !ValidName(n) {
			ps.errorf("FV1", at, "Invalid "+what+" name", "%q is not a valid feature name: it must match %s (%s)", n, NamePattern, NameRule)
		}
		if k, dup := first[n]; dup {
			ps.errorf("FV1", at, "Duplicate "+what, "%s %q is listed at positions %d and %d; list it once", what, n, k+1, j+1)
			continue
		}
		first[n] = j
	}
	return ps
}

// viewColumn is one output feature of a view: its output name, its
// canonical type ("" when not known yet) and the source it comes from.
type viewColumn struct {
	name, typ string
	source    int
}

// viewOutputs forms a view's output (see the top of this file) and checks
// it under FV1. versions[i] is the feature version of source i, nil when
// not known (not in the environment, or at validate): its listed features
// are output with unknown types, and when it lists none the output after
// it is not known. The labels are checked once the
// whole output is known. It returns the output, nil when not all known.
func viewOutputs(v FeatureView, versions []*FeatureVersion) ([]viewColumn, Problems) {
	var ps Problems
	var cols []viewColumn
	complete := true
	byName := map[string]int{} // output name -> index in cols
	label := viewLabel(v)
	for i, s := range v.Sources {
		at := func(rest ...any) Path { return append(Path{"sources", i}, rest...) }
		src := sourceLabel(i, s)
		fv := versions[i]
		var have map[string]string // feature -> canonical type, when fv is known
		if fv != nil {
			have = make(map[string]string, len(fv.Features))
			for _, f := range fv.Features {
				have[f.Name] = canonicalOrRaw(f.Type)
			}
		}
		// Join keys: both sides, equal types.
		keys := map[string]bool{}
		for j, k := range s.JoinOn {
			keys[k] = true
			if i == 0 {
				continue
			}
			right, onRight := have[k]
			if fv != nil && !onRight {
				ps.errorf("FV1", at("join_on", j), "Join key missing",
					"feature view %s joins %s on %q, which feature version %s does not have (it has %s); join on a feature both sides have",
					label, src, k, fv.ID(), featureNames(*fv))
			}
			l, onLeft := byName[k]
			if complete && !onLeft {
				ps.errorf("FV1", at("join_on", j), "Join key missing",
					"feature view %s joins %s on %q, which is not an output feature of the sources before it (%s); join on a feature both sides have, named on the left as output (after its prefix)",
					label, src, k, columnNames(cols))
			}
			if onLeft && onRight && cols[l].typ != "" && right != "" && !FeatureTypesEqual(cols[l].typ, right) {
				ps.errorf("FV1", at("join_on", j), "Join key type mismatch",
					"feature view %s joins %s on %q, which is %s on the left (%s) but %s in feature version %s; join keys must have equal types: join on another key, or read feature versions whose keys agree",
					label, src, k, cols[l].typ, sourceLabel(cols[l].source, v.Sources[cols[l].source]), right, fv.ID())
			}
		}
		// The features it outputs.
		type pick struct {
			name, typ string
			path      Path
		}
		var picks []pick
		switch {
		case s.Features != nil:
			for j, f := range s.Features {
				typ, ok := have[f]
				if fv != nil && !ok {
					ps.errorf("FV1", at("features", j), "Selected feature missing",
						"feature view %s selects %q from %s, which feature version %s does not have (it has %s); fix the name, or remove it from features",
						label, f, src, fv.ID(), featureNames(*fv))
					continue
				}
				picks = append(picks, pick{f, typ, at("features", j)})
			}
		case fv != nil:
			for _, f := range fv.Features {
				picks = append(picks, pick{f.Name, canonicalOrRaw(f.Type), at("feature_version_id")})
			}
		default:
			complete = false // every feature of a version not known yet
		}
		for _, p := range picks {
			if i > 0 && keys[p.name] {
				continue // the key is output once, from the left
			}
			name := s.Prefix + p.name
			if !ValidName(name) {
				ps.errorf("FV1", at("prefix"), "Invalid output name",
					"feature view %s outputs %q (prefix %q and feature %q), which is not a valid feature name (%s); shorten the prefix", label, name, s.Prefix, p.name, NameRule)
			}
			if k, dup := byName[name]; dup {
				ps.errorf("FV1", p.path, "Duplicate output feature",
					"feature view %s outputs %q from %s and from %s; output names must be unique: set a prefix on source %d, or select fewer features",
					label, name, sourceLabel(cols[k].source, v.Sources[cols[k].source]), src, i+1)
				continue
			}
			byName[name] = len(cols)
			cols = append(cols, viewColumn{name: name, typ: p.typ, source: i})
		}
	}
	if !complete {
		return nil, ps
	}
	for j, l := range v.Labels {
		if _, ok := byName[l]; !ok {
			ps.errorf("FV1", Path{"labels", j}, "Label not among the outputs",
				"feature view %s labels %q, which is not one of its output features (%s); a label is an output feature, named as output (after its prefix)",
				label, l, columnNames(cols))
		}
	}
	return cols, ps
}

// CheckFeatureViewSources is rule FV1 with the registry: every source's
// feature version exists in environment env (versions[i], nil when it does
// not), and the output it forms holds. It returns the view's schema when
// every source is known and FV1 holds.
func CheckFeatureViewSources(v FeatureView, env string, versions []*FeatureVersion) ([]Feature, Problems) {
	ps := CheckFeatureViewSourcesPresent(v, env, versions)
	cols, more := viewOutputs(v, versions)
	ps = append(ps, more...)
	if cols == nil || ps.HasErrors() {
		return nil, ps
	}
	schema := make([]Feature, len(cols))
	for i, c := range cols {
		schema[i] = Feature{Name: c.name, Type: c.typ}
	}
	return schema, ps
}

// CheckFeatureViewSourcesPresent is the first part of FV1: every source's
// feature version exists in environment env (versions[i], nil when it does
// not). A source whose id is not known yet ("") or malformed is skipped.
func CheckFeatureViewSourcesPresent(v FeatureView, env string, versions []*FeatureVersion) Problems {
	var ps Problems
	for i, s := range v.Sources {
		if versions[i] != nil || s.FeatureVersionID == "" {
			continue
		}
		if _, _, err := ParseFeatureVersionID(s.FeatureVersionID); err != nil {
			continue
		}
		ps.errorf("FV1", Path{"sources", i, "feature_version_id"}, "Feature version missing",
			"feature view %s reads feature version %s, which does not exist in environment %q. Apply feature version %s in %q first (the configuration that manages the features), or read a feature version that exists there",
			viewLabel(v), s.FeatureVersionID, env, s.FeatureVersionID, env)
	}
	return ps
}

// CheckFeatureViewChange refuses an in-place change of what a view reads
// and outputs: a new version is declared instead.
func CheckFeatureViewChange(prior, next FeatureView) Problems {
	var ps Problems
	if !sameSources(prior.Sources, next.Sources) || !sameStrings(prior.Labels, next.Labels) {
		ps.errorf("FV1", nil, "Feature view cannot change in place",
			"feature view %s: its sources and labels are what the model versions that read it were trained on and never change; declare a new version (version = %d) and move its readers to it",
			prior.ID(), prior.Version+1)
	}
	return ps
}

func sameSources(a, b []FeatureViewSource) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].FeatureVersionID != b[i].FeatureVersionID || a[i].Prefix != b[i].Prefix ||
			(a[i].Features == nil) != (b[i].Features == nil) || !sameStrings(a[i].Features, b[i].Features) || !sameStrings(a[i].JoinOn, b[i].JoinOn) {
			return false
		}
	}
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// viewLabel names a view in a message, also when its name or version is
// not known yet.
func viewLabel(v FeatureView) string {
	name := v.Name
	if name == "" {
		name = "<view>"
	}
	if v.Version < 1 {
		return name + "/<version>"
	}
	return FeatureViewID(name, v.Version)
}

// sourceLabel names source i in a message: "source 2 (accounts/1)".
func sourceLabel(i int, s FeatureViewSource) string {
	if s.FeatureVersionID == "" {
		return fmt.Sprintf("source %d", i+1)
	}
	return fmt.Sprintf("source %d (%s)", i+1, s.FeatureVersionID)
}

func columnNames(cols []viewColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return listOrNone(names)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
