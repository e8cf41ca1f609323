package registry_test

import (
	"context"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// These tests cover the event time part of F3 (a timestamp or date feature
// outside the primary key) and the numbers a configuration may write: version
// numbers and metric values.

func TestCheckEventTimeNotKey(t *testing.T) {
	cases := []struct {
		name      string
		eventTime string
		key       []string
		words     []string // nil: accepted
	}{
		{"outside the key", "event_ts", []string{"account_id"}, nil},
		{"unset", "", []string{"account_id"}, nil},
		{"no key yet", "event_ts", nil, nil},
		{"the only key", "event_ts", []string{"event_ts"},
			[]string{"[F3]", `event_time "event_ts" of feature group "transactions" is also primary_key column 1`, "outside primary_key"}},
		{"second key column", "event_ts", []string{"account_id", "event_ts"},
			[]string{"[F3] Event time is a primary key column", "primary_key column 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := registry.CheckEventTimeNotKey("transactions", c.eventTime, c.key)
			if c.words == nil {
				if len(ps) != 0 {
					t.Fatalf("refused: %v", ps)
				}
				return
			}
			oneProblem(t, ps, "F3", registry.SeverityError, registry.Path{"event_time"}, c.words...)
		})
	}
}

func TestCheckFeatureGroupEventTimeInKey(t *testing.T) {
	g := txGroup()
	g.PrimaryKey = []string{"account_id", "event_ts"}
	oneProblem(t, registry.CheckFeatureGroup(g), "F3", registry.SeverityError, registry.Path{"event_time"}, "primary_key column 2")
}

func TestCheckEventTimeType(t *testing.T) {
	g := txGroup() // event_time event_ts
	cases := []struct {
		typ   string
		words []string // nil: accepted
	}{
		{"timestamp", nil},
		{"TIMESTAMP", nil},
		{" Date ", nil},
		{"not a type<", nil}, // CheckFeatureType reports it
		{"string", []string{"[F3] Event time feature of the wrong type", `feature version transactions/2 declares "event_ts"`, `feature group "transactions"`, "as string", "timestamp or date"}},
		{"BIGINT", []string{"as bigint", "timestamp or date"}},
		{"array<timestamp>", []string{"as array<timestamp>"}},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			fs := []registry.Feature{{Name: "account_id", Type: "string"}, {Name: "amount", Type: "double"}, {Name: "event_ts", Type: c.typ}}
			ps := registry.CheckEventTimeType(g, 2, fs)
			if c.words == nil {
				if len(ps) != 0 {
					t.Fatalf("refused: %v", ps)
				}
				return
			}
			oneProblem(t, ps, "F3", registry.SeverityError, registry.Path{"features", 2, "type"}, c.words...)
			// The coverage check a version goes through reports it too.
			oneProblem(t, registry.CheckFeaturesCoverGroup(g, 2, fs), "F3", registry.SeverityError, registry.Path{"features", 2, "type"}, c.words...)
		})
	}
	noEventTime := g
	noEventTime.EventTime = ""
	if ps := registry.CheckEventTimeType(noEventTime, 2, []registry.Feature{{Name: "event_ts", Type: "string"}}); len(ps) != 0 {
		t.Errorf("a group without event_time: %v", ps)
	}
}

// The write path refuses what plan refuses, and writes nothing.
func TestEventTimeRefusedOnWrite(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "staging")

	g := txGroup()
	g.PrimaryKey = []string{"event_ts"}
	_, err := r.CreateFeatureGroup(ctx, g)
	refusedWith(t, err, "[F3] Event time is a primary key column", `event_time "event_ts"`)
	_, err = r.FeatureGroup(ctx, g.Name)
	notFound(t, err)

	mustCreateGroup(t, r, txGroup())
	v := txVersion(1)
	v.Features[1].Type = "string"
	_, err = r.CreateFeatureVersion(ctx, v)
	re := ruleError(t, err, "[F3] Event time feature of the wrong type", `declares "event_ts"`, "as string")
	if !reflect.DeepEqual(re.Problems[0].Path, registry.Path{"features", 1, "type"}) {
		t.Errorf("path = %v", re.Problems[0].Path)
	}
	_, err = r.FeatureVersion(ctx, "transactions", 1)
	notFound(t, err)

	// At plan, through the same check.
	ps, err := r.CheckFeatureVersionPlan(ctx, registry.FeatureVersionPlan{Group: "transactions", Version: 1, Features: v.Features, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "F3", registry.SeverityError, registry.Path{"features", 1, "type"}, "as string")

	// An update is checked as well.
	mustCreateVersion(t, r, txVersion(1))
	v = txVersion(1)
	v.Features[1].Type = "date" // F1 refuses the change of type too
	v.Revision = 1
	_, err = r.UpdateFeatureVersion(ctx, v)
	refusedWith(t, err, "[F1]")
	v.Features[1].Type = "string"
	_, err = r.UpdateFeatureVersion(ctx, v)
	refusedWith(t, err, "[F3] Event time feature of the wrong type", "[F1]")
}

