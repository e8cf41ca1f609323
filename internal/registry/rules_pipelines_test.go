package registry

import (
	"fmt"
	"strings"
	"testing"
)

// TestCheckPipelineShape is P1's first half: what each kind reads and
// writes, unknown parts left for later.
func TestCheckPipelineShape(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape PipelineShape
		want  []string // the paths refused, joined by "."
	}{
		{"feature writing feature versions", PipelineShape{Kind: PipelineFeature, WritesFeatureVersions: Set}, nil},
		{"feature writing nothing", PipelineShape{Kind: PipelineFeature}, []string{"writes.feature_version_ids"}},
		{"feature writing unknown", PipelineShape{Kind: PipelineFeature, WritesFeatureVersions: Unknown}, nil},
		{"feature reading a deployment", PipelineShape{Kind: PipelineFeature, WritesFeatureVersions: Set, ReadsDeployment: Set},
			[]string{"reads.deployment_id"}},
		{"training", PipelineShape{Kind: PipelineTraining, ReadsFeatureViews: Set, WritesModel: Set}, nil},
		{"training writing a feature version", PipelineShape{Kind: PipelineTraining, ReadsFeatureVersions: Set, WritesModel: Set, WritesFeatureVersions: Set},
			[]string{"writes.feature_version_ids"}},
		{"training reading and writing nothing", PipelineShape{Kind: PipelineTraining}, []string{"reads", "writes.model_id"}},
		{"training, all unknown", PipelineShape{Kind: PipelineTraining, ReadsFeatureVersions: Unknown, WritesModel: Unknown, WritesFeatureVersions: Unknown}, nil},
		{"inference", PipelineShape{Kind: PipelineInference, ReadsDeployment: Set, WritesFeatureVersions: Set}, nil},
		{"inference writing a model", PipelineShape{Kind: PipelineInference, ReadsDeployment: Set, WritesModel: Set}, []string{"writes.model_id"}},
		{"inference reading nothing", PipelineShape{Kind: PipelineInference}, []string{"reads.deployment_id"}},
		{"kind unknown", PipelineShape{WritesModel: Set, ReadsDeployment: Set}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range CheckPipelineShape(tc.shape) {
				if p.Rule != "P1" || p.Severity != SeverityError {
					t.Errorf("problem %+v: want a P1 error", p)
				}
				parts := make([]string, len(p.Path))
				for i, x := range p.Path {
					parts[i] = fmt.Sprint(x)
				}
				got = append(got, strings.Join(parts, "."))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("refused %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckSchedule(t *testing.T) {
	for _, ok := range []string{"", "*/15 * * * *", "0 3 * * 1-5", "30 2 1 * *"} {
		if ps := CheckSchedule(ok); len(ps) != 0 {
			t.Errorf("CheckSchedule(%q) = %v, want nothing", ok, ps)
		}
	}
	for schedule, reason := range map[string]string{
		"* * * *":       "expected exactly 5 fields, found 4",
		"0 0 * * * *":   "expected exactly 5 fields, found 6",
		"61 * * * *":    "end of range (61) above maximum (59)",
		"@every 1h":     "parser does not accept descriptors",
		"*/15 * * * 8x": "failed to parse int from 8x",
	} {
		ps := CheckSchedule(schedule)
		if len(ps) != 1 || ps[0].Path[0] != "schedule" || !strings.Contains(ps[0].Detail, reason) ||
			!strings.Contains(ps[0].Detail, "minute hour day-of-month month day-of-week") {
			t.Errorf("CheckSchedule(%q) = %v, want one problem saying %q", schedule, ps, reason)
		}
	}
}

func TestCheckRollback(t *testing.T) {
	if ps := CheckRollback("fraud-scoring", "fraud/2", "fraud/1"); len(ps) != 0 {
		t.Errorf("a previous version of the served model: %v", ps)
	}
	if ps := CheckRollback("fraud-scoring", "", "fraud/1"); len(ps) != 0 {
		t.Errorf("main not known yet: %v", ps)
	}
	for _, tc := range []struct{ main, rollback, words string }{
		{"fraud/2", "fraud/2", "serves model version fraud/2 and names it as its rollback version"},
		{"fraud/2", "churn/1", `serves model "fraud", but its rollback version churn/1 is a version of model "churn"`},
		{"fraud/2", "fraud", "must have the form <name>/<version>"},
	} {
		ps := CheckRollback("fraud-scoring", tc.main, tc.rollback)
		if len(ps) != 1 || ps[0].Rule != "D10" || ps[0].Path[0] != "rollback_model_version_id" || !strings.Contains(ps[0].Detail, tc.words) {
			t.Errorf("CheckRollback(%s, %s) = %v, want one D10 problem saying %q", tc.main, tc.rollback, ps, tc.words)
		}
	}
}

func TestPipelineSupplyChange(t *testing.T) {
	v1 := Pipeline{Name: "transactions-v1", Kind: PipelineFeature, Enabled: true, Writes: PipelineWrites{FeatureVersionIDs: []string{"a/1", "b/1"}}}
	disabled, other, fewer, unknown := v1, v1, v1, v1
	disabled.Enabled = false
	other.Kind = PipelineInference
	fewer.Writes.FeatureVersionIDs = []string{"b/1"}
	unknown.Writes.FeatureVersionIDs = []string{""}
	off := v1
	off.Enabled = false
	for _, tc := range []struct {
		name       string
		prior      Pipeline
		next       *Pipeline
		what, path string
		lost       []string
	}{
		{"deleted", v1, nil, `deletes pipeline "transactions-v1"`, "", []string{"a/1", "b/1"}},
		{"disabled", v1, &disabled, `disables pipeline "transactions-v1"`, "enabled", []string{"a/1", "b/1"}},
		{"another kind", v1, &other, `makes pipeline "transactions-v1" of kind "inference"`, "kind", []string{"a/1", "b/1"}},
		{"one write fewer", v1, &fewer, `removes a/1 from the writes of pipeline "transactions-v1"`, "writes", []string{"a/1"}},
		{"writes unknown", v1, &unknown, "", "", nil},
		{"unchanged", v1, &v1, "", "", nil},
		{"was disabled", off, nil, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := PipelineSupplyChange(tc.prior, tc.next)
			if strings.Join(c.FeatureVersionIDs, " ") != strings.Join(tc.lost, " ") {
				t.Errorf("lost %q, want %q", c.FeatureVersionIDs, tc.lost)
			}
			if len(tc.lost) > 0 && (c.What != tc.what || (tc.path == "") != (len(c.Path) == 0) || (tc.path != "" && c.Path[0] != tc.path)) {
				t.Errorf("change %+v, want %q at %q", c, tc.what, tc.path)
			}
		})
	}
}
