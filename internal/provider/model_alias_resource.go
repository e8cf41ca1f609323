package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &modelAliasResource{}
	_ resource.ResourceWithConfigure      = &modelAliasResource{}
	_ resource.ResourceWithImportState    = &modelAliasResource{}
	_ resource.ResourceWithModifyPlan     = &modelAliasResource{}
	_ resource.ResourceWithValidateConfig = &modelAliasResource{}
)

// NewModelAliasResource returns the mlops_model_alias resource.
func NewModelAliasResource() resource.Resource { return &modelAliasResource{} }

type modelAliasResource struct {
	resourceBase
}

type modelAliasModel struct {
	ID             types.String `tfsdk:"id"`
	ModelID        types.String `tfsdk:"model_id"`
	Name           types.String `tfsdk:"name"`
	ModelVersionID types.String `tfsdk:"model_version_id"`
	Description    types.String `tfsdk:"description"`
	UpdatedAt      types.String `tfsdk:"updated_at"`
}

func (r *modelAliasResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_alias"
}

func (r *modelAliasResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A named pointer, such as `champion`, to one version of a model. The version must exist in the environment " +
			"(or be created by the same plan) and belong to the alias's model (rule A1), checked at plan. Moving the alias to another " +
			"version is an in-place update; a model version an alias points at cannot be deleted (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The alias's id, `<model>@<alias>`, such as `fraud@champion`. Known at plan."),
			"model_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model, usually `mlops_model.<name>.id`. Changing it creates a new alias.",
				Required:            true,
				Validators:          []validator.String{modelNameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Alias name, such as `champion`; must match `" + registry.AliasNamePattern + "` (" + registry.AliasNameRule +
					"). Changing it creates a new alias.",
				Required:      true,
				Validators:    []validator.String{aliasNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"model_version_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model version the alias points at, a version of `model_id`, usually " +
					"`mlops_model_version.<name>.id`. Changing it moves the alias in place.",
				Required:   true,
				Validators: []validator.String{modelVersionIDValidator()},
			},
			"description": descriptionAttribute(),
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the alias was created or last moved or changed in the registry (RFC 3339, UTC).",
				Computed:            true,
			},
		},
	}
}

// ValidateConfig runs the part of rule A1 the configuration alone shows:
// the version belongs to the alias's model.
func (r *modelAliasResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg modelAliasModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() || !known(cfg.ModelVersionID) {
		return
	}
	if _, _, err := registry.ParseModelVersionID(cfg.ModelVersionID.ValueString()); err != nil {
		return // the attribute's validator says so
	}
	addProblems(&resp.Diagnostics, registry.CheckAliasVersionRef(cfg.known()))
}

func (r *modelAliasResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *modelAliasResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *modelAliasResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *modelAliasResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *modelAliasResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	model, name, err := registry.ParseModelAliasID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	importObject(ctx, req, resp, map[string]any{"model_id": model, "name": name})
}

// ModifyPlan sets the id, records the alias in the run's plan (F2: the
// version it points at, and its model, cannot be deleted while it stays)
// and, for an alias the plan creates or changes, runs rule A1 on what is
// known: the version exists in the environment or the plan creates it, and
// it is a version of the alias's model.
func (r *modelAliasResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindModelAlias}
	if req.Plan.Raw.IsNull() {
		trackPlan(ctx, r.reg, req, resp, obj)
		return
	}
	var plan modelAliasModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a := plan.known()
	if a.Model != "" && a.Name != "" {
		obj.id = a.ID()
		setPlannedID(ctx, resp, obj.id)
	}
	obj.content = a
	obj.replace = replacing(req, "model_id", "name")
	obj.reads = append(refsOf(registry.KindModel, a.Model), refsOf(registry.KindModelVersion, a.ModelVersionID)...)
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() && !obj.replace {
		var state modelAliasModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if state.ModelVersionID.Equal(plan.ModelVersionID) && state.Description.Equal(plan.Description) {
			return // no write: nothing to check
		}
		// Any change is a write, which runs A1 again: plan refuses it first.
	}
	ps, err := r.reg.CheckModelAliasPlan(ctx, a)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check model alias", err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// known is the alias as far as the plan knows it: unknown parts are "".
func (m modelAliasModel) known() registry.ModelAlias {
	return registry.ModelAlias{
		Model:          knownString(m.ModelID),
		Name:           knownString(m.Name),
		ModelVersionID: knownString(m.ModelVersionID),
		Description:    knownString(m.Description),
	}
}

func modelAliasFromRegistry(a registry.ModelAlias) modelAliasModel {
	return modelAliasModel{
		ID:             types.StringValue(a.ID()),
		ModelID:        types.StringValue(a.Model),
		Name:           types.StringValue(a.Name),
		ModelVersionID: types.StringValue(a.ModelVersionID),
		Description:    optionalString(a.Description),
		UpdatedAt:      types.StringValue(formatTime(a.UpdatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *modelAliasResource) mapping() objectMapping[modelAliasModel, registry.ModelAlias] {
	return objectMapping[modelAliasModel, registry.ModelAlias]{
		reg:  r.reg,
		kind: registry.KindModelAlias,
		toObject: func(_ context.Context, m modelAliasModel, _ *diag.Diagnostics) registry.ModelAlias {
			return m.known()
		},
		fromObject: func(_ context.Context, a registry.ModelAlias, _ *diag.Diagnostics) modelAliasModel {
			return modelAliasFromRegistry(a)
		},
		stateID:  func(m modelAliasModel) string { return m.ID.ValueString() },
		revision: func(o registry.ModelAlias) int64 { return o.Revision },
		create:   r.reg.CreateModelAlias,
		read: func(ctx context.Context, id string) (registry.ModelAlias, error) {
			model, name, err := registry.ParseModelAliasID(id)
			if err != nil {
				return registry.ModelAlias{}, err
			}
			return r.reg.ModelAlias(ctx, model, name)
		},
		update: func(ctx context.Context, a registry.ModelAlias, revision int64) (registry.ModelAlias, error) {
			a.Revision = revision
			return r.reg.UpdateModelAlias(ctx, a)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			model, name, err := registry.ParseModelAliasID(id)
			if err != nil {
				return err
			}
			return r.reg.DeleteModelAlias(ctx, model, name, registry.IfRevision(revision))
		},
	}
}
