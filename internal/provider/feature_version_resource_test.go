package provider

import (
	"context"
	"fmt"
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

const transactionsGroup = `
resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
}
`

// featureVersionConfig is the transactions group and one version of it.
func featureVersionConfig(version int, features string, extra string) string {
	return transactionsGroup + fmt.Sprintf(`
resource "mlops_feature_version" "v" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = %d
  features = [
%s
  ]
%s
}
`, version, features, extra)
}

const baseFeatures = `
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double", description = "sum over 7 days" },`

func checkFeatureVersionsDestroyed(reg *testRegistry, env string, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open(env)
		for _, id := range ids {
			g, v, err := registry.ParseFeatureVersionID(id)
			if err != nil {
				return err
			}
			if _, err := r.FeatureVersion(context.Background(), g, v); !registry.IsNotFound(err) {
				return fmt.Errorf("feature version %s still in the registry after destroy (err=%w)", id, err)
			}
		}
		return nil
	}
}

func TestAccFeatureVersion_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_feature_version.v"
	var firstHash string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkFeatureVersionsDestroyed(reg, "default", "transactions/1", "transactions/2"),
		Steps: []resource.TestStep{
			{
				// Created in the same run as its group: the ids follow from
				// the configuration and are known at plan.
				Config: reg.config(featureVersionConfig(1, baseFeatures, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("schema_hash"), knownvalue.StringRegexp(regexp.MustCompile(`^sha256:[0-9a-f]{64}$`))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("feature_group_id"), knownvalue.StringExact("transactions")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deprecated"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("features").AtSliceIndex(0).AtMapKey("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("features").AtSliceIndex(2).AtMapKey("description"), knownvalue.StringExact("sum over 7 days")),
				},
				Check: func(s *terraform.State) error {
					firstHash = s.RootModule().Resources[addr].Primary.Attributes["schema_hash"]
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "transactions/1",
				ImportStateVerify: true,
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "transactions/1",
			},
			{
				// Appending a feature is an in-place update that changes the hash.
				Config: reg.config(featureVersionConfig(1, baseFeatures+`
    { name = "merchant_ids", type = "Array< BIGINT >" },`, `
  description = "transactions, first schema"
`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The type keeps the spelling it was written with.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("features").AtSliceIndex(3).AtMapKey("type"), knownvalue.StringExact("Array< BIGINT >")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("transactions, first schema")),
				},
				Check: func(s *terraform.State) error {
					if h := s.RootModule().Resources[addr].Primary.Attributes["schema_hash"]; h == firstHash {
						return fmt.Errorf("schema_hash did not change when a feature was appended")
					}
					return nil
				},
			},
			{
				// Import round-trips the spelling too.
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "transactions/1",
			},
			{
				// Deprecating and changing a feature's description are in place,
				// and the schema hash ignores descriptions.
				Config: reg.config(featureVersionConfig(1, strings.Replace(baseFeatures, "sum over 7 days", "7-day sum", 1)+`
    { name = "merchant_ids", type = "array<bigint>" },`, `
  description = "transactions, first schema"
  deprecated  = true
`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deprecated"), knownvalue.Bool(true)),
				},
			},
			{
				// A new version number is a new version.
				Config: reg.config(featureVersionConfig(2, baseFeatures, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("schema_hash"), knownvalue.StringFunc(func(h string) error {
						if h != firstHash {
							return fmt.Errorf("same features, different hash: %s vs %s", h, firstHash)
						}
						return nil
					})),
				},
				Check: checkFeatureVersionsDestroyed(reg, "default", "transactions/1"),
			},
		},
	})
}

