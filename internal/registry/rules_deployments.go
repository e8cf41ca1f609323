package registry

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the checks of deployments: the input checks, D1 (served
// model versions exist), D2 (their feature versions exist), D4 (canary) and
// D5 (promotion). D2 is the check the provider exists for.

// CheckDeployment checks what the configuration alone shows, D4 among
// them; env is the provider's environment. The provider runs the parts at
// validate time on what is known (CheckDeploymentName, CheckCanary,
// CheckReplicas, CheckPromoteFrom); every write runs them all.
func CheckDeployment(d Deployment, env string) Problems {
	ps := CheckDeploymentName(d.Name)
	ps = append(ps, CheckModelVersionRef(Path{"model_version_id"}, "D1", d.ModelVersion)...)
	if d.Canary != nil {
		ps = append(ps, CheckCanary(d.Name, d.ModelVersion, d.Canary.ModelVersion, &d.Canary.Percent)...)
	}
	ps = append(ps, CheckReplicas(&d.Replicas.Min, &d.Replicas.Max)...)
	ps = append(ps, CheckRollback(d.Name, d.ModelVersion, d.Rollback)...)
	return append(ps, CheckPromoteFrom(d.Name, d.PromoteFrom, env)...)
}

// CheckDeploymentName checks a deployment name.
func CheckDeploymentName(name string) Problems {
	var ps Problems
	if !ValidDeploymentName(name) {
		ps.errorf("", Path{"name"}, "Invalid deployment name",
			"%q is not a valid deployment name: it must match %s (%s)", name, DeploymentNamePattern, DeploymentNameRule)
	}
	return ps
}

// CheckModelVersionRef checks the form of a model version id at path.
func CheckModelVersionRef(path Path, rule, id string) Problems {
	var ps Problems
	if _, _, err := ParseModelVersionID(id); err != nil {
		ps.errorf(rule, path, "Invalid model version id", "%s", err.Error())
	}
	return ps
}

// Canary percent bounds (rule D4).
const (
	MinCanaryPercent = 1
	MaxCanaryPercent = 99
)

// CheckCanary is rule D4: the canary takes 1..99 percent and is another
// version of the main version's model. Ids not known yet are "", a percent
// not known yet nil.
func CheckCanary(deployment, main, canary string, percent *int64) Problems {
	var ps Problems
	if percent != nil && (*percent < MinCanaryPercent || *percent > MaxCanaryPercent) {
		ps.errorf("D4", Path{"canary", "percent"}, "Invalid canary percent",
			"canary percent must be between %d and %d, got %d: 0 means no canary (remove the canary), 100 means promoting it (make it model_version_id)",
			MinCanaryPercent, MaxCanaryPercent, *percent)
	}
	if canary == "" {
		return ps
	}
	canaryModel, _, err := ParseModelVersionID(canary)
	if err != nil {
		ps.errorf("D4", Path{"canary", "model_version_id"}, "Invalid model version id", "%s", err.Error())
		return ps
	}
	if main == "" {
		return ps
	}
	mainModel, _, err := ParseModelVersionID(main)
	switch {
	case err != nil:
	case canary == main:
		ps.errorf("D4", Path{"canary", "model_version_id"}, "Canary equals the main version",
			"the canary of deployment %s is model version %s, which the deployment already serves; a canary is a different version of the same model", nameOrNew(deployment), canary)
	case canaryModel != mainModel:
		ps.errorf("D4", Path{"canary", "model_version_id"}, "Canary of another model",
			"deployment %s serves model %q, but its canary %s is a version of model %q; a canary is a different version of the same model", nameOrNew(deployment), mainModel, canary, canaryModel)
	}
	return ps
}

// CheckReplicas checks replica bounds; nil is not known yet.
func CheckReplicas(minimum, maximum *int64) Problems {
	var ps Problems
	if minimum != nil && *minimum < 0 {
		ps.errorf("", Path{"replicas", "min"}, "Invalid replicas", "replicas.min must be 0 or more, got %d", *minimum)
	}
	if minimum != nil && maximum != nil && *maximum < *minimum {
		ps.errorf("", Path{"replicas", "max"}, "Invalid replicas", "replicas.max (%d) must be at least replicas.min (%d)", *maximum, *minimum)
	}
	return ps
}

// CheckPromoteFrom checks promote_from: a valid environment other than env
// ("" at validate time, when the provider's environment is not known yet).
func CheckPromoteFrom(deployment, from, env string) Problems {
	var ps Problems
	switch {
	case from == "":
	case !ValidEnvironment(from):
		ps.errorf("D5", Path{"promote_from"}, "Invalid environment",
			"promote_from %q is not a valid environment name: it must match %s (%s)", from, EnvironmentPattern, EnvironmentRule)
	case from == env:
		ps.errorf("D5", Path{"promote_from"}, "Promotion from the same environment",
			"deployment %s is in environment %q and cannot be promoted from it; name the environment it comes from, such as staging", nameOrNew(deployment), env)
	}
	return ps
}

// servedPath is the attribute that names the i-th served model version.
func servedPath(i int) Path {
	if i == 0 {
		return Path{"model_version_id"}
	}
	return Path{"canary", "model_version_id"}
}

// ServedVersion is what the registry holds for one model version a
// deployment would serve.
type ServedVersion struct {
	ID      string
	Version *ModelVersion             // nil when the environment lacks it
	Found   map[string]FeatureVersion // its feature versions present in the environment, by id
	// Alternatives are versions of the same model whose feature versions
	// all exist in the environment, for the D2 fix.
	Alternatives []string
}

// CheckServed is rules D1 and D2 for a deployment: each served model
// version exists in the environment (D1) and so does each feature version
// it reads (D2; a deprecated one warns). served holds the main version,
// then the canary; one with ID "" is not known yet and skipped.
func CheckServed(deployment, env string, served []ServedVersion) Problems {
	var ps Problems
	for i, s := range served {
		path := servedPath(i)
		if s.ID == "" {
			continue
		}
		if s.Version == nil {
			ps.errorf("D1", path, "Model version missing",
				"deployment %s would serve model version %s, which does not exist in environment %q; register it in %q first (the configuration that manages the model versions), or serve a version that exists there",
				nameOrNew(deployment), s.ID, env, env)
			continue
		}
		for _, fvID := range s.Version.FeatureVersionIDs {
			fv, ok := s.Found[fvID]
			switch {
			case !ok:
				fix := "deploy a model version whose feature versions exist there"
				if len(s.Alternatives) > 0 {
					fix += " (in " + env + ": " + strings.Join(s.Alternatives, ", ") + ")"
				}
				ps.errorf("D2", path, "Feature version missing for a served model",
					"deployment %s -> model version %s -> feature version %s: feature version %s does not exist in environment %q, so the model would be served without its features. Apply feature version %s in %q first (the configuration that manages the features), or %s",
					nameOrNew(deployment), s.ID, fvID, fvID, env, fvID, env, fix)
			case fv.Deprecated:
				ps.warnf("D2", path, "Served model reads a deprecated feature version",
					"deployment %s -> model version %s -> feature version %s: feature version %s is deprecated in environment %q; plan the move to a model version trained on a newer feature version",
					nameOrNew(deployment), s.ID, fvID, fvID, env)
			}
		}
	}
	return ps
}

// PromotionSource is what the registry holds in the promote_from
// environment: the deployment of the same name (nil when missing) and the
// versions it has of the model versions to be served, by id.
type PromotionSource struct {
	Environment string
	Deployment  *Deployment
	Versions    map[string]ModelVersion
}

// CheckPromotion is rule D5: every model version the deployment would
// serve is served by the deployment of the same name in the promote_from
// environment, as the same artifact.
func CheckPromotion(deployment, env string, served []ServedVersion, src PromotionSource) Problems {
	var ps Problems
	if src.Deployment == nil {
		ps.errorf("D5", Path{"promote_from"}, "Nothing to promote from",
			"deployment %s is promoted from environment %q, which has no deployment %s; apply it in %q first, or fix promote_from",
			nameOrNew(deployment), src.Environment, nameOrNew(deployment), src.Environment)
		return ps
	}
	servedThere := src.Deployment.Served()
	for i, s := range served {
		if s.ID == "" {
			continue
		}
		if !slices.Contains(servedThere, s.ID) {
			ps.errorf("D5", servedPath(i), "Model version not promoted",
				"deployment %s would serve model version %s in environment %q, but deployment %s in %q serves %s, not %s; promote %s through %q first, or serve what %q serves",
				nameOrNew(deployment), s.ID, env, nameOrNew(deployment), src.Environment, strings.Join(servedThere, " and "), s.ID, s.ID, src.Environment, src.Environment)
			continue
		}
		there, ok := src.Versions[s.ID]
		if !ok || s.Version == nil {
			continue // D1 reports a missing version here; one missing there cannot be served there
		}
		if there.ArtifactURI != s.Version.ArtifactURI || there.ArtifactDigest != s.Version.ArtifactDigest {
			ps.errorf("D5", servedPath(i), "Different artifact",
				"model version %s is %s in environment %q but %s in %q, where it was validated; the same version must be the same artifact: register it here with the artifact promoted from %q",
				s.ID, artifact(*s.Version), env, artifact(there), src.Environment, src.Environment)
		}
	}
	return ps
}

func artifact(v ModelVersion) string {
	if v.ArtifactDigest == "" {
		return v.ArtifactURI
	}
	return fmt.Sprintf("%s (%s)", v.ArtifactURI, v.ArtifactDigest)
}

func nameOrNew(name string) string {
	if name == "" {
		return "(new)"
	}
	return name
}
