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

// viewFeatures is transactions v2 (of mvFeatures) and accounts v1.
const viewFeatures = mvFeatures + `
resource "mlops_feature_group" "accounts" {
  name        = "accounts"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "accounts_v1" {
  feature_group_id = mlops_feature_group.accounts.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "age_days", type = "int" },
    { name = "amount", type = "double" },
  ]
}
`

// fraudFeaturesView is mlops_feature_view.fraud, fraud_features/<version>:
// every feature of transactions/2 and accounts/1's age_days as
// acct_age_days; body adds attributes.
func fraudFeaturesView(version int, body string) string {
	return fraudFeaturesViewOf("mlops_feature_version.accounts_v1.id", version, body)
}

// fraudFeaturesViewOf is fraudFeaturesView with accounts/1 named by
// accounts (HCL).
func fraudFeaturesViewOf(accounts string, version int, body string) string {
	return fmt.Sprintf(`
resource "mlops_feature_view" "fraud" {
  name    = "fraud_features"
  version = %d
  sources = [
    { feature_version_id = mlops_feature_version.v2.id },
    { feature_version_id = %s, features = ["account_id", "age_days"], join_on = ["account_id"], prefix = "acct_" },
  ]
%s
}
`, version, accounts, body)
}

// fraudOnTheView is model version fraud/3, reading the view.
const fraudOnTheView = `
resource "mlops_model_version" "fraud_v3" {
  model_id         = mlops_model.fraud.id
  version          = 3
  artifact_uri     = "s3://models/fraud/3"
  feature_view_ids = [mlops_feature_view.fraud.id]
  inputs           = [{ feature = "acct_age_days", type = "int" }, { feature = "amount_7d" }]
}
`

// viewSchema is the schema of fraudFeaturesView.
var viewSchema = knownvalue.ListExact([]knownvalue.Check{
	viewColumn("account_id", "string"), viewColumn("event_ts", "timestamp"), viewColumn("amount_7d", "double"),
	viewColumn("amount", "double"), viewColumn("merchant_counts", "array<int>"), viewColumn("acct_age_days", "int"),
})

func viewColumn(name, typ string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(name), "type": knownvalue.StringExact(typ)})
}

// viewInRegistry checks what the registry holds for fraud_features/1.
func viewInRegistry(reg *testRegistry, description string, revision int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		v, err := reg.open("default").FeatureView(context.Background(), "fraud_features", 1)
		if err != nil {
			return fmt.Errorf("fraud_features/1 not in the registry: %w", err)
		}
		if v.Description != description || v.Revision != revision || len(v.Schema) != 6 {
			return fmt.Errorf("fraud_features/1 is %+v, want description %q, revision %d, 6 features", v, description, revision)
		}
		return nil
	}
}

func checkViewsDestroyed(reg *testRegistry, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			name, version, err := registry.ParseFeatureViewID(id)
			if err != nil {
				return err
			}
			if _, err := reg.open("default").FeatureView(context.Background(), name, version); !registry.IsNotFound(err) {
				return fmt.Errorf("feature view %s still in the registry after destroy (err=%w)", id, err)
			}
		}
		return nil
	}
}

