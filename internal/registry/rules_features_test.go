package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// problemWith returns the first problem whose summary and detail contain all
// of the words, failing the test when there is none.
func problemWith(t *testing.T, ps Problems, words ...string) Problem {
	t.Helper()
	for _, p := range ps {
		text := p.String()
		all := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			return p
		}
	}
	t.Fatalf("no problem mentions %q; problems:\n%s", words, dump(ps))
	return Problem{}
}

func dump(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// want is a problem a check should report: its rule, severity and path,
// and words its text holds.
type want struct {
	rule  string
	sev   Severity
	path  Path
	words []string
}

func errorAt(rule string, path Path, words ...string) want {
	return want{rule: rule, sev: SeverityError, path: path, words: words}
}

func warningAt(rule string, path Path, words ...string) want {
	return want{rule: rule, sev: SeverityWarning, path: path, words: words}
}

// expectProblems fails the test unless ps holds exactly the wanted
// problems, in order, and blocks the change exactly when one is an error.
func expectProblems(t *testing.T, ps Problems, wants ...want) {
	t.Helper()
	if len(ps) != len(wants) {
		t.Fatalf("want %d problems, got %d:\n%s", len(wants), len(ps), dump(ps))
	}
	blocks := false
	for i, w := range wants {
		p := ps[i]
		if p.Rule != w.rule || p.Severity != w.sev || !reflect.DeepEqual(p.Path, w.path) {
			t.Errorf("problem %d %q: rule %q, severity %v, path %v; want rule %q, severity %v, path %v",
				i, p, p.Rule, p.Severity, p.Path, w.rule, w.sev, w.path)
		}
		for _, word := range w.words {
			if !strings.Contains(p.String(), word) {
				t.Errorf("problem %d %q does not say %q", i, p, word)
			}
		}
		blocks = blocks || w.sev == SeverityError
	}
	if (ps.Err() != nil) != blocks {
		t.Errorf("Err() = %v; want an error: %v", ps.Err(), blocks)
	}
}

func feats(pairs ...string) []Feature {
	out := make([]Feature, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Feature{Name: pairs[i], Type: pairs[i+1]})
	}
	return out
}

