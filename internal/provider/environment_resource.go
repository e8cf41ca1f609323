package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &environmentResource{}
	_ resource.ResourceWithConfigure      = &environmentResource{}
	_ resource.ResourceWithImportState    = &environmentResource{}
	_ resource.ResourceWithModifyPlan     = &environmentResource{}
	_ resource.ResourceWithValidateConfig = &environmentResource{}
)

// NewEnvironmentResource returns the mlops_environment resource.
func NewEnvironmentResource() resource.Resource { return &environmentResource{} }

type environmentResource struct {
	resourceBase
}

type environmentModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	PromoteFrom     types.String `tfsdk:"promote_from"`
	RequireApproval types.Bool   `tfsdk:"require_approval"`
	RequiredGates   types.Set    `tfsdk:"required_gates"`
	Protected       types.Bool   `tfsdk:"protected"`
	Description     types.String `tfsdk:"description"`
	UpdatedAt       types.String `tfsdk:"updated_at"`
}

func (r *environmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (r *environmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The policy of one environment: what every deployment there must satisfy, checked at plan and on every " +
			"write. `promote_from` (rule D7), `require_approval` (rule D6), `required_gates` (rule D8) and `protected` (rule D9). " +
			"Policies are global: the environment named need not be the provider's, so one platform configuration declares them all. " +
			"A policy change never stops what runs: plan warns about the deployments it would refuse.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The policy's id: the environment's name. Known at plan."),
			"name": schema.StringAttribute{
				MarkdownDescription: "The environment governed, such as `prod`; must match `" + registry.EnvironmentPattern + "`. " +
					"Changing it creates a new policy.",
				Required:      true,
				Validators:    []validator.String{environmentValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"promote_from": schema.StringAttribute{
				MarkdownDescription: "The one environment deployments here are promoted from, such as `staging` for prod: a deployment " +
					"whose own `promote_from` names another environment is refused, and one without is promoted from this one " +
					"(rule D7, then D5). Not the environment itself, and no promotion cycle through other policies.",
				Optional:   true,
				Validators: []validator.String{environmentValidator()},
			},
			"require_approval": schema.BoolAttribute{
				MarkdownDescription: "Every served model version (main and canary) needs an `approved` `mlops_model_version_approval` " +
					"in this environment, of the artifact it has now (rule D6). Default `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"required_gates": schema.SetAttribute{
				MarkdownDescription: "Names of validation suites (with `model_id`, in this environment) that every served model version " +
					"must pass here, on top of its model's own release gates (rule D8): an `error` expectation refuses, a `warning` one warns. " +
					"A named suite that the environment lacks, or a data suite, refuses every deployment here. Default: none.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(suiteNameValidator())},
			},
			"protected": schema.BoolAttribute{
				MarkdownDescription: "A plan cannot destroy or replace a deployment here, or a model version a deployment here serves, " +
					"nor destroy this policy (rule D9). Switch it off in an earlier apply first. Default `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"description": descriptionAttribute(),
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the policy was created or last changed in the registry (RFC 3339, UTC).",
				Computed:            true,
			},
		},
	}
}

// ValidateConfig refuses what the configuration alone shows: an
// environment promoting from itself.
func (r *environmentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg environmentModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() || !known(cfg.Name) || !known(cfg.PromoteFrom) {
		return
	}
	if !registry.ValidEnvironment(cfg.Name.ValueString()) || !registry.ValidEnvironment(cfg.PromoteFrom.ValueString()) {
		return // the attributes' validators say so
	}
	addProblems(&resp.Diagnostics, registry.CheckEnvironmentPolicy(registry.EnvironmentPolicy{
		Name: cfg.Name.ValueString(), PromoteFrom: cfg.PromoteFrom.ValueString(),
	}))
}

func (r *environmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *environmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *environmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *environmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *environmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !registry.ValidEnvironment(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			"An environment's policy is imported by the environment's name, which must match "+registry.EnvironmentPattern+"; got "+quote(req.ID)+".")
		return
	}
	importObject(ctx, req, resp, map[string]any{"name": req.ID})
}

