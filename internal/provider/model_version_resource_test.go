package provider

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"slices"
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

// mvFeatures is the seed's feature side: the transactions group and its
// versions 1 and 2.
const mvFeatures = transactionsGroup + mvFeatureV1 + mvFeatureV2

const mvFeatureV1 = `
resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double" },
  ]
}
`

const mvFeatureV2 = `
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double" },
    { name = "amount", type = "double" },
    { name = "merchant_counts", type = "array<int>" },
  ]
}
`

// mvPayments is a second feature group whose version 1 also has "amount".
const mvPayments = `
resource "mlops_feature_group" "payments" {
  name        = "payments"
  primary_key = ["payment_id"]
}
resource "mlops_feature_version" "p1" {
  feature_group_id = mlops_feature_group.payments.id
  version          = 1
  features = [
    { name = "payment_id", type = "string" },
    { name = "amount", type = "double" },
  ]
}
`

const mvModel = `
resource "mlops_model" "fraud" {
  name = "fraud"
}
`

// fraudVersion is an mlops_model_version of model fraud named
// fraud_v<version>, with artifact s3://models/fraud/<version>.
func fraudVersion(version int, featureVersionIDs, body string) string {
	return fraudVersionAt(version, fmt.Sprintf("s3://models/fraud/%d", version), featureVersionIDs, body)
}

func fraudVersionAt(version int, artifact, featureVersionIDs, body string) string {
	return fmt.Sprintf(`
resource "mlops_model_version" "fraud_v%d" {
  model_id            = mlops_model.fraud.id
  version             = %d
  artifact_uri        = %q
  feature_version_ids = %s
%s
}
`, version, version, artifact, featureVersionIDs, body)
}

const testDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// number is a number as Terraform parses it, for knownvalue.NumberExact.
func number(t *testing.T, s string) *big.Float {
	t.Helper()
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkModelVersionsDestroyed is a CheckDestroy that looks in the registry.
func checkModelVersionsDestroyed(reg *testRegistry, env string, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open(env)
		for _, id := range ids {
			m, v, err := registry.ParseModelVersionID(id)
			if err != nil {
				return err
			}
			if _, err := r.ModelVersion(context.Background(), m, v); !registry.IsNotFound(err) {
				return fmt.Errorf("model version %s still in the registry (err=%w)", id, err)
			}
		}
		return nil
	}
}

// modelVersionInRegistry runs check on a model version as the registry holds it.
func modelVersionInRegistry(reg *testRegistry, id string, check func(registry.ModelVersion) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		m, v, err := registry.ParseModelVersionID(id)
		if err != nil {
			return err
		}
		got, err := reg.open("default").ModelVersion(context.Background(), m, v)
		if err != nil {
			return fmt.Errorf("model version %s not in the registry: %w", id, err)
		}
		if err := check(got); err != nil {
			return fmt.Errorf("model version %s in the registry: %w", id, err)
		}
		return nil
	}
}

// objectsExist checks that the registry still holds the given feature
// versions and model versions.
func objectsExist(reg *testRegistry, featureVersions, modelVersions []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		r := reg.open("default")
		for _, id := range featureVersions {
			g, v, _ := registry.ParseFeatureVersionID(id)
			if _, err := r.FeatureVersion(context.Background(), g, v); err != nil {
				return fmt.Errorf("feature version %s lost: %w", id, err)
			}
		}
		for _, id := range modelVersions {
			m, v, _ := registry.ParseModelVersionID(id)
			if _, err := r.ModelVersion(context.Background(), m, v); err != nil {
				return fmt.Errorf("model version %s lost: %w", id, err)
			}
		}
		return nil
	}
}

func seedDestroyed(reg *testRegistry) resource.TestCheckFunc {
	return resource.ComposeAggregateTestCheckFunc(
		checkModelVersionsDestroyed(reg, "default", "fraud/1", "fraud/2", "fraud/3"),
		checkModelsDestroyed(reg, "default", "fraud"),
		checkFeatureVersionsDestroyed(reg, "default", "transactions/1", "transactions/2"),
	)
}

