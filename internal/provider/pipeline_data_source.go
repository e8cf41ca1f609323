package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &pipelineDataSource{}
	_ datasource.DataSourceWithConfigure = &pipelineDataSource{}
)

// NewPipelineDataSource returns the mlops_pipeline data source.
func NewPipelineDataSource() datasource.DataSource { return &pipelineDataSource{} }

type pipelineDataSource struct {
	dataSourceBase
}

func (d *pipelineDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pipeline"
}

func (d *pipelineDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	ids := func(description string) schema.SetAttribute {
		return schema.SetAttribute{MarkdownDescription: description, Computed: true, ElementType: types.StringType}
	}
	text := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a pipeline of the provider's environment by name: its kind, whether it is enabled, and what it reads and writes.",
		Attributes: map[string]schema.Attribute{
			"name":     schema.StringAttribute{MarkdownDescription: "Name of the pipeline.", Required: true},
			"id":       text("The pipeline's id: its name."),
			"kind":     text("`feature`, `training` or `inference`."),
			"enabled":  schema.BoolAttribute{MarkdownDescription: "Whether the pipeline runs.", Computed: true},
			"schedule": text("Cron expression of five fields, if any."),
			"code": schema.SingleNestedAttribute{
				MarkdownDescription: "Where the pipeline's code lives, if recorded.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"repository": text("Source repository URL."),
					"ref":        text("Commit, tag or branch."),
					"image":      text("Container image."),
				},
			},
			"reads": schema.SingleNestedAttribute{
				MarkdownDescription: "What the pipeline reads.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"feature_version_ids": ids("Ids of the feature versions read."),
					"feature_view_ids":    ids("Ids of the feature views read."),
					"deployment_id":       text("Id of the deployment read."),
				},
			},
			"writes": schema.SingleNestedAttribute{
				MarkdownDescription: "What the pipeline writes.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"feature_version_ids": ids("Ids of the feature versions written."),
					"model_id":            text("Id of the model trained."),
				},
			},
			"description": text("Free-text description."),
			"tags":        schema.MapAttribute{MarkdownDescription: "Free-form string tags.", Computed: true, ElementType: types.StringType},
			"updated_at":  text("When the pipeline was created or last changed (RFC 3339, UTC)."),
		},
	}
}

func (d *pipelineDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg pipelineModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := d.reg.Pipeline(ctx, cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "pipeline", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, pipelineFromRegistry(p, &resp.Diagnostics))...)
}
