package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                = &modelVersionApprovalResource{}
	_ resource.ResourceWithConfigure   = &modelVersionApprovalResource{}
	_ resource.ResourceWithImportState = &modelVersionApprovalResource{}
	_ resource.ResourceWithModifyPlan  = &modelVersionApprovalResource{}
)

// NewModelVersionApprovalResource returns the mlops_model_version_approval
// resource.
func NewModelVersionApprovalResource() resource.Resource { return &modelVersionApprovalResource{} }

type modelVersionApprovalResource struct {
	resourceBase
}

type modelVersionApprovalModel struct {
	ID             types.String `tfsdk:"id"`
	ModelVersionID types.String `tfsdk:"model_version_id"`
	Status         types.String `tfsdk:"status"`
	Approver       types.String `tfsdk:"approver"`
	Reason         types.String `tfsdk:"reason"`
	ApprovedAt     types.String `tfsdk:"approved_at"`
	ArtifactDigest types.String `tfsdk:"artifact_digest"`
}

func (r *modelVersionApprovalResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_version_approval"
}

func (r *modelVersionApprovalResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The decision on one model version in the provider's environment: `approved` or `rejected` (a version " +
			"with no approval is pending). It records the version's artifact as decided on; once the version's artifact differs, the " +
			"approval is void. An environment whose policy requires approval serves only approved versions (rule D6). The version " +
			"must exist in the environment (or be created by the same plan), checked at plan, and cannot be deleted while an approval " +
			"of it exists (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The approval's id: its model version's id, such as `fraud/2`. Known at plan."),
			"model_version_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model version decided on, such as `fraud/2`. Changing it creates a new approval.",
				Required:            true,
				Validators:          []validator.String{modelVersionIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "The decision: " + codeList(registry.ApprovalStatuses) + ". Changing it is a new decision, in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(registry.ApprovalStatuses...)},
			},
			"approver": schema.StringAttribute{
				MarkdownDescription: "Who decided. Defaults to the provider's `actor` (on create, and when `status` changes); " +
					"otherwise it keeps the approver of the last decision. Changing it is a new decision, in place.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"reason": schema.StringAttribute{
				MarkdownDescription: "Why, for the record. Changing it alone changes neither `approved_at` nor `artifact_digest`. " +
					"Leave it unset rather than empty.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"approved_at": schema.StringAttribute{
				MarkdownDescription: "When the decision was last made (RFC 3339, UTC): on create, and when `status` or `approver` changes.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"artifact_digest": schema.StringAttribute{
				MarkdownDescription: "The `artifact_digest` the model version had when decided on; null for a version registered " +
					"without one, which is approved by its `artifact_uri` alone.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *modelVersionApprovalResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionApprovalResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionApprovalResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionApprovalResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *modelVersionApprovalResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if _, _, err := registry.ParseModelVersionID(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	importObject(ctx, req, resp, map[string]any{"model_version_id": req.ID})
}

