package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource              = &featureGroupDataSource{}
	_ datasource.DataSourceWithConfigure = &featureGroupDataSource{}
)

// NewFeatureGroupDataSource returns the mlops_feature_group data source.
func NewFeatureGroupDataSource() datasource.DataSource { return &featureGroupDataSource{} }

type featureGroupDataSource struct {
	dataSourceBase
}

func (d *featureGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_group"
}

func (d *featureGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a feature group of the provider's environment by name, such as one another configuration manages.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the feature group.",
				Required:            true,
				Validators:          []validator.String{nameValidator("feature group name")},
			},
			"id":             schema.StringAttribute{MarkdownDescription: "The feature group's id: its name.", Computed: true},
			"primary_key":    schema.ListAttribute{MarkdownDescription: "Names of the entity key features.", Computed: true, ElementType: types.StringType},
			"event_time":     schema.StringAttribute{MarkdownDescription: "Name of the event-time feature, if any.", Computed: true},
			"online_enabled": schema.BoolAttribute{MarkdownDescription: "Whether the group is served from the online store.", Computed: true},
			"description":    schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"tags":           schema.MapAttribute{MarkdownDescription: "Free-form string tags.", Computed: true, ElementType: types.StringType},
			"created_at":     schema.StringAttribute{MarkdownDescription: "When the group was created (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *featureGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg featureGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := d.reg.FeatureGroup(ctx, cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "feature group", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, featureGroupFromRegistry(ctx, g, &resp.Diagnostics))...)
}

// addLookupError reports a data source lookup that failed; a lookup that
// finds nothing names what was looked for and the environment.
func addLookupError(diags *diag.Diagnostics, what string, err error) {
	if registry.IsNotFound(err) {
		diags.AddError("No such "+what, err.Error()+". Check the name and the provider's environment, or create it first.")
		return
	}
	addRegistryError(diags, "look up "+what, err)
}
