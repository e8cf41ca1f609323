package provider

import (
	"context"
	"fmt"
	"reflect"
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

const deploymentAddr = "mlops_deployment.fraud"

// deploymentConfig is the seed and a deployment named name serving
// modelVersion (an HCL expression), with extra attributes.
func deploymentConfig(name, modelVersion, extra string) string {
	return seedModels + deploymentBlock(name, modelVersion, extra)
}

func deploymentBlock(name, modelVersion, extra string) string {
	return fmt.Sprintf(`
resource "mlops_deployment" "fraud" {
  name             = %q
  model_version_id = %s
%s
}
`, name, modelVersion, extra)
}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// checkDeployment checks what the registry holds for a deployment.
func checkDeployment(reg *testRegistry, env, name, modelVersion string, canary *registry.Canary) resource.TestCheckFunc {
	return func(*terraform.State) error {
		d, err := reg.open(env).Deployment(context.Background(), name)
		if err != nil {
			return err
		}
		if d.ModelVersion != modelVersion || !reflect.DeepEqual(d.Canary, canary) {
			return fmt.Errorf("registry holds deployment %s serving %s, canary %+v; want %s, canary %+v", name, d.ModelVersion, d.Canary, modelVersion, canary)
		}
		return nil
	}
}

func checkDeploymentsDestroyed(reg *testRegistry, env string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open(env)
		for _, n := range names {
			if _, err := r.Deployment(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("deployment %q still in the registry (err=%w)", n, err)
			}
		}
		return nil
	}
}

// behindTerraform runs statements on the registry with foreign keys off, as
// a hand-edited or half-restored registry would hold it.
func behindTerraform(t *testing.T, reg *testRegistry, statements ...string) {
	t.Helper()
	for _, q := range statements {
		reg.exec(t, q)
	}
}

// dropTransactionsV2 deletes feature version transactions/2 of the default
// environment behind Terraform's back, keeping a copy for
// restoreTransactionsV2; fraud/2 still lists it.
func dropTransactionsV2(t *testing.T, reg *testRegistry) {
	t.Helper()
	const where = ` WHERE environment = 'default' AND feature_group = 'transactions' AND version = 2`
	behindTerraform(t, reg,
		`DROP TABLE IF EXISTS lost_feature_versions`,
		`CREATE TABLE lost_feature_versions AS SELECT * FROM feature_versions`+where,
		`DELETE FROM feature_versions`+where)
	if _, err := reg.open("default").FeatureVersion(context.Background(), "transactions", 2); !registry.IsNotFound(err) {
		t.Fatalf("transactions/2 still there: %v", err)
	}
	v, err := reg.open("default").ModelVersion(context.Background(), "fraud", 2)
	if err != nil || !reflect.DeepEqual(v.FeatureVersionIDs, []string{"transactions/2"}) {
		t.Fatalf("fraud/2 no longer lists transactions/2: %+v, %v", v, err)
	}
}

