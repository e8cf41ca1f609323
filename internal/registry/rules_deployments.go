package registry

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the checks of deployments: the input checks, D1 (served
// model versions exist), D2 (their feature versions exist), D4 (canary and
// shadow) and D5 (promotion). D2 is the check the provider exists for.

// CheckDeployment checks what the configuration alone shows, D4 among
// them; env is the provider's environment. The provider runs the parts at
// validate time on what is known (CheckDeploymentName, CheckCanary,
// CheckShadow, CheckReplicas, CheckPromoteFrom); every write runs them all.
func CheckDeployment(d Deployment, env string) Problems {
	ps := CheckDeploymentName(d.Name)
	ps = append(ps, CheckModelVersionRef(Path{"model_version_id"}, "D1", d.ModelVersion)...)
	if d.Canary != nil {
		ps = append(ps, CheckCanary(d.Name, d.ModelVersion, d.Canary.ModelVersion, &d.Canary.Percent)...)
	}
	if d.Shadow != nil {
		canary := ""
		if d.Canary != nil {
			canary = d.Canary.ModelVersion
		}
		ps = append(ps, CheckShadow(d.Name, d.ModelVersion, canary, d.Shadow.ModelVersion, &d.Shadow.SamplePercent)...)
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

// Shadow sample bounds (rule D4). A shadow receives a copy of the requests
// it samples and takes no share of the traffic, so 100 (a copy of every
// request) is meaningful.
const (
	MinShadowPercent = 1
	MaxShadowPercent = 100
)

// CheckShadow is rule D4 for a shadow: it samples 1..100 percent of the
// requests, is a version of the main version's model, and is neither the
// main version nor the canary. Ids not known yet are "" (canary "" also
// when there is none), a percent not known yet nil.
func CheckShadow(deployment, main, canary, shadow string, percent *int64) Problems {
	var ps Problems
	if percent != nil && (*percent < MinShadowPercent || *percent > MaxShadowPercent) {
		ps.errorf("D4", Path{"shadow", "sample_percent"}, "Invalid shadow sample percent",
			"shadow sample_percent must be between %d and %d, got %d: it is the share of the requests copied to the shadow (100 copies every request); 0 means no shadow (remove the shadow)",
			MinShadowPercent, MaxShadowPercent, *percent)
	}
	if shadow == "" {
		return ps
	}
	shadowModel, _, err := ParseModelVersionID(shadow)
	if err != nil {
		ps.errorf("D4", Path{"shadow", "model_version_id"}, "Invalid model version id", "%s", err.Error())
		return ps
	}
	switch shadow {
	case main:
		ps.errorf("D4", Path{"shadow", "model_version_id"}, "Shadow equals the main version",
			"the shadow of deployment %s is model version %s, which the deployment already serves; a shadow is a different version of the same model, neither the main version nor the canary", nameOrNew(deployment), shadow)
		return ps
	case canary:
		ps.errorf("D4", Path{"shadow", "model_version_id"}, "Shadow equals the canary",
			"the shadow of deployment %s is model version %s, which is already its canary; a shadow is a different version of the same model, neither the main version nor the canary", nameOrNew(deployment), shadow)
		return ps
	}
	if main == "" {
		return ps
	}
	if mainModel, _, err := ParseModelVersionID(main); err == nil && shadowModel != mainModel {
		ps.errorf("D4", Path{"shadow", "model_version_id"}, "Shadow of another model",
			"deployment %s serves model %q, but its shadow %s is a version of model %q; a shadow is a different version of the same model (register the challenger as a new version of %q)",
			nameOrNew(deployment), mainModel, shadow, shadowModel, mainModel)
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

// servedPath is the attribute that names the served model version of a
// role.
func servedPath(role string) Path {
	switch role {
	case RoleCanary:
		return Path{"canary", "model_version_id"}
	case RoleShadow:
		return Path{"shadow", "model_version_id"}
	}
	return Path{"model_version_id"}
}

// ServedVersion is what the registry holds for one model version a
// deployment would serve.
type ServedVersion struct {
	ID      string
	Role    string                    // RoleMain (also ""), RoleCanary or RoleShadow
	Version *ModelVersion             // nil when the environment lacks it
	Found   map[string]FeatureVersion // its feature versions present in the environment, by id, also those read through a view
	Views   map[string]FeatureView    // its feature views present in the environment, by id
	// Alternatives are versions of the same model whose feature versions
	// all exist in the environment, for the D2 fix.
	Alternatives []string
}

// CheckServed is rules D1 and D2 for a deployment: each served model
// version exists in the environment (D1) and so does each feature version
// it reads (D2; a deprecated one warns). served holds the main version,
// then the canary and the shadow; one with ID "" is not known yet and
// skipped.
func CheckServed(deployment, env string, served []ServedVersion) Problems {
	var ps Problems
	for _, s := range served {
		path := servedPath(s.Role)
		if s.ID == "" {
			continue
		}
		if s.Version == nil {
			ps.errorf("D1", path, "Model version missing",
				"deployment %s would serve model version %s, which does not exist in environment %q; register it in %q first (the configuration that manages the model versions), or serve a version that exists there",
				nameOrNew(deployment), s.ID, env, env)
			continue
		}
		fix := "deploy a model version whose feature versions exist there"
		if len(s.Alternatives) > 0 {
			fix += " (in " + env + ": " + strings.Join(s.Alternatives, ", ") + ")"
		}
		chain := fmt.Sprintf("deployment %s -> model version %s", nameOrNew(deployment), s.ID)
		ps = append(ps, checkServedFeatureVersions(path, chain, env, fix, s.Version.FeatureVersionIDs, s.Found)...)
		for _, viewID := range s.Version.FeatureViewIDs {
			v, ok := s.Views[viewID]
			if !ok {
				ps.errorf("D2", path, "Feature view missing for a served model",
					"%s -> feature view %s: feature view %s does not exist in environment %q, so the model would be served without its features. Apply feature view %s in %q first (the configuration that manages the features), or %s",
					chain, viewID, viewID, env, viewID, env, fix)
				continue
			}
			ps = append(ps, checkServedFeatureVersions(path, chain+" -> feature view "+viewID, env, fix, v.FeatureVersionIDs(), s.Found)...)
		}
	}
	return ps
}

// checkServedFeatureVersions is D2 on the feature versions ids read at the
// end of chain ("deployment a -> model version b", and "-> feature view c"
// when read through a view).
func checkServedFeatureVersions(path Path, chain, env, fix string, ids []string, found map[string]FeatureVersion) Problems {
	var ps Problems
	for _, fvID := range ids {
		fv, ok := found[fvID]
		switch {
		case !ok:
			ps.errorf("D2", path, "Feature version missing for a served model",
				"%s -> feature version %s: feature version %s does not exist in environment %q, so the model would be served without its features. Apply feature version %s in %q first (the configuration that manages the features), or %s",
				chain, fvID, fvID, env, fvID, env, fix)
		case fv.Deprecated:
			ps.warnf("D2", path, "Served model reads a deprecated feature version",
				"%s -> feature version %s: feature version %s is deprecated in environment %q; plan the move to a model version trained on a newer feature version",
				chain, fvID, fvID, env)
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
	for _, s := range served {
		if s.ID == "" {
			continue
		}
		if !slices.Contains(servedThere, s.ID) {
			ps.errorf("D5", servedPath(s.Role), "Model version not promoted",
				"deployment %s would serve model version %s in environment %q, but deployment %s in %q serves %s, not %s; promote %s through %q first, or serve what %q serves",
				nameOrNew(deployment), s.ID, env, nameOrNew(deployment), src.Environment, strings.Join(servedThere, " and "), s.ID, s.ID, src.Environment, src.Environment)
			continue
		}
		there, ok := src.Versions[s.ID]
		if !ok || s.Version == nil {
			continue // D1 reports a missing version here; one missing there cannot be served there
		}
		if there.ArtifactURI != s.Version.ArtifactURI || there.ArtifactDigest != s.Version.ArtifactDigest {
			ps.errorf("D5", servedPath(s.Role), "Different artifact",
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
