package provider

import (
	"context"
	"fmt"
	"reflect"
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

const environmentAddr = "mlops_environment.prod"

// prodPolicy is the mlops_environment of prod with the given body.
func prodPolicy(body string) string {
	return fmt.Sprintf(`
resource "mlops_environment" "prod" {
  name = "prod"
%s
}
`, body)
}

// policyInRegistry checks what the registry holds for environment name's
// policy, and that its audit trail, in that environment, has the actions.
func policyInRegistry(reg *testRegistry, want registry.EnvironmentPolicy, actions string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		r := reg.open(want.Name)
		p, err := r.EnvironmentPolicy(ctx, want.Name)
		if err != nil {
			return err
		}
		got := registry.EnvironmentPolicy{Name: p.Name, PromoteFrom: p.PromoteFrom, RequireApproval: p.RequireApproval,
			RequiredGates: p.RequiredGates, Protected: p.Protected, Description: p.Description, Revision: p.Revision}
		if want.RequiredGates == nil {
			want.RequiredGates = []string{}
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("registry holds policy %+v, want %+v", got, want)
		}
		recs, err := r.Audit(ctx, registry.KindEnvironment, want.Name)
		if err != nil {
			return err
		}
		var a []string
		for _, rec := range recs {
			a = append(a, rec.Action+" by "+rec.Actor)
		}
		if strings.Join(a, ",") != actions {
			return fmt.Errorf("audit of %s's policy in %s: %q, want %q", want.Name, want.Name, strings.Join(a, ","), actions)
		}
		return nil
	}
}

func checkPoliciesDestroyed(reg *testRegistry, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, n := range names {
			if _, err := reg.open("default").EnvironmentPolicy(context.Background(), n); !registry.IsNotFound(err) {
				return fmt.Errorf("environment %s's policy still in the registry after destroy (err=%w)", n, err)
			}
		}
		return nil
	}
}

// TestAccEnvironment_lifecycle declares prod's policy from a platform
// configuration (provider environment "platform"): the audit trail is in
// prod; import round-trips; changes are in place.
func TestAccEnvironment_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	strict := reg.envConfig("platform", prodPolicy(`
  promote_from     = "staging"
  require_approval = true
  required_gates   = ["fraud-release", "latency"]
  protected        = true
  description      = "production"
`))
	loose := reg.envConfig("platform", prodPolicy(`  promote_from = "staging"`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoliciesDestroyed(reg, "prod"),
		Steps: []resource.TestStep{
			{
				Config: strict,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(environmentAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("id"), knownvalue.StringExact("prod")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("name"), knownvalue.StringExact("prod")),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("promote_from"), knownvalue.StringExact("staging")),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("require_approval"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("required_gates"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("fraud-release"), knownvalue.StringExact("latency"),
					})),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("protected"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("description"), knownvalue.StringExact("production")),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339UTC)),
				},
				Check: policyInRegistry(reg, registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "staging", RequireApproval: true,
					RequiredGates: []string{"fraud-release", "latency"}, Protected: true, Description: "production", Revision: 1}, "create by acceptance-test"),
			},
			{
				ResourceName:      environmentAddr,
				ImportState:       true,
				ImportStateId:     "prod",
				ImportStateVerify: true,
			},
			{
				ResourceName:    environmentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "prod",
			},
			{
				ResourceName:  environmentAddr,
				ImportState:   true,
				ImportStateId: "Prod",
				ExpectError:   errorRE("Invalid import id", `imported by the environment's name, which must match`, `got "Prod"`),
			},
			{
				// Switching requirements off is an in-place update; the
				// defaults read back as written.
				Config: loose,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(environmentAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("require_approval"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("required_gates"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("protected"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(environmentAddr, tfjsonpath.New("description"), knownvalue.Null()),
				},
				Check: policyInRegistry(reg, registry.EnvironmentPolicy{Name: "prod", PromoteFrom: "staging", Revision: 2},
					"create by acceptance-test,update by acceptance-test"),
			},
			{
				ResourceName:      environmentAddr,
				ImportState:       true,
				ImportStateId:     "prod",
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccEnvironment_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := reg.envConfig("platform", prodPolicy(`  require_approval = true`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoliciesDestroyed(reg, "prod"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteEnvironment(context.Background(), "prod")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: prod was written, so the next
				// plan recreates it, no error.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(environmentAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: policyInRegistry(reg, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true, Revision: 1},
					"create by acceptance-test,delete by outside-terraform,create by acceptance-test"),
			},
		},
	})
}

func TestAccEnvironment_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoliciesDestroyed(reg, "prod"),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if _, err := reg.open("prod").CreateEnvironment(context.Background(), registry.EnvironmentPolicy{Name: "prod", Protected: true}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.envConfig("platform", prodPolicy(`  require_approval = true`)),
				ExpectError: errorRE(`environment "prod" already exists in environment "prod"`, "terraform import"),
			},
			{
				// The refused create left the policy as it was; importing it
				// with the configuration that matches changes nothing, and
				// switching protection off lets the test destroy it.
				Config: reg.envConfig("platform", prodPolicy(`  protected = false`)+`
import {
  to = mlops_environment.prod
  id = "prod"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(environmentAddr, plancheck.ResourceActionUpdate)},
				},
				Check: policyInRegistry(reg, registry.EnvironmentPolicy{Name: "prod", Revision: 2},
					"create by outside-terraform,update by acceptance-test"),
			},
		},
	})
}

func TestAccEnvironmentDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Read from another environment's workspace: policies are global.
				Config: reg.envConfig("platform", prodPolicy(`
  promote_from   = "staging"
  required_gates = ["fraud-release"]
`)) + `
data "mlops_environment" "prod" {
  name = mlops_environment.prod.name
}
# prod's policy has its history in prod, read here from another workspace.
data "mlops_audit" "prod" {
  kind = "environment"
  id   = mlops_environment.prod.id
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("id"), knownvalue.StringExact("prod")),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("promote_from"), knownvalue.StringExact("staging")),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("require_approval"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("required_gates"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("fraud-release")})),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("protected"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mlops_environment.prod", tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339UTC)),
					statecheck.ExpectKnownValue("data.mlops_audit.prod", tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"action": knownvalue.StringExact("create"), "actor": knownvalue.StringExact("acceptance-test"),
						}),
					})),
				},
			},
			{
				Config: reg.envConfig("prod", `
data "mlops_environment" "staging" {
  name = "staging"
}
`),
				ExpectError: errorRE("No such environment policy", `environment "staging" has no policy in the registry`, `no mlops_environment declares "staging"`),
			},
		},
	})
}

