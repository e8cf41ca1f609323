package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &validationSuiteResource{}
	_ resource.ResourceWithConfigure      = &validationSuiteResource{}
	_ resource.ResourceWithImportState    = &validationSuiteResource{}
	_ resource.ResourceWithModifyPlan     = &validationSuiteResource{}
	_ resource.ResourceWithValidateConfig = &validationSuiteResource{}
)

// NewValidationSuiteResource returns the mlops_validation_suite resource.
func NewValidationSuiteResource() resource.Resource { return &validationSuiteResource{} }

type validationSuiteResource struct {
	resourceBase
}

type validationSuiteModel struct {
	ID                      types.String `tfsdk:"id"`
	Name                    types.String `tfsdk:"name"`
	FeatureVersionID        types.String `tfsdk:"feature_version_id"`
	ModelID                 types.String `tfsdk:"model_id"`
	IngestionPolicy         types.String `tfsdk:"ingestion_policy"`
	Expectations            types.List   `tfsdk:"expectations"`
	GreatExpectationsJSON   types.String `tfsdk:"great_expectations_json"`
	GreatExpectationsJSONV0 types.String `tfsdk:"great_expectations_json_v0"`
	CreatedAt               types.String `tfsdk:"created_at"`
}

type expectationModel struct {
	Type     types.String `tfsdk:"type"`
	Column   types.String `tfsdk:"column"`
	Metric   types.String `tfsdk:"metric"`
	MinValue types.Number `tfsdk:"min_value"`
	MaxValue types.Number `tfsdk:"max_value"`
	ValueSet types.List   `tfsdk:"value_set"`
	Regex    types.String `tfsdk:"regex"`
	Mostly   types.Number `tfsdk:"mostly"`
	Severity types.String `tfsdk:"severity"`
}

var expectationAttrTypes = map[string]attr.Type{
	"type": types.StringType, "column": types.StringType, "metric": types.StringType,
	"min_value": types.NumberType, "max_value": types.NumberType, "value_set": types.ListType{ElemType: types.StringType},
	"regex": types.StringType, "mostly": types.NumberType, "severity": types.StringType,
}

func (r *validationSuiteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_validation_suite"
}

func expectationTypesMarkdown(target string) string {
	return codeList(registry.ExpectationTypeNames(target))
}

func (r *validationSuiteResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A validation suite: data expectations on a feature version (`feature_version_id`), in Great Expectations' " +
			"names and kwargs, or release gates on a model's metrics (`model_id`). Every release gate of a model is checked, at plan, " +
			"against each model version a deployment would serve (rule D3). Expectations are checked at validate and against the " +
			"feature version's schema at plan (rule V1).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The suite's id: its name."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the environment; must match `" + registry.SuiteNamePattern + "`. Changing it creates a new suite.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"feature_version_id": schema.StringAttribute{
				MarkdownDescription: "Target of a data suite: the feature version whose data it checks. Exactly one of `feature_version_id` and `model_id`. Changing it creates a new suite.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"model_id": schema.StringAttribute{
				MarkdownDescription: "Target of a model suite: the model whose versions' metrics it gates. Changing it creates a new suite.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"ingestion_policy": schema.StringAttribute{
				MarkdownDescription: "Data suites only: `strict` (data that fails the suite is not ingested; the default when unset) or `always` (ingested, failures reported). Recorded in the suite's Great Expectations JSON for the pipeline.",
				Optional:            true,
			},
			"expectations": schema.ListNestedAttribute{
				MarkdownDescription: "The expectations, in order. Data suites take " + expectationTypesMarkdown(registry.TargetData) +
					"; model suites take " + expectationTypesMarkdown(registry.TargetModel) + ". Each type takes only its own fields.",
				Required: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type":      schema.StringAttribute{MarkdownDescription: "Expectation type.", Required: true},
						"column":    schema.StringAttribute{MarkdownDescription: "Column (feature) of the target feature version.", Optional: true},
						"metric":    schema.StringAttribute{MarkdownDescription: "Metric of the model versions (model suites).", Optional: true},
						"min_value": schema.NumberAttribute{MarkdownDescription: "Lower bound, inclusive.", Optional: true},
						"max_value": schema.NumberAttribute{MarkdownDescription: "Upper bound, inclusive.", Optional: true},
						"value_set": schema.ListAttribute{MarkdownDescription: "Allowed values (`expect_column_values_to_be_in_set`).", Optional: true, ElementType: types.StringType},
						"regex":     schema.StringAttribute{MarkdownDescription: "Regular expression in Python's `re` syntax, as Great Expectations runs it, searched anywhere in the value (`re.search`). Go's RE2 engine runs it: lookaround and backreferences are refused.", Optional: true},
						"mostly":    schema.NumberAttribute{MarkdownDescription: "Share of values that must pass, 0 to 1.", Optional: true},
						"severity": schema.StringAttribute{
							MarkdownDescription: "`error` (the default: a failing release gate refuses the deployment change) or `warning` (it warns).",
							Optional:            true,
							Computed:            true,
							Default:             stringdefault.StaticString(registry.SeverityNameError),
						},
					},
				},
			},
			"great_expectations_json": schema.StringAttribute{
				MarkdownDescription: greatExpectationsJSONDescription,
				Computed:            true,
			},
			"great_expectations_json_v0": schema.StringAttribute{
				MarkdownDescription: greatExpectationsJSONV0Description,
				Computed:            true,
			},
			"created_at": createdAtAttribute("When the suite was created in the registry (RFC 3339, UTC)."),
		},
	}
}

