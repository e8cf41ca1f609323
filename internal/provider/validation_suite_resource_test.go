package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

const (
	vsDataAddr = "mlops_validation_suite.data"
	vsGateAddr = "mlops_validation_suite.gate"
)

// vsDataSuite is a data suite named transactions-quality on the feature
// version fv (an HCL expression) with the given expectations.
func vsDataSuite(fv, expectations string) string {
	return fmt.Sprintf(`
resource "mlops_validation_suite" "data" {
  name               = "transactions-quality"
  feature_version_id = %s
  ingestion_policy   = "strict"
  expectations = [
%s
  ]
}
`, fv, expectations)
}

// vsGateSuite is a model suite named fraud-release-gate on model fraud with
// the given expectations.
func vsGateSuite(expectations string) string {
	return fmt.Sprintf(`
resource "mlops_validation_suite" "gate" {
  name     = "fraud-release-gate"
  model_id = mlops_model.fraud.id
  expectations = [
%s
  ]
}
`, expectations)
}

const vsDataExpectations = `
    { type = "expect_column_values_to_not_be_null", column = "account_id", mostly = 0.95 },
    { type = "expect_column_values_to_be_between", column = "amount_7d", min_value = 0 },`

const vsGateExpectations = `
    { type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 },`

// vsNumber is a number as Terraform parses it.
func vsNumber(s string) *big.Float {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return f
}

// vsExpectation is the state of one expectation: the attributes given, all
// others null, severity "error" unless given.
func vsExpectation(attrs map[string]knownvalue.Check) knownvalue.Check {
	all := map[string]knownvalue.Check{
		"type": knownvalue.Null(), "column": knownvalue.Null(), "metric": knownvalue.Null(),
		"min_value": knownvalue.Null(), "max_value": knownvalue.Null(), "value_set": knownvalue.Null(),
		"regex": knownvalue.Null(), "mostly": knownvalue.Null(), "severity": knownvalue.StringExact("error"),
	}
	for k, v := range attrs {
		all[k] = v
	}
	return knownvalue.ObjectExact(all)
}

// vsGEJSON checks great_expectations_json_v0 (0.18): it decodes, names the suite and
// passes check.
func vsGEJSON(name string, check func(ge vsGE) error) knownvalue.Check {
	return knownvalue.StringFunc(func(s string) error {
		var ge vsGE
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&ge); err != nil {
			return fmt.Errorf("great_expectations_json_v0 does not decode: %w\n%s", err, s)
		}
		if ge.ExpectationSuiteName != name {
			return fmt.Errorf("expectation_suite_name %q, want %q", ge.ExpectationSuiteName, name)
		}
		if v := ge.Meta["great_expectations_version"]; v != registry.GreatExpectationsV0Version {
			return fmt.Errorf("meta.great_expectations_version %v", v)
		}
		if check != nil {
			if err := check(ge); err != nil {
				return fmt.Errorf("%w\n%s", err, s)
			}
		}
		return nil
	})
}

type vsGE struct {
	ExpectationSuiteName string         `json:"expectation_suite_name"`
	Meta                 map[string]any `json:"meta"`
	Expectations         []struct {
		ExpectationType string                     `json:"expectation_type"`
		Kwargs          map[string]json.RawMessage `json:"kwargs"`
		Meta            map[string]any             `json:"meta"`
	} `json:"expectations"`
}

// kwargs checks the kwargs of expectation i, as raw JSON.
func (ge vsGE) kwargs(i int, want map[string]string) error {
	if i >= len(ge.Expectations) {
		return fmt.Errorf("%d expectations, want more than %d", len(ge.Expectations), i)
	}
	e := ge.Expectations[i]
	if len(e.Kwargs) != len(want) {
		return fmt.Errorf("expectation %d (%s): kwargs %v, want %v", i, e.ExpectationType, e.Kwargs, want)
	}
	for k, v := range want {
		var got bytes.Buffer
		if err := json.Compact(&got, e.Kwargs[k]); err != nil || got.String() != v {
			return fmt.Errorf("expectation %d (%s): kwarg %s = %s, want %s", i, e.ExpectationType, k, e.Kwargs[k], v)
		}
	}
	return nil
}

func (ge vsGE) target(key, want string) error {
	mlops, _ := ge.Meta["mlops"].(map[string]any)
	if got := mlops[key]; got != want {
		return fmt.Errorf("meta.mlops.%s = %v, want %s", key, got, want)
	}
	return nil
}

