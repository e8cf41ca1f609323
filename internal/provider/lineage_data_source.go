package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &lineageDataSource{}
	_ datasource.DataSourceWithConfigure = &lineageDataSource{}
)

// NewLineageDataSource returns the mlops_lineage data source.
func NewLineageDataSource() datasource.DataSource { return &lineageDataSource{} }

type lineageDataSource struct {
	dataSourceBase
}

type lineageModel struct {
	Deployment    types.String `tfsdk:"deployment"`
	ModelVersions types.List   `tfsdk:"model_versions"`
	Mermaid       types.String `tfsdk:"mermaid"`
}

var servedAttrTypes = map[string]attr.Type{
	"id":                  types.StringType,
	"role":                types.StringType,
	"percent":             types.Int64Type,
	"feature_version_ids": types.ListType{ElemType: types.StringType},
	"feature_view_ids":    types.ListType{ElemType: types.StringType},
	"missing":             types.ListType{ElemType: types.StringType},
}

func (d *lineageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_lineage"
}

func (d *lineageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The lineage of a deployment of the provider's environment: the model versions it serves, the feature " +
			"versions and feature views they read (and the feature versions of those views), and a Mermaid diagram of that graph for code review. Objects the environment lacks are listed " +
			"in `missing` and drawn in red.",
		Attributes: map[string]schema.Attribute{
			"deployment": schema.StringAttribute{MarkdownDescription: "Name of the deployment.", Required: true},
			"model_versions": schema.ListNestedAttribute{
				MarkdownDescription: "The served model versions: the main one, then the canary.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                  schema.StringAttribute{MarkdownDescription: "Model version id.", Computed: true},
						"role":                schema.StringAttribute{MarkdownDescription: "`main`, `canary` or `shadow`.", Computed: true},
						"percent":             schema.Int64Attribute{MarkdownDescription: "Share of the traffic it takes; for the shadow, the share of the requests copied to it (its answers are discarded).", Computed: true},
						"feature_version_ids": schema.ListAttribute{MarkdownDescription: "Feature versions it reads directly, sorted.", Computed: true, ElementType: types.StringType},
						"feature_view_ids":    schema.ListAttribute{MarkdownDescription: "Feature views it reads, sorted.", Computed: true, ElementType: types.StringType},
						"missing": schema.ListAttribute{
							MarkdownDescription: "What it reads that the environment lacks (rule D2): its feature versions, then its feature views and the feature versions they read.",
							Computed:            true, ElementType: types.StringType,
						},
					},
				},
			},
			"mermaid": schema.StringAttribute{
				MarkdownDescription: "The graph as a Mermaid flowchart (`graph LR`), to paste in a review comment or README.",
				Computed:            true,
			},
		},
	}
}

func (d *lineageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg lineageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	l, err := d.reg.Lineage(ctx, cfg.Deployment.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "deployment", err)
		return
	}
	elems := make([]attr.Value, len(l.Served))
	for i, s := range l.Served {
		fvs, diags := types.ListValueFrom(ctx, types.StringType, emptyIfNil(s.FeatureVersions))
		resp.Diagnostics.Append(diags...)
		views, missingIDs := s.FeatureViewIDs()
		viewIDs, diags := types.ListValueFrom(ctx, types.StringType, views)
		resp.Diagnostics.Append(diags...)
		missing, diags := types.ListValueFrom(ctx, types.StringType, missingIDs)
		resp.Diagnostics.Append(diags...)
		obj, diags := types.ObjectValue(servedAttrTypes, map[string]attr.Value{
			"id": types.StringValue(s.ModelVersion), "role": types.StringValue(s.Role), "percent": types.Int64Value(s.Percent),
			"feature_version_ids": fvs, "feature_view_ids": viewIDs, "missing": missing,
		})
		resp.Diagnostics.Append(diags...)
		elems[i] = obj
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: servedAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, lineageModel{Deployment: cfg.Deployment, ModelVersions: list, Mermaid: types.StringValue(l.Mermaid())})...)
}

func emptyIfNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
