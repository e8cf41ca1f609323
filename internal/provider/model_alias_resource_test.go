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

// aliasSeed is the transactions group, model fraud and its versions 1 and 2.
var aliasSeed = mvFeatures + mvModel +
	fraudVersion(1, `[mlops_feature_version.v1.id]`, "") +
	fraudVersion(2, `[mlops_feature_version.v2.id]`, "")

// championAlias is alias fraud@champion pointing at modelVersionID (HCL).
func championAlias(modelVersionID, body string) string {
	return fmt.Sprintf(`
resource "mlops_model_alias" "champion" {
  model_id         = mlops_model.fraud.id
  name             = "champion"
  model_version_id = %s
%s
}
`, modelVersionID, body)
}

// servingTheChampion is a deployment that serves whatever the alias names.
const servingTheChampion = `
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_alias.champion.model_version_id
}
`

var timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// checkAliasesDestroyed is a CheckDestroy that looks in the registry.
func checkAliasesDestroyed(reg *testRegistry, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			m, a, err := registry.ParseModelAliasID(id)
			if err != nil {
				return err
			}
			if _, err := reg.open("default").ModelAlias(context.Background(), m, a); !registry.IsNotFound(err) {
				return fmt.Errorf("model alias %s still in the registry after destroy (err=%w)", id, err)
			}
		}
		return nil
	}
}

// aliasInRegistry checks what the registry holds for fraud@champion.
func aliasInRegistry(reg *testRegistry, modelVersionID string, revision int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := reg.open("default").ModelAlias(context.Background(), "fraud", "champion")
		if err != nil {
			return fmt.Errorf("fraud@champion not in the registry: %w", err)
		}
		if a.ModelVersionID != modelVersionID || a.Revision != revision {
			return fmt.Errorf("fraud@champion points at %s (revision %d), want %s (revision %d)", a.ModelVersionID, a.Revision, modelVersionID, revision)
		}
		return nil
	}
}

// TestAccModelAlias_lifecycle creates an alias in the plan that creates its
// version, imports it, moves it in place (the deployment that serves it by
// reference follows in place) and refuses at plan to delete the version it
// points at.
func TestAccModelAlias_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_alias.champion"
	onV1 := reg.config(aliasSeed + championAlias("mlops_model_version.fraud_v1.id", `  description = "serves prod"`) + servingTheChampion)
	onV2 := reg.config(aliasSeed + championAlias("mlops_model_version.fraud_v2.id", `  description = "serves prod"`) + servingTheChampion)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkAliasesDestroyed(reg, "fraud@champion"),
			checkModelVersionsDestroyed(reg, "default", "fraud/1", "fraud/2"),
		),
		Steps: []resource.TestStep{
			{
				Config: onV1,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						// The id follows from configuration: known at plan.
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud@champion")),
						plancheck.ExpectKnownValue("mlops_deployment.fraud", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud@champion")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("champion")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("serves prod")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(timestampRE)),
					statecheck.ExpectKnownValue("mlops_deployment.fraud", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1")),
				},
				Check: aliasInRegistry(reg, "fraud/1", 1),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "fraud@champion",
				ImportStateVerify: true,
			},
			{
				// An import block: the plan imports it and changes nothing.
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud@champion",
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "fraud/champion",
				ExpectError:   errorRE("Invalid import id", `model alias id "fraud/champion" must have the form <model>@<alias>`),
			},
			{
				// Moving the alias is an in-place update, and the deployment
				// that serves it follows in place: the diff a reviewer sees.
				Config: onV2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("mlops_deployment.fraud", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v1", plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud@champion")),
						plancheck.ExpectKnownValue("mlops_deployment.fraud", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue("mlops_deployment.fraud", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
				},
				Check: aliasInRegistry(reg, "fraud/2", 2),
			},
			{
				// F2 at plan: the version the alias points at cannot go.
				Config: reg.config(mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, "") +
					championAlias(`"fraud/2"`, `  description = "serves prod"`) + `
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = "fraud/1"
}
`),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes model version "fraud/2" in environment "default", but model alias "fraud@champion" still points at it and this plan keeps it`),
			},
			{
				// The refused plan changed nothing.
				Config:   onV2,
				PlanOnly: true,
				Check:    aliasInRegistry(reg, "fraud/2", 2),
			},
		},
	})
}

func TestAccModelAlias_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_alias.champion"
	cfg := reg.config(aliasSeed + championAlias("mlops_model_version.fraud_v1.id", ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAliasesDestroyed(reg, "fraud@champion"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteModelAlias(context.Background(), "fraud", "champion")
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
				Check: aliasInRegistry(reg, "fraud/1", 1),
			},
		},
	})
}

func TestAccModelAlias_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(aliasSeed),
			},
			{
				PreConfig: func() {
					a := registry.ModelAlias{Model: "fraud", Name: "champion", ModelVersionID: "fraud/2"}
					if _, err := reg.open("default").CreateModelAlias(context.Background(), a); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(aliasSeed + championAlias("mlops_model_version.fraud_v1.id", "")),
				ExpectError: errorRE(`model alias "fraud@champion" already exists in environment "default"`, "terraform import"),
			},
			{
				// The refused create left the alias where it was; importing
				// it with the configuration that matches changes nothing.
				Config: reg.config(aliasSeed + championAlias("mlops_model_version.fraud_v2.id", "") + `
import {
  to = mlops_model_alias.champion
  id = "fraud@champion"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_model_alias.champion", plancheck.ResourceActionNoop)},
				},
				Check: aliasInRegistry(reg, "fraud/2", 1),
			},
		},
	})
}

// TestAccModelAlias_refusals: rule A1 at validate and at plan, with
// nothing written.
func TestAccModelAlias_refusals(t *testing.T) {
	reg := newTestRegistry(t)
	churn := churnModel
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(aliasSeed + churn),
			},
			{
				// The configuration alone shows it: refused at validate.
				Config:   reg.config(aliasSeed + churn + championAlias(`"churn/1"`, "")),
				PlanOnly: true,
				ExpectError: errorRE("Alias to another model's version (rule A1)",
					`alias fraud@champion -> model version "churn/1": that version belongs to model "churn", not "fraud"`),
			},
			{
				// Known only at plan, through a reference.
				Config:   reg.config(aliasSeed + churn + championAlias("mlops_model_version.churn_v1.id", "")),
				PlanOnly: true,
				ExpectError: errorRE("Alias to another model's version (rule A1)",
					`alias fraud@champion -> model version "churn/1"`, `Point model_version_id at a version of "fraud"`),
			},
			{
				Config:   reg.config(aliasSeed + churn + championAlias(`"fraud/9"`, "")),
				PlanOnly: true,
				ExpectError: errorRE("Model version not found (rule A1)",
					`alias fraud@champion -> model version "fraud/9": that version does not exist in environment "default"`, "Register it first"),
			},
			{
				Config:      reg.config(aliasSeed + churn + championAlias(`"fraud"`, "")),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid id", `model version id "fraud" must have the form <name>/<version>`),
			},
			{
				Config: reg.config(aliasSeed + churn + `
resource "mlops_model_alias" "champion" {
  model_id         = "fraud"
  name             = "Champion"
  model_version_id = "fraud/1"
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("Attribute name must be a valid alias name", `got: Champion`),
			},
			{
				// Nothing was written.
				Config: reg.config(aliasSeed + churn),
				Check:  checkAliasesDestroyed(reg, "fraud@champion"),
			},
		},
	})
}