// vsGXJSON checks great_expectations_json (Great Expectations 1.x): it
// decodes into exactly the fields of 1.x's ExpectationSuite (name, id,
// expectations, suite_parameters, meta, notes) and ExpectationConfiguration
// (type, kwargs, meta, ...), names the suite and passes check.
func vsGXJSON(name string, check func(gx vsGX) error) knownvalue.Check {
	return knownvalue.StringFunc(func(s string) error {
		var gx vsGX
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&gx); err != nil {
			return fmt.Errorf("great_expectations_json is not a GX 1.x suite: %w\n%s", err, s)
		}
		if gx.Name != name {
			return fmt.Errorf("name %q, want %q", gx.Name, name)
		}
		if v := gx.Meta["great_expectations_version"]; v != registry.GreatExpectationsVersion {
			return fmt.Errorf("meta.great_expectations_version %v", v)
		}
		if check != nil {
			if err := check(gx); err != nil {
				return fmt.Errorf("%w\n%s", err, s)
			}
		}
		return nil
	})
}

type vsGX struct {
	Name            string          `json:"name"`
	ID              *string         `json:"id"`
	SuiteParameters map[string]any  `json:"suite_parameters"`
	Meta            map[string]any  `json:"meta"`
	Notes           json.RawMessage `json:"notes"`
	Expectations    []struct {
		Type        string                     `json:"type"`
		Kwargs      map[string]json.RawMessage `json:"kwargs"`
		Meta        map[string]any             `json:"meta"`
		Notes       json.RawMessage            `json:"notes"`
		ID          *string                    `json:"id"`
		Description *string                    `json:"description"`
	} `json:"expectations"`
}

// kwargs checks the kwargs of expectation i, as raw JSON.
func (gx vsGX) kwargs(i int, want map[string]string) error {
	if i >= len(gx.Expectations) {
		return fmt.Errorf("%d expectations, want more than %d", len(gx.Expectations), i)
	}
	e := gx.Expectations[i]
	if len(e.Kwargs) != len(want) {
		return fmt.Errorf("expectation %d (%s): kwargs %v, want %v", i, e.Type, e.Kwargs, want)
	}
	for k, v := range want {
		var got bytes.Buffer
		if err := json.Compact(&got, e.Kwargs[k]); err != nil || got.String() != v {
			return fmt.Errorf("expectation %d (%s): kwarg %s = %s, want %s", i, e.Type, k, e.Kwargs[k], v)
		}
	}
	return nil
}

// TestAccValidationSuite_greatExpectations1x: great_expectations_json is
// the GX 1.x format, known at plan; numbers are written as configured
// (integers as JSON integers) and value_set is typed by the column's
// feature type; great_expectations_json_v0 keeps the 0.18 format; both
// survive an import.
func TestAccValidationSuite_greatExpectations1x(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := `
resource "mlops_feature_group" "events" {
  name        = "events"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "events" {
  feature_group_id = mlops_feature_group.events.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "seq", type = "bigint" },
    { name = "is_fraud", type = "boolean" },
  ]
}

resource "mlops_validation_suite" "data" {
  name               = "events-quality"
  feature_version_id = mlops_feature_version.events.id
  expectations = [
    { type = "expect_column_values_to_be_between", column = "seq", min_value = 1000000, max_value = 9007199254740992, mostly = 0.5 },
    { type = "expect_column_values_to_be_in_set", column = "seq", value_set = ["9007199254740993", "1e6"] },
    { type = "expect_column_values_to_be_in_set", column = "is_fraud", value_set = ["false"] },
    { type = "expect_column_values_to_be_in_set", column = "account_id", value_set = ["true", "1"], severity = "warning" },
  ]
}
`
	check := vsGXJSON("events-quality", func(gx vsGX) error {
		if gx.ID != nil || string(gx.Notes) != "null" || len(gx.Expectations) != 4 {
			return fmt.Errorf("id %v, notes %s, %d expectations", gx.ID, gx.Notes, len(gx.Expectations))
		}
		if err := gx.kwargs(0, map[string]string{"column": `"seq"`, "min_value": `1000000`, "max_value": `9007199254740992`, "mostly": `0.5`}); err != nil {
			return err
		}
		if err := gx.kwargs(1, map[string]string{"column": `"seq"`, "value_set": `[9007199254740993,1000000]`}); err != nil {
			return err
		}
		if err := gx.kwargs(2, map[string]string{"column": `"is_fraud"`, "value_set": `[false]`}); err != nil {
			return err
		}
		if sev := gx.Expectations[3].Meta["severity"]; sev != "warning" {
			return fmt.Errorf("severity %v", sev)
		}
		return gx.kwargs(3, map[string]string{"column": `"account_id"`, "value_set": `["true","1"]`})
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(cfg),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json"), check),
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("events-quality", nil)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json"), check),
					// 0.18 keeps the text the registry holds and types numbers only.
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("events-quality", func(ge vsGE) error {
						return ge.kwargs(2, map[string]string{"column": `"is_fraud"`, "value_set": `["false"]`})
					})),
				},
			},
			{ResourceName: vsDataAddr, ImportState: true, ImportStateId: "events-quality", ImportStateVerify: true},
		},
	})
}

