package provider

import (
	"context"
	"fmt"
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

// featurePipelineHCL is mlops_pipeline.<name> of kind feature, writing
// mlops_feature_version.<fv>, with body added.
func featurePipelineHCL(name, fv, body string) string {
	return fmt.Sprintf(`
resource "mlops_pipeline" %q {
  name     = %q
  kind     = "feature"
  schedule = "*/15 * * * *"
  code     = { repository = "https://git.example.com/features", ref = "a1b2c3d" }
  writes   = { feature_version_ids = [mlops_feature_version.%s.id] }
%s
}
`, name, "transactions-"+name, fv, body)
}

// pipelinesDestroyed is a CheckDestroy that looks in the registry.
func pipelinesDestroyed(reg *testRegistry, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, n := range names {
			if _, err := reg.open("default").Pipeline(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("pipeline %s still in the registry after destroy (err=%w)", n, err)
			}
		}
		return nil
	}
}

// pipelineInRegistry checks what the registry holds for pipeline name.
func pipelineInRegistry(reg *testRegistry, name string, enabled bool, schedule string, revision int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		p, err := reg.open("default").Pipeline(context.Background(), name)
		if err != nil {
			return fmt.Errorf("pipeline %s not in the registry: %w", name, err)
		}
		if p.Enabled != enabled || p.Schedule != schedule || p.Revision != revision {
			return fmt.Errorf("pipeline %s: enabled %v, schedule %q, revision %d; want %v, %q, %d", name, p.Enabled, p.Schedule, p.Revision, enabled, schedule, revision)
		}
		return nil
	}
}

const trainingPipelineHCL = `
resource "mlops_pipeline" "training" {
  name   = "fraud-training"
  kind   = "training"
  reads  = { feature_version_ids = [mlops_feature_version.v1.id, mlops_feature_version.v2.id] }
  writes = { model_id = mlops_model.fraud.id }
  tags   = {}
}
`