// TestAccModelVersion_seed is the seed scenario created in one run: the
// group, its feature versions, the model and its versions, chained by
// reference, so that Terraform's graph orders the creates (the ids are known
// at plan all the same). Then the in-place and the replacing changes.
func TestAccModelVersion_seed(t *testing.T) {
	reg := newTestRegistry(t)
	v1, v2 := "mlops_model_version.fraud_v1", "mlops_model_version.fraud_v2"
	fraudV1 := fraudVersion(1, `[mlops_feature_version.v1.id]`, `  metrics = { auc = 0.91 }`)
	seedAt := func(artifact, featureVersionIDs, v2body string) string {
		return reg.config(mvFeatures + mvModel + fraudV1 + fraudVersionAt(2, artifact, featureVersionIDs, v2body))
	}
	seed := func(v2body string) string {
		return seedAt("s3://models/fraud/2", `[mlops_feature_version.v2.id]`, v2body)
	}
	const (
		firstV2 = `
  artifact_digest = "` + testDigest + `"
  inputs          = [{ feature = "amount_7d", type = "double" }]
  metrics         = { auc = 0.93, recall_at_1pct_fpr = 0.41 }
`
		updatedMetrics = `
  metrics         = { auc = 0.94, recall_at_1pct_fpr = 0.41, precision = 0.12345678901234567890123, count = 12345678901234567890, tiny = -1e-7 }
  description     = "retrained on March data"
  tags            = { owner = "risk" }
`
		inPlace = `
  artifact_digest = "` + testDigest + `"
  inputs          = [{ feature = "amount_7d", type = "double" }]
` + updatedMetrics
	)
	metricsAfterUpdate := knownvalue.MapExact(map[string]knownvalue.Check{
		"auc":                knownvalue.NumberExact(number(t, "0.94")),
		"recall_at_1pct_fpr": knownvalue.NumberExact(number(t, "0.41")),
		"precision":          knownvalue.NumberExact(number(t, "0.12345678901234567890123")),
		"count":              knownvalue.NumberExact(number(t, "12345678901234567890")),
		"tiny":               knownvalue.NumberExact(number(t, "-1e-7")),
	})
	// v2Action: fraud_v2 gets action, fraud_v1 and the rest stay.
	v2Action := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(v2, action),
				plancheck.ExpectResourceAction(v1, plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("mlops_model.fraud", plancheck.ResourceActionNoop),
			},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
	}
	// reRegistered: fraud/2 is a new object in the registry (revision 1)
	// that still carries the metrics, description and tags.
	reRegistered := func(check func(registry.ModelVersion) error) resource.TestCheckFunc {
		return modelVersionInRegistry(reg, "fraud/2", func(v registry.ModelVersion) error {
			if v.Revision != 1 || v.Metrics["auc"] != "0.94" || v.Description != "retrained on March data" {
				return fmt.Errorf("not re-registered with its metrics: revision %d, metrics %v, description %q", v.Revision, v.Metrics, v.Description)
			}
			return check(v)
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{
				Config: seed(firstV2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_feature_version.v2", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model.fraud", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(v1, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(v2, plancheck.ResourceActionCreate),
						// Every id follows from configuration: known at plan.
						plancheck.ExpectKnownValue(v2, tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
						plancheck.ExpectKnownValue(v2, tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
						plancheck.ExpectKnownValue(v2, tfjsonpath.New("feature_version_ids").AtSliceIndex(0), knownvalue.StringExact("transactions/2")),
						plancheck.ExpectKnownValue(v2, tfjsonpath.New("metrics"), knownvalue.MapExact(map[string]knownvalue.Check{
							"auc":                knownvalue.NumberExact(number(t, "0.93")),
							"recall_at_1pct_fpr": knownvalue.NumberExact(number(t, "0.41")),
						})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("artifact_uri"), knownvalue.StringExact("s3://models/fraud/2")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("artifact_digest"), knownvalue.StringExact(testDigest)),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("feature_version_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/2")})),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("inputs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("amount_7d"), "type": knownvalue.StringExact("double")}),
					})),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("metrics"), knownvalue.MapExact(map[string]knownvalue.Check{
						"auc":                knownvalue.NumberExact(number(t, "0.93")),
						"recall_at_1pct_fpr": knownvalue.NumberExact(number(t, "0.41")),
					})),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("tags"), knownvalue.Null()),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(v1, tfjsonpath.New("id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue(v1, tfjsonpath.New("feature_version_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/1")})),
					statecheck.ExpectKnownValue(v1, tfjsonpath.New("inputs"), knownvalue.Null()),
					statecheck.ExpectKnownValue(v1, tfjsonpath.New("artifact_digest"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v2, "metrics.auc", "0.93"),
					resource.TestCheckResourceAttr(v2, "metrics.recall_at_1pct_fpr", "0.41"),
					resource.TestCheckResourceAttr(v1, "metrics.auc", "0.91"),
					modelVersionInRegistry(reg, "fraud/2", func(v registry.ModelVersion) error {
						want := map[string]string{"auc": "0.93", "recall_at_1pct_fpr": "0.41"}
						if fmt.Sprint(v.Metrics) != fmt.Sprint(want) {
							return fmt.Errorf("metrics %v, want the text as written %v", v.Metrics, want)
						}
						if !slices.Equal(v.FeatureVersionIDs, []string{"transactions/2"}) {
							return fmt.Errorf("feature versions %v", v.FeatureVersionIDs)
						}
						if !slices.Equal(v.Inputs, []registry.Input{{Feature: "amount_7d", Type: "double"}}) {
							return fmt.Errorf("inputs %v", v.Inputs)
						}
						return nil
					}),
					modelVersionInRegistry(reg, "fraud/1", func(v registry.ModelVersion) error {
						if v.Inputs != nil {
							return fmt.Errorf("inputs %v, want nil (every feature)", v.Inputs)
						}
						return nil
					}),
				),
			},
			{
				ResourceName:      v2,
				ImportState:       true,
				ImportStateId:     "fraud/2",
				ImportStateVerify: true,
			},
			{
				ResourceName:    v2,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud/2",
			},
			{
				ResourceName:    v1,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud/1",
			},
			{
				// Metrics, description and tags change in place; metrics
				// read back exactly as written, whatever their precision.
				Config:           seed(inPlace),
				ConfigPlanChecks: v2Action(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("metrics"), metricsAfterUpdate),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("description"), knownvalue.StringExact("retrained on March data")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"owner": knownvalue.StringExact("risk")})),
				},
				Check: modelVersionInRegistry(reg, "fraud/2", func(v registry.ModelVersion) error {
					if v.Revision != 2 || v.Metrics["auc"] != "0.94" || v.Metrics["precision"] != "0.12345678901234567890123" || v.Description != "retrained on March data" {
						return fmt.Errorf("not updated in place: revision %d, metrics %v, description %q", v.Revision, v.Metrics, v.Description)
					}
					return nil
				}),
			},
			{
				ResourceName:      v2,
				ImportState:       true,
				ImportStateId:     "fraud/2",
				ImportStateVerify: true,
			},
			{
				// A new artifact is a new version.
				Config:           seedAt("s3://models/fraud/2-retrained", `[mlops_feature_version.v2.id]`, inPlace),
				ConfigPlanChecks: v2Action(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("artifact_uri"), knownvalue.StringExact("s3://models/fraud/2-retrained")),
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("metrics"), metricsAfterUpdate),
				},
				Check: reRegistered(func(v registry.ModelVersion) error {
					if v.ArtifactURI != "s3://models/fraud/2-retrained" {
						return fmt.Errorf("artifact %q", v.ArtifactURI)
					}
					return nil
				}),
			},
			{
				// So are other feature versions; known at plan, they are checked there.
				Config:           seedAt("s3://models/fraud/2-retrained", `[mlops_feature_version.v1.id, mlops_feature_version.v2.id]`, inPlace),
				ConfigPlanChecks: v2Action(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("feature_version_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("transactions/1"), knownvalue.StringExact("transactions/2"),
					})),
				},
				Check: reRegistered(func(v registry.ModelVersion) error {
					if !slices.Equal(v.FeatureVersionIDs, []string{"transactions/1", "transactions/2"}) {
						return fmt.Errorf("feature versions %v", v.FeatureVersionIDs)
					}
					return nil
				}),
			},
			{
				// And other inputs. An input without a type reads back null,
				// and a type keeps the spelling it was written with.
				Config: seedAt("s3://models/fraud/2-retrained", `[mlops_feature_version.v1.id, mlops_feature_version.v2.id]`, `
  artifact_digest = "`+testDigest+`"
  inputs          = [{ feature = "amount_7d" }, { feature = "merchant_counts", type = "Array< INT >" }]
`+updatedMetrics),
				ConfigPlanChecks: v2Action(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("inputs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("amount_7d"), "type": knownvalue.Null()}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("merchant_counts"), "type": knownvalue.StringExact("Array< INT >")}),
					})),
				},
				Check: reRegistered(func(v registry.ModelVersion) error {
					// The registry keeps the canonical form of a type.
					if !slices.Equal(v.Inputs, []registry.Input{{Feature: "amount_7d"}, {Feature: "merchant_counts", Type: "array<int>"}}) {
						return fmt.Errorf("inputs %v", v.Inputs)
					}
					return nil
				}),
			},
			{
				ResourceName:    v2,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud/2",
			},
			{
				// So is another digest.
				Config:           seedAt("s3://models/fraud/2-retrained", `[mlops_feature_version.v1.id, mlops_feature_version.v2.id]`, `  inputs = [{ feature = "amount_7d" }, { feature = "merchant_counts", type = "Array< INT >" }]`+updatedMetrics),
				ConfigPlanChecks: v2Action(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(v2, tfjsonpath.New("artifact_digest"), knownvalue.Null()),
				},
				Check: reRegistered(func(v registry.ModelVersion) error {
					if v.ArtifactDigest != "" {
						return fmt.Errorf("digest %q", v.ArtifactDigest)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccModelVersion_missingFeatureVersion is M1: a feature version id
// known at plan must exist in the environment; plan refuses it, nothing is
// written.
func TestAccModelVersion_missingFeatureVersion(t *testing.T) {
	reg := newTestRegistry(t)
	base := mvFeatures + mvModel
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{Config: reg.config(base)},
			{
				Config:   reg.config(base + fraudVersion(1, `["transactions/9"]`, "")),
				PlanOnly: true,
				ExpectError: errorRE("Feature version missing (rule M1)",
					`model version fraud/1 reads feature version transactions/9, which does not exist in environment "default"`,
					`Apply feature version transactions/9 in "default" first`, "or list a feature version that exists there"),
			},
			{
				// The known ids are checked even while another is unknown.
				Config: reg.config(base + `
resource "mlops_feature_version" "v3" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 3
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
  ]
}
` + fraudVersion(1, `[mlops_feature_version.v3.id, "transactions/9"]`, "")),
				PlanOnly:    true,
				ExpectError: errorRE("Feature version missing (rule M1)", `reads feature version transactions/9, which does not exist in environment "default"`),
			},
			{
				// A known model that does not exist.
				Config: reg.config(base + `
resource "mlops_model_version" "churn_v1" {
  model_id            = "churn"
  version             = 1
  artifact_uri        = "s3://models/churn/1"
  feature_version_ids = [mlops_feature_version.v2.id]
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("Model not found", `model "churn" does not exist in environment "default"`, "create it first"),
			},
			{
				// Nothing was written.
				Config: reg.config(base),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkModelVersionsDestroyed(reg, "default", "fraud/1", "churn/1"),
			},
		},
	})
}

// TestAccModelVersion_deprecatedFeatureVersion: M1 with a deprecated feature
// version warns and does not refuse.
func TestAccModelVersion_deprecatedFeatureVersion(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := transactionsGroup + `
resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  deprecated       = true
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double" },
  ]
}
` + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, `  inputs = [{ feature = "amount_1d", type = "double" }]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{
				// In one run: a warning, not a refusal.
				Config: reg.config(cfg),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_model_version.fraud_v1", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v1", tfjsonpath.New("id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue("mlops_feature_version.v1", tfjsonpath.New("deprecated"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					// The plan-time check behind the warning Terraform shows.
					ps, err := reg.open("default").CheckModelVersionPlan(context.Background(), registry.ModelVersionPlan{
						Model: "fraud", Version: 2,
						FeatureVersionIDs: []string{"transactions/1"}, AllFeatureVersionsKnown: true,
						Inputs: []registry.Input{{Feature: "amount_1d"}}, InputsKnown: true,
					})
					if err != nil {
						return err
					}
					if len(ps) != 1 || ps.HasErrors() || ps[0].Severity != registry.SeverityWarning || ps[0].Rule != "M1" ||
						!strings.Contains(ps[0].Detail, `model version fraud/2 reads feature version transactions/1, which is deprecated in environment "default"`) {
						return fmt.Errorf("want one M1 warning for the deprecated feature version, got %v", ps)
					}
					return nil
				},
			},
			{
				// Known at plan: the plan warns and apply succeeds.
				Config: reg.config(cfg + fraudVersion(2, `["transactions/1"]`, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v2", plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue("mlops_model_version.fraud_v2", tfjsonpath.New("feature_version_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/1")})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v2", tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
				},
				Check: objectsExist(reg, []string{"transactions/1"}, []string{"fraud/1", "fraud/2"}),
			},
		},
	})
}

// TestAccModelVersion_inputs is M2 at plan: an input missing from the listed
// feature versions, an ambiguous one, one of another type.
func TestAccModelVersion_inputs(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_version.fraud_v1"
	base := mvFeatures + mvPayments + mvModel
	both := `[mlops_feature_version.v2.id, mlops_feature_version.p1.id]`
	withInputs := func(ids, inputs string) string {
		return reg.config(base + fraudVersion(1, ids, "  inputs = "+inputs))
	}
	accepted := `[
    { feature = "payments.amount", type = "double" },
    { feature = "transactions.amount", type = "DOUBLE" },
    { feature = "amount_7d" },
    { feature = "merchant_counts", type = "Array< INT >" },
  ]`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{Config: reg.config(base)},
			{
				Config:   withInputs(`[mlops_feature_version.v2.id]`, `[{ feature = "amount_30d" }]`),
				PlanOnly: true,
				ExpectError: errorRE("Input not found (rule M2)",
					`model version fraud/1 reads input "amount_30d", which is not a feature of the listed feature versions (transactions/2)`,
					"add the feature version that has it to feature_version_ids, or fix the name"),
			},
			{
				Config:   withInputs(both, `[{ feature = "amount" }]`),
				PlanOnly: true,
				ExpectError: errorRE("Ambiguous input (rule M2)",
					`model version fraud/1 reads input "amount", which is a feature of payments/1 and transactions/2`,
					"write it as group.feature"),
			},
			{
				Config:   withInputs(`[mlops_feature_version.v2.id]`, `[{ feature = "amount_7d", type = "float" }]`),
				PlanOnly: true,
				ExpectError: errorRE("Input type mismatch (rule M2)",
					`model version fraud/1 reads input "amount_7d" as float, but feature version transactions/2 declares "amount_7d" as double`,
					"change the input's type"),
			},
			{
				// The configuration alone shows these two: they are refused
				// at validate (the resource's ValidateConfig runs the
				// registry's CheckInputNames and CheckMetricName), before
				// any plan, so nothing can be written.
				Config:      withInputs(`[mlops_feature_version.v2.id]`, `[{ feature = "amount_7d" }, { feature = "amount_7d" }]`),
				PlanOnly:    true,
				ExpectError: errorRE("Duplicate input (rule M2)", `input "amount_7d" is listed at positions 1 and 2`),
			},
			{
				Config:      reg.config(base + fraudVersion(1, `[mlops_feature_version.v2.id]`, `  metrics = { "auc roc" = 0.9 }`)),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid metric name", `"auc roc" is not a valid metric name`),
			},
			{
				// Qualified names resolve the ambiguity; types compare under
				// the type language.
				Config: withInputs(both, accepted),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inputs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("payments.amount"), "type": knownvalue.StringExact("double")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("transactions.amount"), "type": knownvalue.StringExact("DOUBLE")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("amount_7d"), "type": knownvalue.Null()}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("merchant_counts"), "type": knownvalue.StringExact("Array< INT >")}),
					})),
				},
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud/1",
			},
		},
	})
}