func TestCheckFeatureGroup(t *testing.T) {
	good := FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}, EventTime: "event_ts"}
	if ps := CheckFeatureGroup(good); len(ps) != 0 || ps.Err() != nil {
		t.Fatalf("valid group refused:\n%s", dump(ps))
	}
	noEvent := good
	noEvent.EventTime = ""
	if ps := CheckFeatureGroup(noEvent); len(ps) != 0 {
		t.Fatalf("a group without event_time refused:\n%s", dump(ps))
	}
	long := FeatureGroup{Name: "a" + strings.Repeat("b", 62), PrimaryKey: []string{"k"}}
	if ps := CheckFeatureGroup(long); len(ps) != 0 {
		t.Fatalf("a 63-character name refused:\n%s", dump(ps))
	}

	cases := []struct {
		name  string
		g     FeatureGroup
		path  Path
		words []string
	}{
		{"upper-case name", FeatureGroup{Name: "Transactions", PrimaryKey: []string{"k"}}, Path{"name"}, []string{`"Transactions"`, NamePattern}},
		{"dash in name", FeatureGroup{Name: "tx-data", PrimaryKey: []string{"k"}}, Path{"name"}, []string{`"tx-data"`}},
		{"empty name", FeatureGroup{Name: "", PrimaryKey: []string{"k"}}, Path{"name"}, []string{`""`}},
		{"digit first", FeatureGroup{Name: "1tx", PrimaryKey: []string{"k"}}, Path{"name"}, []string{`"1tx"`}},
		{"64 characters", FeatureGroup{Name: "a" + strings.Repeat("b", 63), PrimaryKey: []string{"k"}}, Path{"name"}, []string{"at most 63 characters"}},
		{"no primary key", FeatureGroup{Name: "tx"}, Path{"primary_key"}, []string{"at least one primary key", `"tx"`}},
		{"empty primary key", FeatureGroup{Name: "tx", PrimaryKey: []string{}}, Path{"primary_key"}, []string{"at least one primary key"}},
		{"bad key name", FeatureGroup{Name: "tx", PrimaryKey: []string{"ok", "Bad Key"}}, Path{"primary_key", 1}, []string{`"Bad Key"`}},
		{"duplicate key", FeatureGroup{Name: "tx", PrimaryKey: []string{"a", "b", "a"}}, Path{"primary_key", 2}, []string{`"a"`, "positions 1 and 3"}},
		{"bad event time", FeatureGroup{Name: "tx", PrimaryKey: []string{"k"}, EventTime: "Event TS"}, Path{"event_time"}, []string{`"Event TS"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := CheckFeatureGroup(c.g)
			if len(ps) != 1 {
				t.Fatalf("want exactly one problem, got %d:\n%s", len(ps), dump(ps))
			}
			p := ps[0]
			if p.Severity != SeverityError || !reflect.DeepEqual(p.Path, c.path) {
				t.Errorf("problem %+v: want an error at %v", p, c.path)
			}
			problemWith(t, ps, c.words...)
			var re *RuleError
			if err := ps.Err(); !errors.As(err, &re) || len(re.Problems) != 1 {
				t.Errorf("Err() = %v, want a *RuleError with the problem", err)
			}
		})
	}
}

func TestCheckVersionNumber(t *testing.T) {
	for _, v := range []int64{1, 2, 1 << 40} {
		if ps := CheckVersionNumber(v); len(ps) != 0 {
			t.Errorf("version %d refused: %s", v, dump(ps))
		}
	}
	for _, v := range []int64{0, -1, -1 << 40} {
		ps := CheckVersionNumber(v)
		if len(ps) != 1 || !reflect.DeepEqual(ps[0].Path, Path{"version"}) {
			t.Fatalf("version %d: %s", v, dump(ps))
		}
		problemWith(t, ps, "version must be a whole number from 1 to")
	}
}

func TestCheckFeatures(t *testing.T) {
	ok := []Feature{
		{Name: "account_id", Type: "string"},
		{Name: "event_ts", Type: "TIMESTAMP"},
		{Name: "amount_7d", Type: "double", Description: "sum over 7 days"},
		{Name: "tags", Type: "Array< String >"},
		{Name: "amounts", Type: "map<date,decimal(12,2)>"},
	}
	if ps := CheckFeatures(ok); len(ps) != 0 {
		t.Fatalf("valid features refused:\n%s", dump(ps))
	}

	t.Run("empty", func(t *testing.T) {
		for _, fs := range [][]Feature{nil, {}} {
			ps := CheckFeatures(fs)
			if len(ps) != 1 || ps[0].Rule != "F3" || !reflect.DeepEqual(ps[0].Path, Path{"features"}) {
				t.Fatalf("want one F3 problem at features, got:\n%s", dump(ps))
			}
			problemWith(t, ps, "at least one feature")
		}
	})

	t.Run("duplicates", func(t *testing.T) {
		fs := feats("a", "int", "b", "int", "a", "string", "c", "int", "b", "int", "a", "int")
		ps := CheckFeatures(fs)
		if len(ps) != 3 {
			t.Fatalf("want 3 duplicate problems, got:\n%s", dump(ps))
		}
		want := []struct {
			path  Path
			words []string
		}{
			{Path{"features", 2, "name"}, []string{`"a"`, "positions 1 and 3"}},
			{Path{"features", 4, "name"}, []string{`"b"`, "positions 2 and 5"}},
			{Path{"features", 5, "name"}, []string{`"a"`, "positions 1 and 6"}},
		}
		for i, w := range want {
			p := ps[i]
			if p.Rule != "F3" || p.Severity != SeverityError || !reflect.DeepEqual(p.Path, w.path) {
				t.Errorf("problem %d = %+v, want F3 error at %v", i, p, w.path)
			}
			problemWith(t, Problems{p}, append(w.words, "Duplicate feature name", "unique")...)
		}
	})

	t.Run("bad names", func(t *testing.T) {
		fs := feats("ok", "int", "Amount", "int", "", "int", "9lives", "int", "with space", "int", "dash-ed", "int")
		ps := CheckFeatures(fs)
		if len(ps) != 5 {
			t.Fatalf("want 5 problems, got:\n%s", dump(ps))
		}
		for i, p := range ps {
			path := Path{"features", i + 1, "name"}
			if p.Rule != "F3" || !reflect.DeepEqual(p.Path, path) || p.Summary != "Invalid feature name" {
				t.Errorf("problem %d = %+v, want F3 Invalid feature name at %v", i, p, path)
			}
			if !strings.Contains(p.Detail, fs[i+1].Name+`"`) || !strings.Contains(p.Detail, NamePattern) {
				t.Errorf("problem %d detail %q does not name %q and the pattern", i, p.Detail, fs[i+1].Name)
			}
		}
	})

	t.Run("unknown types", func(t *testing.T) {
		fs := feats("a", "int", "b", "varchar", "c", "array<int", "d", "map<array<int>,int>", "e", "", "f", "decimal(39,1)")
		ps := CheckFeatures(fs)
		if len(ps) != 5 {
			t.Fatalf("want 5 problems, got:\n%s", dump(ps))
		}
		words := []string{`"varchar"`, `expected '>' at the end`, "must be a primitive type", "expected a type name", "out of range"}
		for i, p := range ps {
			path := Path{"features", i + 1, "type"}
			if p.Rule != "F3" || !reflect.DeepEqual(p.Path, path) || p.Summary != "Unknown feature type" {
				t.Errorf("problem %d = %+v, want F3 Unknown feature type at %v", i, p, path)
			}
			if !strings.Contains(p.Detail, words[i]) {
				t.Errorf("problem %d detail %q does not say %q", i, p.Detail, words[i])
			}
		}
	})

	t.Run("mixed", func(t *testing.T) {
		ps := CheckFeatures(feats("Bad", "nope", "x", "int", "x", "int"))
		if len(ps) != 3 {
			t.Fatalf("want 3 problems (name, type, duplicate), got:\n%s", dump(ps))
		}
		err := ps.Err()
		var re *RuleError
		if !errors.As(err, &re) {
			t.Fatalf("Err() = %v, want *RuleError", err)
		}
		for _, w := range []string{"[F3] Invalid feature name", "[F3] Unknown feature type", "[F3] Duplicate feature name"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
}

func TestCheckDuplicateFeatureNamesUnknown(t *testing.T) {
	a, b := "a", "b"
	a2 := "a"
	ps := CheckDuplicateFeatureNames([]*string{&a, nil, nil, &b, &a2})
	if len(ps) != 1 || !reflect.DeepEqual(ps[0].Path, Path{"features", 4, "name"}) {
		t.Fatalf("got:\n%s", dump(ps))
	}
	problemWith(t, ps, "positions 1 and 5")
	if ps := CheckDuplicateFeatureNames([]*string{nil, nil}); len(ps) != 0 {
		t.Fatalf("unknown names reported as duplicates:\n%s", dump(ps))
	}
}

func TestCheckFeaturesCoverGroup(t *testing.T) {
	g := FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id", "merchant_id"}, EventTime: "event_ts"}
	full := feats("account_id", "string", "merchant_id", "string", "event_ts", "timestamp", "amount", "double")
	if ps := CheckFeaturesCoverGroup(g, 2, full); len(ps) != 0 {
		t.Fatalf("covering features refused:\n%s", dump(ps))
	}

	ps := CheckFeaturesCoverGroup(g, 2, feats("account_id", "string", "amount", "double"))
	if len(ps) != 2 {
		t.Fatalf("want 2 problems (merchant_id, event_ts), got:\n%s", dump(ps))
	}
	for _, p := range ps {
		if p.Rule != "F3" || p.Severity != SeverityError || !reflect.DeepEqual(p.Path, Path{"features"}) {
			t.Errorf("problem %+v: want an F3 error at features", p)
		}
	}
	pk := problemWith(t, ps, "Primary key feature missing", "transactions/2", `"merchant_id"`, `feature group "transactions"`, `add a feature named "merchant_id" to features`)
	if strings.Contains(pk.Detail, "event_ts") {
		t.Errorf("the primary key problem mentions event_ts: %q", pk.Detail)
	}
	problemWith(t, ps, "Event time feature missing", "transactions/2", `"event_ts"`, `add a feature named "event_ts" to features`)

	noEvent := g
	noEvent.EventTime = ""
	if ps := CheckFeaturesCoverGroup(noEvent, 1, feats("account_id", "string", "merchant_id", "string")); len(ps) != 0 {
		t.Fatalf("a group without event time wants one:\n%s", dump(ps))
	}
	if ps := CheckFeaturesCoverGroup(g, 7, nil); len(ps) != 3 {
		t.Fatalf("no features: want 3 problems, got:\n%s", dump(ps))
	} else {
		problemWith(t, ps, "transactions/7", `"account_id"`)
	}
}

func fv(group string, version int64, fs ...Feature) FeatureVersion {
	return FeatureVersion{Group: group, Version: version, Features: fs}
}

func TestCheckFeatureSchemaChange(t *testing.T) {
	prior := fv("transactions", 3,
		Feature{Name: "account_id", Type: "string"},
		Feature{Name: "event_ts", Type: "timestamp"},
		Feature{Name: "amounts", Type: "Array< INT >", Description: "old"},
	)

	okChanges := map[string][]Feature{
		"unchanged": prior.Features,
		"append": append(append([]Feature{}, prior.Features...), Feature{Name: "amount_7d", Type: "double"},
			Feature{Name: "amount_30d", Type: "double"}),
		"type respelled": {
			{Name: "account_id", Type: "STRING"},
			{Name: "event_ts", Type: " TimeStamp "},
			{Name: "amounts", Type: "array<int>"},
		},
		"descriptions": {
			{Name: "account_id", Type: "string", Description: "new"},
			{Name: "event_ts", Type: "timestamp"},
			{Name: "amounts", Type: "Array< INT >"},
		},
	}
	for name, next := range okChanges {
		if ps := CheckFeatureSchemaChange(prior, next); len(ps) != 0 {
			t.Errorf("%s refused:\n%s", name, dump(ps))
		}
	}

	fix := "declare a new version instead (a new mlops_feature_version with version = 4)"
	cases := []struct {
		name  string
		next  []Feature
		n     int
		path  Path
		words []string
	}{
		{"remove last", prior.Features[:2], 1, Path{"features"}, []string{`lose feature "amounts" (position 3)`}},
		{"remove all", nil, 3, Path{"features"}, []string{`lose feature "account_id" (position 1)`}},
		{"remove middle", []Feature{prior.Features[0], prior.Features[2]}, 1, Path{"features", 1, "name"},
			[]string{`has feature "event_ts" at position 2, the change puts "amounts" there`}},
		{"rename", []Feature{prior.Features[0], {Name: "event_time", Type: "timestamp"}, prior.Features[2]}, 1, Path{"features", 1, "name"},
			[]string{`"event_ts"`, `"event_time"`, "renamed, removed or reordered"}},
		{"reorder", []Feature{prior.Features[1], prior.Features[0], prior.Features[2]}, 1, Path{"features", 0, "name"},
			[]string{`has feature "account_id" at position 1, the change puts "event_ts" there`}},
		{"retype", []Feature{prior.Features[0], prior.Features[1], {Name: "amounts", Type: "array<bigint>"}}, 1, Path{"features", 2, "type"},
			[]string{`feature "amounts" would change type from array<int> to array<bigint>`}},
		{"insert in front", append([]Feature{{Name: "new_first", Type: "int"}}, prior.Features...), 1, Path{"features", 0, "name"},
			[]string{`the change puts "new_first" there`}},
		{"retype two", []Feature{prior.Features[0], {Name: "event_ts", Type: "date"}, {Name: "amounts", Type: "map<int,int>"}}, 2, Path{"features", 1, "type"},
			[]string{"from timestamp to date", "from array<int> to map<int,int>"}},
		{"retype then rename", []Feature{{Name: "account_id", Type: "int"}, {Name: "ts", Type: "timestamp"}, prior.Features[2]}, 2, Path{"features", 0, "type"},
			[]string{"from string to int", `the change puts "ts" there`}},
		{"retype to garbage", []Feature{prior.Features[0], {Name: "event_ts", Type: "Not A Type"}, prior.Features[2]}, 1, Path{"features", 1, "type"},
			[]string{"from timestamp to Not A Type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := CheckFeatureSchemaChange(prior, c.next)
			if len(ps) != c.n {
				t.Fatalf("want %d problems, got:\n%s", c.n, dump(ps))
			}
			for _, p := range ps {
				if p.Rule != "F1" || p.Severity != SeverityError || p.Summary != "Breaking change to a feature version" {
					t.Errorf("problem %+v: want an F1 breaking-change error", p)
				}
				if !strings.Contains(p.Detail, "transactions/3") || !strings.Contains(p.Detail, fix) {
					t.Errorf("problem %q does not name transactions/3 and the fix %q", p.Detail, fix)
				}
			}
			if !reflect.DeepEqual(ps[0].Path, c.path) {
				t.Errorf("first problem path = %v, want %v", ps[0].Path, c.path)
			}
			for _, w := range c.words {
				problemWith(t, ps, w)
			}
			if err := ps.Err(); err == nil || !strings.Contains(err.Error(), "[F1]") {
				t.Errorf("Err() = %v, want an F1 RuleError", err)
			}
		})
	}
}

func TestSchemaHash(t *testing.T) {
	base := []Feature{{Name: "account_id", Type: "string"}, {Name: "amounts", Type: "array<int>", Description: "a"}}
	h := SchemaHash(base)
	if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+64 {
		t.Fatalf("SchemaHash = %q, want sha256:<64 hex>", h)
	}
	if SchemaHash(base) != h {
		t.Fatal("SchemaHash is not stable")
	}
	// Pinned: the hash is stored in registries and compared across provider
	// versions; changing its definition is a breaking change.
	if want := "sha256:" + sha256Hex("account_id\x00string\namounts\x00array<int>\n"); h != want {
		t.Fatalf("SchemaHash = %q, want %q", h, want)
	}
	same := [][]Feature{
		{{Name: "account_id", Type: "STRING"}, {Name: "amounts", Type: "Array< INT >"}},
		{{Name: "account_id", Type: "string", Description: "other"}, {Name: "amounts", Type: "array<int>"}},
	}
	for _, fs := range same {
		if got := SchemaHash(fs); got != h {
			t.Errorf("SchemaHash(%v) = %q, want %q", fs, got, h)
		}
	}
	different := [][]Feature{
		{{Name: "amounts", Type: "array<int>"}, {Name: "account_id", Type: "string"}},
		{{Name: "account_id", Type: "string"}, {Name: "amounts", Type: "array<bigint>"}},
		{{Name: "account_id", Type: "string"}, {Name: "amount", Type: "array<int>"}},
		{{Name: "account_id", Type: "string"}},
		append(append([]Feature{}, base...), Feature{Name: "x", Type: "int"}),
		// Name/type boundaries are part of the hash.
		{{Name: "account_ids", Type: "tring"}, {Name: "amounts", Type: "array<int>"}},
	}
	seen := map[string]int{h: -1}
	for i, fs := range different {
		got := SchemaHash(fs)
		if j, dup := seen[got]; dup {
			t.Errorf("SchemaHash of case %d equals that of case %d: %q", i, j, got)
		}
		seen[got] = i
	}
	if SchemaHash(nil) != SchemaHash([]Feature{}) {
		t.Error("nil and empty feature lists hash differently")
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestCheckDeleteDependents(t *testing.T) {
	obj := Ref{Kind: KindFeatureGroup, ID: "transactions"}
	for _, atWrite := range []bool{false, true} {
		if ps := CheckDeleteDependents(obj, "prod", nil, atWrite); len(ps) != 0 || ps.Err() != nil {
			t.Fatalf("no dependents refused:\n%s", dump(ps))
		}
	}
	deps := []Ref{{Kind: KindFeatureVersion, ID: "transactions/1"}, {Kind: KindFeatureVersion, ID: "transactions/2"}}
	for atWrite, outcome := range map[bool]string{true: "Nothing was deleted.", false: "Deleting it will be refused at apply."} {
		ps := CheckDeleteDependents(obj, "prod", deps, atWrite)
		if len(ps) != 1 || ps[0].Rule != "F2" || ps[0].Severity != SeverityError || ps[0].Path != nil {
			t.Fatalf("want one F2 error without a path, got %+v", ps)
		}
		problemWith(t, ps, `feature group "transactions" in environment "prod"`,
			`feature version "transactions/1", feature version "transactions/2"`, "point them elsewhere first", outcome)
		other := map[bool]string{true: "refused at apply", false: "Nothing was deleted"}[atWrite]
		if strings.Contains(ps[0].Detail, other) {
			t.Errorf("atWrite=%v: detail %q says %q", atWrite, ps[0].Detail, other)
		}
		var re *RuleError
		if err := ps.Err(); !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "[F2] Object still referenced: ") {
			t.Errorf("Err() = %v", err)
		}
	}
}

func TestRuleErrorShowsOnlyErrors(t *testing.T) {
	var ps Problems
	ps = append(ps, Problem{Rule: "M1", Severity: SeverityWarning, Summary: "Deprecated", Detail: "only a warning"})
	if ps.HasErrors() || ps.Err() != nil {
		t.Fatal("a warning blocks the change")
	}
	ps.errorf("F3", Path{"features"}, "Broken", "detail %d", 7)
	err := ps.Err()
	if err == nil || err.Error() != "[F3] Broken: detail 7" {
		t.Fatalf("Err() = %v, want only the error problem", err)
	}
}

func TestErrorTypes(t *testing.T) {
	nf := error(&NotFoundError{Kind: KindFeatureVersion, ID: "transactions/2", Environment: "prod"})
	if !errors.Is(nf, ErrNotFound) || !IsNotFound(nf) || errors.Is(nf, ErrAlreadyExists) {
		t.Error("NotFoundError does not match ErrNotFound only")
	}
	if want := `feature version "transactions/2" does not exist in environment "prod"`; nf.Error() != want {
		t.Errorf("NotFoundError = %q, want %q", nf, want)
	}
	ae := error(&AlreadyExistsError{Kind: KindFeatureGroup, ID: "transactions", Environment: "dev"})
	if !errors.Is(ae, ErrAlreadyExists) || IsNotFound(ae) {
		t.Error("AlreadyExistsError does not match ErrAlreadyExists only")
	}
	for _, w := range []string{`feature group "transactions" already exists in environment "dev"`, "terraform import", "import block"} {
		if !strings.Contains(ae.Error(), w) {
			t.Errorf("AlreadyExistsError %q lacks %q", ae, w)
		}
	}
	ce := error(&ConflictError{Kind: KindFeatureGroup, ID: "transactions", Environment: "dev"})
	if !errors.Is(ce, ErrConflict) || !strings.Contains(ce.Error(), "nothing was written") {
		t.Errorf("ConflictError %q", ce)
	}
}

func TestParseVersionedID(t *testing.T) {
	ok := map[string]struct {
		name string
		v    int64
	}{
		"transactions/2":           {"transactions", 2},
		"fraud/1":                  {"fraud", 1},
		"a/9223372036854775807":    {"a", 9223372036854775807},
		"Whatever Name/10":         {"Whatever Name", 10},
		"transactions_v2_final/42": {"transactions_v2_final", 42},
	}
	for id, want := range ok {
		name, v, err := parseVersionedID(KindFeatureVersion, id, "name", func(string) bool { return true }, "")
		if err != nil || name != want.name || v != want.v {
			t.Errorf("parseVersionedID(%q) = %q, %d, %v; want %q, %d", id, name, v, err, want.name, want.v)
		}
	}
	bad := map[string]string{
		"transactions":          "must have the form <name>/<version>",
		"":                      "must have the form <name>/<version>",
		"/2":                    "must have the form <name>/<version>",
		"transactions/":         "must end in a version number of 1 or more",
		"transactions/0":        "must end in a version number of 1 or more",
		"transactions/-1":       "must end in a version number of 1 or more",
		"transactions/02":       "must end in a version number of 1 or more",
		"transactions/+2":       "must end in a version number of 1 or more",
		"transactions/2 ":       "must end in a version number of 1 or more",
		"transactions/v2":       "must end in a version number of 1 or more",
		"transactions/2/3":      "must end in a version number of 1 or more",
		"a/9223372036854775808": "must end in a version number of 1 or more",
	}
	for id, want := range bad {
		_, _, err := parseVersionedID(KindFeatureVersion, id, "name", func(string) bool { return true }, "")
		if err == nil {
			t.Errorf("parseVersionedID(%q) succeeded", id)
			continue
		}
		if !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "feature version id ") || !strings.Contains(err.Error(), `"transactions/2"`) {
			t.Errorf("parseVersionedID(%q) error %q: want the kind, %q and an example", id, err, want)
		}
	}
}

func TestParseFeatureVersionID(t *testing.T) {
	g, v, err := ParseFeatureVersionID("transactions/2")
	if err != nil || g != "transactions" || v != 2 {
		t.Fatalf("= %q, %d, %v", g, v, err)
	}
	if id := FeatureVersionID(g, v); id != "transactions/2" {
		t.Fatalf("FeatureVersionID round trip = %q", id)
	}
	for id, want := range map[string]string{
		"Transactions/2": "not a valid feature group name",
		"tx-data/2":      "not a valid feature group name",
		"transactions":   "<name>/<version>",
		"transactions/0": "version number of 1 or more",
	} {
		_, _, err := ParseFeatureVersionID(id)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), id) {
			t.Errorf("ParseFeatureVersionID(%q) error %v, want %q naming the id", id, err, want)
		}
	}
}