// TestAccPipeline_lifecycle creates a feature and a training pipeline,
// imports them, changes one in place, reads it with the data source, and
// replaces it when renamed.
func TestAccPipeline_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_pipeline.v1"
	base := mvFeatures + mvModel + trainingPipelineHCL
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pipelinesDestroyed(reg, "transactions-v1", "fraud-training", "transactions-v1b"),
		Steps: []resource.TestStep{
			{
				Config: reg.config(base + featurePipelineHCL("v1", "v1", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions-v1")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"), knownvalue.StringExact("feature")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("writes").AtMapKey("feature_version_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/1")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("writes").AtMapKey("model_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reads").AtMapKey("feature_version_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("code").AtMapKey("image"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(timestampRE)),
					statecheck.ExpectKnownValue("mlops_pipeline.training", tfjsonpath.New("writes").AtMapKey("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue("mlops_pipeline.training", tfjsonpath.New("tags"), knownvalue.MapSizeExact(0)),
				},
				Check: pipelineInRegistry(reg, "transactions-v1", true, "*/15 * * * *", 1),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "transactions-v1", ImportStateVerify: true},
			{ResourceName: "mlops_pipeline.training", ImportState: true, ImportStateId: "fraud-training", ImportStateVerify: true},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "Transactions V1",
				ExpectError:   errorRE("Invalid import id", "A pipeline is imported by its name"),
			},
			{
				// Disabled and rescheduled in place; the data source reads it.
				Config: reg.config(base + featurePipelineHCL("v1", "v1", `  enabled = false`) + `
data "mlops_pipeline" "v1" {
  name = mlops_pipeline.v1.name
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_pipeline.v1", tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_pipeline.v1", tfjsonpath.New("writes").AtMapKey("feature_version_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/1")})),
					statecheck.ExpectKnownValue("data.mlops_pipeline.v1", tfjsonpath.New("code").AtMapKey("ref"), knownvalue.StringExact("a1b2c3d")),
				},
				Check: pipelineInRegistry(reg, "transactions-v1", false, "*/15 * * * *", 2),
			},
			{
				// A new name is a new pipeline.
				Config: reg.config(base + `
resource "mlops_pipeline" "v1" {
  name   = "transactions-v1b"
  kind   = "feature"
  writes = { feature_version_ids = [mlops_feature_version.v1.id] }
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions-v1b")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(pipelinesDestroyed(reg, "transactions-v1"),
					pipelineInRegistry(reg, "transactions-v1b", true, "", 1)),
			},
			{
				// F2 at plan: the feature version the pipeline writes, and
				// the model the training pipeline writes, cannot go.
				Config: reg.config(transactionsGroup + mvFeatureV2 + mvModel + `
resource "mlops_pipeline" "training" {
  name   = "fraud-training"
  kind   = "training"
  reads  = { feature_version_ids = [mlops_feature_version.v2.id] }
  writes = { model_id = mlops_model.fraud.id }
  tags   = {}
}
resource "mlops_pipeline" "v1" {
  name   = "transactions-v1b"
  kind   = "feature"
  writes = { feature_version_ids = ["transactions/1"] }
}
`),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes feature version "transactions/1" in environment "default", but pipeline "transactions-v1b"`),
			},
		},
	})
}

func TestAccPipeline_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := reg.config(mvFeatures + featurePipelineHCL("v1", "v1", ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pipelinesDestroyed(reg, "transactions-v1"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeletePipeline(context.Background(), "transactions-v1")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: the next plan recreates it.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_pipeline.v1", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: pipelineInRegistry(reg, "transactions-v1", true, "*/15 * * * *", 1),
			},
		},
	})
}

func TestAccPipeline_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(mvFeatures)},
			{
				PreConfig: func() {
					p := registry.Pipeline{Name: "transactions-v1", Kind: registry.PipelineFeature, Enabled: true, Schedule: "*/15 * * * *",
						Code:   &registry.PipelineCode{Repository: "https://git.example.com/features", Ref: "a1b2c3d"},
						Writes: registry.PipelineWrites{FeatureVersionIDs: []string{"transactions/1"}}}
					if _, err := reg.open("default").CreatePipeline(context.Background(), p); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(mvFeatures + featurePipelineHCL("v1", "v1", "")),
				ExpectError: errorRE(`pipeline "transactions-v1" already exists in environment "default"`, "terraform import"),
			},
			{
				Config: reg.config(mvFeatures + featurePipelineHCL("v1", "v1", "") + `
import {
  to = mlops_pipeline.v1
  id = "transactions-v1"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_pipeline.v1", plancheck.ResourceActionNoop)},
				},
				Check: pipelineInRegistry(reg, "transactions-v1", true, "*/15 * * * *", 1),
			},
		},
	})
}