func vsSuitesDestroyed(reg *testRegistry, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open("default")
		for _, n := range names {
			if _, err := r.Suite(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("validation suite %q still in the registry (err=%w)", n, err)
			}
		}
		return nil
	}
}

func TestAccValidationSuite_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	first := seedModels + vsDataSuite("mlops_feature_version.v2.id", vsDataExpectations) + vsGateSuite(vsGateExpectations)
	updatedData := `
    { type = "expect_column_values_to_not_be_null", column = "account_id", mostly = 0.99 },
    { type = "expect_column_values_to_be_between", column = "amount_7d", min_value = 0, max_value = 100000 },
    { type = "expect_column_values_to_match_regex", column = "account_id", regex = "^acc_[0-9]+$", severity = "warning" },
    { type = "expect_column_values_to_be_in_set", column = "account_id", value_set = ["acc_1", "acc_2"] },`
	updatedGate := `
    { type = "expect_metric_to_be_between", metric = "auc", min_value = 0.9, max_value = 1, severity = "warning" },
    { type = "expect_metric_to_be_at_least", metric = "recall_at_1pct_fpr", min_value = 0.4 },`
	updated := seedModels + vsDataSuite("mlops_feature_version.v2.id", updatedData) + vsGateSuite(updatedGate)
	moved := seedModels + vsDataSuite("mlops_feature_version.v1.id", `
    { type = "expect_column_values_to_be_between", column = "amount_1d", min_value = 0 },`) + vsGateSuite(updatedGate)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             vsSuitesDestroyed(reg, "transactions-quality", "fraud-release-gate"),
		Steps: []resource.TestStep{
			{
				// Targets created in the same run: their ids are known at
				// plan, and so is the suites' Great Expectations JSON.
				Config: reg.config(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vsDataAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(vsGateAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json"), knownvalue.StringRegexp(regexp.MustCompile(`"feature_version_id": "transactions/2"`))),
						plancheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("great_expectations_json"), knownvalue.StringRegexp(regexp.MustCompile(`"model_id": "fraud"`))),
						// The severity default is in the plan.
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("expectations").AtSliceIndex(1).AtMapKey("severity"), knownvalue.StringExact("error")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("id"), knownvalue.StringExact("transactions-quality")),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("feature_version_id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("model_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("ingestion_policy"), knownvalue.StringExact("strict")),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("expectations"), knownvalue.ListExact([]knownvalue.Check{
						vsExpectation(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("expect_column_values_to_not_be_null"), "column": knownvalue.StringExact("account_id"),
							"mostly": knownvalue.NumberExact(vsNumber("0.95")),
						}),
						vsExpectation(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("expect_column_values_to_be_between"), "column": knownvalue.StringExact("amount_7d"),
							"min_value": knownvalue.NumberExact(vsNumber("0")),
						}),
					})),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("transactions-quality", func(ge vsGE) error {
						if err := ge.kwargs(0, map[string]string{"column": `"account_id"`, "mostly": `0.95`}); err != nil {
							return err
						}
						if err := ge.kwargs(1, map[string]string{"column": `"amount_7d"`, "min_value": `0`}); err != nil {
							return err
						}
						if err := ge.target("feature_version_id", "transactions/2"); err != nil {
							return err
						}
						return ge.target("ingestion_policy", "strict")
					})),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-release-gate")),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("feature_version_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("ingestion_policy"), knownvalue.Null()),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("expectations"), knownvalue.ListExact([]knownvalue.Check{
						vsExpectation(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("expect_metric_to_be_at_least"), "metric": knownvalue.StringExact("auc"),
							"min_value": knownvalue.NumberExact(vsNumber("0.9")),
						}),
					})),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("fraud-release-gate", func(ge vsGE) error {
						if err := ge.kwargs(0, map[string]string{"metric": `"auc"`, "min_value": `0.9`}); err != nil {
							return err
						}
						return ge.target("model_id", "fraud")
					})),
				},
			},
			{ResourceName: vsDataAddr, ImportState: true, ImportStateId: "transactions-quality", ImportStateVerify: true},
			{ResourceName: vsGateAddr, ImportState: true, ImportStateId: "fraud-release-gate", ImportStateVerify: true},
			{ResourceName: vsDataAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "transactions-quality"},
			{ResourceName: vsGateAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "fraud-release-gate"},
			{
				// Expectations change in place; the targets exist, so the
				// JSON is known at plan (and apply must produce it exactly).
				Config: reg.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vsDataAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(vsGateAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("transactions-quality", func(ge vsGE) error {
							if len(ge.Expectations) != 4 {
								return fmt.Errorf("%d expectations, want 4", len(ge.Expectations))
							}
							if err := ge.kwargs(0, map[string]string{"column": `"account_id"`, "mostly": `0.99`}); err != nil {
								return err
							}
							if err := ge.kwargs(1, map[string]string{"column": `"amount_7d"`, "min_value": `0`, "max_value": `100000`}); err != nil {
								return err
							}
							if sev := ge.Expectations[2].Meta["severity"]; sev != "warning" {
								return fmt.Errorf("severity %v", sev)
							}
							return ge.kwargs(3, map[string]string{"column": `"account_id"`, "value_set": `["acc_1","acc_2"]`})
						})),
						plancheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("fraud-release-gate", func(ge vsGE) error {
							return ge.kwargs(0, map[string]string{"metric": `"auc"`, "min_value": `0.9`, "max_value": `1`})
						})),
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("expectations").AtSliceIndex(2), vsExpectation(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("expect_column_values_to_match_regex"), "column": knownvalue.StringExact("account_id"),
						"regex": knownvalue.StringExact("^acc_[0-9]+$"), "severity": knownvalue.StringExact("warning"),
					})),
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("expectations").AtSliceIndex(3).AtMapKey("value_set"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("acc_1"), knownvalue.StringExact("acc_2")})),
					statecheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("expectations").AtSliceIndex(0).AtMapKey("max_value"), knownvalue.NumberExact(vsNumber("1"))),
				},
				Check: func(*terraform.State) error {
					s, err := reg.open("default").Suite(context.Background(), "transactions-quality")
					if err != nil {
						return err
					}
					if s.Revision != 2 || len(s.Expectations) != 4 || s.Expectations[0].Mostly != "0.99" || s.Expectations[3].Severity != "error" {
						return fmt.Errorf("registry holds %+v", s)
					}
					return nil
				},
			},
			{
				// A new target is a new suite; the target exists, so the
				// replacement's JSON is known at plan.
				Config: reg.config(moved),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vsDataAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction(vsGateAddr, plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("transactions-quality", func(ge vsGE) error {
							if err := ge.target("feature_version_id", "transactions/1"); err != nil {
								return err
							}
							return ge.kwargs(0, map[string]string{"column": `"amount_1d"`, "min_value": `0`})
						})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vsDataAddr, tfjsonpath.New("feature_version_id"), knownvalue.StringExact("transactions/1")),
				},
			},
		},
	})
}

