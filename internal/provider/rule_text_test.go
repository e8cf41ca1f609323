package provider

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The provider's validators are the registry's checks in the registry's
// words: each describes its pattern with the registry's rule text, and
// refuses exactly what the registry refuses.
func TestValidatorsAreTheRegistrysChecks(t *testing.T) {
	cases := []struct {
		name        string
		v           validator.String
		description string
		valid       func(string) bool
	}{
		{"feature name", nameValidator("feature name"), "must be a valid feature name: " + registry.NameRule, registry.ValidName},
		{"model name", modelNameValidator(), "must be a valid model name: " + registry.ModelNameRule, registry.ValidModelName},
		{"environment", environmentValidator(), "must be a valid environment name: " + registry.EnvironmentRule, registry.ValidEnvironment},
		{"suite name", suiteNameValidator(), "must be a valid validation suite name: " + registry.SuiteNameRule, registry.ValidSuiteName},
		{"alias name", aliasNameValidator(), "must be a valid alias name: " + registry.AliasNameRule, registry.ValidAliasName},
		{"artifact URI", artifactURIValidator(), "must be " + registry.ArtifactURIRule, registry.ValidArtifactURI},
		{"artifact digest", artifactDigestValidator(), "must be " + registry.ArtifactDigestRule, registry.ValidArtifactDigest},
	}
	values := []string{
		"transactions", "fraud-model", "fraud_model", "prod", "Prod", "9a", "_a", "a.b", "", "a b",
		"a" + strings.Repeat("b", 62), "a" + strings.Repeat("b", 63),
		"s3://models/fraud/2", "models/fraud", "sha256:" + strings.Repeat("ab", 32), "sha256:XYZ",
	}
	ctx := context.Background()
	at := path.Root("name")
	for _, c := range cases {
		if got := c.v.Description(ctx); got != c.description {
			t.Errorf("%s: description %q, want %q", c.name, got, c.description)
		}
		for _, s := range values {
			resp := &validator.StringResponse{}
			c.v.ValidateString(ctx, validator.StringRequest{Path: at, ConfigValue: types.StringValue(s)}, resp)
			if refused := resp.Diagnostics.HasError(); refused == c.valid(s) {
				t.Errorf("%s %q: the validator refuses it: %v; the registry accepts it: %v", c.name, s, refused, c.valid(s))
			}
			if resp.Diagnostics.HasError() {
				d := resp.Diagnostics.Errors()[0]
				if want := "Attribute name " + c.description + ", got: " + s; d.Detail() != want {
					t.Errorf("%s %q: detail %q, want %q", c.name, s, d.Detail(), want)
				}
			}
		}
		for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
			resp := &validator.StringResponse{}
			c.v.ValidateString(ctx, validator.StringRequest{Path: at, ConfigValue: v}, resp)
			if resp.Diagnostics.HasError() {
				t.Errorf("%s: %s refused", c.name, v)
			}
		}
	}
}

// The id functions refuse a name in the registry's words for its pattern.
func TestIDFunctionsUseTheRegistrysRules(t *testing.T) {
	cases := []struct {
		f             function.Function
		name          string
		pattern, rule string
	}{
		{NewFeatureVersionIDFunction(), "Transactions", registry.NamePattern, registry.NameRule},
		{NewModelVersionIDFunction(), "Fraud Model", registry.ModelNamePattern, registry.ModelNameRule},
	}
	ctx := context.Background()
	for _, c := range cases {
		resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
		c.f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{
			types.StringValue(c.name), types.NumberValue(big.NewFloat(2)),
		})}, resp)
		if resp.Error == nil || !strings.HasSuffix(resp.Error.Text, "it must match "+c.pattern+" ("+c.rule+")") {
			t.Errorf("%q: error %v, want the pattern %s and the rule %q", c.name, resp.Error, c.pattern, c.rule)
		}
		def := &function.DefinitionResponse{}
		c.f.Definition(ctx, function.DefinitionRequest{}, def)
		if d := def.Definition.Parameters[0].GetMarkdownDescription(); !strings.Contains(d, "`"+c.pattern+"` ("+c.rule+")") {
			t.Errorf("%q: parameter description %q lacks the rule", c.name, d)
		}
	}
}