func TestAccDeployment_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	replicas := func(minimum, maximum int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"min": knownvalue.Int64Exact(minimum), "max": knownvalue.Int64Exact(maximum)})
	}
	canary := `  canary = { model_version_id = mlops_model_version.fraud_v1.id, percent = 10 }`
	update := func(cfg string, status string, checks ...statecheck.StateCheck) resource.TestStep {
		return resource.TestStep{
			Config: reg.config(cfg),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact(status)),
					plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-scoring")),
					plancheck.ExpectUnknownValue(deploymentAddr, tfjsonpath.New("updated_at")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: append(checks, statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact(status))),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "default", "fraud-scoring", "fraud-scoring-eu"),
		Steps: []resource.TestStep{
			{
				Config: reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact("serving")),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("replicas"), replicas(1, 1)),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-scoring")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-scoring")),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("name"), knownvalue.StringExact("fraud-scoring")),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("canary"), knownvalue.Null()),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("replicas"), replicas(1, 1)),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("promote_from"), knownvalue.Null()),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact("serving")),
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339UTC)),
				},
				Check: checkDeployment(reg, "default", "fraud-scoring", "fraud/2", nil),
			},
			{
				ResourceName:      deploymentAddr,
				ImportState:       true,
				ImportStateId:     "fraud-scoring",
				ImportStateVerify: true,
			},
			{
				ResourceName:    deploymentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud-scoring",
			},
			// Rollback and upgrade are in-place updates.
			update(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v1.id", ""), "serving",
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1"))),
			update(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", ""), "serving",
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2"))),
			// A canary: status canary, known at plan.
			update(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", canary), "canary",
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("canary"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"model_version_id": knownvalue.StringExact("fraud/1"), "percent": knownvalue.Int64Exact(10),
				}))),
			// Replicas change in place.
			update(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", canary+`
  replicas = { min = 2, max = 4 }`), "canary",
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("replicas"), replicas(2, 4))),
			{
				// The canary and replicas round-trip through import: the
				// imported values are what the registry holds.
				ResourceName:    deploymentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud-scoring",
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("canary"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"model_version_id": knownvalue.StringExact("fraud/1"), "percent": knownvalue.Int64Exact(10),
						})),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("replicas"), replicas(2, 4)),
					},
				},
			},
			// Removing the canary: serving again, known at plan.
			update(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", ""), "serving",
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("canary"), knownvalue.Null()),
				statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("replicas"), replicas(1, 1))),
			{
				// Deleted outside Terraform: the next plan creates it again.
				Config: reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteDeployment(context.Background(), "fraud-scoring")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v2", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkDeployment(reg, "default", "fraud-scoring", "fraud/2", nil),
			},
			{
				// A new name is a new deployment.
				Config: reg.config(deploymentConfig("fraud-scoring-eu", "mlops_model_version.fraud_v2.id", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud-scoring-eu")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkDeploymentsDestroyed(reg, "default", "fraud-scoring"),
					checkDeployment(reg, "default", "fraud-scoring-eu", "fraud/2", nil),
				),
			},
		},
	})
}

func TestAccDeployment_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(seedModels),
				Check: func(*terraform.State) error {
					_, err := reg.open("default").CreateDeployment(context.Background(), registry.Deployment{
						Name: "fraud-scoring", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas,
					})
					return err
				},
			},
			{
				Config:      reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				ExpectError: errorRE(`deployment "fraud-scoring" already exists in environment "default"`, "terraform import"),
			},
			{
				// Nothing was overwritten; the deployment made outside
				// Terraform goes, so that the model versions can be destroyed.
				Config: reg.config(seedModels),
				Check: resource.ComposeTestCheckFunc(
					checkDeployment(reg, "default", "fraud-scoring", "fraud/1", nil),
					func(*terraform.State) error {
						return reg.open("default").DeleteDeployment(context.Background(), "fraud-scoring")
					},
				),
			},
		},
	})
}

// TestAccDeployment_missingVersions: D1 and D2 refuse at plan a deployment
// whose model version, or one of its feature versions, the environment
// lacks.
func TestAccDeployment_missingVersions(t *testing.T) {
	reg := newTestRegistry(t)
	onV1 := reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v1.id", ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "default", "fraud-scoring"),
		Steps: []resource.TestStep{
			{Config: onV1},
			{
				Config:   reg.config(deploymentConfig("fraud-scoring", `"fraud/9"`, "")),
				PlanOnly: true,
				ExpectError: errorRE("Model version missing (rule D1)",
					"deployment fraud-scoring would serve model version fraud/9", `which does not exist in environment "default"`),
			},
			{
				// transactions/2 vanishes behind Terraform's back while
				// fraud/2 still lists it: serving fraud/2 is refused at plan.
				PreConfig: func() { dropTransactionsV2(t, reg) },
				Config:    reg.config(deploymentConfig("fraud-scoring", `"fraud/2"`, "")),
				PlanOnly:  true,
				ExpectError: errorRE("Feature version missing for a served model (rule D2)",
					"deployment fraud-scoring -> model version fraud/2 -> feature version transactions/2",
					`does not exist in environment "default"`,
					"deploy a model version whose feature versions exist there", "(in default: fraud/1)"),
			},
			{
				// Nothing changed; the next apply creates transactions/2
				// again (and fraud/2 on it).
				PreConfig: func() { behindTerraform(t, reg, `DROP TABLE lost_feature_versions`) },
				Config:    onV1,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_feature_version.v2", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkDeployment(reg, "default", "fraud-scoring", "fraud/1", nil),
			},
			{
				// With transactions/2 back, the upgrade goes through.
				Config: reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkDeployment(reg, "default", "fraud-scoring", "fraud/2", nil),
			},
		},
	})
}

// TestAccDeployment_servingMissingFeatureVersion: a deployment already
// serving a model version whose feature version has gone behind
// Terraform's back: when the same plan creates the feature version again,
// the deployment's change is checked against the planned feature version
// (nothing refused, nothing replaced), and one apply converges. (A feature
// version that no plan creates again is refused by D2: see
// TestAccPlan_sameRun and the promotion tests.)
func TestAccDeployment_servingMissingFeatureVersion(t *testing.T) {
	reg := newTestRegistry(t)
	scaled := reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", `  replicas = { min = 2, max = 2 }`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "default", "fraud-scoring"),
		Steps: []resource.TestStep{
			{Config: reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id", ""))},
			{
				PreConfig: func() { dropTransactionsV2(t, reg) },
				Config:    scaled,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_feature_version.v2", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v2", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccDeployment_canaryRules: D4 at validate on literal ids, and at plan
// on ids of existing objects.
func TestAccDeployment_canaryRules(t *testing.T) {
	reg := newTestRegistry(t)
	literal := func(main, canary string, percent int) string {
		return reg.config(deploymentBlock("fraud-scoring", fmt.Sprintf("%q", main),
			fmt.Sprintf(`  canary = { model_version_id = %q, percent = %d }`, canary, percent)))
	}
	churn := seedModels + churnModel
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      literal("fraud/2", "fraud/1", 0),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid canary percent (rule D4)", "between 1 and 99, got 0", "remove the canary"),
			},
			{
				Config:      literal("fraud/2", "fraud/1", 100),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid canary percent (rule D4)", "got 100", "make it model_version_id"),
			},
			{
				Config:   literal("fraud/2", "fraud/2", 10),
				PlanOnly: true,
				ExpectError: errorRE("Canary equals the main version (rule D4)",
					"the canary of deployment fraud-scoring is model version fraud/2, which the deployment already serves"),
			},
			{
				Config:   literal("fraud/2", "churn/1", 10),
				PlanOnly: true,
				ExpectError: errorRE("Canary of another model (rule D4)",
					`deployment fraud-scoring serves model "fraud", but its canary churn/1 is a version of model "churn"`),
			},
			{Config: reg.config(churn)},
			{
				// Ids of existing objects are known only at plan.
				Config: reg.config(churn + deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id",
					`  canary = { model_version_id = mlops_model_version.fraud_v1.id, percent = 10 }`)),
				PlanOnly:    true,
				ExpectError: errorRE("Canary equals the main version (rule D4)", "model version fraud/1, which the deployment already serves"),
			},
			{
				Config: reg.config(churn + deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id",
					`  canary = { model_version_id = mlops_model_version.churn_v1.id, percent = 10 }`)),
				PlanOnly:    true,
				ExpectError: errorRE("Canary of another model (rule D4)", `its canary churn/1 is a version of model "churn"`),
			},
		},
	})
}

// TestAccDeployment_promotion: D5 across environments of one registry. The
// configuration is applied in prod and promotes from staging.
func TestAccDeployment_promotion(t *testing.T) {
	reg := newTestRegistry(t)
	ctx := context.Background()
	seedStaging := func() {
		r := reg.open("staging")
		steps := []func() error{
			func() error {
				_, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}, EventTime: "event_ts"})
				return err
			},
		}
		for v := int64(1); v <= 2; v++ {
			steps = append(steps, func() error {
				_, err := r.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: v, Features: []registry.Feature{
					{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"},
				}})
				return err
			})
		}
		steps = append(steps,
			func() error { _, err := r.CreateModel(ctx, registry.Model{Name: "fraud"}); return err },
			func() error {
				// The artifact prod registers as fraud/1.
				_, err := r.CreateModelVersion(ctx, registry.ModelVersion{Model: "fraud", Version: 1, ArtifactURI: "s3://models/fraud/1", FeatureVersionIDs: []string{"transactions/1"}})
				return err
			},
			func() error {
				// Not the artifact prod registers as fraud/2.
				_, err := r.CreateModelVersion(ctx, registry.ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://staging-models/fraud/2", FeatureVersionIDs: []string{"transactions/2"}})
				return err
			},
			func() error {
				_, err := r.CreateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas})
				return err
			},
		)
		for _, s := range steps {
			if err := s(); err != nil {
				t.Fatalf("seeding staging: %v", err)
			}
		}
	}
	prod := func(modelVersion, promoteFrom string) string {
		return reg.envConfig("prod", deploymentConfig("fraud-scoring", modelVersion, fmt.Sprintf("  promote_from = %q", promoteFrom)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
		Steps: []resource.TestStep{
			{
				// Staging serves fraud/1, the same artifact: promoted, the
				// model versions being created in this run.
				PreConfig: seedStaging,
				Config:    prod("mlops_model_version.fraud_v1.id", "staging"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("promote_from"), knownvalue.StringExact("staging")),
				},
				Check: checkDeployment(reg, "prod", "fraud-scoring", "fraud/1", nil),
			},
			{
				Config:   prod("mlops_model_version.fraud_v2.id", "staging"),
				PlanOnly: true,
				ExpectError: errorRE("Model version not promoted (rule D5)",
					`deployment fraud-scoring would serve model version fraud/2 in environment "prod"`,
					`but deployment fraud-scoring in "staging" serves fraud/1, not fraud/2`),
			},
			{
				// Staging now serves fraud/2, but another artifact.
				PreConfig: func() {
					if _, err := reg.open("staging").UpdateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/2", Replicas: registry.DefaultReplicas}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   prod("mlops_model_version.fraud_v2.id", "staging"),
				PlanOnly: true,
				ExpectError: errorRE("Different artifact (rule D5)",
					`model version fraud/2 is s3://models/fraud/2 in environment "prod" but s3://staging-models/fraud/2 in "staging"`),
			},
			{
				Config:   prod("mlops_model_version.fraud_v1.id", "prod"),
				PlanOnly: true,
				ExpectError: errorRE("Promotion from the same environment (rule D5)",
					`deployment fraud-scoring is in environment "prod" and cannot be promoted from it`),
			},
			{
				PreConfig: func() {
					if err := reg.open("staging").DeleteDeployment(ctx, "fraud-scoring"); err != nil {
						t.Fatal(err)
					}
				},
				Config:   prod("mlops_model_version.fraud_v2.id", "staging"),
				PlanOnly: true,
				ExpectError: errorRE("Nothing to promote from (rule D5)",
					`deployment fraud-scoring is promoted from environment "staging", which has no deployment fraud-scoring`),
			},
			{
				Config:      prod("mlops_model_version.fraud_v1.id", "Staging"),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid environment (rule D5)", `promote_from "Staging" is not a valid environment name`),
			},
			{
				// Nothing changed in prod.
				Config: prod("mlops_model_version.fraud_v1.id", "staging"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkDeployment(reg, "prod", "fraud-scoring", "fraud/1", nil),
			},
		},
	})
}