// ModifyPlan sets the id and, when the configuration names none, the
// approver; records the approval in the run's plan (F2: the version it
// approves cannot be deleted while it stays); for an approval the plan
// creates or changes, checks that the version exists in the environment or
// the plan creates it; and warns when the plan revokes the approval of a
// version that a deployment serves where approval is required.
func (r *modelVersionApprovalResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindApproval}
	var state *modelVersionApprovalModel
	if !req.State.Raw.IsNull() {
		state = &modelVersionApprovalModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		trackPlan(ctx, r.reg, req, resp, obj)
		if state != nil && state.Status.ValueString() == registry.ApprovalApproved {
			r.warnRevoking(ctx, resp, state.ID.ValueString(), "deletes")
		}
		return
	}
	var plan modelVersionApprovalModel
	resp.Diagnostics.Append(getPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj.replace = replacing(req, "model_version_id")
	if state != nil && obj.replace {
		if state.Status.ValueString() == registry.ApprovalApproved {
			r.warnRevoking(ctx, resp, state.ID.ValueString(), "deletes")
		}
		state = nil // the new approval is a decision of its own
	}
	r.planDecision(ctx, req, resp, &plan, state)
	a := plan.known()
	obj.id = a.ModelVersionID
	setPlannedID(ctx, resp, obj.id)
	obj.content = a
	obj.reads = refsOf(registry.KindModelVersion, a.ModelVersionID)
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if state != nil {
		if state.Status.Equal(plan.Status) && state.Approver.Equal(plan.Approver) && state.Reason.Equal(plan.Reason) {
			return // no write: nothing to check
		}
		if state.Status.ValueString() == registry.ApprovalApproved && a.Status == registry.ApprovalRejected {
			r.warnRevoking(ctx, resp, a.ModelVersionID, "rejects")
		}
	}
	ps, err := r.reg.CheckApprovalPlan(ctx, a)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check "+string(registry.KindApproval)+" "+quote(a.ModelVersionID), err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// planDecision plans the computed attributes: a new decision (a create, a
// new status or approver) has its approver default to the provider's actor
// and its time and artifact known after apply; an edit of the reason keeps
// them.
func (r *modelVersionApprovalResource) planDecision(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse,
	plan *modelVersionApprovalModel, state *modelVersionApprovalModel,
) {
	var cfg types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("approver"), &cfg)...)
	statusChanged := state == nil || !state.Status.Equal(plan.Status)
	switch {
	case !cfg.IsNull():
		plan.Approver = cfg
	case statusChanged && r.reg != nil:
		plan.Approver = types.StringValue(r.reg.Actor())
	case statusChanged:
		plan.Approver = types.StringUnknown()
	default:
		plan.Approver = state.Approver
	}
	if state == nil || !state.Status.Equal(plan.Status) || !state.Approver.Equal(plan.Approver) {
		plan.ApprovedAt, plan.ArtifactDigest = types.StringUnknown(), types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// warnRevoking adds the warning that revoking the approval of id leaves a
// deployment that serves it unapproved (D6), when the environment requires
// approval.
func (r *modelVersionApprovalResource) warnRevoking(ctx context.Context, resp *resource.ModifyPlanResponse, id, how string) {
	if r.reg == nil || id == "" {
		return
	}
	ps, err := r.reg.CheckApprovalRevokedPlan(ctx, id, how)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check what serves model version "+quote(id), err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// known is the approval as far as the plan knows it: unknown parts are "".
func (m modelVersionApprovalModel) known() registry.Approval {
	return registry.Approval{
		ModelVersionID: knownString(m.ModelVersionID),
		Status:         knownString(m.Status),
		Approver:       knownString(m.Approver),
		Reason:         knownString(m.Reason),
	}
}

func modelVersionApprovalFromRegistry(a registry.Approval) modelVersionApprovalModel {
	return modelVersionApprovalModel{
		ID:             types.StringValue(a.ID()),
		ModelVersionID: types.StringValue(a.ModelVersionID),
		Status:         types.StringValue(a.Status),
		Approver:       types.StringValue(a.Approver),
		Reason:         optionalString(a.Reason),
		ApprovedAt:     types.StringValue(formatTime(a.ApprovedAt)),
		ArtifactDigest: optionalString(a.ArtifactDigest),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *modelVersionApprovalResource) mapping() objectMapping[modelVersionApprovalModel, registry.Approval] {
	return objectMapping[modelVersionApprovalModel, registry.Approval]{
		reg:  r.reg,
		kind: registry.KindApproval,
		toObject: func(_ context.Context, m modelVersionApprovalModel, _ *diag.Diagnostics) registry.Approval {
			return m.known()
		},
		fromObject: func(_ context.Context, a registry.Approval, _ *diag.Diagnostics) modelVersionApprovalModel {
			return modelVersionApprovalFromRegistry(a)
		},
		stateID:  func(m modelVersionApprovalModel) string { return m.ID.ValueString() },
		revision: func(o registry.Approval) int64 { return o.Revision },
		create:   r.reg.CreateApproval,
		read:     r.reg.Approval,
		update: func(ctx context.Context, a registry.Approval, revision int64) (registry.Approval, error) {
			a.Revision = revision
			return r.reg.UpdateApproval(ctx, a)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeleteApproval(ctx, id, registry.IfRevision(revision))
		},
	}
}
