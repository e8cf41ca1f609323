package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &modelVersionResource{}
	_ resource.ResourceWithConfigure      = &modelVersionResource{}
	_ resource.ResourceWithImportState    = &modelVersionResource{}
	_ resource.ResourceWithModifyPlan     = &modelVersionResource{}
	_ resource.ResourceWithValidateConfig = &modelVersionResource{}
)

// NewModelVersionResource returns the mlops_model_version resource.
func NewModelVersionResource() resource.Resource { return &modelVersionResource{} }

type modelVersionResource struct {
	resourceBase
}

type modelVersionModel struct {
	ID                types.String `tfsdk:"id"`
	ModelID           types.String `tfsdk:"model_id"`
	Version           versionValue `tfsdk:"version"`
	ArtifactURI       types.String `tfsdk:"artifact_uri"`
	ArtifactDigest    types.String `tfsdk:"artifact_digest"`
	FeatureVersionIDs types.Set    `tfsdk:"feature_version_ids"`
	FeatureViewIDs    types.Set    `tfsdk:"feature_view_ids"`
	Inputs            types.List   `tfsdk:"inputs"`
	Metrics           types.Map    `tfsdk:"metrics"`
	Description       types.String `tfsdk:"description"`
	Tags              types.Map    `tfsdk:"tags"`
	CreatedAt         types.String `tfsdk:"created_at"`
}

var inputAttrTypes = map[string]attr.Type{
	"feature": types.StringType,
	"type":    featureTypeType{},
}

func (r *modelVersionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_version"
}

func (r *modelVersionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A version of a model: a trained artifact and the feature versions and feature views it reads (its lineage). " +
			"Every listed feature version and feature view must exist in the environment (rule M1; a deprecated feature version warns), and every input must be " +
			"a feature of those versions or an output feature of those views, unambiguous and of the same type (rule M2). Checked at plan whenever the ids are known. " +
			"What the version was trained on forces a new version; metrics, description and tags change in place. " +
			"In a protected environment (`mlops_environment`), a version that a deployment serves cannot be destroyed or replaced (rule D9).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The model version's id, `<model>/<version>`, such as `fraud/2`."),
			"model_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model, usually `mlops_model.<name>.id`. Changing it creates a new version.",
				Required:            true,
				Validators:          []validator.String{modelNameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version number, a whole number of 1 or more. Changing it creates a new version.",
				Required:            true,
				CustomType:          versionType{},
				PlanModifiers:       []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"artifact_uri": schema.StringAttribute{
				MarkdownDescription: "Where the trained artifact is: a URL with a scheme, such as `s3://models/fraud/2`. Changing it creates a new version.",
				Required:            true,
				Validators:          []validator.String{artifactURIValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"artifact_digest": schema.StringAttribute{
				MarkdownDescription: "Digest of the artifact, `<algorithm>:<hex>`, such as `sha256:…`. Changing it creates a new version.",
				Optional:            true,
				Validators:          []validator.String{artifactDigestValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"feature_version_ids": schema.SetAttribute{
				MarkdownDescription: "Ids of the feature versions the model version reads directly, usually `mlops_feature_version.<name>.id` " +
					"or `provider::mlops::feature_version_id(group, version)`. A model version lists at least one feature version or feature view. " +
					"Changing them creates a new version.",
				Optional:      true,
				ElementType:   types.StringType,
				Validators:    []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(featureVersionIDValidator())},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"feature_view_ids": schema.SetAttribute{
				MarkdownDescription: "Ids of the feature views the model version reads, usually `mlops_feature_view.<name>.id`. Its inputs may name " +
					"their output features (`view.feature` where ambiguous), never their labels. Changing them creates a new version.",
				Optional:      true,
				ElementType:   types.StringType,
				Validators:    []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(featureViewIDValidator())},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"inputs": wideList(schema.ListNestedAttribute{
				MarkdownDescription: "The features the model reads, in its input order. Unset: every feature of the listed feature versions. " +
					"A feature found in two listed versions must be written `group.feature`. Changing them creates a new version.",
				Optional:   true,
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplaceIf(inputsChanged,
					"Changing the inputs, other than the spelling of a type, creates a new version.",
					"Changing the inputs, other than the spelling of a type, creates a new version.")},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"feature": schema.StringAttribute{
							MarkdownDescription: "Feature name, or `group.feature`.",
							Required:            true,
						},
						"type": schema.StringAttribute{
							MarkdownDescription: "Type the model expects; when set it must equal the feature's type under the feature type language " +
								"(`Array< INT >` equals `array<int>`: re-spelling it is no change). The registry keeps the canonical form.",
							Optional:   true,
							CustomType: featureTypeType{},
						},
					},
				},
			}),
			"metrics": schema.MapAttribute{
				MarkdownDescription: "Evaluation metrics, such as `{ auc = 0.93 }`. Kept exactly as written. Change in place.",
				Optional:            true,
				ElementType:         types.NumberType,
			},
			"description": descriptionAttribute(),
			"tags":        tagsAttribute(),
			"created_at":  createdAtAttribute("When the version was registered (RFC 3339, UTC)."),
		},
	}
}