var sha256RE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// TestAccFeatureView_lifecycle creates a view, imports it, changes its
// description in place, replaces it for its labels, and refuses at plan to
// delete it while a model version reads it (F2). The model version reads it
// in the plan that creates both (M1, M2 over the planned view), and the
// lineage draws it.
func TestAccFeatureView_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "mlops_feature_view.fraud"
	base := reg.config(viewFeatures + fraudFeaturesView(1, `  labels = ["amount"]`))
	described := reg.config(viewFeatures + fraudFeaturesView(1, `
  labels      = ["amount"]
  description = "fraud model inputs"
  tags        = { team = "fraud" }
`))
	const relabelling = `
  labels      = ["merchant_counts"]
  description = "fraud model inputs"
  tags        = { team = "fraud" }
`
	const serving = `
resource "mlops_deployment" "fraud" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud_v3.id
}
`
	relabelled := viewFeatures + mvModel + fraudFeaturesView(1, relabelling)
	served := relabelled + fraudOnTheView + serving + `
data "mlops_lineage" "fraud" {
  deployment = mlops_deployment.fraud.name
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkViewsDestroyed(reg, "fraud_features/1"),
		Steps: []resource.TestStep{
			{
				Config: base,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud_features/1")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("fraud_features/1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("schema"), viewSchema),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("schema_hash"), knownvalue.StringRegexp(sha256RE)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sources").AtSliceIndex(0).AtMapKey("features"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sources").AtSliceIndex(0).AtMapKey("join_on"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(timestampRE)),
				},
				Check: viewInRegistry(reg, "", 1),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "fraud_features/1",
				ImportStateVerify: true,
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "fraud_features",
				ExpectError:   errorRE("Invalid import id", `feature view id "fraud_features" must have the form <name>/<version>, such as "fraud_features/1"`),
			},
			{
				// Description and tags change in place; the schema stays known.
				Config: described,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("schema"), viewSchema),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: viewInRegistry(reg, "fraud model inputs", 2),
			},
			{
				// Labels are part of what the view is: a change replaces it.
				Config: reg.config(relabelled),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("merchant_counts")})),
				},
				Check: viewInRegistry(reg, "fraud model inputs", 1),
			},
			{
				// A model version reads it, created in the same plan; the
				// deployment serves it, and the lineage draws the chain.
				Config: reg.config(served),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v3", tfjsonpath.New("feature_view_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("fraud_features/1")})),
					statecheck.ExpectKnownValue("mlops_model_version.fraud_v3", tfjsonpath.New("feature_version_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mlops_lineage.fraud", tfjsonpath.New("model_versions").AtSliceIndex(0).AtMapKey("feature_view_ids"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("fraud_features/1")})),
					statecheck.ExpectKnownValue("data.mlops_lineage.fraud", tfjsonpath.New("mermaid"), knownvalue.StringRegexp(regexp.MustCompile(
						`model_version_fraud_3 --> feature_view_fraud_features_1\n(?s:.*)feature_view_fraud_features_1 --> feature_version_accounts_1\n`))),
				},
			},
			{
				ResourceName:      "mlops_model_version.fraud_v3",
				ImportState:       true,
				ImportStateId:     "fraud/3",
				ImportStateVerify: true,
			},
			{
				// F2 at plan: the view a served model version reads stays.
				Config:   reg.config(viewFeatures + mvModel + strings.Replace(fraudOnTheView, "[mlops_feature_view.fraud.id]", `["fraud_features/1"]`, 1) + serving),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes feature view "fraud_features/1" in environment "default", but model version "fraud/3"`, "still reads it and this plan keeps it"),
			},
			{
				// And so do the feature versions it reads.
				Config:      reg.config(mvFeatures + mvModel + fraudFeaturesViewOf(`"accounts/1"`, 1, relabelling) + fraudOnTheView + serving),
				PlanOnly:    true,
				ExpectError: errorRE("Object still referenced (rule F2)", `feature version "accounts/1"`, `feature view "fraud_features/1" still reads it`),
			},
			{
				// The refused plans changed nothing.
				Config:   reg.config(served),
				PlanOnly: true,
				Check:    viewInRegistry(reg, "fraud model inputs", 1),
			},
		},
	})
}

func TestAccFeatureView_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := reg.config(viewFeatures + fraudFeaturesView(1, ""))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkViewsDestroyed(reg, "fraud_features/1"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteFeatureView(context.Background(), "fraud_features", 1)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: the next plan recreates it, no error.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_feature_view.fraud", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: viewInRegistry(reg, "", 1),
			},
		},
	})
}

