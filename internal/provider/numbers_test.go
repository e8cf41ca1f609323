package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// Numbers a configuration writes: version numbers are whole numbers from 1
// to 2^63-1 and metrics are finite 64-bit floats. Both are refused at
// validate with the attribute's path and in words, never by the
// framework's "Value Conversion Error".

// versionMessage is the refusal of a version number, up to the number.
const versionMessage = "version must be a whole number from 1 to 9223372036854775807; got "

// atValidate puts a block under count = 0: Terraform validates its
// configuration but plans no instance of it, so an error it reports at plan
// comes from validation, not from the provider's plan or the registry.
func atValidate(block string) string {
	return fmt.Sprintf(`
variable "n" {
  type    = number
  default = 0
}
%s`, block)
}

func TestAccNumbers_versionRefusedAtValidate(t *testing.T) {
	reg := newTestRegistry(t)
	featureVersion := func(version string) string {
		return fmt.Sprintf(`
resource "mlops_feature_version" "v" {
  feature_group_id = "transactions"
  version          = %s
  features         = [{ name = "account_id", type = "string" }]
}`, version)
	}
	modelVersion := func(version string) string {
		return fmt.Sprintf(`
resource "mlops_model_version" "v" {
  model_id            = "fraud"
  version             = %s
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = ["transactions/1"]
}`, version)
	}
	cases := []struct {
		config, address, line, got string
	}{
		{featureVersion("1.5"), "mlops_feature_version.v", "version = 1.5", "1.5"},
		{featureVersion("99999999999999999999999"), "mlops_feature_version.v", "version = 99999999999999999999999", "99999999999999999999999"},
		{featureVersion("9223372036854775808"), "mlops_feature_version.v", "version = 9223372036854775808", "9223372036854775808"},
		{featureVersion("0"), "mlops_feature_version.v", "version = 0", "0"},
		{featureVersion("-2"), "mlops_feature_version.v", "version = -2", "-2"},
		{modelVersion("2.5"), "mlops_model_version.v", "version = 2.5", "2.5"},
		{modelVersion("1e400"), "mlops_model_version.v", "version = 1e400", "1e+400"},
		{`
data "mlops_feature_version" "d" {
  feature_group = "transactions"
  version       = 1.5
}`, "data.mlops_feature_version.d", "version = 1.5", "1.5"},
		{`
data "mlops_model_version" "d" {
  model   = "fraud"
  version = 1e30
}`, "data.mlops_model_version.d", "version = 1e30", "1000000000000000000000000000000"},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      reg.config(c.config),
			PlanOnly:    true,
			ExpectError: errorRE("Error: Invalid version", "with "+c.address, c.line, versionMessage+c.got),
		})
	}
	// The same at validate alone: no instance is planned.
	steps = append(steps, resource.TestStep{
		Config: reg.config(atValidate(`
resource "mlops_model_version" "v" {
  count               = var.n
  model_id            = "fraud"
  version             = 2.5
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = ["transactions/1"]
}`)),
		PlanOnly:    true,
		ExpectError: errorRE("Error: Invalid version", "with mlops_model_version.v", "version = 2.5", versionMessage+"2.5"),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// A version written as a whole number is stored as before: the state holds
// the number 2, reads back with no diff, imports equal, and the data sources
// look it up.
func TestAccNumbers_versionStateUnchanged(t *testing.T) {
	reg := newTestRegistry(t)
	config := reg.config(mvFeatures + mvModel + fraudVersion(2, `[mlops_feature_version.v2.id]`, `  metrics = { auc = 0.93, big = 1e308 }`))
	lookups := config + `
data "mlops_feature_version" "d" {
  feature_group = mlops_feature_group.transactions.id
  version       = 2
  depends_on    = [mlops_feature_version.v2]
}

data "mlops_model_version" "d" {
  model      = mlops_model.fraud.id
  depends_on = [mlops_model_version.fraud_v2]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_feature_version.v2", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("mlops_feature_version.v2", tfjsonpath.New("id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v2", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v2", tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v2", tfjsonpath.New("metrics"), knownvalue.MapExact(map[string]knownvalue.Check{
						"auc": knownvalue.Float64Exact(0.93),
						"big": knownvalue.Float64Exact(1e308),
					})),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ResourceName: "mlops_feature_version.v2", ImportState: true, ImportStateId: "transactions/2", ImportStateVerify: true},
			{ResourceName: "mlops_model_version.fraud_v2", ImportState: true, ImportStateId: "fraud/2", ImportStateVerify: true},
			{
				Config: lookups,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.d", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("data.mlops_feature_version.d", tfjsonpath.New("id"), knownvalue.StringExact("transactions/2")),
					// Unset: the data source holds the version it found.
					statecheck.ExpectKnownValue("data.mlops_model_version.d", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config: lookups,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// A metric that is not a finite 64-bit float is refused at validate, on
// create and on an in-place change; the stored metrics stay as they were.
func TestAccNumbers_metricOutOfRange(t *testing.T) {
	reg := newTestRegistry(t)
	stack := func(metrics string) string {
		return reg.config(mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, "  metrics = "+metrics))
	}
	refused := func(metric, got string) *regexp.Regexp {
		return errorRE("Error: Invalid metric value", "with mlops_model_version.fraud_v1",
			fmt.Sprintf(`metric %q = %s is not a finite 64-bit floating-point number`, metric, got))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: stack(`{ auc = 1e400 }`), PlanOnly: true, ExpectError: refused("auc", "1e+400")},
			{Config: stack(`{ auc = 0.9, loss = -2e308 }`), PlanOnly: true, ExpectError: refused("loss", "-2e+308")},
			{Config: reg.config(atValidate(`
resource "mlops_model_version" "fraud_v1" {
  count               = var.n
  model_id            = "fraud"
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = ["transactions/1"]
  metrics             = { auc = 1e400 }
}`)), PlanOnly: true, ExpectError: refused("auc", "1e+400")},
			{Config: stack(`{ auc = 0.9 }`)},
			{Config: stack(`{ auc = 1e400 }`), PlanOnly: true, ExpectError: refused("auc", "1e+400")},
			{
				Config: stack(`{ auc = 0.9 }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v1", tfjsonpath.New("metrics"), knownvalue.MapExact(map[string]knownvalue.Check{
						"auc": knownvalue.Float64Exact(0.9),
					})),
				},
				Check: func(*terraform.State) error {
					mv, err := reg.open("default").ModelVersion(context.Background(), "fraud", 1)
					if err != nil {
						return err
					}
					if !reflect.DeepEqual(mv.Metrics, map[string]string{"auc": "0.9"}) || mv.Revision != 1 {
						return fmt.Errorf("registry holds metrics %v at revision %d, want auc 0.9 at revision 1", mv.Metrics, mv.Revision)
					}
					return nil
				},
			},
		},
	})
}