func TestValidNames(t *testing.T) {
	for s, want := range map[string]bool{"a": true, "a_b9": true, "a-b": false, "A": false, "": false, "_a": false, "a" + strings.Repeat("x", 62): true, "a" + strings.Repeat("x", 63): false} {
		if ValidName(s) != want {
			t.Errorf("ValidName(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{"dev": true, "prod-eu-1": true, "default": true, "a_b": false, "Dev": false, "": false, "1dev": false, "a" + strings.Repeat("x", 62): true, "a" + strings.Repeat("x", 63): false} {
		if ValidEnvironment(s) != want {
			t.Errorf("ValidEnvironment(%q) != %v", s, want)
		}
	}
}

func TestParseRegistryURL(t *testing.T) {
	ok := []struct {
		in   string
		want Location
	}{
		{"", Location{Scheme: "sqlite", Path: "mlops-registry.db"}},
		{"sqlite://relative/path.db", Location{Scheme: "sqlite", Path: filepath.FromSlash("relative/path.db")}},
		{"sqlite://r.db", Location{Scheme: "sqlite", Path: "r.db"}},
		{"sqlite:///absolute/path.db", Location{Scheme: "sqlite", Path: filepath.FromSlash("/absolute/path.db")}},
		{"SQLite://sub/dir/r.db", Location{Scheme: "sqlite", Path: filepath.FromSlash("sub/dir/r.db")}},
		{"sqlite://../up/r.db", Location{Scheme: "sqlite", Path: filepath.FromSlash("../up/r.db")}},
		{"postgres://mlops@db.internal:5432/mlops?sslmode=verify-full",
			Location{Scheme: "postgres", URL: "postgres://mlops@db.internal:5432/mlops?sslmode=verify-full"}},
		{"postgresql://mlops:secret@db.internal/mlops?sslmode=disable&application_name=tf",
			Location{Scheme: "postgres", URL: "postgresql://mlops:secret@db.internal/mlops?sslmode=disable&application_name=tf"}},
		{"POSTGRES://h/db", Location{Scheme: "postgres", URL: "POSTGRES://h/db"}},
	}
	for _, c := range ok {
		got, err := ParseRegistryURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRegistryURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	if DefaultRegistryFile != "mlops-registry.db" {
		t.Errorf("DefaultRegistryFile = %q", DefaultRegistryFile)
	}

	bad := map[string]string{
		"mlops.db":                               "is not a URL",
		"/var/lib/mlops.db":                      "is not a URL",
		"sqlite:r.db":                            "is not a URL",
		"sqlite://":                              "names no file",
		"sqlite:///":                             "names no file",
		"sqlite://r.db?mode=ro":                  "takes no query options",
		"mysql://u@h/db":                         `unsupported scheme "mysql"`,
		"http://example.com/r.db":                `unsupported scheme "http"`,
		"file:///tmp/r.db":                       `unsupported scheme "file"`,
		"postgres://u:secret@h:notaport/db":      "is not a valid PostgreSQL URL",
		"postgresql://u:secret@[::1/db":          "is not a valid PostgreSQL URL",
		"postgres://h:bad/db?password=secret":    "is not a valid PostgreSQL URL",
		"mysql://u:secret@h/db":                  "unsupported scheme",
		"host=h user=u password=secret":          "is not a URL",
		"host=h password='my secret' dbname=x":   "is not a URL",
		"sqlite://u:secret@h/db?sslmode=require": "takes no query options",
	}
	for in, want := range bad {
		_, err := ParseRegistryURL(in)
		if err == nil {
			t.Errorf("ParseRegistryURL(%q) succeeded", in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) {
			t.Errorf("ParseRegistryURL(%q) error %q does not say %q", in, msg, want)
		}
		if strings.Contains(msg, "secret") {
			t.Errorf("ParseRegistryURL(%q) error leaks the password: %q", in, msg)
		}
		if !strings.Contains(msg, "PostgreSQL") && !strings.Contains(msg, "sqlite://") {
			t.Errorf("ParseRegistryURL(%q) error %q does not show a valid form", in, msg)
		}
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct {
		in   string
		keep []string // must still appear
	}{
		{"postgres://u:secret@h/db", []string{"postgres://u:", "@h/db"}},
		{"postgres://u@h/db?password=secret", []string{"postgres://u@h/db?", "password="}},
		{"postgres://u:secret@h:5432/db?sslmode=require&password=secret", []string{"h:5432", "sslmode=require"}},
		{"postgresql://u:s%40cr%3Aet@h/db", []string{"postgresql://u:", "@h/db"}},
		{"postgres://u:se@cret@h/db", []string{"@h/db"}},
		{"postgres://u:secret@h:notaport/db", []string{"@h:notaport/db"}},
		{"postgres://u:sec ret@h/db", []string{"@h/db"}},
		{"postgres://h:bad/db?password=secret", []string{"h:bad"}},
		{"host=h user=u password=secret dbname=x", []string{"host=h", "user=u"}},
		{"host=h password='my secret' dbname=x", []string{"host=h"}},
		{"host=h PASSWORD = secret", []string{"host=h"}},
	}
	for _, c := range cases {
		got := RedactURL(c.in)
		for _, leak := range []string{"secret", "cret", "s%40cr", "my%20"} {
			if strings.Contains(got, leak) {
				t.Errorf("RedactURL(%q) = %q leaks %q", c.in, got, leak)
			}
		}
		if !strings.Contains(got, "xxxxx") {
			t.Errorf("RedactURL(%q) = %q shows no redaction marker", c.in, got)
		}
		for _, k := range c.keep {
			if !strings.Contains(got, k) {
				t.Errorf("RedactURL(%q) = %q lost %q", c.in, got, k)
			}
		}
	}
	for _, plain := range []string{"postgres://mlops@db.internal:5432/mlops?sslmode=verify-full", "sqlite://relative/path.db", "sqlite:///absolute/path.db"} {
		if got := RedactURL(plain); got != plain {
			t.Errorf("RedactURL(%q) = %q, want it unchanged (no password)", plain, got)
		}
	}
}