func TestAccFeatureView_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(viewFeatures)},
			{
				PreConfig: func() {
					v := registry.FeatureView{Name: "fraud_features", Version: 1, Description: "made elsewhere", Sources: []registry.FeatureViewSource{
						{FeatureVersionID: "transactions/2"},
						{FeatureVersionID: "accounts/1", Features: []string{"account_id", "age_days"}, JoinOn: []string{"account_id"}, Prefix: "acct_"},
					}}
					if _, err := reg.open("default").CreateFeatureView(context.Background(), v); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(viewFeatures + fraudFeaturesView(1, "")),
				ExpectError: errorRE(`feature view "fraud_features/1" already exists in environment "default"`, "terraform import"),
			},
			{
				// The refused create left it as it was; importing it with the
				// configuration that matches changes nothing.
				Config: reg.config(viewFeatures + fraudFeaturesView(1, `  description = "made elsewhere"`) + `
import {
  to = mlops_feature_view.fraud
  id = "fraud_features/1"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("mlops_feature_view.fraud", plancheck.ResourceActionNoop)},
				},
				Check: viewInRegistry(reg, "made elsewhere", 1),
			},
		},
	})
}

// TestAccFeatureView_refusals: FV1 at validate where the configuration
// shows it, at plan where the registry is needed; nothing written.
func TestAccFeatureView_refusals(t *testing.T) {
	reg := newTestRegistry(t)
	const devices = `
resource "mlops_feature_group" "devices" {
  name        = "devices"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "devices_v1" {
  feature_group_id = mlops_feature_group.devices.id
  version          = 1
  features         = [{ name = "account_id", type = "bigint" }, { name = "n", type = "int" }]
}
`
	view := func(second, labels string) string {
		return reg.config(viewFeatures + devices + fmt.Sprintf(`
resource "mlops_feature_view" "bad" {
  name    = "bad"
  version = 1
  sources = [
    { feature_version_id = "transactions/2", features = ["account_id", "amount"] },
    %s,
  ]
  labels = %s
}
`, second, labels))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(viewFeatures + devices)},
			{
				// Duplicate output names: the configuration shows them.
				Config:      view(`{ feature_version_id = "accounts/1", features = ["account_id", "amount"], join_on = ["account_id"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Duplicate output feature (rule FV1)", `feature view bad/1 outputs "amount" from source 1 (transactions/2) and from source 2 (accounts/1)`, "set a prefix on source 2"),
			},
			{
				Config:      view(`{ feature_version_id = "accounts/1", features = ["age_days"], join_on = ["account_id"], prefix = "a_" }`, `["is_fraud"]`),
				PlanOnly:    true,
				ExpectError: errorRE("Label not among the outputs (rule FV1)", `feature view bad/1 labels "is_fraud", which is not one of its output features (account_id, amount, a_age_days)`),
			},
			{
				Config:      view(`{ feature_version_id = "accounts/1", features = ["age_days"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Join keys missing (rule FV1)", "source 2 joins the sources before it"),
			},
			{
				// The registry tells: a key the right side lacks.
				Config:      view(`{ feature_version_id = "devices/1", join_on = ["amount"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Join key missing (rule FV1)", `joins source 2 (devices/1) on "amount", which feature version devices/1 does not have (it has account_id, n)`),
			},
			{
				Config:      view(`{ feature_version_id = "devices/1", join_on = ["account_id"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Join key type mismatch (rule FV1)", `joins source 2 (devices/1) on "account_id", which is string on the left (source 1 (transactions/2)) but bigint in feature version devices/1`),
			},
			{
				Config:      view(`{ feature_version_id = "accounts/1", features = ["tenure"], join_on = ["account_id"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Selected feature missing (rule FV1)", `selects "tenure" from source 2 (accounts/1)`),
			},
			{
				Config:      view(`{ feature_version_id = "accounts/9", join_on = ["account_id"] }`, "null"),
				PlanOnly:    true,
				ExpectError: errorRE("Feature version missing (rule FV1)", `feature view bad/1 reads feature version accounts/9, which does not exist in environment "default"`),
			},
			{
				// A model version that reads nothing, and one that reads a
				// label (M2 over the view the same plan creates).
				Config: reg.config(viewFeatures + devices + mvModel + fraudFeaturesView(1, `  labels = ["amount"]`) + `
resource "mlops_model_version" "fraud_v3" {
  model_id     = mlops_model.fraud.id
  version      = 3
  artifact_uri = "s3://models/fraud/3"
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("No feature versions (rule M1)", "model version (new) must list what it reads: at least one feature version (feature_version_ids) or feature view (feature_view_ids)"),
			},
			{
				Config: reg.config(viewFeatures + devices + mvModel + fraudFeaturesView(1, `  labels = ["amount"]`) + `
resource "mlops_model_version" "fraud_v3" {
  model_id         = mlops_model.fraud.id
  version          = 3
  artifact_uri     = "s3://models/fraud/3"
  feature_view_ids = [mlops_feature_view.fraud.id]
  inputs           = [{ feature = "amount" }]
}
`),
				PlanOnly:    true,
				ExpectError: errorRE("Input is a label (rule M2)", `model version fraud/3 reads input "amount", which feature view fraud_features/1 declares as a training label`),
			},
			{
				// Nothing was written.
				Config:   reg.config(viewFeatures + devices),
				PlanOnly: true,
				Check: func(*terraform.State) error {
					if _, err := reg.open("default").FeatureView(context.Background(), "bad", 1); !registry.IsNotFound(err) {
						return fmt.Errorf("bad/1 in the registry: %w", err)
					}
					return nil
				},
			},
		},
	})
}
