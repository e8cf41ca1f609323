package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &deploymentResource{}
	_ resource.ResourceWithConfigure      = &deploymentResource{}
	_ resource.ResourceWithImportState    = &deploymentResource{}
	_ resource.ResourceWithModifyPlan     = &deploymentResource{}
	_ resource.ResourceWithValidateConfig = &deploymentResource{}
)

// NewDeploymentResource returns the mlops_deployment resource.
func NewDeploymentResource() resource.Resource { return &deploymentResource{} }

type deploymentResource struct {
	resourceBase
}

type deploymentModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	ModelVersionID types.String `tfsdk:"model_version_id"`
	Canary         types.Object `tfsdk:"canary"`
	Shadow         types.Object `tfsdk:"shadow"`
	Replicas       types.Object `tfsdk:"replicas"`
	PromoteFrom    types.String `tfsdk:"promote_from"`
	Status         types.String `tfsdk:"status"`
	UpdatedAt      types.String `tfsdk:"updated_at"`
	// Rollback is rollback_model_version_id.
	Rollback types.String `tfsdk:"rollback_model_version_id"`
}

type canaryModel struct {
	ModelVersionID types.String `tfsdk:"model_version_id"`
	Percent        types.Int64  `tfsdk:"percent"`
}

type shadowModel struct {
	ModelVersionID types.String `tfsdk:"model_version_id"`
	SamplePercent  types.Int64  `tfsdk:"sample_percent"`
}

type replicasModel struct {
	Min types.Int64 `tfsdk:"min"`
	Max types.Int64 `tfsdk:"max"`
}

var (
	canaryAttrTypes   = map[string]attr.Type{"model_version_id": types.StringType, "percent": types.Int64Type}
	shadowAttrTypes   = map[string]attr.Type{"model_version_id": types.StringType, "sample_percent": types.Int64Type}
	replicasAttrTypes = map[string]attr.Type{"min": types.Int64Type, "max": types.Int64Type}
)

func (r *deploymentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment"
}

func (r *deploymentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A deployment: serves a model version, optionally with a canary and a shadow, in the provider's environment. " +
			"Plan refuses a deployment whose model version the environment lacks (rule D1) or that reads a feature version the " +
			"environment lacks (rule D2), a served version (main, canary or shadow) failing its model's release gates (rule D3), a bad canary or shadow (rule D4), and a promotion of what the `promote_from` environment does not " +
			"serve (rule D5). The policy of the environment (`mlops_environment`) adds its rules: approved versions only (rule D6), " +
			"promotion from the environment's `promote_from` (rule D7), its required gates (rule D8), and in a protected environment no " +
			"destroy or replacement (rule D9). Changing what it serves is an in-place update, so upgrades and rollbacks are reviewed as one diff.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The deployment's id: its name."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the environment; must match `" + registry.DeploymentNamePattern + "`. Changing it creates a new deployment.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"model_version_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model version served, usually `mlops_model_version.<name>.id` or " +
					"`provider::mlops::model_version_id(model, version)`.",
				Required: true,
			},
			"canary": schema.SingleNestedAttribute{
				MarkdownDescription: "A second version of the same model that takes a share of the traffic.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"model_version_id": schema.StringAttribute{
						MarkdownDescription: "Id of the canary model version: a different version of the same model.",
						Required:            true,
					},
					"percent": schema.Int64Attribute{
						MarkdownDescription: "Share of the traffic the canary takes, 1 to 99.",
						Required:            true,
					},
				},
			},
			"shadow": schema.SingleNestedAttribute{
				MarkdownDescription: "A version of the same model that receives a copy of a sample of the requests; its answers are " +
					"discarded, so it takes no share of the traffic and `status` does not change. It is served like the main version: " +
					"rules D1 to D3 and the environment's policy (D6, D8) apply to it, and its model version cannot be deleted while it is shadowed (F2).",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"model_version_id": schema.StringAttribute{
						MarkdownDescription: "Id of the shadow model version: a version of the same model, neither the main version nor the canary.",
						Required:            true,
					},
					"sample_percent": schema.Int64Attribute{
						MarkdownDescription: "Share of the requests copied to the shadow, " + strconv.Itoa(registry.MinShadowPercent) + " to " +
							strconv.Itoa(registry.MaxShadowPercent) + " (100 copies every request).",
						Required: true,
					},
				},
			},
			"replicas": schema.SingleNestedAttribute{
				MarkdownDescription: "Replica bounds. Defaults to `{ min = 1, max = 1 }`.",
				Optional:            true,
				Computed:            true,
				Default: objectdefault.StaticValue(types.ObjectValueMust(replicasAttrTypes, map[string]attr.Value{
					"min": types.Int64Value(registry.DefaultReplicas.Min), "max": types.Int64Value(registry.DefaultReplicas.Max),
				})),
				Attributes: map[string]schema.Attribute{
					"min": schema.Int64Attribute{MarkdownDescription: "Minimum replicas, 0 or more.", Required: true},
					"max": schema.Int64Attribute{MarkdownDescription: "Maximum replicas, at least `min`.", Required: true},
				},
			},
			"promote_from": schema.StringAttribute{
				MarkdownDescription: "Environment this deployment is promoted from, such as `staging` for prod. Every model version served " +
					"here must be served, as the same artifact, by the deployment of the same name there (rule D5).",
				Optional: true,
			},
			"rollback_model_version_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model version to fall back to, usually the previous main version: another version of the " +
					"served model, not served. It must pass what a served version must (rules D1 to D3, and D6 where the environment requires " +
					"approval), and every feature version it reads must be written by an enabled `mlops_pipeline` of kind `feature` in the " +
					"environment (rule D10); while the deployment names it, that pipeline cannot be disabled or deleted, nor that feature version " +
					"deprecated, and the version cannot be deleted (rule F2). Changing it is an in-place update.",
				Optional:   true,
				Validators: []validator.String{modelVersionIDValidator()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`serving` when one model version takes all traffic, `canary` when a canary takes a share. Known at plan.",
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the deployment last changed in the registry (RFC 3339, UTC).",
				Computed:            true,
			},
		},
	}
}