// TestAccEnvironment_badInput: refused at validate when the configuration
// alone shows it, at plan when other policies or the environment's suites
// do; nothing written.
func TestAccEnvironment_badInput(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   reg.envConfig("platform", prodPolicy(`  promote_from = "prod"`)),
				PlanOnly: true,
				ExpectError: errorRE("An environment promoting from itself (rule D7)", `environment "prod" cannot be promoted from itself`,
					"remove promote_from, or name another environment"),
			},
			{
				Config: reg.envConfig("platform", `
resource "mlops_environment" "dev" {
  name         = "dev"
  promote_from = "staging"
}
resource "mlops_environment" "staging" {
  name         = "staging"
  promote_from = "dev"
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("Promotion cycle (rule D7)", "which makes a promotion cycle", "-> dev", "remove promote_from from one of these environments"),
			},
			{
				Config:      reg.envConfig("platform", prodPolicy(`  required_gates = ["Fraud Release"]`)),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid validation suite name", `Fraud Release`),
			},
			{
				// A gate no suite has: the policy is written (the suite may
				// come later), and a deployment there is refused, naming it.
				Config: reg.envConfig("prod", seedModels+prodPolicy(`  required_gates = ["fraud-release"]`)),
			},
			{
				Config:   reg.envConfig("prod", seedModels+prodPolicy(`  required_gates = ["fraud-release"]`)+deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id", "")),
				PlanOnly: true,
				ExpectError: errorRE("Required gate missing (rule D8)",
					`deployment fraud-scoring: environment "prod" requires gate "fraud-release" (mlops_environment "prod", required_gates), but it has no validation suite "fraud-release"`),
			},
			{
				// Nothing was written.
				Config: reg.envConfig("prod", seedModels+prodPolicy(`  required_gates = ["fraud-release"]`)),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
					checkPoliciesDestroyed(reg, "dev", "staging"),
				),
			},
		},
	})
}

// seedStagingServing registers in staging what prod promotes: fraud/1 and
// fraud/2 as prod has them, and deployment fraud-scoring serving fraud/1.
func seedStagingServing(t *testing.T, reg *testRegistry) {
	ctx := context.Background()
	r := reg.open("staging")
	features := []registry.Feature{{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"}}
	_, err := r.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: "transactions", PrimaryKey: []string{"account_id"}, EventTime: "event_ts"})
	for v := int64(1); v <= 2 && err == nil; v++ {
		_, err = r.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: v, Features: features})
	}
	if err == nil {
		_, err = r.CreateModel(ctx, registry.Model{Name: "fraud"})
	}
	for v := int64(1); v <= 2 && err == nil; v++ {
		_, err = r.CreateModelVersion(ctx, registry.ModelVersion{Model: "fraud", Version: v,
			ArtifactURI: fmt.Sprintf("s3://models/fraud/%d", v), FeatureVersionIDs: []string{registry.FeatureVersionID("transactions", v)}})
	}
	if err == nil {
		_, err = r.CreateDeployment(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1", Replicas: registry.DefaultReplicas})
	}
	if err != nil {
		t.Fatalf("seeding staging: %v", err)
	}
}

// TestAccEnvironment_promotion: rule D7 at plan. prod is promoted from
// staging: a deployment promoted from elsewhere is refused, one without
// promote_from is promoted from staging (D5).
func TestAccEnvironment_promotion(t *testing.T) {
	reg := newTestRegistry(t)
	policy := prodPolicy(`  promote_from = "staging"`)
	prod := func(modelVersion, extra string) string {
		return reg.envConfig("prod", seedModels+policy+deploymentBlock("fraud-scoring", modelVersion, extra))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { seedStagingServing(t, reg) },
				Config:    reg.envConfig("prod", seedModels+policy),
			},
			{
				Config:   prod("mlops_model_version.fraud_v1.id", `  promote_from = "dev"`),
				PlanOnly: true,
				ExpectError: errorRE("Promoted from another environment (rule D7)",
					`deployment fraud-scoring is promoted from "dev", but environment "prod" is promoted from "staging"`, `Set promote_from = "staging" or remove it`),
			},
			{
				// No promote_from: promoted from staging, which serves fraud/1.
				Config:      prod("mlops_model_version.fraud_v2.id", ""),
				PlanOnly:    true,
				ExpectError: errorRE("Model version not promoted (rule D5)", `would serve model version fraud/2 in environment "prod"`, `in "staging" serves fraud/1`),
			},
			{
				Config: prod("mlops_model_version.fraud_v1.id", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkDeployment(reg, "prod", "fraud-scoring", "fraud/1", nil),
			},
		},
	})
}

// TestAccEnvironment_requiredGates: rule D8 at plan, with the gate created
// in an earlier apply.
func TestAccEnvironment_requiredGates(t *testing.T) {
	reg := newTestRegistry(t)
	base := seedModels + prodPolicy(`  required_gates = ["prod-release"]`) + `
resource "mlops_model" "platform" {
  name = "platform"
}
resource "mlops_validation_suite" "prod_release" {
  name         = "prod-release"
  model_id     = mlops_model.platform.id
  expectations = [{ type = "expect_metric_to_be_at_least", metric = "auc", min_value = 0.92 }]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
		Steps: []resource.TestStep{
			{
				Config: reg.envConfig("prod", base),
			},
			{
				Config:   reg.envConfig("prod", base+deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id", "")),
				PlanOnly: true,
				ExpectError: errorRE("Required gate fails (rule D8)",
					`deployment fraud-scoring -> model version fraud/1: gate prod-release, required in environment "prod", expects auc to be at least 0.92, but fraud/1 has auc = 0.91`),
			},
			{
				Config: reg.envConfig("prod", base+deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v2.id", "")),
				Check:  checkDeployment(reg, "prod", "fraud-scoring", "fraud/2", nil),
			},
		},
	})
}

// TestAccEnvironment_protected: rule D9 at plan. Destroying a deployment,
// or the policy, of a protected environment is refused, and nothing is
// deleted; once protected = false is applied, the same destroy goes
// through.
func TestAccEnvironment_protected(t *testing.T) {
	reg := newTestRegistry(t)
	protected := prodPolicy(`  protected = true`)
	serving := deploymentBlock("fraud-scoring", "mlops_model_version.fraud_v1.id", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
			checkPoliciesDestroyed(reg, "prod"),
		),
		Steps: []resource.TestStep{
			{
				Config: reg.envConfig("prod", seedModels+protected+serving),
			},
			{
				Config:   reg.envConfig("prod", seedModels+protected),
				PlanOnly: true,
				ExpectError: errorRE("Protected environment (rule D9)",
					`this plan destroys deployment "fraud-scoring" in environment "prod", which is protected`, "Switch protected off in an earlier apply"),
			},
			{
				// Replacing it is destroying it too.
				Config:   reg.envConfig("prod", seedModels+protected+deploymentBlock("fraud-scoring-v2", "mlops_model_version.fraud_v1.id", "")),
				PlanOnly: true,
				ExpectError: errorRE("Protected environment (rule D9)",
					`this plan replaces (destroys, then creates again) deployment "fraud-scoring"`),
			},
			{
				// So is the model version it serves, even with the deployment
				// leaving in the same plan.
				Config:   reg.envConfig("prod", strings.Replace(seedModels, `resource "mlops_model_version" "fraud_v1"`, `resource "mlops_model_version" "gone"`, 1)+protected),
				PlanOnly: true,
				ExpectError: errorRE("Protected environment (rule D9)",
					`model version "fraud/1" (served by deployment fraud-scoring) in environment "prod"`),
			},
			{
				Config:      reg.envConfig("prod", seedModels+serving),
				PlanOnly:    true,
				ExpectError: errorRE("Protected environment (rule D9)", `this plan destroys the policy of environment "prod", which is protected`),
			},
			{
				// Nothing was deleted; protection goes off in its own apply.
				Config: reg.envConfig("prod", seedModels+prodPolicy(`  protected = false`)+serving),
				Check:  checkDeployment(reg, "prod", "fraud-scoring", "fraud/1", nil),
			},
			{
				Config: reg.envConfig("prod", seedModels+prodPolicy(`  protected = false`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deploymentAddr, plancheck.ResourceActionDestroy)},
				},
				Check: checkDeploymentsDestroyed(reg, "prod", "fraud-scoring"),
			},
		},
	})
}