// ValidateConfig runs rule V1 where the configuration alone shows it.
func (r *validationSuiteResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg validationSuiteModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ps registry.Problems
	if known(cfg.Name) {
		ps = append(ps, registry.CheckSuiteName(cfg.Name.ValueString())...)
	}
	ps = append(ps, registry.CheckSuiteTarget(!cfg.FeatureVersionID.IsNull(), !cfg.ModelID.IsNull())...)
	target := ""
	switch {
	case !cfg.FeatureVersionID.IsNull() && cfg.ModelID.IsNull():
		target = registry.TargetData
	case cfg.FeatureVersionID.IsNull() && !cfg.ModelID.IsNull():
		target = registry.TargetModel
	}
	if known(cfg.FeatureVersionID) {
		if _, _, err := registry.ParseFeatureVersionID(cfg.FeatureVersionID.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("feature_version_id"), "Invalid feature version id", err.Error())
		}
	}
	if known(cfg.IngestionPolicy) {
		ps = append(ps, registry.CheckIngestionPolicy(cfg.IngestionPolicy.ValueString(), target)...)
	}
	exps, _ := expectationsFromList(ctx, cfg.Expectations, &resp.Diagnostics)
	if known(cfg.Expectations) {
		ps = append(ps, registry.CheckExpectationCount(len(cfg.Expectations.Elements()))...)
	}
	for i, e := range exps {
		ps = append(ps, registry.CheckExpectation(i, e, target)...)
	}
	addProblems(&resp.Diagnostics, ps)
}

func (r *validationSuiteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *validationSuiteResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *validationSuiteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *validationSuiteResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *validationSuiteResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if ps := registry.CheckSuiteName(req.ID); len(ps) > 0 {
		resp.Diagnostics.AddError("Invalid import id", "A validation suite is imported by its name: "+ps[0].Detail+".")
		return
	}
	importObject(ctx, req, resp, nil)
}

// The descriptions of the computed Great Expectations JSON, shared with the
// data source.
const (
	greatExpectationsJSONDescription = "The suite in the ExpectationSuite JSON of Great Expectations 1.x (written as " +
		registry.GreatExpectationsVersion + " writes it), so that a pipeline runs it as it is: " +
		"`gx.ExpectationSuite(**json.loads(great_expectations_json))`. `value_set` is typed by the column's feature type " +
		"(numbers, booleans or strings); numbers are written as configured, integers as JSON integers. Each expectation's " +
		"`severity` is in its `meta` (Great Expectations has no severity); a model suite's release gates, which Great " +
		"Expectations does not run, are in `meta.mlops.release_gates`. Known at plan when the target already exists."
	greatExpectationsJSONV0Description = "The suite in the ExpectationSuite JSON of Great Expectations 0.18 (`expectation_suite_name`, " +
		"`expectation_type`), for pipelines that still run " + registry.GreatExpectationsV0Version + "; Great Expectations 1.x refuses it."
)

