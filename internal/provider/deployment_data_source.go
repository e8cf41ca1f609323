package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var (
	_ datasource.DataSource              = &deploymentDataSource{}
	_ datasource.DataSourceWithConfigure = &deploymentDataSource{}
)

// NewDeploymentDataSource returns the mlops_deployment data source.
func NewDeploymentDataSource() datasource.DataSource { return &deploymentDataSource{} }

type deploymentDataSource struct {
	dataSourceBase
}

func (d *deploymentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment"
}

func (d *deploymentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a deployment of the provider's environment by name.",
		Attributes: map[string]schema.Attribute{
			"name":             schema.StringAttribute{MarkdownDescription: "Name of the deployment.", Required: true},
			"id":               schema.StringAttribute{MarkdownDescription: "The deployment's id: its name.", Computed: true},
			"model_version_id": schema.StringAttribute{MarkdownDescription: "Id of the model version served.", Computed: true},
			"canary": schema.SingleNestedAttribute{
				MarkdownDescription: "The canary, if any.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"model_version_id": schema.StringAttribute{MarkdownDescription: "Id of the canary model version.", Computed: true},
					"percent":          schema.Int64Attribute{MarkdownDescription: "Share of the traffic the canary takes.", Computed: true},
				},
			},
			"shadow": schema.SingleNestedAttribute{
				MarkdownDescription: "The shadow, if any: a model version that receives a copy of a sample of the requests, its answers discarded.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"model_version_id": schema.StringAttribute{MarkdownDescription: "Id of the shadow model version.", Computed: true},
					"sample_percent":   schema.Int64Attribute{MarkdownDescription: "Share of the requests copied to the shadow.", Computed: true},
				},
			},
			"replicas": schema.SingleNestedAttribute{
				MarkdownDescription: "Replica bounds.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"min": schema.Int64Attribute{MarkdownDescription: "Minimum replicas.", Computed: true},
					"max": schema.Int64Attribute{MarkdownDescription: "Maximum replicas.", Computed: true},
				},
			},
			"promote_from": schema.StringAttribute{MarkdownDescription: "Environment the deployment is promoted from, if any.", Computed: true},
			"rollback_model_version_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model version the deployment falls back to, if any.", Computed: true,
			},
			"status":     schema.StringAttribute{MarkdownDescription: "`serving` or `canary`.", Computed: true},
			"updated_at": schema.StringAttribute{MarkdownDescription: "When the deployment last changed (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *deploymentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg deploymentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	dep, err := d.reg.Deployment(ctx, cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "deployment", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, deploymentFromRegistry(dep))...)
}
