package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// Every resource's ModifyPlan tells the run's plan (registry.RunPlan) what
// it plans, so that the checks of objects planned later see it, and rule F2
// is decided with the whole plan in view: deleting or replacing an object is
// refused while a reader stays, never while the reader leaves in the same
// plan.

// plannedObject is what one resource's plan does to its registry object.
type plannedObject struct {
	kind registry.Kind
	// id is the object's id after the plan; "" when not known yet.
	id string
	// content is the registry object as planned (unknown values zero), for
	// the checks of objects planned later.
	content any
	// reads are the objects it references, as far as known.
	reads []registry.Ref
	// replace is true when the plan replaces the object (see replacing).
	replace bool
}

// setPlannedID sets the id at plan, also for an object being created: every
// id follows from configuration, and a known id keeps the objects that
// reference it from being replaced when it is created again.
func setPlannedID(ctx context.Context, resp *resource.ModifyPlanResponse, id string) {
	if id == "" || resp.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), id)...)
}

// trackPlan records obj's plan in the run and adds the verdicts of rules F2
// and D9 on an object it destroys or replaces.
// It runs for every plan of every resource: creates, changes, no-ops,
// replacements and deletes.
func trackPlan(ctx context.Context, reg *registry.Registry, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, obj plannedObject) {
	if reg == nil {
		return
	}
	run := reg.Run()
	if run == nil {
		return
	}
	var prior string
	if !req.State.Raw.IsNull() {
		var id types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
		prior = id.ValueString()
	}
	replace := prior != "" && !req.Plan.Raw.IsNull() && obj.replace
	if prior != "" && (req.Plan.Raw.IsNull() || replace) {
		ps, err := run.Leave(ctx, reg, registry.Ref{Kind: obj.kind, ID: prior}, replace)
		if err != nil {
			addRegistryError(&resp.Diagnostics, "check what reads "+string(obj.kind)+" "+quote(prior), err)
			return
		}
		addProblems(&resp.Diagnostics, ps)
		// D9: a protected environment keeps its deployments, the model
		// versions they serve and its policy, whatever else the plan does.
		ps, err = reg.CheckProtectedPlan(ctx, registry.Ref{Kind: obj.kind, ID: prior}, replace)
		if err != nil {
			addRegistryError(&resp.Diagnostics, "check the protection of "+string(obj.kind)+" "+quote(prior), err)
			return
		}
		addProblems(&resp.Diagnostics, ps)
	}
	if req.Plan.Raw.IsNull() || obj.id == "" {
		return
	}
	run.Put(obj.content)
	if replace {
		return // the reader leaves with its old self; its new self reads anew
	}
	addProblems(&resp.Diagnostics, run.Stay(registry.Ref{Kind: obj.kind, ID: obj.id}, reg.Environment(), obj.reads))
}

// refsOf returns the references of one kind to the given ids, skipping
// unknown ("") ones.
func refsOf(kind registry.Kind, ids ...string) []registry.Ref {
	var out []registry.Ref
	for _, id := range ids {
		if id != "" {
			out = append(out, registry.Ref{Kind: kind, ID: id})
		}
	}
	return out
}

// replacing reports whether the plan changes one of the named top-level
// attributes, each of which forces a new object. (A resource's ModifyPlan
// runs before the framework gathers the attributes' replacement
// decisions: resp.RequiresReplace holds only its own.)
func replacing(req resource.ModifyPlanRequest, names ...string) bool {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return false
	}
	for _, n := range names {
		p := tftypes.NewAttributePath().WithAttributeName(n)
		prior, _, err1 := tftypes.WalkAttributePath(req.State.Raw, p)
		planned, _, err2 := tftypes.WalkAttributePath(req.Plan.Raw, p)
		pv, ok1 := prior.(tftypes.Value)
		nv, ok2 := planned.(tftypes.Value)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || !pv.Equal(nv) {
			return true
		}
	}
	return false
}

// readNamedPlan reads the plan of an object whose id is its name (name
// picks it from the model): it sets the id at plan and gives obj its id and
// whether the plan replaces it (forcesNew names the attributes that force a
// new object). It returns false when the plan deletes the object, or when
// the plan cannot be read (with an error in resp).
func readNamedPlan[M any](ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, obj *plannedObject,
	name func(M) types.String, forcesNew ...string,
) (M, bool) {
	var plan M
	if req.Plan.Raw.IsNull() {
		return plan, false
	}
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return plan, false
	}
	obj.id = knownString(name(plan))
	obj.replace = replacing(req, forcesNew...)
	setPlannedID(ctx, resp, obj.id)
	return plan, true
}