// ModifyPlan sets the id (the name), records the policy in the run's plan,
// so that the deployments planned after it follow it and other policies
// see it in their cycle check, refuses destroying a protected policy (D9,
// in trackPlan) and, for a policy the plan creates or changes, runs its
// checks: its fields, promotion cycles, and warnings naming the
// deployments of the environment that it would refuse.
func (r *environmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindEnvironment}
	plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m environmentModel) types.String { return m.Name }, "name")
	if !ok {
		if !resp.Diagnostics.HasError() {
			trackPlan(ctx, r.reg, req, resp, obj)
		}
		return
	}
	p, allKnown := plan.known()
	obj.content = p
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() && !obj.replace {
		var state environmentModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if state.PromoteFrom.Equal(plan.PromoteFrom) && state.RequireApproval.Equal(plan.RequireApproval) &&
			state.RequiredGates.Equal(plan.RequiredGates) && state.Protected.Equal(plan.Protected) && state.Description.Equal(plan.Description) {
			return // no write: nothing to check
		}
	}
	ps, err := r.reg.CheckEnvironmentPlan(ctx, p, allKnown)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check environment "+quote(p.Name), err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// known is the policy as far as the plan knows it, and whether that is
// all of it: unknown parts are zero.
func (m environmentModel) known() (registry.EnvironmentPolicy, bool) {
	gates, allGates := knownStrings(m.RequiredGates)
	p := registry.EnvironmentPolicy{
		Name:            knownString(m.Name),
		PromoteFrom:     knownString(m.PromoteFrom),
		RequireApproval: m.RequireApproval.ValueBool(),
		RequiredGates:   gates,
		Protected:       m.Protected.ValueBool(),
		Description:     knownString(m.Description),
	}
	all := known(m.Name) && !m.PromoteFrom.IsUnknown() && !m.RequireApproval.IsUnknown() && allGates &&
		!m.Protected.IsUnknown() && !m.Description.IsUnknown()
	return p, all
}

func environmentFromRegistry(p registry.EnvironmentPolicy, diags *diag.Diagnostics) environmentModel {
	gates, d := types.SetValueFrom(context.Background(), types.StringType, p.RequiredGates)
	diags.Append(d...)
	if p.RequiredGates == nil {
		gates = types.SetValueMust(types.StringType, nil)
	}
	return environmentModel{
		ID:              types.StringValue(p.ID()),
		Name:            types.StringValue(p.Name),
		PromoteFrom:     optionalString(p.PromoteFrom),
		RequireApproval: types.BoolValue(p.RequireApproval),
		RequiredGates:   gates,
		Protected:       types.BoolValue(p.Protected),
		Description:     optionalString(p.Description),
		UpdatedAt:       types.StringValue(formatTime(p.UpdatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD. A
// policy lives in the environment it governs.
func (r *environmentResource) mapping() objectMapping[environmentModel, registry.EnvironmentPolicy] {
	return objectMapping[environmentModel, registry.EnvironmentPolicy]{
		reg:  r.reg,
		kind: registry.KindEnvironment,
		toObject: func(_ context.Context, m environmentModel, _ *diag.Diagnostics) registry.EnvironmentPolicy {
			p, _ := m.known() // all known at apply
			return p
		},
		fromObject: func(_ context.Context, p registry.EnvironmentPolicy, diags *diag.Diagnostics) environmentModel {
			return environmentFromRegistry(p, diags)
		},
		stateID:  func(m environmentModel) string { return m.ID.ValueString() },
		revision: func(o registry.EnvironmentPolicy) int64 { return o.Revision },
		create:   r.reg.CreateEnvironment,
		read:     r.reg.EnvironmentPolicy,
		update: func(ctx context.Context, p registry.EnvironmentPolicy, revision int64) (registry.EnvironmentPolicy, error) {
			p.Revision = revision
			return r.reg.UpdateEnvironment(ctx, p)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteEnvironment(ctx, id, registry.IfRevision(revision))
		},
		home: func(id string) string { return id },
	}
}
