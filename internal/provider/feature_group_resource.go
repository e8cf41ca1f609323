package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &featureGroupResource{}
	_ resource.ResourceWithConfigure      = &featureGroupResource{}
	_ resource.ResourceWithImportState    = &featureGroupResource{}
	_ resource.ResourceWithModifyPlan     = &featureGroupResource{}
	_ resource.ResourceWithValidateConfig = &featureGroupResource{}
)

// NewFeatureGroupResource returns the mlops_feature_group resource.
func NewFeatureGroupResource() resource.Resource { return &featureGroupResource{} }

type featureGroupResource struct {
	resourceBase
}

type featureGroupModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	PrimaryKey    types.List   `tfsdk:"primary_key"`
	EventTime     types.String `tfsdk:"event_time"`
	OnlineEnabled types.Bool   `tfsdk:"online_enabled"`
	Description   types.String `tfsdk:"description"`
	Tags          types.Map    `tfsdk:"tags"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

func (r *featureGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_group"
}

func (r *featureGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A feature group: a set of features about one entity, keyed by `primary_key`. " +
			"Its schemas are versioned by `mlops_feature_version`. A group is deleted only when it has no versions left (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The feature group's id: its name."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the environment; must match `" + registry.NamePattern + "`. Changing it creates a new group.",
				Required:            true,
				Validators:          []validator.String{nameValidator("feature group name")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"primary_key": schema.ListAttribute{
				MarkdownDescription: "Names of the entity key features, at least one. Every version must include them. Changing it creates a new group.",
				Required:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					uniqueStrings(),
					listvalidator.ValueStringsAre(nameValidator("feature name")),
				},
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"event_time": schema.StringAttribute{
				MarkdownDescription: "Name of the event-time feature: when a row's values were observed. Every version must include it, " +
					"of type `timestamp` or `date`, and it is not one of the `primary_key` columns (rule F3). Changing it creates a new group.",
				Optional:      true,
				Validators:    []validator.String{nameValidator("feature name")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"online_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the group is served from the online store. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"description": descriptionAttribute(),
			"tags":        tagsAttribute(),
			"created_at":  createdAtAttribute("When the group was created in the registry (RFC 3339, UTC)."),
		},
	}
}

// ValidateConfig runs the part of F3 the configuration alone shows:
// event_time is not a primary_key column. Unknown values are checked later.
func (r *featureGroupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg featureGroupModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() || !known(cfg.EventTime) || !known(cfg.PrimaryKey) {
		return
	}
	key := make([]string, len(cfg.PrimaryKey.Elements()))
	for i, e := range cfg.PrimaryKey.Elements() {
		if k, ok := e.(types.String); ok {
			key[i] = knownString(k)
		}
	}
	addProblems(&resp.Diagnostics, registry.CheckEventTimeNotKey(cfg.Name.ValueString(), cfg.EventTime.ValueString(), key))
}

func (r *featureGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *featureGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *featureGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *featureGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *featureGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !registry.ValidName(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			"A feature group is imported by its name, which must match "+registry.NamePattern+"; got "+quote(req.ID)+".")
		return
	}
	importObject(ctx, req, resp, nil)
}

// ModifyPlan sets the id (the name) and records the group in the run's
// plan, which refuses deleting or replacing it while a version of it stays
// (F2). A new group that already exists is refused at apply, not here:
// Terraform plans the create half of a replacement without the prior
// state, so plan cannot tell an adopted object from the one being replaced.
func (r *featureGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindFeatureGroup}
	if plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m featureGroupModel) types.String { return m.Name }, "name", "primary_key", "event_time"); ok {
		var ignored diag.Diagnostics // unknown parts stay zero
		obj.content = plan.toRegistry(ctx, &ignored)
	}
	if !resp.Diagnostics.HasError() {
		trackPlan(ctx, r.reg, req, resp, obj)
	}
}

func (m featureGroupModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.FeatureGroup {
	g := registry.FeatureGroup{
		Name:          m.Name.ValueString(),
		EventTime:     m.EventTime.ValueString(),
		OnlineEnabled: m.OnlineEnabled.ValueBool(),
		Description:   m.Description.ValueString(),
	}
	diags.Append(m.PrimaryKey.ElementsAs(ctx, &g.PrimaryKey, false)...)
	g.Tags = tagsToRegistry(ctx, m.Tags, diags)
	return g
}

func featureGroupFromRegistry(ctx context.Context, g registry.FeatureGroup, diags *diag.Diagnostics) featureGroupModel {
	pk, d := types.ListValueFrom(ctx, types.StringType, g.PrimaryKey)
	diags.Append(d...)
	return featureGroupModel{
		ID:            types.StringValue(g.ID()),
		Name:          types.StringValue(g.Name),
		PrimaryKey:    pk,
		EventTime:     optionalString(g.EventTime),
		OnlineEnabled: types.BoolValue(g.OnlineEnabled),
		Description:   optionalString(g.Description),
		Tags:          tagsFromRegistry(ctx, g.Tags, diags),
		CreatedAt:     types.StringValue(formatTime(g.CreatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *featureGroupResource) mapping() objectMapping[featureGroupModel, registry.FeatureGroup] {
	return objectMapping[featureGroupModel, registry.FeatureGroup]{
		reg:  r.reg,
		kind: registry.KindFeatureGroup,
		toObject: func(ctx context.Context, m featureGroupModel, diags *diag.Diagnostics) registry.FeatureGroup {
			return m.toRegistry(ctx, diags)
		},
		fromObject: featureGroupFromRegistry,
		stateID:    func(m featureGroupModel) string { return m.ID.ValueString() },
		revision:   func(o registry.FeatureGroup) int64 { return o.Revision },
		create:     r.reg.CreateFeatureGroup,
		read:       r.reg.FeatureGroup,
		update: func(ctx context.Context, g registry.FeatureGroup, revision int64) (registry.FeatureGroup, error) {
			g.Revision = revision
			return r.reg.UpdateFeatureGroup(ctx, g)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteFeatureGroup(ctx, id, registry.IfRevision(revision))
		},
	}
}
