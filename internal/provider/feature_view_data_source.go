package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource              = &featureViewDataSource{}
	_ datasource.DataSourceWithConfigure = &featureViewDataSource{}
)

// NewFeatureViewDataSource returns the mlops_feature_view data source.
func NewFeatureViewDataSource() datasource.DataSource { return &featureViewDataSource{} }

type featureViewDataSource struct {
	dataSourceBase
}

func (d *featureViewDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_view"
}

func (d *featureViewDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedStrings := func(description string) schema.ListAttribute {
		return schema.ListAttribute{MarkdownDescription: description, Computed: true, ElementType: types.StringType}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a feature view of the provider's environment: a given version, or without `version` the highest. " +
			"Use it to train or serve on a view that another configuration manages.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "View name.",
				Required:            true,
				Validators:          []validator.String{nameValidator("feature view name")},
			},
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version to look up, a whole number of 1 or more. Unset: the highest version, which this attribute then holds.",
				Optional:            true,
				Computed:            true,
				CustomType:          versionType{},
			},
			"id": schema.StringAttribute{MarkdownDescription: "The view's id, `<name>/<version>`.", Computed: true},
			"sources": schema.ListNestedAttribute{
				MarkdownDescription: viewSourcesDescription,
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"feature_version_id": schema.StringAttribute{MarkdownDescription: viewSourceFVDescription, Computed: true},
						"features":           computedStrings(viewSourceFeaturesDescription),
						"join_on":            computedStrings(viewSourceJoinOnDescription),
						"prefix":             schema.StringAttribute{MarkdownDescription: viewSourcePrefixDescription, Computed: true},
					},
				},
			},
			"labels":      computedStrings(viewLabelsDescription),
			"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"tags":        schema.MapAttribute{MarkdownDescription: "Free-form string tags.", Computed: true, ElementType: types.StringType},
			"schema": schema.ListNestedAttribute{
				MarkdownDescription: viewSchemaDescription,
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{MarkdownDescription: "Output feature name.", Computed: true},
						"type": schema.StringAttribute{MarkdownDescription: "Its type, in canonical form.", Computed: true},
					},
				},
			},
			"schema_hash": schema.StringAttribute{MarkdownDescription: viewSchemaHashDescription, Computed: true},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the view was created (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *featureViewDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg featureViewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		v   registry.FeatureView
		err error
	)
	if cfg.Version.IsNull() {
		v, err = d.reg.LatestFeatureView(ctx, cfg.Name.ValueString())
	} else {
		v, err = d.reg.FeatureView(ctx, cfg.Name.ValueString(), cfg.Version.ValueInt64())
	}
	if err != nil {
		addLookupError(&resp.Diagnostics, "feature view", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, featureViewFromRegistry(v, &resp.Diagnostics))...)
}
