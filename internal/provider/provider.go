// Package provider is the Terraform side of the mlops provider: schemas,
// plan modification, the mapping of CRUD onto internal/registry, and
// diagnostics. Rules live in internal/registry.
package provider

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
)

// Environment variables that configure the provider when its attributes are
// not set.
const (
	EnvRegistry    = "MLOPS_REGISTRY"
	EnvEnvironment = "MLOPS_ENVIRONMENT"
	EnvActor       = "MLOPS_ACTOR"
)

var (
	_ provider.Provider              = &mlopsProvider{}
	_ provider.ProviderWithFunctions = &mlopsProvider{}
)

// New returns the provider factory.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &mlopsProvider{version: version} }
}

type mlopsProvider struct {
	version string

	// mu guards registries: every registry Configure opened, closed by
	// Close when the provider stops.
	mu         sync.Mutex
	registries []*registry.Registry
	closed     bool
}

type providerModel struct {
	Registry    types.String `tfsdk:"registry"`
	Environment types.String `tfsdk:"environment"`
	Actor       types.String `tfsdk:"actor"`
}

func (p *mlopsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mlops"
	resp.Version = p.version
}

func (p *mlopsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the artifacts of an ML system in an ML registry — feature groups and their versioned " +
			"feature schemas, the feature views joined from them, models, model versions, the aliases that name them and their approvals, validation suites, the deployments that serve model versions, the pipelines that write features and models, and the policies of environments — " +
			"and refuses at plan time the changes that would break what is running.",
		Attributes: map[string]schema.Attribute{
			"registry": schema.StringAttribute{
				MarkdownDescription: "Registry URL: `sqlite://relative/path.db`, `sqlite:///absolute/path.db`, or `postgres://…` / " +
					"`postgresql://…` for a shared PostgreSQL database (libpq-style options such as `sslmode` pass through). " +
					"Falls back to the `" + EnvRegistry + "` environment variable, then to the embedded default, a SQLite file `" +
					registry.DefaultRegistryFile + "` in the working directory. Keep a password out of the configuration: " +
					"set the URL in `" + EnvRegistry + "`, or leave the password out of the URL and give it in `PGPASSWORD` or a " +
					"PostgreSQL password file (`~/.pgpass`).",
				Optional:  true,
				Sensitive: true,
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Environment that namespaces every object, usually `terraform.workspace`. Must match `" +
					registry.EnvironmentPattern + "`. Falls back to `" + EnvEnvironment + "`, then to `" + registry.DefaultEnvironment + "`.",
				Optional:   true,
				Validators: []validator.String{environmentValidator()},
			},
			"actor": schema.StringAttribute{
				MarkdownDescription: "Who is recorded in the registry's audit trail for each write. Falls back to `" + EnvActor +
					"`, then to the operating-system user.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (p *mlopsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	tflog.Info(ctx, "configuring the mlops provider", map[string]any{"version": p.version})
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{"registry": cfg.Registry, "environment": cfg.Environment, "actor": cfg.Actor} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider "+name,
				"The provider's "+name+" is not known until apply, but the provider needs it to plan. Set it to a value known at plan time, or leave it unset and use the "+
					envVarOf(name)+" environment variable.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	url := valueOrEnv(cfg.Registry, EnvRegistry)
	urlInConfig := !cfg.Registry.IsNull()
	env := valueOrEnv(cfg.Environment, EnvEnvironment)
	if env == "" {
		env = registry.DefaultEnvironment
	}
	actor := valueOrEnv(cfg.Actor, EnvActor)

	if err := registry.CheckEnvironment(env); err != nil {
		from := "the provider block"
		if cfg.Environment.IsNull() {
			from = EnvEnvironment
		}
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Invalid environment", err.Error()+". It comes from "+from+".")
		return
	}
	loc, err := registry.ParseRegistryURL(url)
	if err != nil {
		addRegistryURLError(&resp.Diagnostics, url, urlInConfig, "Invalid registry URL", err.Error())
		return
	}

	ctx = tflog.MaskMessageStrings(ctx, url)
	tflog.Debug(ctx, "opening the registry", map[string]any{"registry": registry.RedactURL(url), "scheme": loc.Scheme, "environment": env})
	logger := registryLogger()
	store, err := stores.Open(ctx, loc, logger)
	if err != nil {
		addRegistryURLError(&resp.Diagnostics, url, urlInConfig, "Cannot open the registry",
			"The provider could not open the registry "+quote(registry.RedactURL(url))+": "+err.Error())
		return
	}
	reg, err := registry.New(store, registry.Options{Environment: env, Actor: actor, Logger: logger, Location: registry.RedactURL(url)})
	if err != nil {
		_ = store.Close()
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Invalid environment", err.Error())
		return
	}
	if !p.keep(reg) {
		_ = reg.Close()
		resp.Diagnostics.AddError("Provider stopped", "The provider was stopped while it was being configured; nothing was read or written.")
		return
	}
	// Each Configure starts one Terraform operation: its plans are recorded
	// for the checks of the objects planned after them.
	resp.ResourceData = reg.Planning(registry.NewRunPlan(env))
	resp.DataSourceData = reg
}

// keep records a registry that Configure opened, for Close; it is false
// when the provider is already closed.
func (p *mlopsProvider) keep(reg *registry.Registry) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.registries = append(p.registries, reg)
	return true
}

// Close closes every registry Configure opened: the SQLite file or the
// PostgreSQL connections. The provider is of no more use afterwards.
func (p *mlopsProvider) Close() error {
	p.mu.Lock()
	regs := p.registries
	p.registries, p.closed = nil, true
	p.mu.Unlock()
	var errs []error
	for _, reg := range regs {
		errs = append(errs, reg.Close())
	}
	return errors.Join(errs...)
}

func (p *mlopsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewFeatureGroupResource,
		NewFeatureVersionResource,
		NewModelResource,
		NewModelVersionResource,
		NewModelAliasResource,
		NewModelVersionApprovalResource,
		NewFeatureViewResource,
		NewEnvironmentResource,
		NewDeploymentResource,
		NewValidationSuiteResource,
		NewPipelineResource,
	}
}

func (p *mlopsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewFeatureGroupDataSource,
		NewFeatureVersionDataSource,
		NewFeatureViewDataSource,
		NewModelDataSource,
		NewModelVersionDataSource,
		NewModelAliasDataSource,
		NewEnvironmentDataSource,
		NewDeploymentDataSource,
		NewLineageDataSource,
		NewValidationSuiteDataSource,
		NewDatasetValidationDataSource,
		NewAuditDataSource,
		NewKServeInferenceServiceDataSource,
		NewPipelineDataSource,
	}
}

func (p *mlopsProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewFeatureVersionIDFunction, NewModelVersionIDFunction, NewModelAliasIDFunction}
}

func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func envVarOf(attr string) string {
	return "MLOPS_" + strings.ToUpper(attr)
}

// logOutput is the process's standard error as it was at start-up: the
// plugin server later redirects os.Stderr, while Terraform reads JSON log
// lines from the original one.
var logOutput = os.Stderr

// registryLogger is the go-hclog logger handed to the registry and its
// store: JSON lines on stderr, which Terraform shows under TF_LOG /
// TF_LOG_PROVIDER like the provider's own logs.
func registryLogger() hclog.Logger {
	level := hclog.LevelFromString(os.Getenv("TF_LOG_PROVIDER"))
	if level == hclog.NoLevel {
		level = hclog.LevelFromString(os.Getenv("TF_LOG"))
	}
	if level == hclog.NoLevel {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Name: "mlops.registry", Level: level, JSONFormat: true, Output: logOutput})
}
