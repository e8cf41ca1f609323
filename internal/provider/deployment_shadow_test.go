package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// fraudV3 is model version fraud/3, reading transactions/2.
const fraudV3 = `
resource "mlops_model_version" "fraud_v3" {
  model_id            = mlops_model.fraud.id
  version             = 3
  artifact_uri        = "s3://models/fraud/3"
  feature_version_ids = [mlops_feature_version.v2.id]
  metrics             = { auc = 0.94 }
}
`

// checkShadow checks the shadow the registry holds for deployment
// fraud-scoring of the default environment (nil: none).
func checkShadow(reg *testRegistry, want *registry.Shadow) resource.TestCheckFunc {
	return func(*terraform.State) error {
		d, err := reg.open("default").Deployment(context.Background(), "fraud-scoring")
		if err != nil {
			return err
		}
		if (d.Shadow == nil) != (want == nil) || d.Shadow != nil && *d.Shadow != *want {
			return fmt.Errorf("registry holds shadow %+v, want %+v", d.Shadow, want)
		}
		return nil
	}
}

func shadowValue(id string, percent int64) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"model_version_id": knownvalue.StringExact(id), "sample_percent": knownvalue.Int64Exact(percent),
	})
}

// TestAccDeployment_shadow: a shadow's D4 at validate, its lifecycle (set,
// imported, changed and removed in place; status unchanged), and F2 on its
// model version.
func TestAccDeployment_shadow(t *testing.T) {
	reg := newTestRegistry(t)
	literal := func(canary, shadow string, percent int) string {
		extra := fmt.Sprintf(`  shadow = { model_version_id = %q, sample_percent = %d }`, shadow, percent)
		if canary != "" {
			extra += fmt.Sprintf("\n  canary = { model_version_id = %q, percent = 10 }", canary)
		}
		return reg.config(deploymentBlock("fraud-scoring", `"fraud/2"`, extra))
	}
	withShadow := func(percent int) string {
		return reg.config(seedModels + fraudV3 + deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v2.id",
			fmt.Sprintf(`  shadow = { model_version_id = mlops_model_version.fraud_v3.id, sample_percent = %d }`, percent)))
	}
	update := func(cfg string, shadow knownvalue.Check, check resource.TestCheckFunc) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("shadow"), shadow),
					plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact("serving")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("shadow"), shadow)},
			Check:             check,
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "default", "fraud-scoring"),
		Steps: []resource.TestStep{
			// D4 at validate, on what the configuration alone shows.
			{
				Config:      literal("", "fraud/3", 0),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid shadow sample percent (rule D4)", "between 1 and 100, got 0", "remove the shadow"),
			},
			{
				Config:      literal("", "fraud/3", 101),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid shadow sample percent (rule D4)", "got 101"),
			},
			{
				Config:      literal("fraud/1", "fraud/1", 20),
				PlanOnly:    true,
				ExpectError: errorRE("Shadow equals the canary (rule D4)", "model version fraud/1, which is already its canary"),
			},
			{
				Config:      literal("", "churn/1", 20),
				PlanOnly:    true,
				ExpectError: errorRE("Shadow of another model (rule D4)", `its shadow churn/1 is a version of model "churn"`),
			},
			{
				// Created with a shadow of 100%: every request copied, the
				// status still serving.
				Config: withShadow(100),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("shadow"), shadowValue("fraud/3", 100)),
						plancheck.ExpectKnownValue(deploymentAddr, tfjsonpath.New("status"), knownvalue.StringExact("serving")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkShadow(reg, &registry.Shadow{ModelVersion: "fraud/3", SamplePercent: 100}),
			},
			{
				ResourceName:      deploymentAddr,
				ImportState:       true,
				ImportStateId:     "fraud-scoring",
				ImportStateVerify: true,
			},
			update(withShadow(20), shadowValue("fraud/3", 20), checkShadow(reg, &registry.Shadow{ModelVersion: "fraud/3", SamplePercent: 20})),
			{
				// F2: the shadowed model version cannot go.
				Config:      reg.config(seedModels + deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v2.id", `  shadow = { model_version_id = "fraud/3", sample_percent = 20 }`)),
				PlanOnly:    true,
				ExpectError: errorRE("Object still referenced (rule F2)", `model version "fraud/3"`, `deployment "fraud-scoring"`),
			},
			// Removing the shadow is an in-place update.
			update(reg.config(seedModels+fraudV3+deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v2.id", "")), knownvalue.Null(), checkShadow(reg, nil)),
		},
	})
}
