package registry

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds rules D10 and D11: a deployment's rollback version could
// take the traffic back (it passes what a served version must, and the
// features it reads are still being written by an enabled feature
// pipeline), and a served version whose features have stopped updating
// warns.

// CheckRollback is the part of rule D10 the configuration alone shows: the
// rollback version is a version id, of the served model, other than the
// main version. Ids not known yet are "".
func CheckRollback(deployment, main, rollback string) Problems {
	var ps Problems
	if rollback == "" {
		return ps
	}
	path := Path{"rollback_model_version_id"}
	rollbackModel, _, err := ParseModelVersionID(rollback)
	if err != nil {
		ps.errorf("D10", path, "Invalid model version id", "%s", err.Error())
		return ps
	}
	if main == "" {
		return ps
	}
	mainModel, _, err := ParseModelVersionID(main)
	switch {
	case err != nil:
	case rollback == main:
		ps.errorf("D10", path, "Rollback equals the main version",
			"deployment %s serves model version %s and names it as its rollback version; the rollback version is the one to fall back to, "+
				"usually the previous main version", nameOrNew(deployment), rollback)
	case rollbackModel != mainModel:
		ps.errorf("D10", path, "Rollback to another model",
			"deployment %s serves model %q, but its rollback version %s is a version of model %q; a rollback version is another version of the served model",
			nameOrNew(deployment), mainModel, rollback, rollbackModel)
	}
	return ps
}

// AsRollback turns the verdicts of the served-version rules (D1 to D3, D6)
// on a deployment's rollback version into rule D10's: what would refuse
// serving it refuses naming it as the rollback. D2's warning on a
// deprecated feature version is left out: D10 refuses it (CheckRollbackSupply).
func AsRollback(deployment, rollback string, served Problems) Problems {
	var ps Problems
	for _, p := range served {
		if p.Rule == "D2" && p.Severity == SeverityWarning {
			continue
		}
		summary := "Rollback version not servable"
		if p.Severity == SeverityWarning {
			summary = "Rollback version: " + p.Summary
		}
		ps.add(Problem{
			Rule: "D10", Severity: p.Severity, Path: Path{"rollback_model_version_id"}, Summary: summary,
			Detail: fmt.Sprintf("deployment %s names %s as its rollback version, which it could not serve: %s (rule %s): %s",
				nameOrNew(deployment), rollback, p.Summary, p.Rule, p.Detail),
		})
	}
	return ps
}

// Supply is what keeps one feature version a model version reads
// updating: the enabled feature pipelines that write it.
type Supply struct {
	FeatureVersion string
	// Found is false when the environment lacks it (D2 says so).
	Found      bool
	Deprecated bool
	// Writers are the enabled feature pipelines that write it, sorted.
	Writers []string
}

// CheckRollbackSupply is the second half of rule D10: every feature
// version the rollback version reads is written by an enabled feature
// pipeline of the environment, and is not deprecated.
func CheckRollbackSupply(deployment, env, rollback string, supply []Supply) Problems {
	var ps Problems
	path := Path{"rollback_model_version_id"}
	for _, s := range supply {
		chain := fmt.Sprintf("deployment %s -> rollback version %s -> feature version %s", nameOrNew(deployment), rollback, s.FeatureVersion)
		switch {
		case !s.Found:
		case s.Deprecated:
			ps.errorf("D10", path, "Rollback version reads a deprecated feature version",
				"%s: feature version %s is deprecated in environment %q, so %s could not take the traffic back for long. "+
					"Name a rollback version trained on a feature version that is kept, or keep %s (deprecated = false) while a deployment falls back to %s",
				chain, s.FeatureVersion, env, rollback, s.FeatureVersion, rollback)
		case len(s.Writers) == 0:
			ps.errorf("D10", path, "Rollback version's features are not being written",
				"%s: no enabled feature pipeline in environment %q writes %s, so its features are not kept up to date and %s could not take the traffic back. "+
					"Declare (or enable) an mlops_pipeline of kind %q whose writes.feature_version_ids lists %s, or name another rollback version",
				chain, env, s.FeatureVersion, rollback, PipelineFeature, s.FeatureVersion)
		}
	}
	return ps
}

// CheckServedSupply is rule D11, for an environment where feature
// pipelines are declared: a warning for each feature version a served
// version (role main, canary or shadow) reads that no enabled feature
// pipeline writes.
func CheckServedSupply(deployment, env, role, modelVersion string, supply []Supply) Problems {
	var ps Problems
	for _, s := range supply {
		if !s.Found || len(s.Writers) > 0 {
			continue
		}
		ps.warnf("D11", servedPath(role), "Served model's features are not being written",
			"deployment %s -> model version %s -> feature version %s: no enabled feature pipeline in environment %q writes %s, "+
				"so the model is serving features that have stopped updating. Enable the pipeline that writes it, or declare one (an mlops_pipeline of kind %q)",
			nameOrNew(deployment), modelVersion, s.FeatureVersion, env, s.FeatureVersion, PipelineFeature)
	}
	return ps
}

