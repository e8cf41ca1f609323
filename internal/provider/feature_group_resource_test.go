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

func featureGroupConfig(extra string) string {
	return fmt.Sprintf(`
resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event_ts"
%s
}
`, extra)
}

// checkFeatureGroupsDestroyed is a CheckDestroy that looks in the registry.
func checkFeatureGroupsDestroyed(reg *testRegistry, env string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open(env)
		for _, n := range names {
			if _, err := r.FeatureGroup(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("feature group %q still in the registry after destroy (err=%w)", n, err)
			}
		}
		return nil
	}
}

func TestAccFeatureGroup_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_feature_group.transactions"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkFeatureGroupsDestroyed(reg, "default", "transactions"),
		Steps: []resource.TestStep{
			{
				Config: reg.config(featureGroupConfig("")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("primary_key"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("account_id")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("event_time"), knownvalue.StringExact("event_ts")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("online_enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "transactions",
				ImportStateVerify: true,
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "transactions",
			},
			{
				Config: reg.config(featureGroupConfig(`
  online_enabled = true
  description    = "Card transactions per account"
  tags           = { team = "fraud", tier = "1" }
`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("online_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Card transactions per account")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("fraud"), "tier": knownvalue.StringExact("1"),
					})),
				},
			},
			{
				// An empty map is kept apart from an unset one: no perpetual diff.
				Config: reg.config(featureGroupConfig(`  tags = {}`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "transactions",
				ImportStateVerify: true,
			},
			{
				// primary_key and event_time force a new group.
				Config: reg.config(`
resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id", "card_id"]
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("primary_key"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("account_id"), knownvalue.StringExact("card_id"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("event_time"), knownvalue.Null()),
				},
			},
			{
				// A new name is a new group.
				Config: reg.config(`
resource "mlops_feature_group" "transactions" {
  name        = "payments"
  primary_key = ["account_id", "card_id"]
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("payments")),
				},
				Check: checkFeatureGroupsDestroyed(reg, "default", "transactions"),
			},
		},
	})
}

func TestAccFeatureGroup_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_feature_group.transactions"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkFeatureGroupsDestroyed(reg, "default", "transactions"),
		Steps: []resource.TestStep{
			{
				Config: reg.config(featureGroupConfig("")),
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteFeatureGroup(context.Background(), "transactions")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: reg.config(featureGroupConfig("")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccFeatureGroup_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					_, err := reg.open("default").CreateFeatureGroup(context.Background(), registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(featureGroupConfig("")),
				ExpectError: errorRE(`feature group "transactions" already exists in environment "default"`, "terraform import"),
			},
		},
	})
}

// TestAccFeatureGroup_environments shows that the environment namespaces
// objects: the same name lives independently in two environments of one
// registry.
func TestAccFeatureGroup_environments(t *testing.T) {
	reg := newTestRegistry(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkFeatureGroupsDestroyed(reg, "dev", "transactions"),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					_, err := reg.open("prod").CreateFeatureGroup(context.Background(), registry.FeatureGroup{
						Name: "transactions", PrimaryKey: []string{"account_id"}, Description: "prod copy",
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: reg.envConfig("dev", featureGroupConfig(`  description = "dev copy"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					for env, want := range map[string]string{"dev": "dev copy", "prod": "prod copy"} {
						g, err := reg.open(env).FeatureGroup(context.Background(), "transactions")
						if err != nil {
							return err
						}
						if g.Description != want {
							return fmt.Errorf("environment %s: description %q, want %q", env, g.Description, want)
						}
					}
					_, err := reg.open("staging").FeatureGroup(context.Background(), "transactions")
					if !registry.IsNotFound(err) || !strings.Contains(err.Error(), `environment "staging"`) {
						return fmt.Errorf("staging: want a not-found error naming the environment, got %w", err)
					}
					return nil
				},
			},
		},
	})
}

func TestAccFeatureGroup_invalidInput(t *testing.T) {
	reg := newTestRegistry(t)
	cases := map[string]struct {
		config string
		want   string
	}{
		"bad name": {`
resource "mlops_feature_group" "g" {
  name        = "Transactions"
  primary_key = ["account_id"]
}`, `(?s)Attribute name must be a valid feature group name`},
		"no primary key": {`
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = []
}`, `(?s)Attribute primary_key list must contain at least 1 elements`},
		"duplicate primary key": {`
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id", "account_id"]
}`, `(?s)primary_key.*duplicate`},
		"bad event time": {`
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id"]
  event_time  = "event-ts"
}`, `(?s)Attribute event_time must be a valid feature name`},
		"empty description": {`
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id"]
  description = ""
}`, `(?s)Attribute description string length must be at least 1`},
	}
	var steps []resource.TestStep
	for name, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      reg.config(c.config),
			ExpectError: regexp.MustCompile(c.want),
			PlanOnly:    true,
		})
		_ = name
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccProvider_invalidConfig(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
provider "mlops" {
  environment = "Prod"
}
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Attribute environment must be a valid environment name`),
				PlanOnly:    true,
			},
			{
				Config: `
provider "mlops" {
  registry = "mysql://db/x"
}
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Invalid registry URL.*unsupported scheme "mysql"`),
				PlanOnly:    true,
			},
		},
	})
}
