package registry

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"
)

// This file holds the checks of pipelines: their own fields, and rule P1
// (what each kind of pipeline reads and writes, all of it existing in the
// environment).

// The kinds of pipeline.
const (
	PipelineFeature   = "feature"   // writes feature versions
	PipelineTraining  = "training"  // reads features, writes a model
	PipelineInference = "inference" // reads a deployment
)

// PipelineKinds lists the kinds of pipeline, in the order the docs give
// them.
var PipelineKinds = []string{PipelineFeature, PipelineTraining, PipelineInference}

// PipelineNamePattern is the pattern of pipeline names: that of
// deployment names.
const PipelineNamePattern = DeploymentNamePattern

// PipelineNameRule describes PipelineNamePattern.
const PipelineNameRule = DeploymentNameRule

// ValidPipelineName reports whether s is a valid pipeline name.
func ValidPipelineName(s string) bool { return ValidDeploymentName(s) }

// scheduleParser reads the standard cron expression of five fields:
// minute, hour, day of month, month, day of week.
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// CheckPipelineName checks a pipeline name.
func CheckPipelineName(name string) Problems {
	var ps Problems
	if !ValidPipelineName(name) {
		ps.errorf("", Path{"name"}, "Invalid pipeline name",
			"%q is not a valid pipeline name: it must match %s (%s)", name, PipelineNamePattern, PipelineNameRule)
	}
	return ps
}

// CheckPipelineKind checks a pipeline's kind.
func CheckPipelineKind(kind string) Problems {
	var ps Problems
	if !slices.Contains(PipelineKinds, kind) {
		ps.errorf("P1", Path{"kind"}, "Invalid pipeline kind",
			"%q is not a kind of pipeline: use one of %s", kind, strings.Join(PipelineKinds, ", "))
	}
	return ps
}

// CheckSchedule checks a pipeline's schedule: a cron expression of five
// fields. "" is none.
func CheckSchedule(schedule string) Problems {
	var ps Problems
	if schedule == "" {
		return ps
	}
	if _, err := scheduleParser.Parse(schedule); err != nil {
		ps.errorf("", Path{"schedule"}, "Invalid schedule",
			"schedule %q is not a cron expression of five fields (minute hour day-of-month month day-of-week, such as \"*/15 * * * *\"): %s",
			schedule, err.Error())
	}
	return ps
}

// Presence says whether a part of a pipeline is set, as far as known.
type Presence int

// The presences of a part.
const (
	Unset Presence = iota
	Set
	Unknown
)

// PipelineShape is what a pipeline reads and writes, part by part, as far
// as known: the input of rule P1's first half, which the configuration
// alone shows.
type PipelineShape struct {
	Name string // "" when not known yet
	Kind string // "" when not known yet
	// The parts of reads and writes.
	ReadsFeatureVersions, ReadsFeatureViews, ReadsDeployment Presence
	WritesFeatureVersions, WritesModel                       Presence
}

// Shape is the shape of a pipeline whose every part is known.
func (p Pipeline) Shape() PipelineShape {
	return PipelineShape{
		Name: p.Name, Kind: p.Kind,
		ReadsFeatureVersions:  presence(len(p.Reads.FeatureVersionIDs) > 0),
		ReadsFeatureViews:     presence(len(p.Reads.FeatureViewIDs) > 0),
		ReadsDeployment:       presence(p.Reads.DeploymentID != ""),
		WritesFeatureVersions: presence(len(p.Writes.FeatureVersionIDs) > 0),
		WritesModel:           presence(p.Writes.ModelID != ""),
	}
}

func presence(set bool) Presence {
	if set {
		return Set
	}
	return Unset
}

// CheckPipelineShape is the part of rule P1 the configuration alone shows:
// a feature pipeline writes feature versions, a training pipeline reads
// feature versions or views and writes a model, an inference pipeline
// reads a deployment; only an inference pipeline reads a deployment and
// only a training pipeline writes a model. An inference pipeline may write
// feature versions (its predictions). Unknown parts are checked later.
func CheckPipelineShape(s PipelineShape) Problems {
	var ps Problems
	name := nameOrNew(s.Name)
	switch s.Kind {
	case PipelineFeature:
		if s.WritesFeatureVersions == Unset {
			ps.errorf("P1", Path{"writes", "feature_version_ids"}, "Feature pipeline writes nothing",
				"pipeline %s is of kind %q, which writes feature versions: list them in writes.feature_version_ids", name, s.Kind)
		}
	case PipelineTraining:
		if s.ReadsFeatureVersions == Unset && s.ReadsFeatureViews == Unset {
			ps.errorf("P1", Path{"reads"}, "Training pipeline reads nothing",
				"pipeline %s is of kind %q, which trains on features: list what it reads in reads.feature_version_ids or reads.feature_view_ids", name, s.Kind)
		}
		if s.WritesFeatureVersions == Set {
			ps.errorf("P1", Path{"writes", "feature_version_ids"}, "Training pipeline writes feature versions",
				"pipeline %s is of kind %q, which writes a model, not feature versions: remove writes.feature_version_ids "+
					"(a pipeline that writes features is of kind %q, one per job) and name the model it trains in writes.model_id",
				name, s.Kind, PipelineFeature)
		}
		if s.WritesModel == Unset {
			ps.errorf("P1", Path{"writes", "model_id"}, "Training pipeline writes no model",
				"pipeline %s is of kind %q: name the model whose versions it trains in writes.model_id", name, s.Kind)
		}
	case PipelineInference:
		if s.ReadsDeployment == Unset {
			ps.errorf("P1", Path{"reads", "deployment_id"}, "Inference pipeline reads no deployment",
				"pipeline %s is of kind %q: name the deployment it calls in reads.deployment_id", name, s.Kind)
		}
	default:
		return ps // an unknown kind: checked later; an invalid one: CheckPipelineKind
	}
	if s.Kind != PipelineInference && s.ReadsDeployment == Set {
		ps.errorf("P1", Path{"reads", "deployment_id"}, "Only an inference pipeline reads a deployment",
			"pipeline %s is of kind %q: remove reads.deployment_id, or make it a pipeline of kind %q", name, s.Kind, PipelineInference)
	}
	if s.Kind != PipelineTraining && s.WritesModel == Set {
		ps.errorf("P1", Path{"writes", "model_id"}, "Only a training pipeline writes a model",
			"pipeline %s is of kind %q: remove writes.model_id, or make it a pipeline of kind %q", name, s.Kind, PipelineTraining)
	}
	return ps
}

