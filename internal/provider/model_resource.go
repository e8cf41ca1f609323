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
	_ resource.Resource                = &modelResource{}
	_ resource.ResourceWithConfigure   = &modelResource{}
	_ resource.ResourceWithImportState = &modelResource{}
	_ resource.ResourceWithModifyPlan  = &modelResource{}
)

// NewModelResource returns the mlops_model resource.
func NewModelResource() resource.Resource { return &modelResource{} }

type modelResource struct {
	resourceBase
}

type modelModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	Tags        types.Map    `tfsdk:"tags"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (r *modelResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model"
}

func (r *modelResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A model: the name its versions (`mlops_model_version`) are registered under. " +
			"A model is deleted only when it has no versions left (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The model's id: its name."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the environment; must match `" + registry.ModelNamePattern + "`. Changing it creates a new model.",
				Required:            true,
				Validators:          []validator.String{modelNameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": descriptionAttribute(),
			"tags":        tagsAttribute(),
			"created_at":  createdAtAttribute("When the model was created in the registry (RFC 3339, UTC)."),
		},
	}
}

func (r *modelResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *modelResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *modelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *modelResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *modelResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !registry.ValidModelName(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			"A model is imported by its name, which must match "+registry.ModelNamePattern+"; got "+quote(req.ID)+".")
		return
	}
	importObject(ctx, req, resp, nil)
}

// ModifyPlan sets the id (the name) and records the model in the run's
// plan, which refuses deleting or replacing it while a version of it or a
// release gate on it stays (F2).
func (r *modelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindModel}
	if plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m modelModel) types.String { return m.Name }, "name"); ok {
		var ignored diag.Diagnostics // unknown parts stay zero
		obj.content = plan.toRegistry(ctx, &ignored)
	}
	if !resp.Diagnostics.HasError() {
		trackPlan(ctx, r.reg, req, resp, obj)
	}
}

func (m modelModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.Model {
	return registry.Model{
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		Tags:        tagsToRegistry(ctx, m.Tags, diags),
	}
}

func modelFromRegistry(ctx context.Context, m registry.Model, diags *diag.Diagnostics) modelModel {
	return modelModel{
		ID:          types.StringValue(m.ID()),
		Name:        types.StringValue(m.Name),
		Description: optionalString(m.Description),
		Tags:        tagsFromRegistry(ctx, m.Tags, diags),
		CreatedAt:   types.StringValue(formatTime(m.CreatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *modelResource) mapping() objectMapping[modelModel, registry.Model] {
	return objectMapping[modelModel, registry.Model]{
		reg:  r.reg,
		kind: registry.KindModel,
		toObject: func(ctx context.Context, m modelModel, diags *diag.Diagnostics) registry.Model {
			return m.toRegistry(ctx, diags)
		},
		fromObject: modelFromRegistry,
		stateID:    func(m modelModel) string { return m.ID.ValueString() },
		revision:   func(o registry.Model) int64 { return o.Revision },
		create:     r.reg.CreateModel,
		read:       r.reg.Model,
		update: func(ctx context.Context, m registry.Model, revision int64) (registry.Model, error) {
			m.Revision = revision
			return r.reg.UpdateModel(ctx, m)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteModel(ctx, id, registry.IfRevision(revision))
		},
	}
}
