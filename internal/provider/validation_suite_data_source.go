package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &validationSuiteDataSource{}
	_ datasource.DataSourceWithConfigure = &validationSuiteDataSource{}
)

// NewValidationSuiteDataSource returns the mlops_validation_suite data source.
func NewValidationSuiteDataSource() datasource.DataSource { return &validationSuiteDataSource{} }

type validationSuiteDataSource struct {
	dataSourceBase
}

func (d *validationSuiteDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_validation_suite"
}

func (d *validationSuiteDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a validation suite of the provider's environment by name, for example to hand its " +
			"`great_expectations_json` to a pipeline managed elsewhere.",
		Attributes: map[string]schema.Attribute{
			"name":               schema.StringAttribute{MarkdownDescription: "Name of the suite.", Required: true},
			"id":                 schema.StringAttribute{MarkdownDescription: "The suite's id: its name.", Computed: true},
			"feature_version_id": schema.StringAttribute{MarkdownDescription: "Target of a data suite.", Computed: true},
			"model_id":           schema.StringAttribute{MarkdownDescription: "Target of a model suite.", Computed: true},
			"ingestion_policy":   schema.StringAttribute{MarkdownDescription: "Ingestion policy of a data suite.", Computed: true},
			"expectations": schema.ListNestedAttribute{
				MarkdownDescription: "The expectations, in order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type":      schema.StringAttribute{MarkdownDescription: "Expectation type.", Computed: true},
						"column":    schema.StringAttribute{MarkdownDescription: "Column.", Computed: true},
						"metric":    schema.StringAttribute{MarkdownDescription: "Metric.", Computed: true},
						"min_value": schema.NumberAttribute{MarkdownDescription: "Lower bound.", Computed: true},
						"max_value": schema.NumberAttribute{MarkdownDescription: "Upper bound.", Computed: true},
						"value_set": schema.ListAttribute{MarkdownDescription: "Allowed values.", Computed: true, ElementType: types.StringType},
						"regex":     schema.StringAttribute{MarkdownDescription: "Regular expression.", Computed: true},
						"mostly":    schema.NumberAttribute{MarkdownDescription: "Share of values that must pass.", Computed: true},
						"severity":  schema.StringAttribute{MarkdownDescription: "`error` or `warning`.", Computed: true},
					},
				},
			},
			"great_expectations_json":    schema.StringAttribute{MarkdownDescription: greatExpectationsJSONDescription, Computed: true},
			"great_expectations_json_v0": schema.StringAttribute{MarkdownDescription: greatExpectationsJSONV0Description, Computed: true},
			"created_at":                 schema.StringAttribute{MarkdownDescription: "When the suite was created (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *validationSuiteDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg validationSuiteModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := d.reg.Suite(ctx, cfg.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, "validation suite", err)
		return
	}
	geJSON, err := d.reg.GreatExpectationsJSON(ctx, s)
	if err != nil {
		addRegistryError(&resp.Diagnostics, "render validation suite "+quote(s.Name), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, validationSuiteFromRegistry(s, geJSON, &resp.Diagnostics))...)
}
