package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource                     = &modelVersionDataSource{}
	_ datasource.DataSourceWithConfigure        = &modelVersionDataSource{}
	_ datasource.DataSourceWithConfigValidators = &modelVersionDataSource{}
)

// NewModelVersionDataSource returns the mlops_model_version data source.
func NewModelVersionDataSource() datasource.DataSource { return &modelVersionDataSource{} }

type modelVersionDataSource struct {
	dataSourceBase
}

type modelVersionDataModel struct {
	ModelID           types.String `tfsdk:"model_id"`
	Model             types.String `tfsdk:"model"`
	Version           versionValue `tfsdk:"version"`
	ID                types.String `tfsdk:"id"`
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

// modelArgument is model_id, as mlops_model_version names it, formerly
// model.
var modelArgument = renamedArgument{
	name:      "model_id",
	old:       "model",
	what:      "Id of the model: its name, as `mlops_model`'s `id`",
	validator: modelNameValidator(),
}

func (d *modelVersionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_version"
}

func (d *modelVersionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	modelID, model := modelArgument.attributes()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a model version of the provider's environment: a given version, or without `version` the highest one.",
		Attributes: map[string]schema.Attribute{
			"model_id": modelID,
			"model":    model,
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version to look up, a whole number of 1 or more. Unset: the highest version, which this attribute then holds.",
				Optional:            true,
				Computed:            true,
				CustomType:          versionType{},
			},
			"id":                  schema.StringAttribute{MarkdownDescription: "The model version's id, `<model>/<version>`.", Computed: true},
			"artifact_uri":        schema.StringAttribute{MarkdownDescription: "Where the trained artifact is.", Computed: true},
			"artifact_digest":     schema.StringAttribute{MarkdownDescription: "Digest of the artifact.", Computed: true},
			"feature_version_ids": schema.SetAttribute{MarkdownDescription: "Ids of the feature versions the model version reads directly; null when it reads none.", Computed: true, ElementType: types.StringType},
			"feature_view_ids":    schema.SetAttribute{MarkdownDescription: "Ids of the feature views the model version reads; null when it reads none.", Computed: true, ElementType: types.StringType},
			"inputs": schema.ListNestedAttribute{
				MarkdownDescription: "The features the model reads; null when it reads every feature of its feature versions.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"feature": schema.StringAttribute{MarkdownDescription: "Feature name, or `group.feature`.", Computed: true},
						"type":    schema.StringAttribute{MarkdownDescription: "Type the model expects, if declared.", Computed: true},
					},
				},
			},
			"metrics":     schema.MapAttribute{MarkdownDescription: "Evaluation metrics.", Computed: true, ElementType: types.NumberType},
			"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"tags":        schema.MapAttribute{MarkdownDescription: "Free-form string tags.", Computed: true, ElementType: types.StringType},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the version was registered (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *modelVersionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{modelArgument.configValidator()}
}

func (d *modelVersionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg modelVersionDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	model := modelArgument.value(cfg.ModelID, cfg.Model)
	var (
		v   registry.ModelVersion
		err error
	)
	if cfg.Version.IsNull() {
		v, err = d.reg.LatestModelVersion(ctx, model.ValueString())
	} else {
		v, err = d.reg.ModelVersion(ctx, model.ValueString(), cfg.Version.ValueInt64())
	}
	if err != nil {
		addLookupError(&resp.Diagnostics, "model version", err)
		return
	}
	m := modelVersionFromRegistry(v, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, modelVersionDataModel{
		ModelID:           model,
		Model:             cfg.Model,
		Version:           m.Version,
		ID:                m.ID,
		ArtifactURI:       m.ArtifactURI,
		ArtifactDigest:    m.ArtifactDigest,
		FeatureVersionIDs: m.FeatureVersionIDs,
		FeatureViewIDs:    m.FeatureViewIDs,
		Inputs:            m.Inputs,
		Metrics:           m.Metrics,
		Description:       m.Description,
		Tags:              m.Tags,
		CreatedAt:         m.CreatedAt,
	})...)
}
