package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &modelDataSource{}
	_ datasource.DataSourceWithConfigure = &modelDataSource{}
)

// NewModelDataSource returns the mlops_model data source.
func NewModelDataSource() datasource.DataSource { return &modelDataSource{} }

type modelDataSource struct {
	dataSourceBase
}

func (d *modelDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model"
}

func (d *modelDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a model of the provider's environment by name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the model.",
				Required:            true,
				Validators:          []validator.String{modelNameValidator()},
			},
			"id":          schema.StringAttribute{MarkdownDescription: "The model's id: its name.", Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"tags":        schema.MapAttribute{MarkdownDescription: "Free-form string tags.", Computed: true, ElementType: types.StringType},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the model was created (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *modelDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg modelModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := d.reg.Model(ctx, cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "model", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, modelFromRegistry(ctx, m, &resp.Diagnostics))...)
}
