package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource                     = &featureVersionDataSource{}
	_ datasource.DataSourceWithConfigure        = &featureVersionDataSource{}
	_ datasource.DataSourceWithConfigValidators = &featureVersionDataSource{}
)

// NewFeatureVersionDataSource returns the mlops_feature_version data source.
func NewFeatureVersionDataSource() datasource.DataSource { return &featureVersionDataSource{} }

type featureVersionDataSource struct {
	dataSourceBase
}

type featureVersionDataModel struct {
	FeatureGroupID types.String `tfsdk:"feature_group_id"`
	FeatureGroup   types.String `tfsdk:"feature_group"`
	Version        versionValue `tfsdk:"version"`
	ID             types.String `tfsdk:"id"`
	Features       types.List   `tfsdk:"features"`
	Deprecated     types.Bool   `tfsdk:"deprecated"`
	Description    types.String `tfsdk:"description"`
	SchemaHash     types.String `tfsdk:"schema_hash"`
	CreatedAt      types.String `tfsdk:"created_at"`
}

// featureGroupArgument is feature_group_id, as mlops_feature_version names
// it, formerly feature_group.
var featureGroupArgument = renamedArgument{
	name:      "feature_group_id",
	old:       "feature_group",
	what:      "Id of the feature group: its name, as `mlops_feature_group`'s `id`",
	validator: nameValidator("feature group name"),
}

func (d *featureVersionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_feature_version"
}

func (d *featureVersionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	groupID, group := featureGroupArgument.attributes()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a feature version of the provider's environment: a given version, or without `version` " +
			"the highest version that is not deprecated.",
		Attributes: map[string]schema.Attribute{
			"feature_group_id": groupID,
			"feature_group":    group,
			"version": schema.NumberAttribute{
				MarkdownDescription: "Version to look up, a whole number of 1 or more. Unset: the highest non-deprecated version, which this attribute then holds.",
				Optional:            true,
				Computed:            true,
				CustomType:          versionType{},
			},
			"id": schema.StringAttribute{MarkdownDescription: "The feature version's id, `<feature group>/<version>`.", Computed: true},
			"features": schema.ListNestedAttribute{
				MarkdownDescription: "The schema, in order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":        schema.StringAttribute{MarkdownDescription: "Feature name.", Computed: true},
						"type":        schema.StringAttribute{MarkdownDescription: "Feature type, in canonical form (`Array< INT >` reads `array<int>`).", Computed: true, CustomType: featureTypeType{}},
						"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
					},
				},
			},
			"deprecated":  schema.BoolAttribute{MarkdownDescription: "Whether the version is deprecated.", Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"schema_hash": schema.StringAttribute{MarkdownDescription: "SHA-256 of the canonical schema.", Computed: true},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the version was created (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *featureVersionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{featureGroupArgument.configValidator()}
}

func (d *featureVersionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg featureVersionDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	group := featureGroupArgument.value(cfg.FeatureGroupID, cfg.FeatureGroup)
	var (
		v   registry.FeatureVersion
		err error
	)
	if cfg.Version.IsNull() {
		v, err = d.reg.LatestFeatureVersion(ctx, group.ValueString())
	} else {
		v, err = d.reg.FeatureVersion(ctx, group.ValueString(), cfg.Version.ValueInt64())
	}
	if err != nil {
		addLookupError(&resp.Diagnostics, "feature version", err)
		return
	}
	if !cfg.Version.IsNull() {
		addProblems(&resp.Diagnostics, registry.CheckFeatureVersionNotDeprecated(v, d.reg.Environment()))
	}
	m := featureVersionFromRegistry(v, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, featureVersionDataModel{
		FeatureGroupID: group,
		FeatureGroup:   cfg.FeatureGroup,
		Version:        m.Version,
		ID:             m.ID,
		Features:       m.Features,
		Deprecated:     m.Deprecated,
		Description:    m.Description,
		SchemaHash:     m.SchemaHash,
		CreatedAt:      m.CreatedAt,
	})...)
}