// ValidateConfig runs the checks the configuration alone shows, on what is
// known: name, ids, canary and shadow (D4), replicas and promote_from.
func (r *deploymentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg deploymentModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ps registry.Problems
	if known(cfg.Name) {
		ps = append(ps, registry.CheckDeploymentName(cfg.Name.ValueString())...)
	}
	if known(cfg.ModelVersionID) {
		ps = append(ps, registry.CheckModelVersionRef(registry.Path{"model_version_id"}, "D1", cfg.ModelVersionID.ValueString())...)
	}
	if c, ok := objectAs[canaryModel](ctx, cfg.Canary, &resp.Diagnostics); ok {
		ps = append(ps, registry.CheckCanary(cfg.Name.ValueString(), knownString(cfg.ModelVersionID), knownString(c.ModelVersionID), knownInt64(c.Percent))...)
	}
	if sh, ok := objectAs[shadowModel](ctx, cfg.Shadow, &resp.Diagnostics); ok {
		ps = append(ps, registry.CheckShadow(cfg.Name.ValueString(), knownString(cfg.ModelVersionID), canaryID(ctx, cfg.Canary),
			knownString(sh.ModelVersionID), knownInt64(sh.SamplePercent))...)
	}
	if rep, ok := objectAs[replicasModel](ctx, cfg.Replicas, &resp.Diagnostics); ok {
		ps = append(ps, registry.CheckReplicas(knownInt64(rep.Min), knownInt64(rep.Max))...)
	}
	if known(cfg.PromoteFrom) {
		ps = append(ps, registry.CheckPromoteFrom(cfg.Name.ValueString(), cfg.PromoteFrom.ValueString(), "")...)
	}
	if _, _, err := registry.ParseModelVersionID(cfg.Rollback.ValueString()); known(cfg.Rollback) && err == nil {
		ps = append(ps, registry.CheckRollback(cfg.Name.ValueString(), knownString(cfg.ModelVersionID), cfg.Rollback.ValueString())...)
	}
	addProblems(&resp.Diagnostics, ps)
}

