package provider

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource                   = &kserveInferenceServiceDataSource{}
	_ datasource.DataSourceWithConfigure      = &kserveInferenceServiceDataSource{}
	_ datasource.DataSourceWithValidateConfig = &kserveInferenceServiceDataSource{}
)

// NewKServeInferenceServiceDataSource returns the
// mlops_kserve_inference_service data source.
func NewKServeInferenceServiceDataSource() datasource.DataSource {
	return &kserveInferenceServiceDataSource{}
}

type kserveInferenceServiceDataSource struct {
	dataSourceBase
}

type kserveInferenceServiceModel struct {
	ID             types.String  `tfsdk:"id"`
	DeploymentID   types.String  `tfsdk:"deployment_id"`
	Namespace      types.String  `tfsdk:"namespace"`
	Predictor      types.Object  `tfsdk:"predictor"`
	ServiceAccount types.String  `tfsdk:"service_account"`
	Labels         types.Map     `tfsdk:"labels"`
	Annotations    types.Map     `tfsdk:"annotations"`
	Manifest       types.Dynamic `tfsdk:"manifest"`
	YAML           types.String  `tfsdk:"yaml"`
}

type kservePredictorModel struct {
	ModelFormat types.String `tfsdk:"model_format"`
	Runtime     types.String `tfsdk:"runtime"`
	Resources   types.Object `tfsdk:"resources"`
}

type kserveResourcesModel struct {
	Requests types.Map `tfsdk:"requests"`
	Limits   types.Map `tfsdk:"limits"`
}

func (d *kserveInferenceServiceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kserve_inference_service"
}

func (d *kserveInferenceServiceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders a deployment of the provider's environment as a KServe `" + registry.KServeAPIVersion + "` `" +
			registry.KServeKind + "`, for the kubernetes provider's `kubernetes_manifest` (`manifest`) or for `kubectl apply` (`yaml`).\n\n" +
			"`storageUri` is the served version's `artifact_uri`; with a canary it is the canary's, with `canaryTrafficPercent` its " +
			"percent: KServe gives that share to the latest revision and the rest to the previous one, the main version. " +
			"`minReplicas` and `maxReplicas` are the deployment's replicas; labels and annotations name the deployment, the environment, " +
			"the model versions and the feature versions they read. A shadow is left out, with a warning: an InferenceService has no shadow traffic.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "`<namespace>/<deployment>`.", Computed: true},
			"deployment_id": schema.StringAttribute{
				MarkdownDescription: "Id of the deployment to render, usually `mlops_deployment.<name>.id`. It names the InferenceService.",
				Required:            true,
				Validators:          []validator.String{validNameValidator("deployment name", registry.DeploymentNameRule, registry.ValidDeploymentName)},
			},
			"namespace": schema.StringAttribute{
				MarkdownDescription: "Kubernetes namespace of the InferenceService.",
				Required:            true,
			},
			"predictor": schema.SingleNestedAttribute{
				MarkdownDescription: "How KServe serves the model: `spec.predictor.model` of the InferenceService.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"model_format": schema.StringAttribute{
						MarkdownDescription: "`modelFormat.name`: the framework of the artifact, such as `sklearn`, `xgboost`, `onnx`, `pytorch`, `tensorflow`.",
						Required:            true,
					},
					"runtime": schema.StringAttribute{
						MarkdownDescription: "`runtime`: the ServingRuntime to use, such as `kserve-sklearnserver`. Unset, KServe picks one for the format.",
						Optional:            true,
					},
					"resources": schema.SingleNestedAttribute{
						MarkdownDescription: "Compute resources of the model container, as Kubernetes quantities.",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"requests": schema.MapAttribute{MarkdownDescription: "Requests, such as `{ cpu = \"500m\", memory = \"1Gi\" }`.", ElementType: types.StringType, Optional: true},
							"limits":   schema.MapAttribute{MarkdownDescription: "Limits, such as `{ memory = \"2Gi\", \"nvidia.com/gpu\" = \"1\" }`.", ElementType: types.StringType, Optional: true},
						},
					},
				},
			},
			"service_account": schema.StringAttribute{
				MarkdownDescription: "`serviceAccountName` of the predictor, such as one allowed to read the artifacts' bucket.",
				Optional:            true,
			},
			"labels": schema.MapAttribute{
				MarkdownDescription: "More labels of the InferenceService. The keys the rendering sets (`" + registry.KServeLabelPrefix + "…`, `" +
					registry.KServeFeatureLabelPrefix + "…`) are refused.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"annotations": schema.MapAttribute{
				MarkdownDescription: "More annotations of the InferenceService, such as `serving.kserve.io/deploymentMode`. The keys the rendering sets are refused.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"manifest": schema.DynamicAttribute{
				MarkdownDescription: "The InferenceService as an object, for `kubernetes_manifest`'s `manifest`.",
				Computed:            true,
			},
			"yaml": schema.StringAttribute{
				MarkdownDescription: "The InferenceService as a YAML document.",
				Computed:            true,
			},
		},
	}
}

