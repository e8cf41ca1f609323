package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// This file holds the checks of feature groups and feature versions: the
// name and input checks, F1 (append-only schemas) and F3 (a complete, valid
// schema). Each runs at plan time when its inputs are known and again inside
// the write transaction.

// CheckFeatureGroup checks a feature group's own fields.
func CheckFeatureGroup(g FeatureGroup) Problems {
	var ps Problems
	if !ValidName(g.Name) {
		ps.errorf("", Path{"name"}, "Invalid feature group name",
			"%q is not a valid feature group name: it must match %s (%s)", g.Name, NamePattern, NameRule)
	}
	if len(g.PrimaryKey) == 0 {
		ps.errorf("", Path{"primary_key"}, "Missing primary key",
			"feature group %q needs at least one primary key feature: the entity key its rows are looked up by", g.Name)
	}
	seen := map[string]int{}
	for i, k := range g.PrimaryKey {
		if !ValidName(k) {
			ps.errorf("", Path{"primary_key", i}, "Invalid primary key feature name",
				"%q is not a valid feature name: it must match %s (%s)", k, NamePattern, NameRule)
		}
		if j, dup := seen[k]; dup {
			ps.errorf("", Path{"primary_key", i}, "Duplicate primary key feature",
				"%q is listed twice in primary_key (positions %d and %d); list each key once", k, j+1, i+1)
		}
		seen[k] = i
	}
	if g.EventTime != "" && !ValidName(g.EventTime) {
		ps.errorf("", Path{"event_time"}, "Invalid event time feature name",
			"%q is not a valid feature name: it must match %s (%s)", g.EventTime, NamePattern, NameRule)
	}
	return append(ps, CheckEventTimeNotKey(g.Name, g.EventTime, g.PrimaryKey)...)
}

// CheckEventTimeNotKey is the part of F3 that a feature group shows on its
// own: event_time is not one of the primary_key columns. The event time
// says when a row's values were observed; the key says which entity they
// describe. Empty names (unset or not known yet) are skipped.
func CheckEventTimeNotKey(group, eventTime string, primaryKey []string) Problems {
	var ps Problems
	if eventTime == "" {
		return ps
	}
	for i, k := range primaryKey {
		if k == eventTime {
			ps.errorf("F3", Path{"event_time"}, "Event time is a primary key column",
				"event_time %q of feature group %q is also primary_key column %d: the event time says when a row's values were observed, the primary key which entity they describe; name a feature of type %s outside primary_key as event_time, or leave event_time unset",
				eventTime, group, i+1, strings.Join(EventTimeTypes, " or "))
		}
	}
	return ps
}

// EventTimeTypes are the feature types an event_time feature may have.
var EventTimeTypes = []string{"timestamp", "date"}

// CheckEventTimeType is the part of F3 that a feature version shows against
// its group: the group's event_time feature is of type timestamp or date.
// A type that does not parse is left to CheckFeatureType.
func CheckEventTimeType(g FeatureGroup, version int64, features []Feature) Problems {
	var ps Problems
	if g.EventTime == "" {
		return ps
	}
	for i, f := range features {
		if f.Name != g.EventTime {
			continue
		}
		t, err := ParseFeatureType(f.Type)
		if err != nil || slices.Contains(EventTimeTypes, t.String()) {
			continue
		}
		ps.errorf("F3", Path{"features", i, "type"}, "Event time feature of the wrong type",
			"feature version %s declares %q, the event_time feature of feature group %q, as %s; an event time is of type %s: change the feature's type, or make the group's event_time another feature",
			FeatureVersionID(g.Name, version), f.Name, g.Name, t, strings.Join(EventTimeTypes, " or "))
	}
	return ps
}

// MaxVersion is the highest version number: versions are 64-bit integers.
const MaxVersion = math.MaxInt64

// CheckVersionNumber checks a version number (feature and model versions).
func CheckVersionNumber(v int64) Problems {
	if v < 1 {
		return versionProblem(strconv.FormatInt(v, 10))
	}
	return nil
}

// VersionFromNumber turns a number as a configuration writes it (any
// decimal, such as 1.5 or 1e30) into a version number: a whole number from
// 1 to MaxVersion. Anything else is a problem that names the number.
func VersionFromNumber(n *big.Float) (int64, Problems) {
	if n == nil {
		return 0, versionProblem("null")
	}
	if !n.IsInt() {
		return 0, versionProblem(n.Text('g', -1))
	}
	v, acc := n.Int64()
	if acc != big.Exact {
		text := n.Text('g', -1)
		if digits := n.Text('f', 0); len(digits) <= 40 {
			text = digits
		}
		return 0, versionProblem(text)
	}
	return v, CheckVersionNumber(v)
}

func versionProblem(got string) Problems {
	var ps Problems
	ps.errorf("", Path{"version"}, "Invalid version", "version must be a whole number from 1 to %d; got %s", int64(MaxVersion), got)
	return ps
}

// CheckFeatureName checks one feature's name (F3). i is its position.
func CheckFeatureName(i int, name string) Problems {
	var ps Problems
	if !ValidName(name) {
		ps.errorf("F3", Path{"features", i, "name"}, "Invalid feature name",
			"%q is not a valid feature name: it must match %s (%s)", name, NamePattern, NameRule)
	}
	return ps
}