// ValidateConfig runs the checks the configuration alone shows: metric
// names and values, and the inputs' names and types (M2).
func (r *modelVersionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg modelVersionModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ps registry.Problems
	if known(cfg.Metrics) {
		for name, e := range cfg.Metrics.Elements() {
			ps = append(ps, registry.CheckMetricName(name)...)
			if n, ok := e.(types.Number); ok && known(n) {
				ps = append(ps, registry.CheckMetricValue(name, decimalText(n))...)
			}
		}
	}
	if inputs, ok := inputsFromList(ctx, cfg.Inputs, &resp.Diagnostics); ok {
		ps = append(ps, registry.CheckInputNames(inputs)...)
	}
	if cfg.FeatureVersionIDs.IsNull() && cfg.FeatureViewIDs.IsNull() {
		id := "(new)"
		if model, version := knownString(cfg.ModelID), cfg.Version.ValueInt64(); model != "" && version > 0 {
			id = registry.ModelVersionID(model, version)
		}
		ps = append(ps, registry.CheckReadsSomething(id, true, true)...)
	}
	addProblems(&resp.Diagnostics, ps)
}

func (r *modelVersionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	model, version, err := registry.ParseModelVersionID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	importObject(ctx, req, resp, map[string]any{"model_id": model, "version": newVersionValue(version)})
}

// ModifyPlan sets the id, records the version in the run's plan (F2:
// deleting or replacing it while a deployment that serves it stays is
// refused; D9: in a protected environment, also while it leaves) and runs, for a version the plan creates, the registry's checks
// whose inputs are known: the model exists, every known feature version
// exists (M1, a deprecated one warns) and, once all are known, the inputs
// match them (M2).
func (r *modelVersionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindModelVersion}
	if req.Plan.Raw.IsNull() {
		trackPlan(ctx, r.reg, req, resp, obj)
		return
	}
	var plan modelVersionModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		// Re-spelling an input's type is no change: keep the prior spelling.
		var prior types.List
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("inputs"), &prior)...)
		if !prior.Equal(plan.Inputs) && !inputsDiffer(ctx, prior, plan.Inputs, &resp.Diagnostics) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("inputs"), prior)...)
			plan.Inputs = prior
		}
	}
	model := knownString(plan.ModelID)
	if model != "" && plan.Version.ValueInt64() > 0 {
		obj.id = registry.ModelVersionID(model, plan.Version.ValueInt64())
		setPlannedID(ctx, resp, obj.id)
	}
	var ignored diag.Diagnostics // unknown parts stay zero
	mv := plan.toRegistry(ctx, &ignored)
	obj.content = mv
	obj.replace = replacing(req, "model_id", "version", "artifact_uri", "artifact_digest", "feature_version_ids", "feature_view_ids") || inputsReplaced(ctx, req)
	obj.reads = append(refsOf(registry.KindModel, model), refsOf(registry.KindFeatureVersion, mv.FeatureVersionIDs...)...)
	obj.reads = append(obj.reads, refsOf(registry.KindFeatureView, mv.FeatureViewIDs...)...)
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() && !obj.replace {
		return // in place: only metrics, description and tags change
	}
	p := registry.ModelVersionPlan{Version: plan.Version.ValueInt64()}
	if !plan.ModelID.IsUnknown() {
		p.Model = plan.ModelID.ValueString()
	}
	p.FeatureVersionIDs, p.AllFeatureVersionsKnown = knownStrings(plan.FeatureVersionIDs)
	p.FeatureViewIDs, p.AllFeatureViewsKnown = knownStrings(plan.FeatureViewIDs)
	// Unset is known: none of that kind.
	p.AllFeatureVersionsKnown = p.AllFeatureVersionsKnown || plan.FeatureVersionIDs.IsNull()
	p.AllFeatureViewsKnown = p.AllFeatureViewsKnown || plan.FeatureViewIDs.IsNull()
	p.Inputs, p.InputsKnown = inputsFromList(ctx, plan.Inputs, &resp.Diagnostics)
	ps, err := r.reg.CheckModelVersionPlan(ctx, p)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check model version", err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