func (r *deploymentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *deploymentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *deploymentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *deploymentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *deploymentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !registry.ValidDeploymentName(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			"A deployment is imported by its name, which must match "+registry.DeploymentNamePattern+"; got "+quote(req.ID)+".")
		return
	}
	importObject(ctx, req, resp, nil)
}

// ModifyPlan sets status, and for a deployment the plan creates or changes
// runs the registry's checks on what is known: D4 on ids known only now, D1
// and D2 for each served model version whose id is known, the rules of the
// environment's policy (D6, D7, D8), D5 once every served id is known. A
// destroy or replacement in a protected environment is refused (D9, in
// trackPlan). This is where plan refuses to serve a model whose feature
// version the environment lacks. It also sets the id (the name) and records
// the deployment in the run's plan, so that a model version it stops
// serving in the same plan may go (F2).
func (r *deploymentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindDeployment}
	plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m deploymentModel) types.String { return m.Name }, "name")
	if !ok {
		if !resp.Diagnostics.HasError() {
			trackPlan(ctx, r.reg, req, resp, obj) // deleting a deployment breaks nothing, but frees what it served
		}
		return
	}
	var ignored diag.Diagnostics // unknown parts stay zero
	planned := plan.toRegistry(ctx, &ignored)
	obj.content = planned
	obj.reads = refsOf(registry.KindModelVersion, append(planned.Served(), planned.Rollback)...)
	trackPlan(ctx, r.reg, req, resp, obj)
	switch {
	case plan.Canary.IsUnknown():
	case plan.Canary.IsNull():
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), registry.StatusServing)...)
	default:
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), registry.StatusCanary)...)
	}
	if r.reg == nil {
		return
	}
	if !req.State.Raw.IsNull() {
		var state deploymentModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if state.ModelVersionID.Equal(plan.ModelVersionID) && state.Canary.Equal(plan.Canary) && state.Shadow.Equal(plan.Shadow) &&
			state.PromoteFrom.Equal(plan.PromoteFrom) && state.Replicas.Equal(plan.Replicas) && state.Rollback.Equal(plan.Rollback) {
			return // no write: nothing to check
		}
		// Any other change is a write, which runs every rule again (a
		// replicas change of a deployment whose feature version has gone
		// is refused): plan refuses it first.
	}
	d := registry.Deployment{
		Name:         plan.Name.ValueString(),
		ModelVersion: knownString(plan.ModelVersionID),
		PromoteFrom:  knownString(plan.PromoteFrom),
		Rollback:     knownString(plan.Rollback),
	}
	if plan.Canary.IsUnknown() {
		d.Canary = &registry.Canary{}
	} else if c, ok := objectAs[canaryModel](ctx, plan.Canary, &resp.Diagnostics); ok {
		d.Canary = &registry.Canary{ModelVersion: knownString(c.ModelVersionID), Percent: c.Percent.ValueInt64()}
	}
	if plan.Shadow.IsUnknown() {
		d.Shadow = &registry.Shadow{}
	} else if sh, ok := objectAs[shadowModel](ctx, plan.Shadow, &resp.Diagnostics); ok {
		d.Shadow = &registry.Shadow{ModelVersion: knownString(sh.ModelVersionID), SamplePercent: sh.SamplePercent.ValueInt64()}
	}
	// Values known only now (ids of existing objects) get the checks that
	// validate could not run on them.
	var ps registry.Problems
	if d.Canary != nil {
		ps = registry.CheckCanary(d.Name, d.ModelVersion, d.Canary.ModelVersion, nil)
	}
	if d.Shadow != nil {
		ps = append(ps, registry.CheckShadow(d.Name, d.ModelVersion, canaryID(ctx, plan.Canary), d.Shadow.ModelVersion, nil)...)
	}
	ps = append(ps, registry.CheckPromoteFrom(d.Name, d.PromoteFrom, r.reg.Environment())...)
	ps = append(ps, registry.CheckRollback(d.Name, d.ModelVersion, d.Rollback)...)
	more, err := r.reg.CheckDeploymentPlan(ctx, d)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check deployment "+quote(d.Name), err)
		return
	}
	addProblems(&resp.Diagnostics, append(ps, more...))
}