// ModifyPlan sets the id (the name), records the suite in the run's plan
// (a suite reads its target: F2), runs rule V1 against the target once it
// is known (the target exists; columns exist; bounds only on numeric
// columns) and computes great_expectations_json when everything it needs
// is known.
func (r *validationSuiteResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindSuite}
	plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m validationSuiteModel) types.String { return m.Name }, "name", "feature_version_id", "model_id")
	if !ok {
		if !resp.Diagnostics.HasError() {
			trackPlan(ctx, r.reg, req, resp, obj)
		}
		return
	}
	var ignored diag.Diagnostics // unknown parts stay zero
	suite := plan.toRegistry(ctx, &ignored)
	suite.IngestionPolicy = knownString(plan.IngestionPolicy)
	obj.content = suite
	obj.reads = append(refsOf(registry.KindFeatureVersion, suite.FeatureVersion), refsOf(registry.KindModel, suite.Model)...)
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state validationSuiteModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if state.Expectations.Equal(plan.Expectations) && state.IngestionPolicy.Equal(plan.IngestionPolicy) &&
			state.FeatureVersionID.Equal(plan.FeatureVersionID) && state.ModelID.Equal(plan.ModelID) {
			return // unchanged: the Great Expectations JSON stays as it is
		}
	}
	_, expsKnown := expectationsFromList(ctx, plan.Expectations, &resp.Diagnostics)
	p := registry.SuitePlan{
		Suite:       suite,
		TargetKnown: !plan.FeatureVersionID.IsUnknown() && !plan.ModelID.IsUnknown(),
	}
	ps, geJSON, err := r.reg.CheckSuitePlan(ctx, p)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check validation suite "+quote(p.Suite.Name), err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
	if geJSON.JSON != "" && expsKnown && !plan.IngestionPolicy.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("great_expectations_json"), geJSON.JSON)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("great_expectations_json_v0"), geJSON.JSONV0)...)
	}
}