// ValidateConfig checks, on what is known, what the configuration alone
// shows: the namespace, service account, resource quantities, labels and
// annotations.
func (d *kserveInferenceServiceDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg kserveInferenceServiceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addProblems(&resp.Diagnostics, registry.CheckKServeSpec(cfg.spec(ctx, &resp.Diagnostics)))
}

func (d *kserveInferenceServiceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg kserveInferenceServiceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec := cfg.spec(ctx, &resp.Diagnostics)
	is, ps, err := d.reg.InferenceService(ctx, cfg.DeploymentID.ValueString(), spec)
	if err != nil {
		addLookupError(&resp.Diagnostics, "deployment", err)
		return
	}
	addProblems(&resp.Diagnostics, ps)
	if resp.Diagnostics.HasError() {
		return
	}
	manifest, err := dynamicOf(is.Manifest)
	if err != nil {
		resp.Diagnostics.AddError("Cannot render the InferenceService", err.Error())
		return
	}
	cfg.ID = types.StringValue(spec.Namespace + "/" + cfg.DeploymentID.ValueString())
	cfg.Manifest = types.DynamicValue(manifest)
	cfg.YAML = types.StringValue(is.YAML)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// spec is the KServe spec of the configuration; what is not known yet is
// left out.
func (m kserveInferenceServiceModel) spec(ctx context.Context, diags *diag.Diagnostics) registry.KServeSpec {
	spec := registry.KServeSpec{
		Namespace:      knownString(m.Namespace),
		ServiceAccount: knownString(m.ServiceAccount),
		Labels:         tagsToRegistry(ctx, m.Labels, diags),
		Annotations:    tagsToRegistry(ctx, m.Annotations, diags),
	}
	if p, ok := objectAs[kservePredictorModel](ctx, m.Predictor, diags); ok {
		spec.ModelFormat, spec.Runtime = knownString(p.ModelFormat), knownString(p.Runtime)
		if r, ok := objectAs[kserveResourcesModel](ctx, p.Resources, diags); ok {
			spec.Requests, spec.Limits = tagsToRegistry(ctx, r.Requests, diags), tagsToRegistry(ctx, r.Limits, diags)
		}
	}
	return spec
}

// dynamicOf turns a rendered manifest (maps, strings, int64) into a
// Terraform object, keys in order.
func dynamicOf(v any) (attr.Value, error) {
	switch v := v.(type) {
	case string:
		return types.StringValue(v), nil
	case int64:
		return types.NumberValue(new(big.Float).SetInt64(v)), nil
	case map[string]any:
		attrTypes := make(map[string]attr.Type, len(v))
		values := make(map[string]attr.Value, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e, err := dynamicOf(v[k])
			if err != nil {
				return nil, err
			}
			attrTypes[k], values[k] = e.Type(context.Background()), e
		}
		obj, diags := types.ObjectValue(attrTypes, values)
		if diags.HasError() {
			return nil, fmt.Errorf("%v", diags)
		}
		return obj, nil
	}
	return nil, fmt.Errorf("cannot express %T in a Terraform value", v)
}