func TestAccValidationSuite_disappearsAndRequiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	model := `
resource "mlops_model" "fraud" {
  name = "fraud"
}
`
	cfg := reg.config(model + vsGateSuite(vsGateExpectations))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             vsSuitesDestroyed(reg, "fraud-release-gate", "fraud-other-gate"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteSuite(context.Background(), "fraud-release-gate")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: recreated, with the JSON
				// known at plan now that the model exists.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vsGateAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model.fraud", plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue(vsGateAddr, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("fraud-release-gate", nil)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() {
					_, err := reg.open("default").CreateSuite(context.Background(), registry.ValidationSuite{
						Name: "fraud-other-gate", Model: "fraud",
						Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.5"}},
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: reg.config(model + vsGateSuite(vsGateExpectations) + `
resource "mlops_validation_suite" "other" {
  name         = "fraud-other-gate"
  model_id     = mlops_model.fraud.id
  expectations = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.5 }]
}
`),
				ExpectError: errorRE(`validation suite "fraud-other-gate" already exists in environment "default"`, "terraform import"),
			},
			{
				// The suite made outside Terraform goes, so that the model
				// can be destroyed (F2).
				PreConfig: func() {
					if err := reg.open("default").DeleteSuite(context.Background(), "fraud-other-gate"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
			},
		},
	})
}