func (m validationSuiteModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.ValidationSuite {
	exps, _ := expectationsFromList(ctx, m.Expectations, diags)
	return registry.ValidationSuite{
		Name:            m.Name.ValueString(),
		FeatureVersion:  m.FeatureVersionID.ValueString(),
		Model:           m.ModelID.ValueString(),
		IngestionPolicy: m.IngestionPolicy.ValueString(),
		Expectations:    exps,
	}
}

func (r *validationSuiteResource) fromRegistry(ctx context.Context, s registry.ValidationSuite, diags *diag.Diagnostics) validationSuiteModel {
	geJSON, err := r.reg.GreatExpectationsJSON(ctx, s)
	if err != nil {
		addRegistryError(diags, "render validation suite "+quote(s.Name), err)
	}
	return validationSuiteFromRegistry(s, geJSON, diags)
}

func validationSuiteFromRegistry(s registry.ValidationSuite, geJSON registry.GreatExpectations, diags *diag.Diagnostics) validationSuiteModel {
	return validationSuiteModel{
		ID:                      types.StringValue(s.ID()),
		Name:                    types.StringValue(s.Name),
		FeatureVersionID:        optionalString(s.FeatureVersion),
		ModelID:                 optionalString(s.Model),
		IngestionPolicy:         optionalString(s.IngestionPolicy),
		Expectations:            expectationsToList(s.Expectations, diags),
		GreatExpectationsJSON:   types.StringValue(geJSON.JSON),
		GreatExpectationsJSONV0: types.StringValue(geJSON.JSONV0),
		CreatedAt:               types.StringValue(formatTime(s.CreatedAt)),
	}
}

// expectationsFromList converts expectations; fields not known yet are
// listed in each expectation's Unknown. known is false when any is.
func expectationsFromList(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]registry.Expectation, bool) {
	if l.IsNull() || l.IsUnknown() {
		return nil, false
	}
	known := true
	out := make([]registry.Expectation, 0, len(l.Elements()))
	for _, el := range l.Elements() {
		obj, ok := el.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			known = false
			continue
		}
		var m expectationModel
		diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
		e := registry.Expectation{
			Type: m.Type.ValueString(), Column: m.Column.ValueString(), Metric: m.Metric.ValueString(),
			MinValue: decimalText(m.MinValue), MaxValue: decimalText(m.MaxValue), Regex: m.Regex.ValueString(),
			Mostly: decimalText(m.Mostly), Severity: m.Severity.ValueString(),
		}
		if !m.ValueSet.IsNull() && !m.ValueSet.IsUnknown() {
			e.ValueSet = []string{}
			for _, v := range m.ValueSet.Elements() {
				s, _ := v.(types.String)
				if s.IsUnknown() {
					e.Unknown = append(e.Unknown, registry.FieldValueSet)
					break
				}
				e.ValueSet = append(e.ValueSet, s.ValueString())
			}
		}
		for name, v := range map[string]attr.Value{
			"type": m.Type, registry.FieldColumn: m.Column, registry.FieldMetric: m.Metric, registry.FieldMinValue: m.MinValue,
			registry.FieldMaxValue: m.MaxValue, registry.FieldValueSet: m.ValueSet, registry.FieldRegex: m.Regex,
			registry.FieldMostly: m.Mostly, registry.FieldSeverity: m.Severity,
		} {
			if v.IsUnknown() {
				e.Unknown = append(e.Unknown, name)
			}
		}
		if len(e.Unknown) > 0 {
			known = false
		}
		out = append(out, e)
	}
	return out, known
}

func expectationsToList(exps []registry.Expectation, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, len(exps))
	for i, e := range exps {
		valueSet := types.ListNull(types.StringType)
		if e.ValueSet != nil {
			vals := make([]attr.Value, len(e.ValueSet))
			for j, v := range e.ValueSet {
				vals[j] = types.StringValue(v)
			}
			valueSet = types.ListValueMust(types.StringType, vals)
		}
		obj, d := types.ObjectValue(expectationAttrTypes, map[string]attr.Value{
			"type": types.StringValue(e.Type), "column": optionalString(e.Column), "metric": optionalString(e.Metric),
			"min_value": decimalValue("min_value", e.MinValue, diags), "max_value": decimalValue("max_value", e.MaxValue, diags),
			"value_set": valueSet, "regex": optionalString(e.Regex), "mostly": decimalValue("mostly", e.Mostly, diags),
			"severity": types.StringValue(e.EffectiveSeverity()),
		})
		diags.Append(d...)
		elems[i] = obj
	}
	l, d := types.ListValue(types.ObjectType{AttrTypes: expectationAttrTypes}, elems)
	diags.Append(d...)
	return l
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *validationSuiteResource) mapping() objectMapping[validationSuiteModel, registry.ValidationSuite] {
	return objectMapping[validationSuiteModel, registry.ValidationSuite]{
		reg:  r.reg,
		kind: registry.KindSuite,
		toObject: func(ctx context.Context, m validationSuiteModel, diags *diag.Diagnostics) registry.ValidationSuite {
			return m.toRegistry(ctx, diags)
		},
		fromObject: r.fromRegistry,
		stateID:    func(m validationSuiteModel) string { return m.ID.ValueString() },
		revision:   func(o registry.ValidationSuite) int64 { return o.Revision },
		create:     r.reg.CreateSuite,
		read:       r.reg.Suite,
		update: func(ctx context.Context, s registry.ValidationSuite, revision int64) (registry.ValidationSuite, error) {
			s.Revision = revision
			return r.reg.UpdateSuite(ctx, s)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteSuite(ctx, id, registry.IfRevision(revision))
		},
	}
}
