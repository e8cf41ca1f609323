package registry

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the checks of environment policies: their own fields,
// promotion cycles through other policies, and the rules a policy adds to
// the deployments of its environment: D7 (promote_from), D8
// (required_gates) and D9 (protected). D6 (require_approval) is
// CheckApprovals.

// CheckEnvironmentPolicy checks a policy's own fields, without the
// registry: the environment names, promote_from other than the name, and
// gate names that are suite names, without repeats. Empty names are ones not
// known yet; RequiredGates holds the known gate names only.
func CheckEnvironmentPolicy(p EnvironmentPolicy) Problems {
	var ps Problems
	if p.Name != "" && !ValidEnvironment(p.Name) {
		ps.errorf("", Path{"name"}, "Invalid environment name",
			"%q is not a valid environment name: it must match %s (%s)", p.Name, EnvironmentPattern, EnvironmentRule)
	}
	switch {
	case p.PromoteFrom == "":
	case !ValidEnvironment(p.PromoteFrom):
		ps.errorf("D7", Path{"promote_from"}, "Invalid environment",
			"promote_from %q is not a valid environment name: it must match %s (%s)", p.PromoteFrom, EnvironmentPattern, EnvironmentRule)
	case p.PromoteFrom == p.Name:
		ps.errorf("D7", Path{"promote_from"}, "An environment promoting from itself",
			"environment %q cannot be promoted from itself: promote_from names the environment its deployments come from, such as staging for prod; "+
				"remove promote_from, or name another environment", p.Name)
	}
	seen := map[string]bool{}
	for i, g := range p.RequiredGates {
		switch {
		case !ValidSuiteName(g):
			ps.errorf("D8", Path{"required_gates", i}, "Invalid gate name",
				"required gate %q is not a validation suite name: it must match %s (%s)", g, SuiteNamePattern, SuiteNameRule)
		case seen[g]:
			ps.errorf("D8", Path{"required_gates", i}, "Gate named twice", "required_gates names %q twice; name each suite once", g)
		}
		seen[g] = true
	}
	return ps
}

// CheckPromotionCycle refuses a policy whose promote_from leads, through
// the promote_from of other policies (all; p's own entry there is
// ignored), back to its own environment.
func CheckPromotionCycle(p EnvironmentPolicy, all []EnvironmentPolicy) Problems {
	var ps Problems
	if p.Name == "" || p.PromoteFrom == "" || p.PromoteFrom == p.Name {
		return ps
	}
	from := make(map[string]string, len(all))
	for _, o := range all {
		from[o.Name] = o.PromoteFrom
	}
	from[p.Name] = p.PromoteFrom
	chain := []string{p.Name}
	for at := p.PromoteFrom; at != ""; at = from[at] {
		chain = append(chain, at)
		if at == p.Name {
			ps.errorf("D7", Path{"promote_from"}, "Promotion cycle",
				"environment %q is promoted from %q, which makes a promotion cycle: %s (each environment is promoted from the one after it in this list). "+
					"A promotion chain must start somewhere: remove promote_from from one of these environments",
				p.Name, p.PromoteFrom, strings.Join(cycleOrder(chain), " -> "))
			return ps
		}
		if slices.Contains(chain[:len(chain)-1], at) {
			return ps // a cycle of other environments, reported on theirs
		}
	}
	return ps
}

// cycleOrder writes a promotion chain (each promoted from the next) in
// the direction models travel: from the source to the target.
func cycleOrder(chain []string) []string {
	out := slices.Clone(chain)
	slices.Reverse(out)
	return out
}

// EffectivePromoteFrom is the environment a deployment is promoted from:
// its own promote_from, else its environment's (rule D7).
func EffectivePromoteFrom(own string, p EnvironmentPolicy) string {
	if own != "" {
		return own
	}
	return p.PromoteFrom
}