func TestAccValidationSuite_invalidAtValidate(t *testing.T) {
	reg := newTestRegistry(t)
	data := func(expectations string) string {
		return reg.config(vsDataSuite(`"transactions/2"`, expectations))
	}
	cases := []struct {
		config string
		want   []string
	}{
		{data(`{ type = "expect_column_values_to_be_positive", column = "amount_7d" }`),
			[]string{"Unknown expectation type (rule V1)", `"expect_column_values_to_be_positive" is not an expectation type`, "expect_column_values_to_not_be_null"}},
		{data(`{ type = "expect_column_values_to_not_be_null", column = "account_id", min_value = 0 }`),
			[]string{"Field not taken by this expectation (rule V1)", "expect_column_values_to_not_be_null does not take min_value", "it takes column, mostly (and severity)"}},
		{data(`{ type = "expect_column_values_to_not_be_null", column = "account_id", mostly = 1.5 }`),
			[]string{"Invalid mostly (rule V1)", "between 0 and 1", "got 1.5"}},
		{data(`{ type = "expect_column_values_to_match_regex", column = "account_id", regex = "(" }`),
			[]string{"Invalid regex (rule V1)", `regex "(" does not compile (Python re syntax as Go's RE2 runs it`}},
		{data(`{ type = "expect_column_values_to_be_between", column = "amount_7d" }`),
			[]string{"Missing bound (rule V1)", "needs min_value or max_value"}},
		{data(`{ type = "expect_column_values_to_not_be_null", column = "account_id", severity = "fatal" }`),
			[]string{"Invalid severity (rule V1)", `severity "fatal"`}},
		{data(`{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 }`),
			[]string{"Metric expectation on a data suite (rule V1)", "expect_metric_to_be_at_least checks a model's metric", "model_id"}},
		{reg.config(`
resource "mlops_validation_suite" "s" {
  name               = "both"
  feature_version_id = "transactions/2"
  model_id           = "fraud"
  expectations       = [{ type = "expect_column_to_exist", column = "account_id" }]
}`), []string{"Two targets (rule V1)", "not both"}},
		{reg.config(`
resource "mlops_validation_suite" "s" {
  name         = "neither"
  expectations = [{ type = "expect_column_to_exist", column = "account_id" }]
}`), []string{"No target (rule V1)", "set feature_version_id for data expectations, or model_id"}},
		{reg.config(`
resource "mlops_validation_suite" "s" {
  name             = "gate"
  model_id         = "fraud"
  ingestion_policy = "strict"
  expectations     = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 }]
}`), []string{"Ingestion policy on a model suite (rule V1)", "remove it"}},
		{reg.config(`
resource "mlops_validation_suite" "s" {
  name         = "gate"
  model_id     = "fraud"
  expectations = [{ type = "expect_column_to_exist", column = "account_id" }]
}`), []string{"Data expectation on a model suite (rule V1)", "expect_column_to_exist checks data", "feature_version_id"}},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.config, PlanOnly: true, ExpectError: errorRE(c.want...)})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccValidationSuite_invalidAtPlan(t *testing.T) {
	reg := newTestRegistry(t)
	v2 := transactionsGroup + `
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double" },
  ]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             vsSuitesDestroyed(reg, "transactions-quality", "payments-quality"),
		Steps: []resource.TestStep{
			{Config: reg.config(v2)},
			{
				Config: reg.config(v2 + vsDataSuite("mlops_feature_version.v2.id", `
    { type = "expect_column_values_to_not_be_null", column = "account_id" },
    { type = "expect_column_values_to_not_be_null", column = "amount_1d" },`)),
				PlanOnly: true,
				ExpectError: errorRE("Column not in the feature version (rule V1)",
					`validation suite transactions-quality expects column "amount_1d", which feature version transactions/2 lacks; its features are account_id, event_ts, amount_7d`),
			},
			{
				Config: reg.config(v2 + vsDataSuite("mlops_feature_version.v2.id", `
    { type = "expect_column_values_to_be_between", column = "account_id", min_value = 0, max_value = 10 },`)),
				PlanOnly: true,
				ExpectError: errorRE("Bounds on a non-numeric column (rule V1)",
					`expect_column_values_to_be_between bounds numbers, but "account_id" is string in feature version transactions/2`),
			},
			{
				Config:      reg.config(v2 + vsDataSuite(`"transactions/9"`, vsDataExpectations)),
				PlanOnly:    true,
				ExpectError: errorRE("Feature version not found (rule V1)", `targets feature version transactions/9, which does not exist in environment "default"`),
			},
			{
				Config: reg.config(v2 + `
resource "mlops_validation_suite" "gate" {
  name         = "churn-gate"
  model_id     = "churn"
  expectations = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.9 }]
}`),
				PlanOnly:    true,
				ExpectError: errorRE("Model not found (rule V1)", `targets model "churn", which does not exist in environment "default"`),
			},
			{
				// A target created in the same run is checked at plan too:
				// its id is known and the plan holds its features.
				Config: reg.config(v2 + `