// configureProvider sends a provider configuration to s as Terraform does,
// the attributes not given null, and returns the diagnostics.
func configureProvider(t *testing.T, s *Server, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.Provider.ValueType()
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamicValue(t, typ, objectValue(t, typ, attrs))})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// An environment that is not valid, here from MLOPS_ENVIRONMENT, is refused
// in the registry's words, on the environment attribute, before the
// registry is opened.
func TestConfigureRefusesEnvironmentInTheRegistrysWords(t *testing.T) {
	t.Setenv(EnvEnvironment, "Prod")
	file := filepath.Join(t.TempDir(), "registry.db")
	s := NewProviderServer("test")
	defer func() { _ = s.Close(context.Background()) }()
	diags := configureProvider(t, s, map[string]tftypes.Value{
		"registry": tftypes.NewValue(tftypes.String, "sqlite://"+file),
	})
	want := registry.CheckEnvironment("Prod").Error() + ". It comes from " + EnvEnvironment + "."
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError || diags[0].Summary != "Invalid environment" ||
		diags[0].Detail != want || diags[0].Attribute == nil || !diags[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("environment")) {
		t.Fatalf("want one error on environment: %q, got %v", want, diagSummaries(diags))
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the registry was opened: %v", err)
	}
}

// A feature version looked up by number while deprecated warns, on version,
// with the registry's problem.
func TestFeatureVersionDataSourceDeprecatedWarning(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	r := reg.open("default")
	if _, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}}); err != nil {
		t.Fatal(err)
	}
	var deprecated registry.FeatureVersion
	for v := int64(1); v <= 2; v++ {
		fv, err := r.CreateFeatureVersion(ctx, registry.FeatureVersion{
			Group: "transactions", Version: v, Deprecated: v == 1,
			Features: []registry.Feature{{Name: "account_id", Type: "string"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if v == 1 {
			deprecated = fv
		}
	}
	s := NewProviderServer("test")
	defer func() { _ = s.Close(context.Background()) }()
	if diags := configureProvider(t, s, map[string]tftypes.Value{
		"registry":    tftypes.NewValue(tftypes.String, reg.url()),
		"environment": tftypes.NewValue(tftypes.String, "default"),
	}); len(diags) != 0 {
		t.Fatalf("configure: %v", diagSummaries(diags))
	}
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.DataSourceSchemas["mlops_feature_version"].ValueType()
	read := func(version tftypes.Value) []*tfprotov6.Diagnostic {
		t.Helper()
		resp, err := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
			TypeName: "mlops_feature_version",
			Config: dynamicValue(t, typ, objectValue(t, typ, map[string]tftypes.Value{
				"feature_group_id": tftypes.NewValue(tftypes.String, "transactions"),
				"version":          version,
			})),
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}
	want := registry.CheckFeatureVersionNotDeprecated(deprecated, "default")
	if len(want) != 1 {
		t.Fatalf("the registry has no warning for a deprecated version: %v", want)
	}
	diags := read(tftypes.NewValue(tftypes.Number, 1))
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning || diags[0].Summary != want[0].Summary ||
		diags[0].Detail != want[0].Detail || diags[0].Attribute == nil || !diags[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("version")) {
		t.Errorf("version 1: want the warning %v on version, got %v", want[0], diagSummaries(diags))
	}
	if diags := read(tftypes.NewValue(tftypes.Number, 2)); len(diags) != 0 {
		t.Errorf("version 2: %v", diagSummaries(diags))
	}
	if diags := read(tftypes.NewValue(tftypes.Number, nil)); len(diags) != 0 {
		t.Errorf("latest: %v", diagSummaries(diags))
	}
}
