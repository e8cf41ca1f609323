package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ datasource.DataSource              = &modelAliasDataSource{}
	_ datasource.DataSourceWithConfigure = &modelAliasDataSource{}
)

// NewModelAliasDataSource returns the mlops_model_alias data source.
func NewModelAliasDataSource() datasource.DataSource { return &modelAliasDataSource{} }

type modelAliasDataSource struct {
	dataSourceBase
}

func (d *modelAliasDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_alias"
}

func (d *modelAliasDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a model alias of the provider's environment, such as `fraud@champion`, and the model version it " +
			"points at. Use it to serve what another configuration's alias names.",
		Attributes: map[string]schema.Attribute{
			"model_id": schema.StringAttribute{
				MarkdownDescription: "Id of the model: its name, as `mlops_model`'s `id`.",
				Required:            true,
				Validators:          []validator.String{modelNameValidator()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Alias name, such as `champion`.",
				Required:            true,
				Validators:          []validator.String{aliasNameValidator()},
			},
			"id":               schema.StringAttribute{MarkdownDescription: "The alias's id, `<model>@<alias>`.", Computed: true},
			"model_version_id": schema.StringAttribute{MarkdownDescription: "Id of the model version the alias points at.", Computed: true},
			"description":      schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"updated_at":       schema.StringAttribute{MarkdownDescription: "When the alias was created or last moved or changed (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *modelAliasDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg modelAliasModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := d.reg.ModelAlias(ctx, cfg.ModelID.ValueString(), cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "model alias", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, modelAliasFromRegistry(a))...)
}
