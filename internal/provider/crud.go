package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// registryObject is what the registry keeps for one resource.
type registryObject interface{ ID() string }

// objectMapping maps a resource's model M onto its registry object O. The
// CRUD functions below are the same for every resource: a resource file
// declares its mapping and calls them.
type objectMapping[M any, O registryObject] struct {
	reg        *registry.Registry
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
	// home is the environment that holds the object of an id, when that is
	// not the provider's: an environment's policy is in the environment it
	// governs. nil for the provider's environment.
	home func(id string) string
}

func createObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	o := m.toObject(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := m.create(ctx, o)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "create "+string(m.kind)+" "+quote(o.ID()), err)
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, m.fromObject(ctx, created, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(created), &resp.Diagnostics)
}

// readObject refreshes the state; an object gone from the registry leaves
// the state, so that the next plan creates it again.
func readObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.stateID(state)
	o, err := m.read(ctx, id)
	if registry.IsNotFound(err) {
		env := m.reg.Environment()
		if m.home != nil {
			env = m.home(id)
		}
		objectMissing(ctx, m.reg, m.kind, id, env, isImporting(ctx, req.Private, &resp.Diagnostics), resp)
		return
	}
	if err != nil {
		addRegistryError(&resp.Diagnostics, "read "+string(m.kind)+" "+quote(id), err)
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, m.fromObject(ctx, o, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(o), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importingKey, nil)...)
}

// importingKey marks, in private state, an object that ImportState has just
// put in state and Read has not read yet.
const importingKey = "importing"

// importObject starts the import of an object by its id: the id attribute
// and what else names it (set), and the mark that makes the Read that
// follows say where it looked if the object is not there.
func importObject(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, set map[string]any) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	for name, v := range set {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importingKey, []byte("1"))...)
}

func isImporting(ctx context.Context, p privateGetter, diags *diag.Diagnostics) bool {
	b, d := p.GetKey(ctx, importingKey)
	diags.Append(d...)
	return len(b) > 0
}

// objectMissing handles an object of the state that the registry does not
// hold in environment env: imported, it is an error naming where the import
// looked; when the registry never held anything in env, the configuration
// points at the wrong registry or environment, and plan stops rather than
// propose to create everything again; otherwise someone deleted it, and it
// leaves the state, so that the plan creates it again.
func objectMissing(ctx context.Context, reg *registry.Registry, kind registry.Kind, id, env string, importing bool, resp *resource.ReadResponse) {
	if importing {
		resp.Diagnostics.AddError("Cannot import "+string(kind)+" "+quote(id)+": not found",
			fmt.Sprintf("%s %q does not exist in environment %q of the registry %s. Check the id, the provider's environment (MLOPS_ENVIRONMENT, "+
				"often terraform.workspace) and registry (MLOPS_REGISTRY).", kind, id, env, reg.Location()))
		return
	}
	never, err := reg.NeverWrittenIn(ctx, env)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "read "+string(kind)+" "+quote(id), err)
		return
	}
	if never {
		resp.Diagnostics.AddError("The registry holds none of this state's objects",
			fmt.Sprintf("The state holds %s %q, but environment %q of the registry %s has never been written: it holds no object and no audit record. "+
				"The configuration probably points at another registry, database or environment than the one this state was made with "+
				"(a typo in the registry URL, another working directory, another workspace); every object of the state is missing there, "+
				"and this is one of them. Point the provider at the registry the state was made with. To rebuild a lost registry from this "+
				"state on purpose, see the provider documentation (\"Rebuilding a registry\").", kind, id, env, reg.Location()))
		return
	}
	resp.State.RemoveResource(ctx)
}

func updateObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan M
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	o := m.toObject(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := m.update(ctx, o, readRevision(ctx, req.Private, &resp.Diagnostics))
	if err != nil {
		addRegistryError(&resp.Diagnostics, "update "+string(m.kind)+" "+quote(o.ID()), err)
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, m.fromObject(ctx, updated, &resp.Diagnostics))...)
	setRevision(ctx, resp.Private, m.revision(updated), &resp.Diagnostics)
}

// deleteObject deletes the object; one already gone is not an error, and
// one that something still references is refused (F2).
func deleteObject[M any, O registryObject](ctx context.Context, m objectMapping[M, O], req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.stateID(state)
	if err := m.remove(ctx, id, readRevision(ctx, req.Private, &resp.Diagnostics)); err != nil {
		addRegistryError(&resp.Diagnostics, "delete "+string(m.kind)+" "+quote(id), err)
	}
}
