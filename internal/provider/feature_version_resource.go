package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                = &featureVersionResource{}
	_ resource.ResourceWithConfigure   = &featureVersionResource{}
	_ resource.ResourceWithImportState = &featureVersionResource{}
	_ resource.ResourceWithModifyPlan  = &featureVersionResource{}
)

// NewFeatureVersionResource returns the mlops_feature_version resource.
func NewFeatureVersionResource() resource.Resource { return &featureVersionResource{} }

type featureVersionResource struct {
	resourceBase
}

type featureVersionModel struct {
	ID             types.String `tfsdk:"id"`
	FeatureGroupID types.String `tfsdk:"feature_group_id"`
	Version        versionValue `tfsdk:"version"`
	Features       types.List   `tfsdk:"features"`
	Deprecated     types.Bool   `tfsdk:"deprecated"`
	Description    types.String `tfsdk:"description"`
	SchemaHash     types.String `tfsdk:"schema_hash"`
	CreatedAt      types.String `tfsdk:"created_at"`
}

var featureAttrTypes = map[string]attr.Type{
	"name":        types.StringType,
	"type":        featureTypeType{},
	"description": types.StringType,
}

func (r *featureVersionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_version"
}

func (r *featureVersionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A version of a feature group's schema. Its features only grow in place, by appending at the end (rule F1); " +
			"any other change is a new version. The features must include the group's `primary_key` and `event_time` (rule F3). " +
			"A version that something still references is not deleted (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The feature version's id, `<feature group>/<version>`, such as `transactions/2`."),
			"feature_group_id": schema.StringAttribute{
				MarkdownDescription: "Id of the feature group, usually `mlops_feature_group.<name>.id`. Changing it creates a new version.",
				Required:            true,
				Validators:          []validator.String{nameValidator("feature group id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version number, a whole number of 1 or more, chosen explicitly. Changing it creates a new version.",
				Required:            true,
				CustomType:          versionType{},
				PlanModifiers:       []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"features": wideList(schema.ListNestedAttribute{
				MarkdownDescription: "The schema, in order. Names are unique. New features may be appended in place; " +
					"removing, renaming, reordering or retyping a feature needs a new version.",
				Required: true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					uniqueFeatureNames{},
				},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							MarkdownDescription: "Feature name; must match `" + registry.NamePattern + "`.",
							Required:            true,
							Validators:          []validator.String{nameValidator("feature name")},
						},
						"type": schema.StringAttribute{
							MarkdownDescription: "Feature type: " + registry.FeatureTypeSyntax + ".",
							Required:            true,
							CustomType:          featureTypeType{},
						},
						"description": schema.StringAttribute{
							MarkdownDescription: "Free-text description; may change in place.",
							Optional:            true,
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
					},
				},
			}),
			"deprecated": schema.BoolAttribute{
				MarkdownDescription: "Marks the version as deprecated: readers get a warning, and the `mlops_feature_version` data source " +
					"skips it when it looks for the latest version. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"description": descriptionAttribute(),
			"schema_hash": schema.StringAttribute{
				MarkdownDescription: "`sha256:` and the hex SHA-256 of the canonical schema: each feature's name and canonical type, in order. " +
					"Descriptions are not part of it. Known at plan time.",
				Computed: true,
			},
			"created_at": createdAtAttribute("When the version was created in the registry (RFC 3339, UTC)."),
		},
	}
}

func (r *featureVersionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *featureVersionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *featureVersionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *featureVersionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *featureVersionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	group, version, err := registry.ParseFeatureVersionID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	importObject(ctx, req, resp, map[string]any{"feature_group_id": group, "version": newVersionValue(version)})
}

// ModifyPlan sets the id and schema_hash, records the version in the run's
// plan (F2: deleting it while a reader stays is refused) and runs the
// registry's checks whose inputs are known: the group exists and the
// features cover its keys (F3), a new version does not exist yet, an
// in-place change only appends (F1).
func (r *featureVersionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindFeatureVersion}
	if req.Plan.Raw.IsNull() {
		trackPlan(ctx, r.reg, req, resp, obj)
		return
	}
	var plan featureVersionModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	group := knownString(plan.FeatureGroupID)
	if group != "" && plan.Version.ValueInt64() > 0 {
		obj.id = registry.FeatureVersionID(group, plan.Version.ValueInt64())
		setPlannedID(ctx, resp, obj.id)
	}
	obj.reads = refsOf(registry.KindFeatureGroup, group)
	obj.replace = replacing(req, "feature_group_id", "version")
	var ignored diag.Diagnostics // unknown parts stay zero
	obj.content = plan.toRegistry(ctx, &ignored)
	trackPlan(ctx, r.reg, req, resp, obj)
	create := req.State.Raw.IsNull() || obj.replace
	if !create {
		r.checkDeprecation(ctx, req, plan, obj.id, resp)
		var stateFeatures types.List
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("features"), &stateFeatures)...)
		prior, _ := featuresFromList(ctx, stateFeatures, &resp.Diagnostics)
		planned, _ := featuresFromList(ctx, plan.Features, &resp.Diagnostics)
		if !stateFeatures.Equal(plan.Features) && registry.FeaturesEquivalent(prior, planned) {
			// Only the spelling of types differs: keep the prior one.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("features"), stateFeatures)...)
			plan.Features = stateFeatures
		}
		if stateFeatures.Equal(plan.Features) {
			// The schema is unchanged: nothing to check, and schema_hash
			// stays (other changes would otherwise mark it unknown).
			var hash types.String
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("schema_hash"), &hash)...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("schema_hash"), hash)...)
			return
		}
	}
	features, known := featuresFromList(ctx, plan.Features, &resp.Diagnostics)
	if known {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("schema_hash"), registry.SchemaHash(features))...)
	}
	if r.reg == nil || resp.Diagnostics.HasError() || (!create && !known) {
		return
	}
	p := registry.FeatureVersionPlan{Create: create}
	if !plan.FeatureGroupID.IsUnknown() {
		p.Group = plan.FeatureGroupID.ValueString()
	}
	if !plan.Version.IsUnknown() {
		p.Version = plan.Version.ValueInt64()
	}
	if known {
		p.Features = features
	}
	if !create {
		var state featureVersionModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		stateFeatures, _ := featuresFromList(ctx, state.Features, &resp.Diagnostics)
		if registry.SameSchema(stateFeatures, features) {
			return // no schema change: nothing for the registry to check
		}
	}
	ps, err := r.reg.CheckFeatureVersionPlan(ctx, p)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check feature version", err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// checkDeprecation runs rule D10 at plan for a version the plan
