package registry

import (
	"fmt"
	"strings"
	"testing"
)

// nameSyntaxes are the name patterns, each with its description and check.
var nameSyntaxes = []struct {
	what, pattern, rule string
	valid               func(string) bool
}{
	{"feature group or feature name", NamePattern, NameRule, ValidName},
	{"model name", ModelNamePattern, ModelNameRule, ValidModelName},
	{"environment name", EnvironmentPattern, EnvironmentRule, ValidEnvironment},
	{"deployment name", DeploymentNamePattern, DeploymentNameRule, ValidDeploymentName},
	{"validation suite name", SuiteNamePattern, SuiteNameRule, ValidSuiteName},
	{"alias name", AliasNamePattern, AliasNameRule, ValidAliasName},
}

// Each rule says in words what its check accepts: the characters it names
// and no others, a letter first, at most 63 characters.
func TestNameRulesDescribeTheirChecks(t *testing.T) {
	for _, s := range nameSyntaxes {
		says := func(words string) bool { return strings.Contains(s.rule, words) }
		cases := map[string]bool{
			"a":                           true,
			"a1":                          true,
			"a_b":                         says("underscores"),
			"a-b":                         says("dashes"),
			"Ab":                          !says("lower-case"),
			"1a":                          !says("starting with a letter"),
			"_a":                          !says("starting with a letter"),
			"a.b":                         false,
			"a b":                         false,
			"":                            false,
			"a" + strings.Repeat("b", 62): says("at most 63 characters"),
			"a" + strings.Repeat("b", 63): !says("at most 63 characters"),
		}
		for name, want := range cases {
			if got := s.valid(name); got != want {
				t.Errorf("%s %q: valid = %v, but the rule %q says %v", s.what, name, got, s.rule, want)
			}
		}
	}
}

// Every refusal of a name gives its pattern and the pattern's one
// description.
func TestNameRefusalsUseTheRules(t *testing.T) {
	cases := []struct {
		name          string
		ps            Problems
		pattern, rule string
	}{
		{"feature group", CheckFeatureGroup(FeatureGroup{Name: "Tx", PrimaryKey: []string{"k"}}), NamePattern, NameRule},
		{"primary key", CheckFeatureGroup(FeatureGroup{Name: "tx", PrimaryKey: []string{"K"}}), NamePattern, NameRule},
		{"event time", CheckFeatureGroup(FeatureGroup{Name: "tx", PrimaryKey: []string{"k"}, EventTime: "T"}), NamePattern, NameRule},
		{"feature", CheckFeatureName(0, "Amount"), NamePattern, NameRule},
		{"model", CheckModel(Model{Name: "Fraud"}), ModelNamePattern, ModelNameRule},
		{"deployment", CheckDeploymentName("fraud_scoring"), DeploymentNamePattern, DeploymentNameRule},
		{"suite", CheckSuiteName("Checks"), SuiteNamePattern, SuiteNameRule},
		{"promote_from", CheckPromoteFrom("d", "Staging", "prod"), EnvironmentPattern, EnvironmentRule},
		{"suite model_id", suiteModelIDProblems("Fraud"), ModelNamePattern, ModelNameRule},
		{"artifact URI", CheckArtifactURI("models/fraud"), "", ArtifactURIRule},
		{"artifact digest", CheckArtifactDigest("sha256:XYZ"), "", ArtifactDigestRule},
	}
	for _, c := range cases {
		if len(c.ps) != 1 || !c.ps.HasErrors() {
			t.Errorf("%s: want one error, got %v", c.name, c.ps)
			continue
		}
		if d := c.ps[0].Detail; !strings.Contains(d, c.pattern) || !strings.Contains(d, "("+c.rule+")") && !strings.HasSuffix(d, c.rule) {
			t.Errorf("%s: %q does not give the pattern %s and the rule %q", c.name, d, c.pattern, c.rule)
		}
	}
}

// suiteModelIDProblems are the problems with model_id of a model suite on
// model.
func suiteModelIDProblems(model string) Problems {
	var out Problems
	for _, p := range CheckSuite(ValidationSuite{Name: "suite_a", Model: model, Expectations: []Expectation{{}}}) {
		if p.Summary == "Invalid model id" {
			out = append(out, p)
		}
	}
	return out
}