resource "mlops_feature_group" "payments" {
  name        = "payments"
  primary_key = ["payment_id"]
}
resource "mlops_feature_version" "payments" {
  feature_group_id = mlops_feature_group.payments.id
  version          = 1
  features         = [{ name = "payment_id", type = "string" }]
}
resource "mlops_validation_suite" "payments" {
  name               = "payments-quality"
  feature_version_id = mlops_feature_version.payments.id
  expectations       = [{ type = "expect_column_values_to_be_between", column = "payment_id", min_value = 0 }]
}`),
				ExpectError: errorRE("Bounds on a non-numeric column (rule V1)", `"payment_id" is string in feature version payments/1`),
				PlanOnly:    true,
			},
			{
				// Nothing was written.
				Config: reg.config(v2),
				Check:  vsSuitesDestroyed(reg, "payments-quality"),
			},
		},
	})
}

// TestAccValidationSuite_releaseGate is rule D3: a model suite gates what a
// deployment of the model may serve.
func TestAccValidationSuite_releaseGate(t *testing.T) {
	reg := newTestRegistry(t)
	gate := func(severity string) string {
		return vsGateSuite(fmt.Sprintf(`
    { type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.92, severity = %q },`, severity))
	}
	deploy := func(mv string) string {
		return fmt.Sprintf(`
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.%s.id
}
`, mv)
	}
	refused := errorRE("Release gate fails (rule D3)", "deployment fraud-scoring -> model version fraud/1",
		"expects auc to be at least 0.92", "fraud/1 has auc = 0.91")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             vsSuitesDestroyed(reg, "fraud-release-gate"),
		Steps: []resource.TestStep{
			{Config: reg.config(seedModels + gate("error"))},
			{
				// A new deployment of fraud v1 (auc 0.91) fails the gate at plan.
				Config:      reg.config(seedModels + gate("error") + deploy("fraud_v1")),
				PlanOnly:    true,
				ExpectError: refused,
			},
			{
				// fraud v2 (auc 0.93) passes.
				Config: reg.config(seedModels + gate("error") + deploy("fraud_v2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_deployment.fraud", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Rolling back to v1 fails at plan, and nothing changes.
				Config:      reg.config(seedModels + gate("error") + deploy("fraud_v1")),
				PlanOnly:    true,
				ExpectError: refused,
			},
			{
				// A warning gate lets the change through.
				Config: reg.config(seedModels + gate("warning") + deploy("fraud_v2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vsGateAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("mlops_deployment.fraud", plancheck.ResourceActionNoop),
					},
				},
				Check: func(*terraform.State) error {
					d, err := reg.open("default").Deployment(context.Background(), "fraud-scoring")
					if err != nil {
						return err
					}
					if d.ModelVersion != "fraud/2" || d.Revision != 1 {
						return fmt.Errorf("the refused rollback changed the deployment: %+v", d)
					}
					return nil
				},
			},
			{
				Config: reg.config(seedModels + gate("warning") + deploy("fraud_v1")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_deployment.fraud", plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_deployment.fraud", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1")),
				},
			},
		},
	})
}
