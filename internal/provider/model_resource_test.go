package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// modelConfig is one mlops_model named name, with extra attributes.
func modelConfig(name, extra string) string {
	return fmt.Sprintf(`
resource "mlops_model" "fraud" {
  name = %q
%s
}
`, name, extra)
}

// checkModelsDestroyed is a CheckDestroy that looks in the registry.
func checkModelsDestroyed(reg *testRegistry, env string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open(env)
		for _, n := range names {
			if _, err := r.Model(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("model %q still in the registry after destroy (err=%w)", n, err)
			}
		}
		return nil
	}
}

// modelInRegistry checks the model as the registry holds it.
func modelInRegistry(reg *testRegistry, name, description string, tags map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		m, err := reg.open("default").Model(context.Background(), name)
		if err != nil {
			return fmt.Errorf("model %q not in the registry: %w", name, err)
		}
		if m.Description != description {
			return fmt.Errorf("model %q: registry description %q, want %q", name, m.Description, description)
		}
		if len(m.Tags) != len(tags) {
			return fmt.Errorf("model %q: registry tags %v, want %v", name, m.Tags, tags)
		}
		for k, v := range tags {
			if m.Tags[k] != v {
				return fmt.Errorf("model %q: registry tags %v, want %v", name, m.Tags, tags)
			}
		}
		return nil
	}
}

func TestAccModel_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model.fraud"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkModelsDestroyed(reg, "default", "fraud", "fraud-scoring"),
		Steps: []resource.TestStep{
			{
				Config: reg.config(modelConfig("fraud", `  description = "card fraud scoring"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("created_at")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("card fraud scoring")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: modelInRegistry(reg, "fraud", "card fraud scoring", nil),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "fraud",
				ImportStateVerify: true,
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud",
			},
			{
				// A malformed id is refused before the registry is asked.
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "Fraud Model",
				ExpectError:   errorRE("Invalid import id", "A model is imported by its name", `got "Fraud Model"`),
			},
			{
				// Description and tags change in place.
				Config: reg.config(modelConfig("fraud", `
  description = "card fraud scoring, v2 pipeline"
  tags        = { team = "risk", tier = "1" }
`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("card fraud scoring, v2 pipeline")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("risk"), "tier": knownvalue.StringExact("1"),
					})),
				},
				Check: modelInRegistry(reg, "fraud", "card fraud scoring, v2 pipeline", map[string]string{"team": "risk", "tier": "1"}),
			},
			{
				// Unsetting the description and emptying the tags: in place,
				// and the empty map is kept apart from an unset one.
				Config: reg.config(modelConfig("fraud", `  tags = {}`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapSizeExact(0)),
				},
				Check: modelInRegistry(reg, "fraud", "", nil),
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud",
			},
			{
				// A new name is a new model; the old one is gone.
				Config: reg.config(modelConfig("fraud-scoring", `  tags = {}`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-scoring")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkModelsDestroyed(reg, "default", "fraud"),
					modelInRegistry(reg, "fraud-scoring", "", nil),
				),
			},
		},
	})
}

func TestAccModel_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model.fraud"
	cfg := reg.config(modelConfig("fraud", `  description = "card fraud scoring"`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkModelsDestroyed(reg, "default", "fraud"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteModel(context.Background(), "fraud")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: the next plan recreates it, no error.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: modelInRegistry(reg, "fraud", "card fraud scoring", nil),
			},
		},
	})
}

func TestAccModel_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if _, err := reg.open("default").CreateModel(context.Background(), registry.Model{Name: "fraud", Description: "made elsewhere"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(modelConfig("fraud", `  description = "card fraud scoring"`)),
				ExpectError: errorRE(`model "fraud" already exists in environment "default"`, "terraform import"),
			},
			{
				// The fix the message names: import it. The import changes
				// nothing (a no-op plan), so the registry still holds what
				// the refused create found.
				Config: reg.config(modelConfig("fraud", `  description = "made elsewhere"`) + `
import {
  to = mlops_model.fraud
  id = "fraud"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_model.fraud", plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_model.fraud", tfjsonpath.New("id"), knownvalue.StringExact("fraud")),
				},
				Check: modelInRegistry(reg, "fraud", "made elsewhere", nil),
			},
		},
		CheckDestroy: checkModelsDestroyed(reg, "default", "fraud"),
	})
}

func TestAccModel_invalidName(t *testing.T) {
	reg := newTestRegistry(t)
	var steps []resource.TestStep
	for _, name := range []string{"Fraud", "9fraud", "fraud.v2", ""} {
		steps = append(steps, resource.TestStep{
			Config:      reg.config(modelConfig(name, "")),
			PlanOnly:    true,
			ExpectError: errorRE("Attribute name must be a valid model name", fmt.Sprintf("got: %s", name)),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:      reg.config(modelConfig("fraud", `  description = ""`)),
		PlanOnly:    true,
		ExpectError: errorRE("Attribute description string length must be at least 1"),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
		// Nothing reached the registry.
		CheckDestroy: checkModelsDestroyed(reg, "default", "fraud"),
	})
}