func (m deploymentModel) toRegistry(ctx context.Context, diags *diag.Diagnostics) registry.Deployment {
	d := registry.Deployment{
		Name:         m.Name.ValueString(),
		ModelVersion: m.ModelVersionID.ValueString(),
		Replicas:     registry.DefaultReplicas,
		PromoteFrom:  m.PromoteFrom.ValueString(),
		Rollback:     m.Rollback.ValueString(),
	}
	if c, ok := objectAs[canaryModel](ctx, m.Canary, diags); ok {
		d.Canary = &registry.Canary{ModelVersion: c.ModelVersionID.ValueString(), Percent: c.Percent.ValueInt64()}
	}
	if sh, ok := objectAs[shadowModel](ctx, m.Shadow, diags); ok {
		d.Shadow = &registry.Shadow{ModelVersion: sh.ModelVersionID.ValueString(), SamplePercent: sh.SamplePercent.ValueInt64()}
	}
	if rep, ok := objectAs[replicasModel](ctx, m.Replicas, diags); ok {
		d.Replicas = registry.Replicas{Min: rep.Min.ValueInt64(), Max: rep.Max.ValueInt64()}
	}
	return d
}

// canaryID is the model version id of a canary object, "" when there is
// none or it is not known yet.
func canaryID(ctx context.Context, canary types.Object) string {
	var ignored diag.Diagnostics
	if c, ok := objectAs[canaryModel](ctx, canary, &ignored); ok {
		return knownString(c.ModelVersionID)
	}
	return ""
}

func deploymentFromRegistry(d registry.Deployment) deploymentModel {
	canary := types.ObjectNull(canaryAttrTypes)
	if d.Canary != nil {
		canary = types.ObjectValueMust(canaryAttrTypes, map[string]attr.Value{
			"model_version_id": types.StringValue(d.Canary.ModelVersion), "percent": types.Int64Value(d.Canary.Percent),
		})
	}
	shadow := types.ObjectNull(shadowAttrTypes)
	if d.Shadow != nil {
		shadow = types.ObjectValueMust(shadowAttrTypes, map[string]attr.Value{
			"model_version_id": types.StringValue(d.Shadow.ModelVersion), "sample_percent": types.Int64Value(d.Shadow.SamplePercent),
		})
	}
	return deploymentModel{
		ID:             types.StringValue(d.ID()),
		Name:           types.StringValue(d.Name),
		ModelVersionID: types.StringValue(d.ModelVersion),
		Canary:         canary,
		Shadow:         shadow,
		Replicas: types.ObjectValueMust(replicasAttrTypes, map[string]attr.Value{
			"min": types.Int64Value(d.Replicas.Min), "max": types.Int64Value(d.Replicas.Max),
		}),
		PromoteFrom: optionalString(d.PromoteFrom),
		Status:      types.StringValue(d.Status()),
		UpdatedAt:   types.StringValue(formatTime(d.UpdatedAt)),
		Rollback:    optionalString(d.Rollback),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *deploymentResource) mapping() objectMapping[deploymentModel, registry.Deployment] {
	return objectMapping[deploymentModel, registry.Deployment]{
		reg:  r.reg,
		kind: registry.KindDeployment,
		toObject: func(ctx context.Context, m deploymentModel, diags *diag.Diagnostics) registry.Deployment {
			return m.toRegistry(ctx, diags)
		},
		fromObject: func(_ context.Context, d registry.Deployment, _ *diag.Diagnostics) deploymentModel {
			return deploymentFromRegistry(d)
		},
		stateID:  func(m deploymentModel) string { return m.ID.ValueString() },
		revision: func(o registry.Deployment) int64 { return o.Revision },
		create:   r.reg.CreateDeployment,
		read:     r.reg.Deployment,
		update: func(ctx context.Context, d registry.Deployment, revision int64) (registry.Deployment, error) {
			d.Revision = revision
			return r.reg.UpdateDeployment(ctx, d)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteDeployment(ctx, id, registry.IfRevision(revision))
		},
	}
}