// deprecates: refused while a deployment's rollback version reads it.
func (r *featureVersionResource) checkDeprecation(ctx context.Context, req resource.ModifyPlanRequest, plan featureVersionModel, id string,
	resp *resource.ModifyPlanResponse,
) {
	var was types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("deprecated"), &was)...)
	if r.reg == nil || id == "" || !plan.Deprecated.ValueBool() || was.ValueBool() {
		return
	}
	ps, err := r.reg.CheckDeprecationPlan(ctx, id)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check deprecating feature version "+quote(id), err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

func (m featureVersionModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.FeatureVersion {
	features, _ := featuresFromList(ctx, m.Features, diags)
	return registry.FeatureVersion{
		Group:       m.FeatureGroupID.ValueString(),
		Version:     m.Version.ValueInt64(),
		Features:    features,
		Deprecated:  m.Deprecated.ValueBool(),
		Description: m.Description.ValueString(),
	}
}

func featureVersionFromRegistry(v registry.FeatureVersion, diags *diag.Diagnostics) featureVersionModel {
	return featureVersionModel{
		ID:             types.StringValue(v.ID()),
		FeatureGroupID: types.StringValue(v.Group),
		Version:        newVersionValue(v.Version),
		Features:       featuresToList(v.Features, diags),
		Deprecated:     types.BoolValue(v.Deprecated),
		Description:    optionalString(v.Description),
		SchemaHash:     types.StringValue(v.SchemaHash),
		CreatedAt:      types.StringValue(formatTime(v.CreatedAt)),
	}
}

// featuresFromList converts a features list. known is false when the list
// or any name or type in it is not known yet.
func featuresFromList(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]registry.Feature, bool) {
	if l.IsNull() {
		return nil, false
	}
	rows, known, d := listObjectStrings(ctx, l, "name", "type", "description")
	diags.Append(d...)
	if rows == nil {
		return nil, false
	}
	features := make([]registry.Feature, len(rows))
	for i, r := range rows {
		features[i] = registry.Feature{Name: r[0], Type: r[1], Description: r[2]}
	}
	return features, known
}

func featuresToList(features []registry.Feature, diags *diag.Diagnostics) types.List {
	objType := types.ObjectType{AttrTypes: featureAttrTypes}
	elems := make([]attr.Value, len(features))
	for i, f := range features {
		obj, d := types.ObjectValue(featureAttrTypes, map[string]attr.Value{
			"name":        types.StringValue(f.Name),
			"type":        newFeatureTypeValue(f.Type),
			"description": optionalString(f.Description),
		})
		diags.Append(d...)
		elems[i] = obj
	}
	l, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return l
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *featureVersionResource) mapping() objectMapping[featureVersionModel, registry.FeatureVersion] {
	return objectMapping[featureVersionModel, registry.FeatureVersion]{
		reg:  r.reg,
		kind: registry.KindFeatureVersion,
		toObject: func(ctx context.Context, m featureVersionModel, diags *diag.Diagnostics) registry.FeatureVersion {
			return m.toRegistry(ctx, diags)
		},
		fromObject: func(_ context.Context, v registry.FeatureVersion, diags *diag.Diagnostics) featureVersionModel {
			return featureVersionFromRegistry(v, diags)
		},
		stateID:  func(m featureVersionModel) string { return m.ID.ValueString() },
		revision: func(o registry.FeatureVersion) int64 { return o.Revision },
		create:   r.reg.CreateFeatureVersion,
		read: func(ctx context.Context, id string) (registry.FeatureVersion, error) {
			group, version, err := registry.ParseFeatureVersionID(id)
			if err != nil {
				return registry.FeatureVersion{}, err
			}
			return r.reg.FeatureVersion(ctx, group, version)
		},
		update: func(ctx context.Context, v registry.FeatureVersion, revision int64) (registry.FeatureVersion, error) {
			v.Revision = revision
			return r.reg.UpdateFeatureVersion(ctx, v)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			group, version, err := registry.ParseFeatureVersionID(id)
			if err != nil {
				return err
			}
			return r.reg.DeleteFeatureVersion(ctx, group, version, registry.IfRevision(revision))
		},
	}
}