func (m modelVersionModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.ModelVersion {
	ids, _ := knownStrings(m.FeatureVersionIDs)
	views, _ := knownStrings(m.FeatureViewIDs)
	inputs, _ := inputsFromList(ctx, m.Inputs, diags)
	return registry.ModelVersion{
		Model:             m.ModelID.ValueString(),
		Version:           m.Version.ValueInt64(),
		ArtifactURI:       m.ArtifactURI.ValueString(),
		ArtifactDigest:    m.ArtifactDigest.ValueString(),
		FeatureVersionIDs: ids,
		FeatureViewIDs:    views,
		Inputs:            inputs,
		Metrics:           metricsToRegistry(m.Metrics),
		Description:       m.Description.ValueString(),
		Tags:              tagsToRegistry(ctx, m.Tags, diags),
	}
}

func modelVersionFromRegistry(v registry.ModelVersion, diags *diag.Diagnostics) modelVersionModel {
	return modelVersionModel{
		ID:                types.StringValue(v.ID()),
		ModelID:           types.StringValue(v.Model),
		Version:           newVersionValue(v.Version),
		ArtifactURI:       types.StringValue(v.ArtifactURI),
		ArtifactDigest:    optionalString(v.ArtifactDigest),
		FeatureVersionIDs: idSet(v.FeatureVersionIDs, diags),
		FeatureViewIDs:    idSet(v.FeatureViewIDs, diags),
		Inputs:            inputsToList(v.Inputs, diags),
		Metrics:           metricsFromRegistry(v.Metrics, diags),
		Description:       optionalString(v.Description),
		Tags:              tagsFromRegistry(context.Background(), v.Tags, diags),
		CreatedAt:         types.StringValue(formatTime(v.CreatedAt)),
	}
}

// idSet is a set of ids, null when there are none.
func idSet(ids []string, diags *diag.Diagnostics) types.Set {
	if len(ids) == 0 {
		return types.SetNull(types.StringType)
	}
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	set, d := types.SetValue(types.StringType, elems)
	diags.Append(d...)
	return set
}

// inputsChanged requires a new version unless the inputs differ at most in
// the spelling of a type.
func inputsChanged(ctx context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = inputsDiffer(ctx, req.StateValue, req.PlanValue, &resp.Diagnostics)
}

// inputsDiffer reports whether planned inputs differ from prior ones other
// than in the spelling of a type (or are not known yet).
func inputsDiffer(ctx context.Context, prior, planned types.List, diags *diag.Diagnostics) bool {
	p, ok := inputsFromList(ctx, planned, diags)
	s, _ := inputsFromList(ctx, prior, diags)
	return !ok || !registry.InputsEquivalent(s, p)
}

// inputsReplaced reports whether the plan replaces the version for its
// inputs (see inputsChanged).
func inputsReplaced(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return false
	}
	var prior, planned types.List
	var ignored diag.Diagnostics
	ignored.Append(req.State.GetAttribute(ctx, path.Root("inputs"), &prior)...)
	ignored.Append(req.Plan.GetAttribute(ctx, path.Root("inputs"), &planned)...)
	return inputsDiffer(ctx, prior, planned, &ignored)
}