// CheckEnvironmentPromotion is rule D7: in an environment whose policy
// names promote_from, a deployment whose own promote_from names another
// environment is refused. own "" (unset or not known yet) is promoted from
// the policy's.
func CheckEnvironmentPromotion(deployment, own string, p EnvironmentPolicy) Problems {
	var ps Problems
	if p.PromoteFrom == "" || own == "" || own == p.PromoteFrom {
		return ps
	}
	ps.errorf("D7", Path{"promote_from"}, "Promoted from another environment",
		"deployment %s is promoted from %q, but environment %q is promoted from %q (mlops_environment %q, promote_from): "+
			"every deployment there comes from %q. Set promote_from = %q or remove it, or change the environment's policy",
		nameOrNew(deployment), own, p.Name, p.PromoteFrom, p.Name, p.PromoteFrom, p.PromoteFrom)
	return ps
}

// CheckRequiredGates is rule D8: every served model version passes every
// suite the policy requires. suites maps each required gate name to the
// suite of that name in the environment (missing: absent). A missing suite,
// or a data suite, refuses the deployment. A suite of the served version's
// own model is already one of its release gates (D3, which reports it); a
// suite this plan creates (Revision 0) is evaluated at apply.
func CheckRequiredGates(deployment string, p EnvironmentPolicy, served []ServedVersion, suites map[string]ValidationSuite) Problems {
	var ps Problems
	for _, name := range p.RequiredGates {
		suite, ok := suites[name]
		switch {
		case !ok:
			ps.errorf("D8", Path{"model_version_id"}, "Required gate missing",
				"deployment %s: environment %q requires gate %q (mlops_environment %q, required_gates), but it has no validation suite %q. "+
					"Create it there (an mlops_validation_suite with model_id and metric expectations), or remove %q from the environment's required_gates",
				nameOrNew(deployment), p.Name, name, p.Name, name, name)
			continue
		case suite.Target() == TargetData:
			ps.errorf("D8", Path{"model_version_id"}, "Required gate is a data suite",
				"deployment %s: environment %q requires gate %q (mlops_environment %q, required_gates), but validation suite %q checks the data of feature version %s, not a model's metrics. "+
					"Name a suite with model_id in required_gates instead",
				nameOrNew(deployment), p.Name, name, p.Name, name, suite.FeatureVersion)
			continue
		case suite.Revision == 0:
			continue
		}
		for _, s := range served {
			if s.Version == nil || s.Version.Model == suite.Model {
				continue
			}
			gate := fmt.Sprintf("gate %s, required in environment %q,", name, p.Name)
			fix := fmt.Sprintf("or change the gate in validation suite %s or the required_gates of environment %q", name, p.Name)
			ps = append(ps, gateProblems("D8", "Required gate fails", deployment, s, suite, gate, fix)...)
		}
	}
	return ps
}

// CheckProtected is rule D9: in a protected environment (p, the policy of
// obj's environment), a plan cannot destroy or replace a deployment, a
// model version that a deployment serves (obj.ServedBy), or the policy
// itself while it is protected.
func CheckProtected(obj Ref, replace bool, p EnvironmentPolicy) Problems {
	var ps Problems
	if !p.Protected {
		return ps
	}
	what := "destroys"
	if replace {
		what = "replaces (destroys, then creates again)"
	}
	switch obj.Kind {
	case KindDeployment:
	case KindModelVersion:
		if len(obj.ServedBy) == 0 {
			return ps
		}
	case KindEnvironment:
		ps.errorf("D9", nil, "Protected environment",
			"this plan %s the policy of environment %q, which is protected (protected = true). "+
				"Switch protected off in an earlier apply (protected = false on mlops_environment %q), then destroy it.",
			what, p.Name, p.Name)
		return ps
	default:
		return ps
	}
	ps.errorf("D9", nil, "Protected environment",
		"this plan %s %s in environment %q, which is protected (mlops_environment %q, protected = true): there, a deployment and a model version "+
			"a deployment serves cannot be destroyed or replaced, even by a plan that removes both. Switch protected off in an earlier apply "+
			"(protected = false, in the configuration that manages the environments), then apply this change.",
		what, obj, p.Name, p.Name)
	return ps
}
