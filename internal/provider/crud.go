package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// registryObject is what the registry keeps for one resource.
type registryObject interface{ ID() string }

// objectMapping maps a resource's model M onto its registry object O. The
// CRUD functions below are the same for every resource: a resource file
// declares its mapping and calls them.
type objectMapping[M any, O registryObject] struct {
	kind       registry.Kind
	toObject   func(ctx context.Context, m M, diags *diag.Diagnostics) O
	fromObject func(ctx context.Context, o O, diags *diag.Diagnostics) M
	// stateID is the id of the object in state.
	stateID  func(m M) string
	revision func(o O) int64
	create   func(ctx context.Context, o O) (O, error)
	read     func(ctx context.Context, id string) (O, error)
	// update writes o, refusing a concurrent change since revision.
	update func(ctx context.Context, o O, revision int64) (O, error)
	remove func(ctx context.Context, id string, revision int64) error
}

func createObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	o := m.toObject(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := m.create(ctx, o)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "create "+string(m.kind)+" "+quote(o.ID()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.fromObject(ctx, created, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(created), &resp.Diagnostics)
}

// readObject refreshes the state; an object gone from the registry leaves
// the state, so that the next plan creates it again.
func readObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.stateID(state)
	o, err := m.read(ctx, id)
	if registry.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addRegistryError(&resp.Diagnostics, "read "+string(m.kind)+" "+quote(id), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.fromObject(ctx, o, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(o), &resp.Diagnostics)
}

func updateObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	o := m.toObject(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := m.update(ctx, o, readRevision(ctx, req.Private, &resp.Diagnostics))
	if err != nil {
		addRegistryError(&resp.Diagnostics, "update "+string(m.kind)+" "+quote(o.ID()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.fromObject(ctx, updated, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(updated), &resp.Diagnostics)
}

// deleteObject deletes the object; one already gone is not an error, and
// one that something still references is refused (F2).
func deleteObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.stateID(state)
	if err := m.remove(ctx, id, readRevision(ctx, req.Private, &resp.Diagnostics)); err != nil {
		addRegistryError(&resp.Diagnostics, "delete "+string(m.kind)+" "+quote(id), err)
	}
}
