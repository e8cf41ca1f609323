package registry

import (
	"strings"
	"testing"
)

// These tests call the checks of models and model versions directly: the
// input checks (artifact URI and digest, metric names, input names), M1 (the
// listed feature versions exist) and M2 (the inputs are features of those
// versions, unambiguous, of the same type), and InputsEquivalent, which
// decides between an in-place change and a new model version.

func TestCheckArtifactURI(t *testing.T) {
	for _, uri := range []string{"s3://models/fraud/2", "gs://bucket/path", "file:///srv/models/fraud.pkl",
		"https://example.com/m?v=2", "hf+git://org/model", "models:/fraud/2"} {
		expectProblems(t, CheckArtifactURI(uri))
	}
	for _, uri := range []string{"", "models/fraud/2", "3s://models/x", "s3://models/fraud 2", " s3://models/x", "://models/x", "s3:", "s3"} {
		t.Run(uri, func(t *testing.T) {
			expectProblems(t, CheckArtifactURI(uri),
				errorAt("", Path{"artifact_uri"}, "Invalid artifact URI", `"`+uri+`" is not an artifact URI`, "a URL with a scheme"))
		})
	}
}

func TestCheckArtifactDigest(t *testing.T) {
	hex := func(n int) string { return strings.Repeat("0123456789abcdef", 9)[:n] }
	// Unset is fine: the digest is optional.
	for _, d := range []string{"", "sha256:" + hex(64), "md5:" + hex(32), "sha512:" + hex(128), "blake3:" + hex(64)} {
		expectProblems(t, CheckArtifactDigest(d))
	}
	for _, d := range []string{
		"sha256", "sha256:", ":" + hex(64), "sha256:" + hex(31), "sha256:" + hex(129),
		"sha256:" + strings.ToUpper(hex(64)), "SHA256:" + hex(64), "sha-256:" + hex(64), "sha256:" + hex(63) + "g", " sha256:" + hex(64),
	} {
		t.Run(d, func(t *testing.T) {
			expectProblems(t, CheckArtifactDigest(d),
				errorAt("", Path{"artifact_digest"}, "Invalid artifact digest", `"`+d+`" is not a digest`, "<algorithm>:<lower-case hex>"))
		})
	}
}

func TestCheckMetricName(t *testing.T) {
	for _, name := range []string{"auc", "_loss", "recall@1pct_fpr", "f1.macro", "p-95", "A" + strings.Repeat("b", 127)} {
		expectProblems(t, CheckMetricName(name))
	}
	for _, name := range []string{"", "auc roc", "9lives", "-loss", ".auc", "auc/roc", "A" + strings.Repeat("b", 128)} {
		t.Run(name, func(t *testing.T) {
			expectProblems(t, CheckMetricName(name),
				errorAt("", Path{"metrics"}, "Invalid metric name", `"`+name+`" is not a valid metric name`))
		})
	}
}

func TestCheckModel(t *testing.T) {
	expectProblems(t, CheckModel(Model{Name: "fraud-v2_eu"}))
	for _, name := range []string{"", "Fraud", "9fraud", "fraud.v2", "a" + strings.Repeat("b", 63)} {
		expectProblems(t, CheckModel(Model{Name: name}), errorAt("", Path{"name"}, "Invalid model name", `"`+name+`"`, ModelNamePattern))
	}
}

