package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource              = &environmentDataSource{}
	_ datasource.DataSourceWithConfigure = &environmentDataSource{}
)

// NewEnvironmentDataSource returns the mlops_environment data source.
func NewEnvironmentDataSource() datasource.DataSource { return &environmentDataSource{} }

type environmentDataSource struct {
	dataSourceBase
}

func (d *environmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (d *environmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up the policy of an environment, any environment (policies are global), as a platform " +
			"configuration declared it with `mlops_environment`. An environment without a policy is an error naming it.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "The environment, such as `prod`.",
				Required:            true,
				Validators:          []validator.String{environmentValidator()},
			},
			"id":           schema.StringAttribute{MarkdownDescription: "The policy's id: the environment's name.", Computed: true},
			"promote_from": schema.StringAttribute{MarkdownDescription: "The environment deployments here are promoted from; null for none.", Computed: true},
			"require_approval": schema.BoolAttribute{
				MarkdownDescription: "Whether every served model version needs an approval here (rule D6).", Computed: true,
			},
			"required_gates": schema.SetAttribute{
				MarkdownDescription: "The validation suites every served model version must pass here (rule D8).",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"protected":   schema.BoolAttribute{MarkdownDescription: "Whether plans here cannot destroy what serves (rule D9).", Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Free-text description.", Computed: true},
			"updated_at":  schema.StringAttribute{MarkdownDescription: "When the policy was created or last changed (RFC 3339, UTC).", Computed: true},
		},
	}
}

func (d *environmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg environmentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.Name.ValueString()
	p, err := d.reg.EnvironmentPolicy(ctx, name)
	if registry.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "No such environment policy",
			err.Error()+" "+d.reg.Location()+": no mlops_environment declares "+quote(name)+". Check the name, or declare its policy "+
				"with mlops_environment in the configuration that manages the environments.")
		return
	}
	if err != nil {
		addRegistryError(&resp.Diagnostics, "look up environment "+quote(name), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, environmentFromRegistry(p, &resp.Diagnostics))...)
}