// TestAccPipeline_badInput: what the configuration alone shows is refused
// at validate, what needs the registry at plan; nothing is written.
func TestAccPipeline_badInput(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   reg.config(mvFeatures + strings.Replace(featurePipelineHCL("v1", "v1", ""), "*/15 * * * *", "*/15 * * *", 1)),
				PlanOnly: true,
				ExpectError: errorRE("Invalid schedule", `schedule "*/15 * * *" is not a cron expression of five fields`,
					"expected exactly 5 fields, found 4"),
			},
			{
				Config: reg.config(mvFeatures + mvModel + `
resource "mlops_pipeline" "training" {
  name   = "fraud-training"
  kind   = "training"
  reads  = { feature_version_ids = ["transactions/1"] }
  writes = { model_id = "fraud", feature_version_ids = ["transactions/2"] }
}
`),
				PlanOnly: true,
				ExpectError: errorRE("Training pipeline writes feature versions (rule P1)",
					`pipeline fraud-training is of kind "training", which writes a model, not feature versions`),
			},
			{
				Config: reg.config(mvFeatures + `
resource "mlops_pipeline" "scoring" {
  name  = "fraud-batch"
  kind  = "inference"
  reads = { deployment_id = "fraud-scoring" }
}
`),
				PlanOnly: true,
				ExpectError: errorRE("Pipeline names a missing deployment (rule P1)",
					`pipeline fraud-batch reads deployment "fraud-scoring", which does not exist in environment "default"`),
			},
			{
				Config: reg.config(mvFeatures + `
resource "mlops_pipeline" "v1" {
  name   = "transactions-v1"
  kind   = "feature"
  code   = {}
  writes = { feature_version_ids = [mlops_feature_version.v1.id] }
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("Empty code", "set at least one, or leave code unset"),
			},
			{
				Config: reg.config(mvFeatures),
				Check:  pipelinesDestroyed(reg, "transactions-v1", "fraud-training", "fraud-batch"),
			},
		},
	})
}

// rollbackDeployment is fraud-scoring serving fraud/<serve>, with the
// rollback version rollback (HCL, "null" for none), written after the
// feature pipelines.
func rollbackDeployment(serve int, rollback string) string {
	return fmt.Sprintf(`
resource "mlops_deployment" "fraud" {
  name                      = "fraud-scoring"
  model_version_id          = mlops_model_version.fraud_v%d.id
  rollback_model_version_id = %s
  depends_on                = [mlops_pipeline.v2]
}
`, serve, rollback)
}

// TestAccDeployment_rollback: rule D10 at plan both ways, the rollback
// version in state and import, and the rollback as an in-place update.
func TestAccDeployment_rollback(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_deployment.fraud"
	base := mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, "") + fraudVersion(2, `[mlops_feature_version.v2.id]`, "") +
		featurePipelineHCL("v2", "v2", "")
	ready := reg.config(base + featurePipelineHCL("v1", "v1", "") + rollbackDeployment(2, "mlops_model_version.fraud_v1.id"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Nothing writes transactions/1: refused at plan.
				Config:   reg.config(base + rollbackDeployment(2, "mlops_model_version.fraud_v1.id")),
				PlanOnly: true,
				ExpectError: errorRE("Rollback version's features are not being written (rule D10)",
					"deployment fraud-scoring -> rollback version fraud/1 -> feature version transactions/1: no enabled feature pipeline"),
			},
			{
				// Refused at validate: the configuration shows it.
				Config:      reg.config(base + rollbackDeployment(2, `"fraud/2"`)),
				PlanOnly:    true,
				ExpectError: errorRE("Rollback equals the main version (rule D10)"),
			},
			{
				Config: ready,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rollback_model_version_id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("serving")),
				},
				Check: func(*terraform.State) error {
					d, err := reg.open("default").Deployment(context.Background(), "fraud-scoring")
					if err != nil {
						return fmt.Errorf("fraud-scoring not in the registry: %w", err)
					}
					if d.Rollback != "fraud/1" {
						return fmt.Errorf("fraud-scoring's rollback in the registry: %q, want fraud/1", d.Rollback)
					}
					return nil
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "fraud-scoring", ImportStateVerify: true},
			{
				// The other way round: disabling v1's pipeline is refused at plan.
				Config:   reg.config(base + featurePipelineHCL("v1", "v1", `  enabled = false`) + rollbackDeployment(2, "mlops_model_version.fraud_v1.id")),
				PlanOnly: true,
				ExpectError: errorRE("Rollback version would lose its features (rule D10)",
					"deployment fraud-scoring -> rollback version fraud/1 -> feature version transactions/1 -> pipeline transactions-v1",
					`this change disables pipeline "transactions-v1"`),
			},
			{
				// The rollback: one in-place update.
				Config: reg.config(base + featurePipelineHCL("v1", "v1", "") + rollbackDeployment(1, "null")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("mlops_pipeline.v1", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rollback_model_version_id"), knownvalue.Null()),
				},
			},
		},
	})
}
