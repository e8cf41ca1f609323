package storetest

import (
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// testEnvironmentPolicies: policies are global (one per environment name,
// read alike from every environment), written under the lock of the
// environment they govern with their audit rows there; create, already
// exists, not found, update, stale revisions, delete, D9 on a protected
// policy, and refusals that write nothing.
func testEnvironmentPolicies(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, platform, prod := f.ctx, f.env("platform"), f.env("prod")

	p := registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "staging", RequireApproval: true,
		RequiredGates: []string{"latency", "fraud-release"}, Protected: true, Description: "production"}
	created, err := platform.CreateEnvironment(ctx, p)
	must(t, "create", err)
	want := p
	want.RequiredGates = []string{"fraud-release", "latency"}
	want.CreatedAt, want.UpdatedAt, want.Revision = stored(t0), stored(t0), 1
	equal(t, "created", created, want)
	for _, r := range []*registry.Registry{platform, prod, f.env("dev")} {
		equal(t, "read from "+r.Environment(), read(t, "policy", func() (registry.EnvironmentPolicy, error) { return r.EnvironmentPolicy(ctx, "prod") }), want)
	}
	_, err = prod.CreateEnvironment(ctx, p)
	isAlreadyExists(t, err, registry.KindEnvironment, "prod", "prod")
	_, err = platform.EnvironmentPolicy(ctx, "staging")
	isNotFound(t, err, registry.KindEnvironment, "staging", "staging")
	_, err = platform.UpdateEnvironment(ctx, registry.EnvironmentPolicy{Name: "staging"})
	isNotFound(t, err, registry.KindEnvironment, "staging", "staging")

	// The audit trail is in the environment governed.
	equal(t, "audit in prod", actions(audit(t, prod, registry.KindEnvironment, "prod")), "create")
	equal(t, "audit in platform", len(audit(t, platform, registry.KindEnvironment, "prod")), 0)
	recs, err := f.env("dev").History(ctx, registry.KindEnvironment, "prod", 5)
	must(t, "history from dev", err)
	equal(t, "history's environment and actor", []string{recs[0].Environment, recs[0].Actor}, []string{"prod", actor})

	// A second policy and the list.
	must(t, "create staging", second(platform.CreateEnvironment(ctx, registry.EnvironmentPolicy{Name: "staging", PromoteFrom: "dev"})))
	var names []string
	must(t, "list", f.store.View(ctx, func(tx registry.Tx) error {
		all, err := tx.Environments(ctx)
		for _, p := range all {
			names = append(names, p.Name)
		}
		return err
	}))
	equal(t, "policies", names, []string{"prod", "staging"})

	// A cycle is refused and writes nothing.
	_, err = platform.CreateEnvironment(ctx, registry.EnvironmentPolicy{Name: "dev", PromoteFrom: "prod"})
	isRuleError(t, err, "D7")
	_, err = platform.EnvironmentPolicy(ctx, "dev")
	isNotFound(t, err, registry.KindEnvironment, "dev", "dev")
	equal(t, "audit of a refused create", len(audit(t, f.env("dev"), registry.KindEnvironment, "dev")), 0)

	// Update in place; a stale one conflicts.
	f.clock.set(t0.Add(time.Hour))
	upd := created
	upd.RequireApproval, upd.RequiredGates, upd.Description = false, nil, ""
	updated, err := prod.UpdateEnvironment(ctx, upd)
	must(t, "update", err)
	want = upd
	want.RequiredGates = []string{}
	want.UpdatedAt, want.Revision = stored(t0.Add(time.Hour)), 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "policy", func() (registry.EnvironmentPolicy, error) { return platform.EnvironmentPolicy(ctx, "prod") }), want)
	_, err = platform.UpdateEnvironment(ctx, created)
	isConflict(t, err, registry.KindEnvironment, "prod", "prod", 1, 2)

	// D9: protected, the delete is refused and writes nothing.
	isRuleError(t, platform.DeleteEnvironment(ctx, "prod"), "D9")
	equal(t, "after a refused delete", read(t, "policy", func() (registry.EnvironmentPolicy, error) { return platform.EnvironmentPolicy(ctx, "prod") }), want)
	equal(t, "audit after a refused delete", actions(audit(t, prod, registry.KindEnvironment, "prod")), "create,update")
	upd = updated
	upd.Protected = false
	updated, err = platform.UpdateEnvironment(ctx, upd)
	must(t, "unprotect", err)
	isConflict(t, platform.DeleteEnvironment(ctx, "prod", registry.IfRevision(2)), registry.KindEnvironment, "prod", "prod", 2, 3)
	must(t, "delete", platform.DeleteEnvironment(ctx, "prod", registry.IfRevision(updated.Revision)))
	_, err = prod.EnvironmentPolicy(ctx, "prod")
	isNotFound(t, err, registry.KindEnvironment, "prod", "prod")
	must(t, "delete again", platform.DeleteEnvironment(ctx, "prod"))
	equal(t, "audit", actions(audit(t, prod, registry.KindEnvironment, "prod")), "create,update,update,delete")
}