// CheckPipelineIDs checks the form of the ids a pipeline names; "" is an
// id not known yet.
func CheckPipelineIDs(p Pipeline) Problems {
	var ps Problems
	for _, l := range []struct {
		path Path
		ids  []string
	}{{Path{"reads", "feature_version_ids"}, p.Reads.FeatureVersionIDs}, {Path{"writes", "feature_version_ids"}, p.Writes.FeatureVersionIDs}} {
		for _, id := range l.ids {
			if _, _, err := ParseFeatureVersionID(id); id != "" && err != nil {
				ps.errorf("P1", l.path, "Invalid feature version id", "%s", err.Error())
			}
		}
	}
	for _, id := range p.Reads.FeatureViewIDs {
		if err := checkFeatureViewID(id); id != "" && err != nil {
			ps.errorf("P1", Path{"reads", "feature_view_ids"}, "Invalid feature view id", "%s", err.Error())
		}
	}
	if id := p.Reads.DeploymentID; id != "" && !ValidDeploymentName(id) {
		ps.errorf("P1", Path{"reads", "deployment_id"}, "Invalid deployment id",
			"%q is not a deployment name: it must match %s (%s)", id, DeploymentNamePattern, DeploymentNameRule)
	}
	if id := p.Writes.ModelID; id != "" && !ValidModelName(id) {
		ps.errorf("P1", Path{"writes", "model_id"}, "Invalid model id",
			"%q is not a model name: it must match %s (%s)", id, ModelNamePattern, ModelNameRule)
	}
	return ps
}

// checkFeatureViewID checks the form of a feature view id, "name/version".
func checkFeatureViewID(id string) error {
	name, ver, ok := strings.Cut(id, "/")
	n, err := strconv.ParseInt(ver, 10, 64)
	if !ok || !ValidName(name) || err != nil || n < 1 || strconv.FormatInt(n, 10) != ver {
		return fmt.Errorf("feature view id %q must have the form <name>/<version>, such as \"fraud_features/1\" (the name: %s)", id, NameRule)
	}
	return nil
}

// CheckPipeline checks what the configuration alone shows of a pipeline
// whose every field is known: name, kind, schedule, the form of the ids,
// and P1's shape. Every write runs it.
func CheckPipeline(p Pipeline) Problems {
	ps := CheckPipelineName(p.Name)
	ps = append(ps, CheckPipelineKind(p.Kind)...)
	ps = append(ps, CheckSchedule(p.Schedule)...)
	ps = append(ps, CheckPipelineIDs(p)...)
	return append(ps, CheckPipelineShape(p.Shape())...)
}

// PipelineRefs is what the environment holds of what a pipeline names,
// for rule P1's second half: the ids found (feature versions, feature
// views, the deployment, the model).
type PipelineRefs struct {
	Found map[objectKey]bool
}

// CheckPipelineRefs is the second half of rule P1: everything a pipeline
// names exists in environment env. Ids not known yet ("") are skipped.
func CheckPipelineRefs(p Pipeline, env string, refs PipelineRefs) Problems {
	var ps Problems
	missing := func(path Path, kind Kind, id, how string) {
		if id == "" || refs.Found[objectKey{Kind: kind, ID: id}] {
			return
		}
		ps.errorf("P1", path, "Pipeline names a missing "+string(kind),
			"pipeline %s %s %s %q, which does not exist in environment %q; %s, or fix the id",
			nameOrNew(p.Name), how, kind, id, env, createFirst(kind))
	}
	for _, id := range p.Reads.FeatureVersionIDs {
		missing(Path{"reads", "feature_version_ids"}, KindFeatureVersion, id, "reads")
	}
	for _, id := range p.Reads.FeatureViewIDs {
		missing(Path{"reads", "feature_view_ids"}, KindFeatureView, id, "reads")
	}
	missing(Path{"reads", "deployment_id"}, KindDeployment, p.Reads.DeploymentID, "reads")
	for _, id := range p.Writes.FeatureVersionIDs {
		missing(Path{"writes", "feature_version_ids"}, KindFeatureVersion, id, "writes")
	}
	missing(Path{"writes", "model_id"}, KindModel, p.Writes.ModelID, "writes")
	return ps
}

// createFirst says how to create an object of kind before what names it.
func createFirst(kind Kind) string {
	return fmt.Sprintf("apply it first (an mlops_%s resource, referenced through its id so that it is created first)", kind.Name())
}