// TestAccFeatureVersion_breakingChanges: every in-place change other than
// appending is refused at plan (F1) and nothing changes in the registry.
func TestAccFeatureVersion_breakingChanges(t *testing.T) {
	reg := newTestRegistry(t)
	cases := []struct {
		name, features, want string
	}{
		{"retype", `
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "float" },`, `feature "amount_7d" would change type from double to float`},
		{"remove", `
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },`, `would lose feature "amount_7d"`},
		{"rename", `
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_week", type = "double" },`, `has feature "amount_7d" at position 3, the change puts "amount_week" there`},
		{"reorder", `
    { name = "event_ts", type = "timestamp" },
    { name = "account_id", type = "string" },
    { name = "amount_7d", type = "double" },`, `has feature "account_id" at position 1`},
		{"insert before the end", `
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double" },
    { name = "amount_7d", type = "double" },`, `the change puts "amount_1d" there`},
	}
	steps := []resource.TestStep{{Config: reg.config(featureVersionConfig(1, baseFeatures, ""))}}
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config: reg.config(featureVersionConfig(1, c.features, "")),
			// Plan only: a refusal that came only at apply would leave
			// this plan without an error and fail the step.
			PlanOnly:    true,
			ExpectError: errorRE("Breaking change to a feature version (rule F1)", c.want, "declare a new version instead", "version = 2"),
		})
	}
	steps = append(steps, resource.TestStep{
		// Nothing was written: the registry still holds the first schema.
		Config: reg.config(featureVersionConfig(1, baseFeatures, "")),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: func(*terraform.State) error {
			v, err := reg.open("default").FeatureVersion(context.Background(), "transactions", 1)
			if err != nil {
				return err
			}
			if len(v.Features) != 3 || v.Features[2].Name != "amount_7d" || v.Features[2].Type != "double" || v.Revision != 1 {
				return fmt.Errorf("feature version changed behind a refused plan: %+v", v)
			}
			return nil
		},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccFeatureVersion_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_feature_version.v"
	cfg := reg.config(featureVersionConfig(1, baseFeatures, ""))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkFeatureVersionsDestroyed(reg, "default", "transactions/1"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteFeatureVersion(context.Background(), "transactions", 1)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_feature_group.transactions", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccFeatureVersion_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(transactionsGroup)},
			{
				PreConfig: func() {
					_, err := reg.open("default").CreateFeatureVersion(context.Background(), registry.FeatureVersion{
						Group: "transactions", Version: 1,
						Features: []registry.Feature{{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"}},
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(featureVersionConfig(1, baseFeatures, "")),
				ExpectError: errorRE(`feature version "transactions/1" already exists in environment "default"`, "terraform import"),
			},
			{
				// Clean up the version made outside Terraform, so that the
				// group can be destroyed.
				PreConfig: func() {
					if err := reg.open("default").DeleteFeatureVersion(context.Background(), "transactions", 1); err != nil {
						t.Fatal(err)
					}
				},
				Config: reg.config(transactionsGroup),
			},
		},
	})
}

// TestAccFeatureVersion_groupWithVersionsNotDeleted: F2 for a feature group
// that still has a version: a warning at plan, refused at apply, nothing lost.
func TestAccFeatureVersion_groupWithVersionsNotDeleted(t *testing.T) {
	reg := newTestRegistry(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(transactionsGroup),
				Check: func(*terraform.State) error {
					_, err := reg.open("default").CreateFeatureVersion(context.Background(), registry.FeatureVersion{
						Group: "transactions", Version: 7,
						Features: []registry.Feature{{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"}},
					})
					return err
				},
			},
			{
				Config:      reg.config(""),
				ExpectError: errorRE("Object still referenced (rule F2)", `feature group "transactions" in environment "default" is still referenced by feature version "transactions/7"`, "Nothing was deleted"),
			},
			{
				Config: reg.config(transactionsGroup),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					r := reg.open("default")
					if _, err := r.FeatureGroup(context.Background(), "transactions"); err != nil {
						return fmt.Errorf("feature group lost: %w", err)
					}
					if _, err := r.FeatureVersion(context.Background(), "transactions", 7); err != nil {
						return fmt.Errorf("feature version lost: %w", err)
					}
					return r.DeleteFeatureVersion(context.Background(), "transactions", 7)
				},
			},
		},
	})
}

func TestAccFeatureVersion_invalidInput(t *testing.T) {
	reg := newTestRegistry(t)
	validateOnly := []struct {
		features, version string
		want              []string
	}{
		{`{ name = "account_id", type = "strng" }`, "1", []string{"Unknown feature type (rule F3)", `unknown type name "strng"`}},
		{`{ name = "account_id", type = "array<int" }`, "1", []string{"Unknown feature type (rule F3)", `expected '>' at the end`}},
		{`{ name = "account_id", type = "string" },
    { name = "account_id", type = "double" }`, "1", []string{"Duplicate feature name (rule F3)", `feature "account_id" appears at positions 1 and 2`}},
		{`{ name = "Account-Id", type = "string" }`, "1", []string{"Attribute features[0].name must be a valid feature name"}},
		{`{ name = "account_id", type = "string" }`, "0", []string{"Invalid version", "version must be a whole number from 1 to 9223372036854775807; got 0"}},
		{``, "1", []string{"Attribute features list must contain at least 1 elements"}},
	}
	var steps []resource.TestStep
	for _, c := range validateOnly {
		steps = append(steps, resource.TestStep{
			Config: reg.config(fmt.Sprintf(`
resource "mlops_feature_version" "v" {
  feature_group_id = "transactions"
  version          = %s
  features         = [%s]
}`, c.version, c.features)),
			ExpectError: errorRE(c.want...),
			PlanOnly:    true,
		})
	}
	// Checks that need the registry run at plan when the group is known.
	steps = append(steps,
		resource.TestStep{Config: reg.config(transactionsGroup)},
		resource.TestStep{
			Config: reg.config(transactionsGroup + `
resource "mlops_feature_version" "v" {
  feature_group_id = "transactions"
  version          = 1
  features         = [{ name = "event_ts", type = "timestamp" }]
}`),
			ExpectError: errorRE("Primary key feature missing (rule F3)", `feature version transactions/1 lacks "account_id", a primary_key feature of feature group "transactions"`),
			PlanOnly:    true,
		},
		resource.TestStep{
			Config: reg.config(transactionsGroup + `
resource "mlops_feature_version" "v" {
  feature_group_id = "transactions"
  version          = 1
  features         = [{ name = "account_id", type = "string" }]
}`),
			ExpectError: errorRE("Event time feature missing (rule F3)", `lacks "event_ts", the event_time feature`),
			PlanOnly:    true,
		},
		resource.TestStep{
			Config: reg.config(transactionsGroup + `
resource "mlops_feature_version" "v" {
  feature_group_id = "payments"
  version          = 1
  features         = [{ name = "account_id", type = "string" }]
}`),
			ExpectError: errorRE("Feature group not found", `feature group "payments" does not exist in environment "default"`),
			PlanOnly:    true,
		},
		// The group in the same run: its id is known at plan and the plan
		// holds the group, so the missing key is refused at plan too.
		resource.TestStep{
			Config: reg.config(`
resource "mlops_feature_group" "payments" {
  name        = "payments"
  primary_key = ["payment_id"]
}
resource "mlops_feature_version" "v" {
  feature_group_id = mlops_feature_group.payments.id
  version          = 1
  features         = [{ name = "amount", type = "double" }]
}`),
			ExpectError: errorRE("Primary key feature missing (rule F3)", `lacks "payment_id"`),
			PlanOnly:    true,
		},
		resource.TestStep{
			// Nothing was written.
			Config: reg.config(transactionsGroup),
			Check:  checkFeatureVersionsDestroyed(reg, "default", "payments/1"),
		},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
