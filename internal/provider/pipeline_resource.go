package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ resource.Resource                   = &pipelineResource{}
	_ resource.ResourceWithConfigure      = &pipelineResource{}
	_ resource.ResourceWithImportState    = &pipelineResource{}
	_ resource.ResourceWithModifyPlan     = &pipelineResource{}
	_ resource.ResourceWithValidateConfig = &pipelineResource{}
)

// NewPipelineResource returns the mlops_pipeline resource.
func NewPipelineResource() resource.Resource { return &pipelineResource{} }

type pipelineResource struct {
	resourceBase
}

type pipelineModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Kind        types.String `tfsdk:"kind"`
	Enabled     types.Bool   `tfsdk:"enabled"`
	Schedule    types.String `tfsdk:"schedule"`
	Code        types.Object `tfsdk:"code"`
	Reads       types.Object `tfsdk:"reads"`
	Writes      types.Object `tfsdk:"writes"`
	Description types.String `tfsdk:"description"`
	Tags        types.Map    `tfsdk:"tags"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

type pipelineCodeModel struct {
	Repository types.String `tfsdk:"repository"`
	Ref        types.String `tfsdk:"ref"`
	Image      types.String `tfsdk:"image"`
}

type pipelineReadsModel struct {
	FeatureVersionIDs types.Set    `tfsdk:"feature_version_ids"`
	FeatureViewIDs    types.Set    `tfsdk:"feature_view_ids"`
	DeploymentID      types.String `tfsdk:"deployment_id"`
}

type pipelineWritesModel struct {
	FeatureVersionIDs types.Set    `tfsdk:"feature_version_ids"`
	ModelID           types.String `tfsdk:"model_id"`
}

var (
	idSetType            = types.SetType{ElemType: types.StringType}
	pipelineCodeTypes    = map[string]attr.Type{"repository": types.StringType, "ref": types.StringType, "image": types.StringType}
	pipelineReadsTypes   = map[string]attr.Type{"feature_version_ids": idSetType, "feature_view_ids": idSetType, "deployment_id": types.StringType}
	pipelineWritesTypes  = map[string]attr.Type{"feature_version_ids": idSetType, "model_id": types.StringType}
	pipelineReadsNothing = types.ObjectValueMust(pipelineReadsTypes, map[string]attr.Value{
		"feature_version_ids": types.SetNull(types.StringType), "feature_view_ids": types.SetNull(types.StringType), "deployment_id": types.StringNull(),
	})
	pipelineWritesNothing = types.ObjectValueMust(pipelineWritesTypes, map[string]attr.Value{
		"feature_version_ids": types.SetNull(types.StringType), "model_id": types.StringNull(),
	})
)

func (r *pipelineResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pipeline"
}

// idSetAttribute is an optional set of ids: unset or not empty, so that it
// reads back as written.
func idSetAttribute(description string) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: description + " Leave it unset rather than empty.",
		Optional:            true,
		ElementType:         types.StringType,
		Validators:          []validator.Set{setvalidator.SizeAtLeast(1)},
	}
}

// optionalText is an optional string: unset or not empty.
func optionalText(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}}
}

func (r *pipelineResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A pipeline of the ML system and what it reads and writes: a `feature` pipeline writes feature versions, a " +
			"`training` pipeline reads feature versions or feature views and writes versions of a model, an `inference` pipeline reads a " +
			"deployment (rule P1, with everything named existing in the environment). The registry does not run pipelines: it records " +
			"them so that plan can tell whether the features a model reads are still being written. A deployment's rollback version needs " +
			"an enabled feature pipeline writing each feature version it reads (rule D10): disabling or deleting that pipeline, or " +
			"removing the feature version from its `writes`, is refused while a deployment names that rollback version. In an environment " +
			"that declares feature pipelines, a served model version whose feature versions no enabled pipeline writes warns (rule D11). " +
			"An object a pipeline names cannot be deleted while it names it (rule F2).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The pipeline's id: its name. Known at plan."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the environment; must match `" + registry.PipelineNamePattern + "` (" + registry.PipelineNameRule +
					"). Changing it creates a new pipeline.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kind": schema.StringAttribute{
				MarkdownDescription: "What the pipeline does: one of " + codeList(registry.PipelineKinds) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(registry.PipelineKinds...)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the pipeline runs. Only an enabled feature pipeline keeps the feature versions it writes up to date. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"schedule": optionalText("When the pipeline runs: a cron expression of five fields (minute, hour, day of month, month, day of week), " +
				"such as `*/15 * * * *`. Descriptors such as `@hourly` are not accepted. Unset for a pipeline that is triggered."),
			"code": schema.SingleNestedAttribute{
				MarkdownDescription: "Where the pipeline's code lives; set at least one of its attributes.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"repository": optionalText("Source repository URL."),
					"ref":        optionalText("Commit, tag or branch of the repository."),
					"image":      optionalText("Container image that runs the pipeline."),
				},
			},
			"reads": schema.SingleNestedAttribute{
				MarkdownDescription: "What the pipeline reads. Defaults to nothing (`{}`).",
				Optional:            true,
				Computed:            true,
				Default:             objectdefault.StaticValue(pipelineReadsNothing),
				Attributes: map[string]schema.Attribute{
					"feature_version_ids": idSetAttribute("Ids of the feature versions read, such as `mlops_feature_version.<name>.id`."),
					"feature_view_ids":    idSetAttribute("Ids of the feature views read, `<name>/<version>`."),
					"deployment_id": optionalText("Id of the deployment an `inference` pipeline calls, such as `mlops_deployment.<name>.id`; " +
						"only an inference pipeline reads a deployment."),
				},
			},
			"writes": schema.SingleNestedAttribute{
				MarkdownDescription: "What the pipeline writes. Defaults to nothing (`{}`).",
				Optional:            true,
				Computed:            true,
				Default:             objectdefault.StaticValue(pipelineWritesNothing),
				Attributes: map[string]schema.Attribute{
					"feature_version_ids": idSetAttribute("Ids of the feature versions written: what a `feature` pipeline keeps up to date " +
						"(an `inference` pipeline may write its predictions; a `training` pipeline writes none)."),
					"model_id": optionalText("Id of the model whose versions a `training` pipeline trains, such as `mlops_model.<name>.id`."),
				},
			},
			"description": descriptionAttribute(),
			"tags":        tagsAttribute(),
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the pipeline was created or last changed in the registry (RFC 3339, UTC).",
				Computed:            true,
			},
		},
	}
}

// ValidateConfig runs the checks the configuration alone shows, on what is
// known: the name, the schedule, the form of the ids, and what the kind
// reads and writes (P1).
func (r *pipelineResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg pipelineModel
	resp.Diagnostics.Append(getConfig(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ps registry.Problems
	if known(cfg.Name) {
		ps = append(ps, registry.CheckPipelineName(cfg.Name.ValueString())...)
	}
	if known(cfg.Schedule) {
		ps = append(ps, registry.CheckSchedule(cfg.Schedule.ValueString())...)
	}
	if c, ok := objectAs[pipelineCodeModel](ctx, cfg.Code, &resp.Diagnostics); ok && c.Repository.IsNull() && c.Ref.IsNull() && c.Image.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("code"), "Empty code",
			"code names none of repository, ref and image: set at least one, or leave code unset.")
	}
	p, shape := cfg.known(ctx, &resp.Diagnostics)
	ps = append(ps, registry.CheckPipelineIDs(p)...)
	addProblems(&resp.Diagnostics, append(ps, registry.CheckPipelineShape(shape)...))
}

func (r *pipelineResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, r.mapping(), req, resp)
}

func (r *pipelineResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject(ctx, r.mapping(), req, resp)
}

func (r *pipelineResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, r.mapping(), req, resp)
}

func (r *pipelineResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteObject(ctx, r.mapping(), req, resp)
}

func (r *pipelineResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !registry.ValidPipelineName(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			"A pipeline is imported by its name, which must match "+registry.PipelineNamePattern+"; got "+quote(req.ID)+".")
		return
	}
	importObject(ctx, req, resp, nil)
}

// ModifyPlan sets the id (the name), records the pipeline in the run's
// plan (F2: what it names cannot be deleted while it stays), and for a
// pipeline the plan creates, changes or deletes runs the registry's checks
// on what is known: P1 (everything it names exists, or this plan creates
// it), and D10 on what it stops writing, with D11's warnings.
func (r *pipelineResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	obj := plannedObject{kind: registry.KindPipeline}
	plan, ok := readNamedPlan(ctx, req, resp, &obj, func(m pipelineModel) types.String { return m.Name }, "name")
	change := registry.PipelineChange{Replace: obj.replace}
	if ok {
		p, _ := plan.known(ctx, &resp.Diagnostics)
		obj.content, obj.reads, change.Next = p, p.Names(), &p
	}
	trackPlan(ctx, r.reg, req, resp, obj)
	if r.reg == nil || resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state pipelineModel
		resp.Diagnostics.Append(getState(ctx, req.State, &state)...)
		if ok && !obj.replace && state.sameConfig(plan) {
			return // no write: nothing to check
		}
		change.Prior = &registry.Pipeline{Name: state.Name.ValueString()}
	}
	ps, err := r.reg.CheckPipelinePlan(ctx, change)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "check pipeline", err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
}

// sameConfig reports whether plan writes nothing that m does not hold.
func (m pipelineModel) sameConfig(plan pipelineModel) bool {
	return m.Kind.Equal(plan.Kind) && m.Enabled.Equal(plan.Enabled) && m.Schedule.Equal(plan.Schedule) && m.Code.Equal(plan.Code) &&
		m.Reads.Equal(plan.Reads) && m.Writes.Equal(plan.Writes) && m.Description.Equal(plan.Description) && m.Tags.Equal(plan.Tags)
}

// known is the pipeline as far as m knows it, and its shape for P1:
// unknown strings are "", an unknown set (or element) adds "", an unknown
// enabled is true.
func (m pipelineModel) known(ctx context.Context, diags *diag.Diagnostics) (registry.Pipeline, registry.PipelineShape) {
	p := registry.Pipeline{
		Name: knownString(m.Name), Kind: knownString(m.Kind), Enabled: m.Enabled.IsUnknown() || m.Enabled.IsNull() || m.Enabled.ValueBool(),
		Schedule: knownString(m.Schedule), Description: knownString(m.Description), Tags: tagsToRegistry(ctx, m.Tags, diags),
	}
	shape := registry.PipelineShape{Name: p.Name, Kind: p.Kind}
	if c, ok := objectAs[pipelineCodeModel](ctx, m.Code, diags); ok {
		p.Code = &registry.PipelineCode{Repository: knownString(c.Repository), Ref: knownString(c.Ref), Image: knownString(c.Image)}
	}
	if m.Reads.IsUnknown() {
		p.Reads.FeatureVersionIDs, p.Reads.FeatureViewIDs = []string{""}, []string{""}
		shape.ReadsFeatureVersions, shape.ReadsFeatureViews, shape.ReadsDeployment = registry.Unknown, registry.Unknown, registry.Unknown
	} else if rd, ok := objectAs[pipelineReadsModel](ctx, m.Reads, diags); ok {
		p.Reads.FeatureVersionIDs, shape.ReadsFeatureVersions = idsOf(rd.FeatureVersionIDs)
		p.Reads.FeatureViewIDs, shape.ReadsFeatureViews = idsOf(rd.FeatureViewIDs)
		p.Reads.DeploymentID, shape.ReadsDeployment = knownString(rd.DeploymentID), presenceOf(rd.DeploymentID)
	}
	if m.Writes.IsUnknown() {
		p.Writes.FeatureVersionIDs = []string{""}
		shape.WritesFeatureVersions, shape.WritesModel = registry.Unknown, registry.Unknown
	} else if w, ok := objectAs[pipelineWritesModel](ctx, m.Writes, diags); ok {
		p.Writes.FeatureVersionIDs, shape.WritesFeatureVersions = idsOf(w.FeatureVersionIDs)
		p.Writes.ModelID, shape.WritesModel = knownString(w.ModelID), presenceOf(w.ModelID)
	}
	return p, shape
}

// idsOf returns the known ids of a set, with "" for an unknown set or
// element, and whether it is set.
func idsOf(s types.Set) ([]string, registry.Presence) {
	if s.IsUnknown() {
		return []string{""}, registry.Unknown
	}
	ids, all := knownStrings(s)
	if !all && !s.IsNull() {
		ids = append(ids, "")
	}
	if len(ids) == 0 {
		return nil, registry.Unset
	}
	return ids, registry.Set
}

func presenceOf(v attr.Value) registry.Presence {
	switch {
	case v.IsUnknown():
		return registry.Unknown
	case v.IsNull():
		return registry.Unset
	}
	return registry.Set
}

func pipelineFromRegistry(p registry.Pipeline, diags *diag.Diagnostics) pipelineModel {
	code := types.ObjectNull(pipelineCodeTypes)
	if p.Code != nil {
		code = types.ObjectValueMust(pipelineCodeTypes, map[string]attr.Value{
			"repository": optionalString(p.Code.Repository), "ref": optionalString(p.Code.Ref), "image": optionalString(p.Code.Image),
		})
	}
	reads, d := types.ObjectValue(pipelineReadsTypes, map[string]attr.Value{
		"feature_version_ids": idSet(p.Reads.FeatureVersionIDs, diags), "feature_view_ids": idSet(p.Reads.FeatureViewIDs, diags),
		"deployment_id": optionalString(p.Reads.DeploymentID),
	})
	diags.Append(d...)
	writes, d := types.ObjectValue(pipelineWritesTypes, map[string]attr.Value{
		"feature_version_ids": idSet(p.Writes.FeatureVersionIDs, diags), "model_id": optionalString(p.Writes.ModelID),
	})
	diags.Append(d...)
	return pipelineModel{
		ID:          types.StringValue(p.ID()),
		Name:        types.StringValue(p.Name),
		Kind:        types.StringValue(p.Kind),
		Enabled:     types.BoolValue(p.Enabled),
		Schedule:    optionalString(p.Schedule),
		Code:        code,
		Reads:       reads,
		Writes:      writes,
		Description: optionalString(p.Description),
		Tags:        tagsFromRegistry(context.Background(), p.Tags, diags),
		UpdatedAt:   types.StringValue(formatTime(p.UpdatedAt)),
	}
}

// mapping maps the resource onto the registry for the shared CRUD.
func (r *pipelineResource) mapping() objectMapping[pipelineModel, registry.Pipeline] {
	return objectMapping[pipelineModel, registry.Pipeline]{
		reg:  r.reg,
		kind: registry.KindPipeline,
		toObject: func(ctx context.Context, m pipelineModel, diags *diag.Diagnostics) registry.Pipeline {
			p, _ := m.known(ctx, diags)
			return p
		},
		fromObject: func(_ context.Context, p registry.Pipeline, diags *diag.Diagnostics) pipelineModel {
			return pipelineFromRegistry(p, diags)
		},
		stateID:  func(m pipelineModel) string { return m.ID.ValueString() },
		revision: func(o registry.Pipeline) int64 { return o.Revision },
		create:   r.reg.CreatePipeline,
		read:     r.reg.Pipeline,
		update: func(ctx context.Context, p registry.Pipeline, revision int64) (registry.Pipeline, error) {
			p.Revision = revision
			return r.reg.UpdatePipeline(ctx, p)
		},
		remove: func(ctx context.Context, id string, revision int64) error {
			return r.reg.DeletePipeline(ctx, id, registry.IfRevision(revision))
		},
	}
}