// event_time is a timestamp or date feature outside the primary key (F3).
func TestAccNumbers_eventTime(t *testing.T) {
	reg := newTestRegistry(t)
	// The group exists from the step before: its id is known at plan.
	version := func(eventType string) string {
		return reg.config(featureVersionConfig(1, fmt.Sprintf(`
    { name = "account_id", type = "string" },
    { name = "amount", type = "double" },
    { name = "event_ts", type = %q },`, eventType), ""))
	}
	keyGroup := `
resource "mlops_feature_group" "g" {
  count       = var.n
  name        = "payments"
  primary_key = ["payment_id", "paid_at"]
  event_time  = "paid_at"
}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// At validate: the configuration alone shows it.
				Config:      reg.config(atValidate(keyGroup)),
				PlanOnly:    true,
				ExpectError: errorRE("Error: Event time is a primary key column (rule F3)", "with mlops_feature_group.g", `event_time = "paid_at"`, `event_time "paid_at" of feature group "payments" is also primary_key column 2`, "outside primary_key"),
			},
			{Config: reg.config(transactionsGroup)},
			{
				// At plan, the group known: the path is the feature's type.
				Config:      version("string"),
				PlanOnly:    true,
				ExpectError: errorRE("Error: Event time feature of the wrong type (rule F3)", "with mlops_feature_version.v", `feature version transactions/1 declares "event_ts", the event_time feature of feature group "transactions", as string; an event time is of type timestamp or date`),
			},
			{
				Config: version("Date"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_feature_version.v", tfjsonpath.New("features").AtSliceIndex(2).AtMapKey("type"), knownvalue.StringExact("Date")),
				},
			},
		},
	})
}

// Terraform shows a diagnostic on a nested attribute at its resource block,
// so the path the provider sends is checked here, on the provider's
// protocol server: the event_time type refusal at plan points at the
// feature's type, features[2].type.
func TestFeatureVersionPlanEventTimeTypePath(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	g := registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}, EventTime: "event_ts"}
	if _, err := reg.open("default").CreateFeatureGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	s := NewProviderServer("test")
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType := schemas.Provider.ValueType()
	configured, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: dynamicValue(t, providerType, objectValue(t, providerType, map[string]tftypes.Value{
			"registry":    tftypes.NewValue(tftypes.String, reg.url()),
			"environment": tftypes.NewValue(tftypes.String, "default"),
			"actor":       tftypes.NewValue(tftypes.String, "test"),
		})),
	})
	if err != nil || len(configured.Diagnostics) != 0 {
		t.Fatalf("configure: %v %+v", err, configured)
	}

	plan := func(eventType string) []*tfprotov6.Diagnostic {
		t.Helper()
		typ := schemas.ResourceSchemas["mlops_feature_version"].ValueType()
		features, ok := typ.(tftypes.Object).AttributeTypes["features"].(tftypes.List)
		if !ok {
			t.Fatalf("features is not a list: %s", typ)
		}
		featureType := features.ElementType
		feature := func(name, typ string) tftypes.Value {
			return objectValue(t, featureType, map[string]tftypes.Value{
				"name": tftypes.NewValue(tftypes.String, name),
				"type": tftypes.NewValue(tftypes.String, typ),
			})
		}
		config := dynamicValue(t, typ, objectValue(t, typ, map[string]tftypes.Value{
			"feature_group_id": tftypes.NewValue(tftypes.String, "transactions"),
			"version":          tftypes.NewValue(tftypes.Number, 1),
			"features": tftypes.NewValue(tftypes.List{ElementType: featureType}, []tftypes.Value{
				feature("account_id", "string"), feature("amount", "double"), feature("event_ts", eventType),
			}),
		}))
		resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName:         "mlops_feature_version",
			PriorState:       dynamicValue(t, typ, tftypes.NewValue(typ, nil)),
			ProposedNewState: config,
			Config:           config,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}

	if diags := plan("timestamp"); len(diags) != 0 {
		t.Fatalf("a timestamp event time: %+v", diags[0])
	}
	diags := plan("string")
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %+v", diags)
	}
	d := diags[0]
	want := tftypes.NewAttributePath().WithAttributeName("features").WithElementKeyInt(2).WithAttributeName("type")
	if d.Severity != tfprotov6.DiagnosticSeverityError || d.Summary != "Event time feature of the wrong type (rule F3)" ||
		d.Attribute == nil || !d.Attribute.Equal(want) || !strings.Contains(d.Detail, `declares "event_ts"`) {
		t.Fatalf("diagnostic %s %q at %v: %s; want an error at %v", d.Severity, d.Summary, d.Attribute, d.Detail, want)
	}
}

// objectValue is a value of an object type: the given attributes, the
// others null.
func objectValue(t *testing.T, typ tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	vals := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	return tftypes.NewValue(obj, vals)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}