// SupplyChange is a change that may stop a feature version from being
// kept up to date: a feature pipeline disabled, deleted or no longer
// writing it, or the feature version deprecated.
type SupplyChange struct {
	// Pipeline is the pipeline changed; "" when a feature version is
	// deprecated.
	Pipeline string
	// What says the change ("disables pipeline \"transactions-v1\""), Then
	// how to make it once nothing falls back on what it feeds ("disable
	// it").
	What, Then string
	// Path is the attribute that makes the change; nil for a delete.
	Path Path
	// FeatureVersionIDs are the feature versions it affects.
	FeatureVersionIDs []string
}

// PipelineSupplyChange is the change from pipeline prior to next (nil when
// deleted): the feature versions prior keeps updating that next does not.
// A part of next not known yet keeps prior's: a kind "", a writes list
// holding "" (the provider passes an unknown enabled as true).
func PipelineSupplyChange(prior Pipeline, next *Pipeline) SupplyChange {
	c := SupplyChange{Pipeline: prior.Name}
	var fed []string
	for _, id := range prior.Writes.FeatureVersionIDs {
		if prior.Feeds(id) {
			fed = append(fed, id)
		}
	}
	name := fmt.Sprintf("pipeline %q", prior.Name)
	switch {
	case len(fed) == 0:
	case next == nil:
		c.What, c.Then, c.FeatureVersionIDs = "deletes "+name, "delete it", fed
	case !next.Enabled:
		c.What, c.Then, c.Path, c.FeatureVersionIDs = "disables "+name, "disable it", Path{"enabled"}, fed
	case next.Kind != "" && next.Kind != PipelineFeature:
		c.What, c.Then, c.Path, c.FeatureVersionIDs = fmt.Sprintf("makes %s of kind %q", name, next.Kind), "change its kind", Path{"kind"}, fed
	case !slices.Contains(next.Writes.FeatureVersionIDs, ""):
		for _, id := range fed {
			if !slices.Contains(next.Writes.FeatureVersionIDs, id) {
				c.FeatureVersionIDs = append(c.FeatureVersionIDs, id)
			}
		}
		c.What = fmt.Sprintf("removes %s from the writes of %s", strings.Join(c.FeatureVersionIDs, ", "), name)
		c.Then, c.Path = "remove it from the writes", Path{"writes", "feature_version_ids"}
	}
	return c
}

// DeprecationSupplyChange is the change that deprecates feature version
// fvID.
func DeprecationSupplyChange(fvID string) SupplyChange {
	return SupplyChange{
		What: fmt.Sprintf("deprecates feature version %q", fvID), Then: "deprecate it", Path: Path{"deprecated"},
		FeatureVersionIDs: []string{fvID},
	}
}

// SupplyChain is one deployment that falls back to (Rollback) or serves a
// model version that reads a feature version a change affects.
type SupplyChain struct {
	Deployment, ModelVersion, FeatureVersion string
	Rollback                                 bool
	// Writers are the enabled feature pipelines that write the feature
	// version before the change, sorted.
	Writers []string
}

// CheckSupplyLoss is rule D10 the other way round, with D11's warning: a
// change that leaves a feature version without an enabled feature
// pipeline writing it (or deprecates it) is refused while a deployment
// names a model version that reads it as its rollback version; a
// deployment that serves one is warned. chains are the deployments the
// change reaches.
func CheckSupplyLoss(c SupplyChange, env string, chains []SupplyChain) Problems {
	var ps Problems
	for _, ch := range chains {
		role := "model version"
		if ch.Rollback {
			role = "rollback version"
		}
		chain := fmt.Sprintf("deployment %s -> %s %s -> feature version %s", ch.Deployment, role, ch.ModelVersion, ch.FeatureVersion)
		if len(ch.Writers) > 0 {
			chain += " -> pipeline " + strings.Join(ch.Writers, ", ")
		}
		effect := fmt.Sprintf("no other enabled feature pipeline in environment %q writes %s", env, ch.FeatureVersion)
		if c.Pipeline == "" {
			effect = fmt.Sprintf("model version %s reads it", ch.ModelVersion)
		}
		if !ch.Rollback {
			ps.warnf("D11", c.Path, "Served model's features would stop being written",
				"%s: this change %s, and %s, so deployment %s would serve a model whose features have stopped updating",
				chain, c.What, effect, ch.Deployment)
			continue
		}
		ps.errorf("D10", c.Path, "Rollback version would lose its features",
			"%s: this change %s, and %s, so %s could no longer take the traffic back. While deployment %s names %s as its rollback version, "+
				"this change is refused: first point rollback_model_version_id of deployment %s at another version (or remove it) and apply, then %s.",
			chain, c.What, effect, ch.ModelVersion, ch.Deployment, ch.ModelVersion, ch.Deployment, c.Then)
	}
	return ps
}
