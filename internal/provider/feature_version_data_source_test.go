package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

var compareEqual = compare.ValuesSame()

func TestAccFeatureVersionDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	versions := func(v2deprecated bool) string {
		dep := "false"
		if v2deprecated {
			dep = "true"
		}
		return transactionsGroup + `
resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
  ]
}
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  deprecated       = ` + dep + `
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "Double", description = "sum over 7 days" },
  ]
}
`
	}
	lookups := `
data "mlops_feature_version" "pinned" {
  feature_group_id = "transactions"
  version          = 1
}
data "mlops_feature_version" "latest" {
  feature_group_id = mlops_feature_group.transactions.id
}
`
	// The former name of feature_group_id, deprecated.
	lookupsDeprecated := `
data "mlops_feature_version" "pinned" {
  feature_group = "transactions"
  version       = 1
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(versions(false))},
			{
				Config: reg.config(versions(false) + lookups),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("feature_group_id"), knownvalue.StringExact("transactions")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("feature_group"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("features"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("features").AtSliceIndex(2), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("amount_7d"), "type": knownvalue.StringExact("double"), "description": knownvalue.StringExact("sum over 7 days"),
					})),
					statecheck.CompareValuePairs("data.mlops_feature_version.latest", tfjsonpath.New("schema_hash"), "mlops_feature_version.v2", tfjsonpath.New("schema_hash"), compareEqual),
				},
			},
			{
				// The deprecated name looks up the same version, and
				// feature_group_id holds the value too.
				Config: reg.config(versions(false) + lookupsDeprecated),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("feature_group"), knownvalue.StringExact("transactions")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("feature_group_id"), knownvalue.StringExact("transactions")),
				},
			},
			{
				Config: reg.config(versions(false) + `
data "mlops_feature_version" "both" {
  feature_group_id = "transactions"
  feature_group    = "transactions"
}
`),
				ExpectError: errorRE("Invalid Attribute Combination", "feature_group_id", "feature_group"),
			},
			{
				Config: reg.config(versions(false) + `
data "mlops_feature_version" "neither" {
  version = 1
}
`),
				ExpectError: errorRE("Missing Attribute Configuration", "feature_group_id", "feature_group"),
			},
			{Config: reg.config(versions(true))},
			{
				// Deprecated versions are skipped by the latest lookup.
				Config: reg.config(versions(true) + lookups),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
				},
			},
			{
				Config: reg.config(versions(true) + `
data "mlops_feature_version" "missing" {
  feature_group_id = "transactions"
  version          = 3
}
`),
				ExpectError: errorRE("No such feature version", `feature version "transactions/3" does not exist in environment "default"`),
			},
			{
				Config: reg.config(versions(true) + `
data "mlops_feature_version" "missing" {
  feature_group_id = "payments"
}
`),
				ExpectError: errorRE("No such feature version", `feature group "payments" does not exist in environment "default"`),
			},
		},
	})
}

// The deprecated feature_group warns at validate, naming its replacement;
// feature_group_id does not warn. (terraform-plugin-testing does not show
// warnings: this sends the configuration as Terraform does.)
func TestFeatureVersionDataSource_deprecatedArgumentWarns(t *testing.T) {
	testDeprecatedArgumentWarns(t, "mlops_feature_version", "feature_group", "feature_group_id", "transactions")
}

// testDeprecatedArgumentWarns checks that a data source's deprecated
// argument warns, once, on that argument, and names its replacement, which
// does not warn.
func testDeprecatedArgumentWarns(t *testing.T, typeName, old, name, value string) {
	t.Helper()
	diags := validateDataSource(t, typeName, map[string]tftypes.Value{old: tftypes.NewValue(tftypes.String, value)})
	if len(diags) != 1 {
		t.Fatalf("%s with %s: want one diagnostic, got %d: %v", typeName, old, len(diags), diagSummaries(diags))
	}
	d := diags[0]
	if d.Severity != tfprotov6.DiagnosticSeverityWarning || d.Summary != "Attribute Deprecated" ||
		!strings.Contains(d.Detail, "Use "+name+" instead") || d.Attribute == nil || !d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName(old)) {
		t.Errorf("%s with %s: want a deprecation warning on %s naming %s, got %s: %s: %s (at %v)", typeName, old, old, name, d.Severity, d.Summary, d.Detail, d.Attribute)
	}
	if diags := validateDataSource(t, typeName, map[string]tftypes.Value{name: tftypes.NewValue(tftypes.String, value)}); len(diags) != 0 {
		t.Errorf("%s with %s: want no diagnostic, got %v", typeName, name, diagSummaries(diags))
	}
}

// validateDataSource sends a data source configuration (the given
// attributes, every other one null) to the provider as Terraform does at
// validate, and returns the provider's diagnostics.
func validateDataSource(t *testing.T, typeName string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	srv := NewServer("test")()
	schemas, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas.DataSourceSchemas[typeName]
	if s == nil {
		t.Fatalf("no data source %s", typeName)
	}
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s: schema type %T", typeName, s.ValueType())
	}
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		if _, ok := vals[name]; !ok {
			t.Fatalf("%s has no attribute %s", typeName, name)
		}
		vals[name] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.ValidateDataResourceConfig(t.Context(), &tfprotov6.ValidateDataResourceConfigRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

func diagSummaries(diags []*tfprotov6.Diagnostic) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = d.Severity.String() + ": " + d.Summary + ": " + d.Detail
	}
	return out
}