// knownStrings returns the known elements of a set; all is false when the
// set or any element is unknown.
func knownStrings(s types.Set) (known []string, all bool) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false
	}
	all = true
	for _, e := range s.Elements() {
		str, ok := e.(types.String)
		if !ok || str.IsUnknown() || str.IsNull() {
			all = false
			continue
		}
		known = append(known, str.ValueString())
	}
	return known, all
}

// inputsFromList converts inputs; nil means unset (every feature). known is
// false when any part is unknown.
func inputsFromList(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]registry.Input, bool) {
	rows, known, d := listObjectStrings(ctx, l, "feature", "type")
	diags.Append(d...)
	if !known {
		return nil, false
	}
	if rows == nil {
		return nil, true
	}
	inputs := make([]registry.Input, len(rows))
	for i, r := range rows {
		inputs[i] = registry.Input{Feature: r[0], Type: r[1]}
	}
	return inputs, true
}

func inputsToList(inputs []registry.Input, diags *diag.Diagnostics) types.List {
	objType := types.ObjectType{AttrTypes: inputAttrTypes}
	if inputs == nil {
		return types.ListNull(objType)
	}
	elems := make([]attr.Value, len(inputs))
	for i, in := range inputs {
		obj, d := types.ObjectValue(inputAttrTypes, map[string]attr.Value{"feature": types.StringValue(in.Feature), "type": optionalFeatureType(in.Type)})
		diags.Append(d...)
		elems[i] = obj
	}
	l, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return l
}

// metricsToRegistry keeps each metric's exact decimal text.
func metricsToRegistry(m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := make(map[string]string, len(m.Elements()))
	for k, e := range m.Elements() {
		if n, ok := e.(types.Number); ok {
			if text := decimalText(n); text != "" {
				out[k] = text
			}
		}
	}
	return out
}

func metricsFromRegistry(metrics map[string]string, diags *diag.Diagnostics) types.Map {
	if metrics == nil {
		return types.MapNull(types.NumberType)
	}
	elems := make(map[string]attr.Value, len(metrics))
	for k, s := range metrics {
		elems[k] = decimalValue("metric "+k, s, diags)
	}
	m, d := types.MapValue(types.NumberType, elems)
	diags.Append(d...)
	return m
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *modelVersionResource) mapping() objectMapping[modelVersionModel, registry.ModelVersion] {
	return objectMapping[modelVersionModel, registry.ModelVersion]{
		reg:  r.reg,
		kind: registry.KindModelVersion,
		toObject: func(ctx context.Context, m modelVersionModel, diags *diag.Diagnostics) registry.ModelVersion {
			return m.toRegistry(ctx, diags)
		},
		fromObject: func(_ context.Context, v registry.ModelVersion, diags *diag.Diagnostics) modelVersionModel {
			return modelVersionFromRegistry(v, diags)
		},
		stateID:  func(m modelVersionModel) string { return m.ID.ValueString() },
		revision: func(o registry.ModelVersion) int64 { return o.Revision },
		create:   r.reg.CreateModelVersion,
		read: func(ctx context.Context, id string) (registry.ModelVersion, error) {
			model, version, err := registry.ParseModelVersionID(id)
			if err != nil {
				return registry.ModelVersion{}, err
			}
			return r.reg.ModelVersion(ctx, model, version)
		},
		update: func(ctx context.Context, v registry.ModelVersion, revision int64) (registry.ModelVersion, error) {
			v.Revision = revision
			return r.reg.UpdateModelVersion(ctx, v)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			model, version, err := registry.ParseModelVersionID(id)
			if err != nil {
				return err
			}
			return r.reg.DeleteModelVersion(ctx, model, version, registry.IfRevision(revision))
		},
	}
}

// optionalFeatureType is a feature type, null when empty.
func optionalFeatureType(s string) featureTypeValue {
	if s == "" {
		return featureTypeValue{StringValue: types.StringNull()}
	}
	return newFeatureTypeValue(s)
}