// TestAccDeployment_servedFeatureVersionNotDeleted: F2 for a feature
// version that a served model version reads: refused at plan, nothing lost.
func TestAccDeployment_servedFeatureVersionNotDeleted(t *testing.T) {
	reg := newTestRegistry(t)
	ctx := context.Background()
	cfg := reg.config(deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v1.id", ""))
	// fraud_v1 names transactions/1 by its id, and the resource of
	// transactions/1 is gone from the configuration.
	withoutV1 := strings.Replace(
		strings.Replace(seedModels, `resource "mlops_feature_version" "v1"`, `resource "mlops_feature_version" "gone"`, 1),
		"feature_version_ids = [mlops_feature_version.v1.id]", `feature_version_ids = ["transactions/1"]`, 1)
	withoutV1 = regexp.MustCompile(`(?s)resource "mlops_feature_version" "gone" \{.*?\n\}\n`).ReplaceAllString(withoutV1, "")
	if strings.Contains(withoutV1, "mlops_feature_version.v1") || strings.Contains(withoutV1, `"gone"`) {
		t.Fatalf("configuration without v1 still has it:\n%s", withoutV1)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					r := reg.open("default")
					err := r.DeleteFeatureVersion(ctx, "transactions", 1)
					if err == nil || !strings.Contains(err.Error(), `model version "fraud/1" (served by deployment fraud-scoring)`) {
						return fmt.Errorf("deleting transactions/1 behind Terraform: %w", err)
					}
					err = r.DeleteModelVersion(ctx, "fraud", 1)
					if err == nil || !strings.Contains(err.Error(), `still referenced by deployment "fraud-scoring"`) {
						return fmt.Errorf("deleting fraud/1 behind Terraform: %w", err)
					}
					return nil
				},
			},
			{
				// Refused at plan: fraud/1, which a deployment serves, stays.
				Config:   reg.config(withoutV1 + deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id", "")),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes feature version "transactions/1" in environment "default", but model version "fraud/1"`),
			},
			{
				// Nothing was lost.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					r := reg.open("default")
					if _, err := r.FeatureVersion(ctx, "transactions", 1); err != nil {
						return fmt.Errorf("transactions/1 lost: %w", err)
					}
					recs, err := r.Audit(ctx, registry.KindFeatureVersion, "transactions/1")
					if err != nil || len(recs) != 1 || recs[0].Action != "create" {
						return fmt.Errorf("audit of transactions/1: %+v, %w", recs, err)
					}
					return nil
				},
			},
		},
	})
}