func TestVersionFromNumber(t *testing.T) {
	parse := func(s string) *big.Float {
		f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for s, want := range map[string]int64{"1": 1, "2": 2, "2.0": 2, "1e3": 1000, "9223372036854775807": 9223372036854775807} {
		v, ps := registry.VersionFromNumber(parse(s))
		if v != want || len(ps) != 0 {
			t.Errorf("%s: %d %v, want %d", s, v, ps, want)
		}
	}
	for s, got := range map[string]string{
		"1.5":                      "got 1.5",
		"0":                        "got 0",
		"-1":                       "got -1",
		"-2.5":                     "got -2.5",
		"0.000001":                 "got 1e-06",
		"9223372036854775808":      "got 9223372036854775808",
		"99999999999999999999999":  "got 99999999999999999999999",
		"-99999999999999999999999": "got -99999999999999999999999",
		"1e400":                    "got 1e+400",
	} {
		_, ps := registry.VersionFromNumber(parse(s))
		oneProblem(t, ps, "", registry.SeverityError, registry.Path{"version"}, "Invalid version", "version must be a whole number from 1 to 9223372036854775807; "+got)
		if strings.Count(ps[0].Detail, "got") != 1 || !strings.HasSuffix(ps[0].Detail, got) {
			t.Errorf("%s: %q", s, ps[0].Detail)
		}
	}
	_, ps := registry.VersionFromNumber(nil)
	oneProblem(t, ps, "", registry.SeverityError, registry.Path{"version"}, "got null")
	// The int64 check says the same.
	oneProblem(t, registry.CheckVersionNumber(0), "", registry.SeverityError, registry.Path{"version"}, "version must be a whole number from 1 to 9223372036854775807; got 0")
}

func TestCheckMetricValue(t *testing.T) {
	for _, s := range []string{"0", "0.93", "-1", "1e308", "-1.7976931348623157e308", "1e-400", "40"} {
		if ps := registry.CheckMetricValue("auc", s); len(ps) != 0 {
			t.Errorf("%s refused: %v", s, ps)
		}
	}
	for _, s := range []string{"1e+400", "-1e+400", "1.8e308", "NaN", "Inf", "", "0.9x"} {
		oneProblem(t, registry.CheckMetricValue("auc", s), "", registry.SeverityError, registry.Path{"metrics"},
			"Invalid metric value", `metric "auc" = `+s+" is not a finite 64-bit floating-point number")
	}
}

func TestCheckMetrics(t *testing.T) {
	if ps := registry.CheckMetrics(map[string]string{"auc": "0.9", "latency_ms": "40"}); len(ps) != 0 {
		t.Fatalf("refused: %v", ps)
	}
	ps := registry.CheckMetrics(map[string]string{"b": "1e+400", "a": "2", "bad name": "1"})
	if len(ps) != 2 || !strings.Contains(ps[0].String(), `"b" = 1e+400`) || !strings.Contains(ps[1].String(), `"bad name" is not a valid metric name`) {
		// Name order: "b", then "bad name".
		t.Fatalf("problems: %v", ps)
	}
}

// A metric out of the float64 range is refused on create and update, and
// nothing is written: before, it was stored and gates read it as missing.
func TestMetricValueRefusedOnWrite(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "staging")
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))
	mustCreateModel(t, r, "fraud")

	v := fraudVersion(1, 1)
	v.Metrics = map[string]string{"auc": "1e+400"}
	_, err := r.CreateModelVersion(ctx, v)
	refusedWith(t, err, "Invalid metric value", `metric "auc" = 1e+400 is not a finite 64-bit floating-point number`)
	_, err = r.ModelVersion(ctx, "fraud", 1)
	notFound(t, err)

	created := mustCreateModelVersion(t, r, fraudVersion(1, 1))
	up := created
	up.Metrics = map[string]string{"auc": "0.95", "recall": "-1e+400"}
	_, err = r.UpdateModelVersion(ctx, up)
	refusedWith(t, err, `metric "recall" = -1e+400`)
	got, err := r.ModelVersion(ctx, "fraud", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Metrics, created.Metrics) || got.Revision != created.Revision {
		t.Errorf("after a refused update: metrics %v revision %d, want %v %d", got.Metrics, got.Revision, created.Metrics, created.Revision)
	}
}