// CheckFeatureType checks one feature's type (F3). i is its position.
func CheckFeatureType(i int, typ string) Problems {
	return checkTypeAt(Path{"features", i, "type"}, "F3", typ)
}

// CheckDuplicateFeatureNames reports every feature name used twice (F3).
// names holds nil for a name not known yet.
func CheckDuplicateFeatureNames(names []*string) Problems {
	var ps Problems
	first := map[string]int{}
	for i, n := range names {
		if n == nil {
			continue
		}
		if j, dup := first[*n]; dup {
			ps.errorf("F3", Path{"features", i, "name"}, "Duplicate feature name",
				"feature %q appears at positions %d and %d; feature names must be unique within a version", *n, j+1, i+1)
			continue
		}
		first[*n] = i
	}
	return ps
}

// CheckFeatures checks a complete feature list on its own (F3): at least one
// feature, valid and unique names, known types.
func CheckFeatures(features []Feature) Problems {
	var ps Problems
	if len(features) == 0 {
		ps.errorf("F3", Path{"features"}, "No features", "a feature version needs at least one feature")
	}
	names := make([]*string, len(features))
	for i := range features {
		names[i] = &features[i].Name
		ps = append(ps, CheckFeatureName(i, features[i].Name)...)
		ps = append(ps, CheckFeatureType(i, features[i].Type)...)
	}
	return append(ps, CheckDuplicateFeatureNames(names)...)
}

// CheckFeaturesCoverGroup checks that a feature version's features include the
// group's primary key and event time, the event time of type timestamp or
// date (F3). It runs for every version written, so every version of a group
// holds it.
func CheckFeaturesCoverGroup(g FeatureGroup, version int64, features []Feature) Problems {
	var ps Problems
	have := make(map[string]bool, len(features))
	for _, f := range features {
		have[f.Name] = true
	}
	id := FeatureVersionID(g.Name, version)
	for _, k := range g.PrimaryKey {
		if !have[k] {
			ps.errorf("F3", Path{"features"}, "Primary key feature missing",
				"feature version %s lacks %q, a primary_key feature of feature group %q; add a feature named %q to features", id, k, g.Name, k)
		}
	}
	if g.EventTime != "" && !have[g.EventTime] {
		ps.errorf("F3", Path{"features"}, "Event time feature missing",
			"feature version %s lacks %q, the event_time feature of feature group %q; add a feature named %q to features, of type %s", id, g.EventTime, g.Name, g.EventTime, strings.Join(EventTimeTypes, " or "))
	}
	return append(ps, CheckEventTimeType(g, version, features)...)
}

// CheckFeatureSchemaChange checks an in-place change of a feature version's
// features (F1): existing features keep their position, name and type; new
// features may only be appended at the end. Descriptions may change.
func CheckFeatureSchemaChange(prior FeatureVersion, next []Feature) Problems {
	var ps Problems
	id := prior.ID()
	fix := fmt.Sprintf("a feature version's schema only grows at the end; to change it, declare a new version instead (a new mlops_feature_version with version = %d) and move its readers to it", prior.Version+1)
	for i, old := range prior.Features {
		if i >= len(next) {
			ps.errorf("F1", Path{"features"}, "Breaking change to a feature version",
				"feature version %s would lose feature %q (position %d): %s", id, old.Name, i+1, fix)
			continue
		}
		nf := next[i]
		if nf.Name != old.Name {
			ps.errorf("F1", Path{"features", i, "name"}, "Breaking change to a feature version",
				"feature version %s has feature %q at position %d, the change puts %q there (renamed, removed or reordered): %s", id, old.Name, i+1, nf.Name, fix)
			return ps // the positions after it are shifted: one error says it
		}
		if !FeatureTypesEqual(old.Type, nf.Type) {
			ps.errorf("F1", Path{"features", i, "type"}, "Breaking change to a feature version",
				"feature version %s: feature %q would change type from %s to %s: %s", id, old.Name, canonicalOrRaw(old.Type), canonicalOrRaw(nf.Type), fix)
		}
	}
	return ps
}

// SchemaHash returns the sha256 of a feature list's canonical schema: the
// names and canonical types in order. Descriptions are not part of it.
func SchemaHash(features []Feature) string {
	h := sha256.New()
	for _, f := range features {
		h.Write([]byte(f.Name))
		h.Write([]byte{0})
		h.Write([]byte(canonicalOrRaw(f.Type)))
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// CheckDeleteDependents is rule F2: an object that others still reference
// is not deleted. atWrite says whether the delete is being refused now (at
// apply) or will be (at plan, where the provider reports it as a warning).
func CheckDeleteDependents(obj Ref, env string, dependents []Ref, atWrite bool) Problems {
	var ps Problems
	if len(dependents) == 0 {
		return ps
	}
	names := make([]string, len(dependents))
	for i, d := range dependents {
		names[i] = d.String()
	}
	outcome := "Deleting it will be refused at apply"
	if atWrite {
		outcome = "Nothing was deleted"
	}
	ps.errorf("F2", nil, "Object still referenced",
		"%s in environment %q is still referenced by %s; delete those or point them elsewhere first (in the configuration that manages them), then delete it. %s.",
		obj, env, strings.Join(names, ", "), outcome)
	return ps
}

func canonicalOrRaw(t string) string {
	if c, err := CanonicalFeatureType(t); err == nil {
		return c
	}
	return t
}