// TestAccModelVersion_referencedNotDeleted is F2: a feature version that a
// model version reads, and a model that has a version, are not deleted.
func TestAccModelVersion_referencedNotDeleted(t *testing.T) {
	reg := newTestRegistry(t)
	full := reg.config(mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{Config: full},
			{
				// The features' configuration drops transactions/1 while the
				// models' still reads it (here by its literal id): refused
				// at plan, since fraud/1 stays.
				Config:   reg.config(transactionsGroup + mvFeatureV2 + mvModel + fraudVersion(1, `["transactions/1"]`, "")),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes feature version "transactions/1" in environment "default", but model version "fraud/1" still reads it`),
			},
			{
				// Nothing was deleted, and the state still holds it.
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					objectsExist(reg, []string{"transactions/1", "transactions/2"}, []string{"fraud/1"}),
					func(*terraform.State) error {
						// A version registered outside Terraform.
						_, err := reg.open("default").CreateModelVersion(context.Background(), registry.ModelVersion{
							Model: "fraud", Version: 3, ArtifactURI: "s3://models/fraud/3", FeatureVersionIDs: []string{"transactions/2"},
						})
						return err
					},
				),
			},
			{
				// The models' configuration is removed: fraud/1 goes, the
				// model stays while fraud/3 exists.
				Config: reg.config(mvFeatures),
				ExpectError: errorRE("Object still referenced (rule F2)",
					`model "fraud" in environment "default" is still referenced by model version "fraud/3"`,
					"Nothing was deleted"),
			},
			{
				PreConfig: func() {
					r := reg.open("default")
					if _, err := r.Model(context.Background(), "fraud"); err != nil {
						t.Fatalf("model deleted by a refused delete: %v", err)
					}
					if _, err := r.ModelVersion(context.Background(), "fraud", 3); err != nil {
						t.Fatalf("fraud/3 lost: %v", err)
					}
					if _, err := r.ModelVersion(context.Background(), "fraud", 1); !registry.IsNotFound(err) {
						t.Fatalf("fraud/1 should have been deleted: %v", err)
					}
					if err := r.DeleteModelVersion(context.Background(), "fraud", 3); err != nil {
						t.Fatal(err)
					}
				},
				Config: reg.config(mvFeatures + mvModel),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccModelVersion_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_version.fraud_v1"
	cfg := reg.config(mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, `  metrics = { auc = 0.91 }`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteModelVersion(context.Background(), "fraud", 1)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model.fraud", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("mlops_feature_version.v1", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: objectsExist(reg, nil, []string{"fraud/1"}),
			},
		},
	})
}

func TestAccModelVersion_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_version.fraud_v1"
	base := mvFeatures + mvModel
	version := fraudVersion(1, `[mlops_feature_version.v1.id]`, `  metrics = { auc = 0.91 }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             seedDestroyed(reg),
		Steps: []resource.TestStep{
			{Config: reg.config(base)},
			{
				PreConfig: func() {
					_, err := reg.open("default").CreateModelVersion(context.Background(), registry.ModelVersion{
						Model: "fraud", Version: 1, ArtifactURI: "s3://models/fraud/1",
						FeatureVersionIDs: []string{"transactions/1"}, Metrics: map[string]string{"auc": "0.91"},
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(base + version),
				ExpectError: errorRE(`model version "fraud/1" already exists in environment "default"`, "terraform import"),
			},
			{
				// The fix the message names.
				Config: reg.config(base + version + `
import {
  to = mlops_model_version.fraud_v1
  id = "fraud/1"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud/1")),
				},
			},
		},
	})
}

// TestAccModelVersion_invalidInput: what the configuration alone shows is
// refused before the registry is asked; a missing feature version is
// refused in the environment that lacks it.
func TestAccModelVersion_invalidInput(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := func(version, ids, extra string) string {
		return reg.config(fmt.Sprintf(`
resource "mlops_model_version" "v" {
  model_id            = "fraud"
  version             = %s
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = %s
%s
}
`, version, ids, extra))
	}
	cases := []struct {
		config string
		want   []string
	}{
		{cfg("0", `["transactions/1"]`, ""), []string{"Invalid version", "version must be a whole number from 1 to 9223372036854775807; got 0"}},
		{cfg("1", `["transactions"]`, ""), []string{"Invalid id", `feature version id "transactions" must have the form <name>/<version>, such as "transactions/2"`}},
		{cfg("1", `["transactions/0"]`, ""), []string{"Invalid id", `must end in a version number of 1 or more`}},
		{cfg("1", `[]`, ""), []string{"Attribute feature_version_ids set must contain at least 1 elements"}},
		{cfg("1", `["transactions/1"]`, `  inputs = []`), []string{"Attribute inputs list must contain at least 1 elements"}},
		{cfg("1", `["transactions/1"]`, `  inputs = [{ feature = "amount_7d", type = "dubble" }]`), []string{"Unknown feature type", `"dubble"`}},
		{cfg("1", `["transactions/1"]`, `  artifact_digest = "sha256:XYZ"`), []string{"Attribute artifact_digest must be <algorithm>:<lower-case hex>"}},
		{cfg("1", `["transactions/1"]`, `  description = ""`), []string{"Attribute description string length must be at least 1"}},
		{reg.config(`
resource "mlops_model_version" "v" {
  model_id            = "Fraud"
  version             = 1
  artifact_uri        = "models/fraud/1"
  feature_version_ids = ["transactions/1"]
}
`), []string{"Attribute model_id must be a valid model name", "Attribute artifact_uri must be a URL with a scheme"}},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.config, PlanOnly: true, ExpectError: errorRE(c.want...)})
	}
	// Promotion: prod lacks the feature version dev has; plan in prod
	// refuses the model version, naming prod.
	steps = append(steps, resource.TestStep{
		Config:   reg.envConfig("prod", mvModel+fraudVersion(1, `["transactions/1"]`, "")),
		PlanOnly: true,
		ExpectError: errorRE("Feature version missing (rule M1)",
			`reads feature version transactions/1, which does not exist in environment "prod"`,
			`Apply feature version transactions/1 in "prod" first`),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccModelVersion_inputTypeSpelling: re-spelling an input's type is no
// change (the state keeps the spelling it had, the registry the canonical
// form); a real type change is a new version.
func TestAccModelVersion_inputTypeSpelling(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_model_version.fraud_v2"
	cfg := func(typ string) string {
		return reg.config(mvFeatures + mvModel + fraudVersion(2, "[mlops_feature_version.v2.id]",
			fmt.Sprintf(`  inputs = [{ feature = "merchant_counts", type = %q }]`, typ)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("Array< INT >")},
			{
				Config: cfg("array<int>"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inputs").AtSliceIndex(0).AtMapKey("type"), knownvalue.StringExact("Array< INT >")),
				},
			},
			{
				// A real type change plans a new version, which M2 refuses
				// at plan.
				Config:      cfg("array<bigint>"),
				PlanOnly:    true,
				ExpectError: errorRE("Input type mismatch (rule M2)", `reads input "merchant_counts" as array<bigint>`),
			},
		},
	})
}
