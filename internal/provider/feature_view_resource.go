package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &featureViewResource{}
	_ resource.ResourceWithConfigure      = &featureViewResource{}
	_ resource.ResourceWithImportState    = &featureViewResource{}
	_ resource.ResourceWithModifyPlan     = &featureViewResource{}
	_ resource.ResourceWithValidateConfig = &featureViewResource{}
)

// NewFeatureViewResource returns the mlops_feature_view resource.
func NewFeatureViewResource() resource.Resource { return &featureViewResource{} }

type featureViewResource struct {
	resourceBase
}

// featureViewModel is the resource's model, and the data source's.
type featureViewModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Version     versionValue `tfsdk:"version"`
	Sources     types.List   `tfsdk:"sources"`
	Labels      types.List   `tfsdk:"labels"`
	Description types.String `tfsdk:"description"`
	Tags        types.Map    `tfsdk:"tags"`
	Schema      types.List   `tfsdk:"schema"`
	SchemaHash  types.String `tfsdk:"schema_hash"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

type viewSourceModel struct {
	FeatureVersionID types.String `tfsdk:"feature_version_id"`
	Features         types.List   `tfsdk:"features"`
	JoinOn           types.List   `tfsdk:"join_on"`
	Prefix           types.String `tfsdk:"prefix"`
}

var (
	viewSourceAttrTypes = map[string]attr.Type{
		"feature_version_id": types.StringType,
		"features":           types.ListType{ElemType: types.StringType},
		"join_on":            types.ListType{ElemType: types.StringType},
		"prefix":             types.StringType,
	}
	viewColumnAttrTypes = map[string]attr.Type{
		"name": types.StringType,
		"type": types.StringType,
	}
)

// The words the resource and the data source share.
const (
	viewSourcesDescription = "The sources, in order: the first is the left side of the joins; each later one joins the output of " +
		"those before it on its `join_on` keys."
	viewSourceFVDescription       = "Id of the feature version the source reads, usually `mlops_feature_version.<name>.id`."
	viewSourceFeaturesDescription = "Names of the features selected, in output order. Unset: every feature of the feature version, in its " +
		"order, as it is when the view is created."
	viewSourceJoinOnDescription = "Keys the source joins on: features of its feature version equal to output features of the sources before " +
		"it (named there as output, after their prefix), of the same type. The first source has none; every later one at least one. " +
		"A key is output once, from the left side."
	viewSourcePrefixDescription = "Put before the names of the source's output features, such as `acct_`."
	viewLabelsDescription       = "Output features used as training labels, not served: a model version cannot read one as an input."
	viewSchemaDescription       = "The view's output features with their types (canonical form), in order, computed when the view is created."
	viewSchemaHashDescription   = "`sha256:` and the hex SHA-256 of `schema`: each feature's name and type, in order."
)

func (r *featureViewResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_view"
}

func (r *featureViewResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.List{listplanmodifier.RequiresReplace()}
	names := []validator.List{listvalidator.ValueStringsAre(nameValidator("feature name"))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A versioned selection of features joined from feature versions, which model versions read through " +
			"`feature_view_ids` (as Hopsworks feature views and Feast feature services do). Rule FV1, checked at plan: every source's " +
			"feature version exists in the environment, the selected features exist, the join keys exist on both sides with equal types, " +
			"the output names are unique after prefixing, and the labels are among the outputs. Immutable: a change to `sources` or " +
			"`labels` creates a new view (declare a new `version`); `description` and `tags` change in place. A feature version a view " +
			"reads, and a view a model version reads, cannot be deleted (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The view's id, `<name>/<version>`, such as `fraud_features/1`. Known at plan."),
			"name": schema.StringAttribute{
				MarkdownDescription: "View name; must match `" + registry.NamePattern + "` (" + registry.NameRule + "). Changing it creates a new view.",
				Required:            true,
				Validators:          []validator.String{nameValidator("feature view name")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version number, a whole number of 1 or more. Changing it creates a new view.",
				Required:            true,
				CustomType:          versionType{},
				PlanModifiers:       []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"sources": schema.ListNestedAttribute{
				MarkdownDescription: viewSourcesDescription + " Changing them creates a new view.",
				Required:            true,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
				PlanModifiers:       replace,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"feature_version_id": schema.StringAttribute{
							MarkdownDescription: viewSourceFVDescription,
							Required:            true,
							Validators:          []validator.String{featureVersionIDValidator()},
						},
						"features": schema.ListAttribute{MarkdownDescription: viewSourceFeaturesDescription, Optional: true, ElementType: types.StringType, Validators: names},
						"join_on":  schema.ListAttribute{MarkdownDescription: viewSourceJoinOnDescription, Optional: true, ElementType: types.StringType, Validators: names},
						"prefix": schema.StringAttribute{
							MarkdownDescription: viewSourcePrefixDescription + " Must match `" + registry.FeatureViewPrefixPattern + "`.",
							Optional:            true,
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
					},
				},
			},
			"labels": schema.ListAttribute{
				MarkdownDescription: viewLabelsDescription + " Named as output (after their prefix). Changing them creates a new view.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          names,
				PlanModifiers:       replace,
			},
			"description": descriptionAttribute(),
			"tags":        tagsAttribute(),
			"schema": schema.ListNestedAttribute{
				MarkdownDescription: viewSchemaDescription,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{MarkdownDescription: "Output feature name.", Computed: true},
						"type": schema.StringAttribute{MarkdownDescription: "Its type, in canonical form.", Computed: true},
					},
				},
			},
			"schema_hash": idAttribute(viewSchemaHashDescription),
			"created_at":  createdAtAttribute("When the view was created in the registry (RFC 3339, UTC)."),
		},
	}
}

// ValidateConfig runs the part of FV1 the configuration alone shows: the
// sources' form, and the output names and labels of sources that list
// their features.
func (r *featureViewResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg featureViewModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if v, ok := cfg.known(ctx); ok {
		addProblems(&resp.Diagnostics, registry.CheckFeatureViewConfig(v))
	}
}

func (r *featureViewResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *featureViewResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *featureViewResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *featureViewResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *featureViewResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, version, err := registry.ParseFeatureViewID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	importObject(ctx, req, resp, map[string]any{"name": name, "version": newVersionValue(version)})
}

// ModifyPlan sets the id, runs rule FV1 for a view the plan creates (the
// sources exist in the environment or the plan creates them, and the
// output they form holds), and records the view in the run's plan with
// the schema FV1 computes, so that the model versions planned after it
// check their inputs against it (M2) and F2 keeps its feature versions.
func (r *featureViewResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindFeatureView}
	if req.Plan.Raw.IsNull() {
		trackPlan(ctx, r.reg, req, resp, obj)
		return
	}
	var plan featureViewModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v, known := plan.known(ctx)
	if v.Name != "" && v.Version > 0 {
		obj.id = v.ID()
		setPlannedID(ctx, resp, obj.id)
	}
	obj.replace = replacing(req, "name", "version", "sources", "labels")
	for _, s := range v.Sources {
		obj.reads = append(obj.reads, refsOf(registry.KindFeatureVersion, s.FeatureVersionID)...)
	}
	if r.reg != nil && (req.State.Raw.IsNull() || obj.replace) {
		schema, ps, err := r.reg.CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: v, Known: known})
		if err != nil {
			addRegistryError(&resp.Diagnostics, "check feature view", err)
			return
		}
		addProblems(&resp.Diagnostics, ps)
		v.Schema = schema
	}
	obj.content = v
	trackPlan(ctx, r.reg, req, resp, obj)
}

// known is the view as far as the configuration or plan knows it: unknown
// parts are zero. ok is false when the sources or labels are not all known
// (a feature version id not known yet is "" and does not count).
func (m featureViewModel) known(ctx context.Context) (v registry.FeatureView, ok bool) {
	v = registry.FeatureView{Name: knownString(m.Name), Description: knownString(m.Description)}
	if !m.Version.IsUnknown() && !m.Version.IsNull() {
		v.Version = m.Version.ValueInt64()
	}
	ok = !m.Sources.IsUnknown() && !m.Labels.IsUnknown()
	var labelsKnown bool
	v.Labels, labelsKnown = stringList(m.Labels)
	ok = ok && labelsKnown
	if m.Sources.IsUnknown() || m.Sources.IsNull() {
		return v, ok
	}
	for _, e := range m.Sources.Elements() {
		o, isObj := e.(types.Object)
		if !isObj || o.IsUnknown() || o.IsNull() {
			ok = false
			v.Sources = append(v.Sources, registry.FeatureViewSource{})
			continue
		}
		var ignored diag.Diagnostics
		s, _ := objectAs[viewSourceModel](ctx, o, &ignored)
		features, fk := stringList(s.Features)
		joinOn, jk := stringList(s.JoinOn)
		ok = ok && fk && jk && !s.Prefix.IsUnknown()
		v.Sources = append(v.Sources, registry.FeatureViewSource{
			FeatureVersionID: knownString(s.FeatureVersionID), Features: features, JoinOn: joinOn, Prefix: knownString(s.Prefix),
		})
	}
	return v, ok
}

// stringList converts a list of strings: nil when null; known is false
// when it or any element is unknown.
func stringList(l types.List) (out []string, known bool) {
	if l.IsUnknown() {
		return nil, false
	}
	if l.IsNull() {
		return nil, true
	}
	out = []string{}
	for _, e := range l.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// stringListValue is a list of strings, null when nil.
func stringListValue(ss []string, diags *diag.Diagnostics) types.List {
	if ss == nil {
		return types.ListNull(types.StringType)
	}
	l, d := types.ListValueFrom(context.Background(), types.StringType, ss)
	diags.Append(d...)
	return l
}

func featureViewFromRegistry(v registry.FeatureView, diags *diag.Diagnostics) featureViewModel {
	sources := make([]attr.Value, len(v.Sources))
	for i, s := range v.Sources {
		o, d := types.ObjectValue(viewSourceAttrTypes, map[string]attr.Value{
			"feature_version_id": types.StringValue(s.FeatureVersionID),
			"features":           stringListValue(s.Features, diags),
			"join_on":            stringListValue(s.JoinOn, diags),
			"prefix":             optionalString(s.Prefix),
		})
		diags.Append(d...)
		sources[i] = o
	}
	srcList, d := types.ListValue(types.ObjectType{AttrTypes: viewSourceAttrTypes}, sources)
	diags.Append(d...)
	cols := make([]attr.Value, len(v.Schema))
	for i, f := range v.Schema {
		o, d := types.ObjectValue(viewColumnAttrTypes, map[string]attr.Value{"name": types.StringValue(f.Name), "type": types.StringValue(f.Type)})
		diags.Append(d...)
		cols[i] = o
	}
	schemaList, d := types.ListValue(types.ObjectType{AttrTypes: viewColumnAttrTypes}, cols)
	diags.Append(d...)
	return featureViewModel{
		ID:          types.StringValue(v.ID()),
		Name:        types.StringValue(v.Name),
		Version:     newVersionValue(v.Version),
		Sources:     srcList,
		Labels:      stringListValue(v.Labels, diags),
		Description: optionalString(v.Description),
		Tags:        tagsFromRegistry(context.Background(), v.Tags, diags),
		Schema:      schemaList,
		SchemaHash:  types.StringValue(v.SchemaHash),
		CreatedAt:   types.StringValue(formatTime(v.CreatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *featureViewResource) mapping() objectMapping[featureViewModel, registry.FeatureView] {
	return objectMapping[featureViewModel, registry.FeatureView]{
		reg:  r.reg,
		kind: registry.KindFeatureView,
		toObject: func(ctx context.Context, m featureViewModel, diags *diag.Diagnostics) registry.FeatureView {
			v, _ := m.known(ctx)
			v.Tags = tagsToRegistry(ctx, m.Tags, diags)
			return v
		},
		fromObject: func(_ context.Context, v registry.FeatureView, diags *diag.Diagnostics) featureViewModel {
			return featureViewFromRegistry(v, diags)
		},
		stateID:  func(m featureViewModel) string { return m.ID.ValueString() },
		revision: func(o registry.FeatureView) int64 { return o.Revision },
		create:   r.reg.CreateFeatureView,
		read: func(ctx context.Context, id string) (registry.FeatureView, error) {
			name, version, err := registry.ParseFeatureViewID(id)
			if err != nil {
				return registry.FeatureView{}, err
			}
			return r.reg.FeatureView(ctx, name, version)
		},
		update: func(ctx context.Context, v registry.FeatureView, revision int64) (registry.FeatureView, error) {
			v.Revision = revision
			return r.reg.UpdateFeatureView(ctx, v)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			name, version, err := registry.ParseFeatureViewID(id)
			if err != nil {
				return err
			}
			return r.reg.DeleteFeatureView(ctx, name, version, registry.IfRevision(revision))
		},
	}
}