// The environment is refused in one wording, by CheckEnvironment, which New
// uses.
func TestCheckEnvironment(t *testing.T) {
	for env, ok := range map[string]bool{"prod": true, "staging-2": true, "Prod": false, "prod_eu": false, "": false} {
		err := CheckEnvironment(env)
		if (err == nil) != ok {
			t.Errorf("CheckEnvironment(%q) = %v, want ok %v", env, err, ok)
			continue
		}
		if err != nil && (!strings.Contains(err.Error(), `environment "`+env+`" is not valid`) || !strings.Contains(err.Error(), EnvironmentPattern+" ("+EnvironmentRule+")")) {
			t.Errorf("CheckEnvironment(%q) = %q: want the name, the pattern and the rule", env, err)
		}
	}
	_, err := New(nil, Options{Environment: "Prod"})
	if want := CheckEnvironment("Prod"); err == nil || err.Error() != want.Error() {
		t.Errorf("New with environment Prod: %v, want %v", err, want)
	}
}

func TestValidArtifactAgreesWithCheck(t *testing.T) {
	for _, uri := range []string{"s3://models/fraud/2", "gs://b/p", "file:///tmp/m", "models/fraud", "", "s3://", "1s3://x"} {
		if ValidArtifactURI(uri) != (len(CheckArtifactURI(uri)) == 0) {
			t.Errorf("artifact URI %q: ValidArtifactURI and CheckArtifactURI disagree", uri)
		}
	}
	for _, d := range []string{"sha256:" + strings.Repeat("ab", 32), "sha256:XYZ", "sha256:" + strings.Repeat("a", 31), "md5:" + strings.Repeat("0", 32)} {
		if ValidArtifactDigest(d) != (len(CheckArtifactDigest(d)) == 0) {
			t.Errorf("artifact digest %q: ValidArtifactDigest and CheckArtifactDigest disagree", d)
		}
	}
}

func TestSameSchema(t *testing.T) {
	base := []Feature{{Name: "account_id", Type: "string"}, {Name: "amounts", Type: "array<int>", Description: "last ones"}}
	with := func(i int, f func(*Feature)) []Feature {
		out := append([]Feature(nil), base...)
		f(&out[i])
		return out
	}
	cases := []struct {
		name             string
		other            []Feature
		same, equivalent bool
	}{
		{"identical", base, true, true},
		{"type respelled", with(1, func(f *Feature) { f.Type = "Array< INT >" }), true, true},
		{"description changed", with(1, func(f *Feature) { f.Description = "other" }), true, false},
		{"type changed", with(1, func(f *Feature) { f.Type = "array<bigint>" }), false, false},
		{"name changed", with(0, func(f *Feature) { f.Name = "account" }), false, false},
		{"feature added", append(append([]Feature(nil), base...), Feature{Name: "x", Type: "int"}), false, false},
		{"order changed", []Feature{base[1], base[0]}, false, false},
		{"unparsable type", with(0, func(f *Feature) { f.Type = "strng" }), false, false},
	}
	for _, c := range cases {
		if got := SameSchema(base, c.other); got != c.same {
			t.Errorf("%s: SameSchema = %v, want %v", c.name, got, c.same)
		}
		if got := SameSchema(c.other, base); got != c.same {
			t.Errorf("%s: SameSchema (swapped) = %v, want %v", c.name, got, c.same)
		}
		if got := SameSchema(base, c.other) == (SchemaHash(base) == SchemaHash(c.other)); !got {
			t.Errorf("%s: SameSchema and SchemaHash disagree", c.name)
		}
		if got := FeaturesEquivalent(base, c.other); got != c.equivalent {
			t.Errorf("%s: FeaturesEquivalent = %v, want %v", c.name, got, c.equivalent)
		}
	}
	odd := []Feature{{Name: "a", Type: "strng"}}
	if !SameSchema(odd, odd) {
		t.Error("an unparsable type is not the same as itself")
	}
}

func TestCheckFeatureVersionNotDeprecated(t *testing.T) {
	v := FeatureVersion{Group: "transactions", Version: 1, Deprecated: true}
	ps := CheckFeatureVersionNotDeprecated(v, "prod")
	if len(ps) != 1 || ps.HasErrors() || ps[0].Severity != SeverityWarning || fmt.Sprint(ps[0].Path) != fmt.Sprint(Path{"version"}) ||
		ps[0].Summary != "Deprecated feature version" ||
		ps[0].Detail != `feature version transactions/1 is deprecated in environment "prod"; plan the move to a newer version` {
		t.Errorf("deprecated: %v", ps)
	}
	v.Deprecated = false
	if ps := CheckFeatureVersionNotDeprecated(v, "prod"); len(ps) != 0 {
		t.Errorf("not deprecated: %v", ps)
	}
}