func TestCheckInputNames(t *testing.T) {
	cases := []struct {
		name   string
		inputs []Input
		want   []want
	}{
		{"none", nil, nil},
		{"plain and qualified", []Input{{Feature: "amount_7d"}, {Feature: "payments.amount", Type: "Decimal(12, 2)"}}, nil},
		{"duplicate", []Input{{Feature: "amount_7d"}, {Feature: "account_id"}, {Feature: "amount_7d", Type: "double"}},
			[]want{errorAt("M2", Path{"inputs", 2, "feature"}, "Duplicate input", `input "amount_7d" is listed at positions 1 and 3`, "list each input once")}},
		{"duplicate qualified", []Input{{Feature: "payments.amount"}, {Feature: "payments.amount"}},
			[]want{errorAt("M2", Path{"inputs", 1, "feature"}, "Duplicate input", `"payments.amount" is listed at positions 1 and 2`)}},
		{"bad feature name", []Input{{Feature: "ok"}, {Feature: "Amount"}},
			[]want{errorAt("M2", Path{"inputs", 1, "feature"}, "Invalid input name", `"Amount" is not an input name`, "group.feature")}},
		{"bad group name", []Input{{Feature: "Payments.amount"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Invalid input name", `"Payments.amount"`)}},
		{"empty group", []Input{{Feature: ".amount"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Invalid input name")}},
		{"empty feature", []Input{{Feature: "payments."}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Invalid input name")}},
		{"two dots", []Input{{Feature: "a.b.c"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Invalid input name", `"a.b.c"`)}},
		{"unknown type", []Input{{Feature: "amount", Type: "varchar"}},
			[]want{errorAt("M2", Path{"inputs", 0, "type"}, "Unknown feature type", `"varchar"`)}},
		{"all at once", []Input{{Feature: "x", Type: "array<int"}, {Feature: "x"}},
			[]want{errorAt("M2", Path{"inputs", 0, "type"}, "Unknown feature type"), errorAt("M2", Path{"inputs", 1, "feature"}, "Duplicate input")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckInputNames(c.inputs), c.want...)
		})
	}
}

func TestCheckModelVersion(t *testing.T) {
	good := ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://models/fraud/2", FeatureVersionIDs: []string{"transactions/2"},
		Metrics: map[string]string{"auc": "0.93"}}
	expectProblems(t, CheckModelVersion(good))
	cases := []struct {
		name   string
		change func(*ModelVersion)
		want   want
	}{
		{"model name", func(v *ModelVersion) { v.Model = "Fraud" }, errorAt("", Path{"model_id"}, "Invalid model id", `"Fraud"`)},
		{"version", func(v *ModelVersion) { v.Version = 0 }, errorAt("", Path{"version"}, "Invalid version")},
		{"artifact URI", func(v *ModelVersion) { v.ArtifactURI = "fraud.pkl" }, errorAt("", Path{"artifact_uri"}, "Invalid artifact URI")},
		{"artifact digest", func(v *ModelVersion) { v.ArtifactDigest = "sha256:xyz" }, errorAt("", Path{"artifact_digest"}, "Invalid artifact digest")},
		{"no feature versions", func(v *ModelVersion) { v.FeatureVersionIDs = nil },
			errorAt("M1", Path{"feature_version_ids"}, "No feature versions", "model version fraud/2 must list what it reads: at least one feature version (feature_version_ids) or feature view (feature_view_ids)")},
		{"malformed feature version id", func(v *ModelVersion) { v.FeatureVersionIDs = []string{"transactions"} },
			errorAt("M1", Path{"feature_version_ids"}, "Invalid feature version id")},
		{"empty inputs", func(v *ModelVersion) { v.Inputs = []Input{} },
			errorAt("M2", Path{"inputs"}, "No inputs", "leave inputs unset to mean every feature")},
		{"duplicate input", func(v *ModelVersion) { v.Inputs = []Input{{Feature: "a"}, {Feature: "a"}} },
			errorAt("M2", Path{"inputs", 1, "feature"}, "Duplicate input")},
		{"metric name", func(v *ModelVersion) { v.Metrics = map[string]string{"auc roc": "0.9"} },
			errorAt("", Path{"metrics"}, "Invalid metric name")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := good
			c.change(&v)
			expectProblems(t, CheckModelVersion(v), c.want)
		})
	}
}

// TestCheckFeatureVersionsPresent is rule M1.
func TestCheckFeatureVersionsPresent(t *testing.T) {
	found := map[string]FeatureVersion{
		"transactions/2": fv("transactions", 2),
		"payments/1":     {Group: "payments", Version: 1, Deprecated: true},
	}
	missing := func(id string) want {
		return errorAt("M1", Path{"feature_version_ids"}, "Feature version missing",
			"model version fraud/3 reads feature version "+id+`, which does not exist in environment "prod"`,
			"Apply feature version "+id+` in "prod" first`)
	}
	deprecated := warningAt("M1", Path{"feature_version_ids"}, "Deprecated feature version",
		`model version fraud/3 reads feature version payments/1, which is deprecated in environment "prod"`)
	cases := []struct {
		name string
		ids  []string
		want []want
	}{
		{"none listed", nil, nil},
		{"present", []string{"transactions/2"}, nil},
		{"missing", []string{"transactions/3"}, []want{missing("transactions/3")}},
		{"deprecated warns", []string{"payments/1"}, []want{deprecated}},
		{"in order", []string{"transactions/9", "transactions/2", "payments/1", "payments/2"},
			[]want{missing("transactions/9"), deprecated, missing("payments/2")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckFeatureVersionsPresent("fraud/3", "prod", c.ids, found), c.want...)
		})
	}
}

// TestCheckInputs is rule M2 against the listed feature versions.
func TestCheckInputs(t *testing.T) {
	tx2 := fv("transactions", 2, feats("account_id", "string", "amount", "double", "amount_7d", "double",
		"merchant_counts", "Array<INT>", "fee", "decimal(12,2)")...)
	tx1 := fv("transactions", 1, feats("account_id", "string", "amount", "float")...)
	pay1 := fv("payments", 1, feats("payment_id", "string", "amount", "decimal(12,2)")...)
	notFound := func(i int, name, listed string) want {
		return errorAt("M2", Path{"inputs", i, "feature"}, "Input not found",
			`model version fraud/2 reads input "`+name+`", which is not a feature of the listed feature versions (`+listed+`)`,
			"add the feature version that has it to feature_version_ids, or fix the name")
	}
	mismatch := func(i int, words ...string) want {
		return errorAt("M2", Path{"inputs", i, "type"}, append([]string{"Input type mismatch", "change the input's type"}, words...)...)
	}
	cases := []struct {
		name     string
		versions []FeatureVersion
		inputs   []Input
		want     []want
	}{
		{"every feature (unset)", []FeatureVersion{tx2, pay1}, nil, nil},
		{"found", []FeatureVersion{tx2}, []Input{{Feature: "amount_7d"}, {Feature: "account_id", Type: "string"}}, nil},
		{"missing", []FeatureVersion{tx2, pay1}, []Input{{Feature: "amount_7d"}, {Feature: "amount_30d"}},
			[]want{notFound(1, "amount_30d", "transactions/2, payments/1")}},
		{"missing in another group", []FeatureVersion{tx2, pay1}, []Input{{Feature: "payments.amount_7d"}},
			[]want{notFound(0, "payments.amount_7d", "transactions/2, payments/1")}},
		{"group not listed", []FeatureVersion{tx2}, []Input{{Feature: "payments.amount"}},
			[]want{notFound(0, "payments.amount", "transactions/2")}},
		{"ambiguous", []FeatureVersion{tx2, pay1}, []Input{{Feature: "amount"}},
			[]want{errorAt("M2", Path{"inputs", 0, "feature"}, "Ambiguous input",
				`model version fraud/2 reads input "amount", which is a feature of transactions/2 and payments/1`, "write it as group.feature to say which")}},
		{"ambiguous with a type reports the ambiguity only", []FeatureVersion{tx2, pay1}, []Input{{Feature: "amount", Type: "int"}},
			[]want{errorAt("M2", Path{"inputs", 0, "feature"}, "Ambiguous input")}},
		{"group.feature resolves it", []FeatureVersion{tx2, pay1},
			[]Input{{Feature: "transactions.amount", Type: "double"}, {Feature: "payments.amount", Type: "DECIMAL( 12 , 2 )"}}, nil},
		{"two versions of one group", []FeatureVersion{tx1, tx2}, []Input{{Feature: "account_id"}, {Feature: "transactions.amount"}},
			[]want{
				errorAt("M2", Path{"inputs", 0, "feature"}, "Ambiguous input", "transactions/1 and transactions/2", "write it as group.feature"),
				errorAt("M2", Path{"inputs", 1, "feature"}, "Ambiguous input", `"transactions.amount"`, "list only one version of each feature group"),
			}},
		{"type mismatch", []FeatureVersion{tx2}, []Input{{Feature: "amount_7d", Type: "float"}},
			[]want{mismatch(0, `model version fraud/2 reads input "amount_7d" as float, but feature version transactions/2 declares "amount_7d" as double`)}},
		{"type mismatch of group.feature", []FeatureVersion{tx2, pay1}, []Input{{Feature: "payments.amount", Type: "double"}},
			[]want{mismatch(0, `reads input "payments.amount" as double, but feature version payments/1 declares "amount" as decimal(12,2)`)}},
		{"mismatch in canonical spelling", []FeatureVersion{tx2}, []Input{{Feature: "merchant_counts", Type: "ARRAY< BIGINT >"}},
			[]want{mismatch(0, "as array<bigint>, but", `"merchant_counts" as array<int>`)}},
		{"equivalent spellings match", []FeatureVersion{tx2},
			[]Input{{Feature: "amount", Type: "DOUBLE"}, {Feature: "merchant_counts", Type: " array< int > "}, {Feature: "fee", Type: "Decimal(12, 2)"}}, nil},
		{"an unparsable type never matches", []FeatureVersion{tx2}, []Input{{Feature: "amount", Type: "dubble"}},
			[]want{mismatch(0, `as dubble, but`)}},
		{"each input at its index", []FeatureVersion{tx2, pay1},
			[]Input{{Feature: "account_id"}, {Feature: "nope"}, {Feature: "payment_id", Type: "int"}, {Feature: "amount"}},
			[]want{
				notFound(1, "nope", "transactions/2, payments/1"),
				mismatch(2, `"payment_id" as int`),
				errorAt("M2", Path{"inputs", 3, "feature"}, "Ambiguous input"),
			}},
		{"no versions known", nil, []Input{{Feature: "amount"}}, []want{notFound(0, "amount", "")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckInputs("fraud/2", c.inputs, c.versions, nil), c.want...)
		})
	}
}

func TestInputsEquivalent(t *testing.T) {
	base := []Input{{Feature: "amount_7d"}, {Feature: "merchant_counts", Type: "Array< INT >"}}
	cases := []struct {
		name string
		a, b []Input
		same bool
	}{
		{"both unset", nil, nil, true},
		{"both empty", []Input{}, []Input{}, true},
		{"unset and empty", nil, []Input{}, false},
		{"unset and listed", nil, base, false},
		{"empty and listed", []Input{}, base, false},
		{"equal", base, []Input{{Feature: "amount_7d"}, {Feature: "merchant_counts", Type: "Array< INT >"}}, true},
		{"type re-spelled", base, []Input{{Feature: "amount_7d"}, {Feature: "merchant_counts", Type: "array<int>"}}, true},
		{"type changed", base, []Input{{Feature: "amount_7d"}, {Feature: "merchant_counts", Type: "array<bigint>"}}, false},
		{"type added", base, []Input{{Feature: "amount_7d", Type: "double"}, base[1]}, false},
		{"type removed", base, []Input{base[0], {Feature: "merchant_counts"}}, false},
		{"feature renamed", base, []Input{{Feature: "transactions.amount_7d"}, base[1]}, false},
		{"reordered", base, []Input{base[1], base[0]}, false},
		{"one more", base, append([]Input{base[0], base[1]}, Input{Feature: "fee"}), false},
		{"one fewer", base, base[:1], false},
		{"unparsable types equal as written", []Input{{Feature: "x", Type: "dubble"}}, []Input{{Feature: "x", Type: "dubble"}}, true},
		{"unparsable types differ", []Input{{Feature: "x", Type: "dubble"}}, []Input{{Feature: "x", Type: "Dubble"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := InputsEquivalent(c.a, c.b); got != c.same {
				t.Errorf("InputsEquivalent(%#v, %#v) = %v, want %v", c.a, c.b, got, c.same)
			}
			if got := InputsEquivalent(c.b, c.a); got != c.same {
				t.Errorf("InputsEquivalent(%#v, %#v) = %v, want %v", c.b, c.a, got, c.same)
			}
		})
	}
}
