package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The plans that must never destroy what the provider protects: ids known
// at plan, objects that vanished re-created without touching their readers,
// and replacements of what something reads or serves refused at plan.

// stackConfig is a whole stack: a feature group and version, a model and
// two versions reading it, a deployment serving the first and a data suite
// on the feature version. artifact is fraud/1's artifact URI; served is
// the deployment's model version reference.
func stackConfig(artifact, served string) string {
	return stackFeatures + fmt.Sprintf(`

resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = %q
  feature_version_ids = [mlops_feature_version.v1.id]
}

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = [mlops_feature_version.v1.id]
}

resource "mlops_deployment" "scoring" {
  name             = "fraud-scoring"
  model_version_id = %s
}

resource "mlops_validation_suite" "quality" {
  name               = "transactions-quality"
  feature_version_id = mlops_feature_version.v1.id
  expectations       = [{ type = "expect_column_values_to_not_be_null", column = "account_id" }]
}
`, artifact, served)
}

// stackFeatures is the stack's feature group, feature version and model.
const stackFeatures = `
resource "mlops_feature_group" "transactions" {
  name        = "transactions"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "amount", type = "double" },
  ]
}

resource "mlops_model" "fraud" {
  name = "fraud"
}
`

var stackAddrs = []string{
	"mlops_feature_group.transactions", "mlops_feature_version.v1", "mlops_model.fraud",
	"mlops_model_version.fraud_v1", "mlops_model_version.fraud_v2", "mlops_deployment.scoring",
	"mlops_validation_suite.quality",
}

// TestAccPlan_idsKnownAtPlan: every resource's id is known in the plan that
// creates it.
func TestAccPlan_idsKnownAtPlan(t *testing.T) {
	reg := newTestRegistry(t)
	ids := map[string]string{
		"mlops_feature_group.transactions": "transactions", "mlops_feature_version.v1": "transactions/1",
		"mlops_model.fraud": "fraud", "mlops_model_version.fraud_v1": "fraud/1", "mlops_model_version.fraud_v2": "fraud/2",
		"mlops_deployment.scoring": "fraud-scoring", "mlops_validation_suite.quality": "transactions-quality",
	}
	var checks []plancheck.PlanCheck
	for addr, id := range ids {
		checks = append(checks, plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:           reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id")),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: checks},
		}},
	})
}

// vanish deletes one object's row behind the registry's back, as a registry
// restored from an older backup or a cleanup by hand would, leaving what
// reads it in place.
type vanish struct {
	addr    string
	queries []string
}

// TestAccPlan_disappearsWithReaders: an object that vanished is created
// again and nothing that reads it is replaced: one apply converges and the
// readers keep their created_at and revision.
func TestAccPlan_disappearsWithReaders(t *testing.T) {
	cases := map[string]vanish{
		"feature_group": {"mlops_feature_group.transactions", []string{
			"DELETE FROM feature_groups WHERE environment = 'default' AND name = 'transactions'"}},
		"feature_version": {"mlops_feature_version.v1", []string{
			"DELETE FROM feature_versions WHERE environment = 'default' AND feature_group = 'transactions' AND version = 1"}},
		"model": {"mlops_model.fraud", []string{
			"DELETE FROM models WHERE environment = 'default' AND name = 'fraud'"}},
		"model_version": {"mlops_model_version.fraud_v1", []string{
			"DELETE FROM model_version_features WHERE environment = 'default' AND model = 'fraud' AND version = 1",
			"DELETE FROM model_versions WHERE environment = 'default' AND model = 'fraud' AND version = 1"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			reg := newTestRegistry(t)
			cfg := reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id"))
			var before map[string]readerStamp
			var actions []plancheck.PlanCheck
			for _, addr := range stackAddrs {
				want := plancheck.ResourceActionNoop
				if addr == c.addr {
					want = plancheck.ResourceActionCreate
				}
				actions = append(actions, plancheck.ExpectResourceAction(addr, want))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: cfg,
						Check: func(*terraform.State) error {
							before = readerStamps(t, reg)
							for _, q := range c.queries {
								if n := reg.exec(t, q); n != 1 {
									return fmt.Errorf("%s deleted %d rows, want 1", q, n)
								}
							}
							return nil
						},
						ExpectNonEmptyPlan: true,
					},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             actions,
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: func(*terraform.State) error {
							after := readerStamps(t, reg)
							for id, b := range before {
								if id == vanishedID(c.addr) {
									continue
								}
								if a := after[id]; a != b {
									return fmt.Errorf("%s changed: before %+v, after %+v", id, b, a)
								}
							}
							return nil
						},
					},
				},
			})
		})
	}
}

func vanishedID(addr string) string {
	return map[string]string{
		"mlops_feature_group.transactions": "feature group transactions", "mlops_feature_version.v1": "feature version transactions/1",
		"mlops_model.fraud": "model fraud", "mlops_model_version.fraud_v1": "model version fraud/1",
	}[addr]
}

// readerStamp is what a re-created neighbour must not change.
type readerStamp struct {
	createdAt string
	revision  int64
}

// readerStamps reads the created_at (or updated_at) and revision of every
// object of the stack that still exists.
func readerStamps(t *testing.T, reg *testRegistry) map[string]readerStamp {
	t.Helper()
	ctx := context.Background()
	r := reg.open("default")
	out := map[string]readerStamp{}
	if g, err := r.FeatureGroup(ctx, "transactions"); err == nil {
		out["feature group transactions"] = readerStamp{g.CreatedAt.String(), g.Revision}
	}
	if v, err := r.FeatureVersion(ctx, "transactions", 1); err == nil {
		out["feature version transactions/1"] = readerStamp{v.CreatedAt.String(), v.Revision}
	}
	if m, err := r.Model(ctx, "fraud"); err == nil {
		out["model fraud"] = readerStamp{m.CreatedAt.String(), m.Revision}
	}
	for _, n := range []int64{1, 2} {
		if v, err := r.ModelVersion(ctx, "fraud", n); err == nil {
			out[fmt.Sprintf("model version fraud/%d", n)] = readerStamp{v.CreatedAt.String(), v.Revision}
		}
	}
	if d, err := r.Deployment(ctx, "fraud-scoring"); err == nil {
		out["deployment fraud-scoring"] = readerStamp{d.UpdatedAt.String(), d.Revision}
	}
	if s, err := r.Suite(ctx, "transactions-quality"); err == nil {
		out["suite transactions-quality"] = readerStamp{"", s.Revision}
	}
	if len(out) < 6 {
		t.Errorf("read only %d objects of the stack: %v", len(out), out)
	}
	return out
}

// TestAccPlan_replaceServedRefused: replacing a model version that a
// deployment the plan keeps serves is refused at plan (F2), with the
// reader named; nothing changes. Moving the deployment off it in the same
// plan is not enough; moving it off in an earlier apply is.
func TestAccPlan_replaceServedRefused(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id"))},
			{
				Config:      reg.config(stackConfig("s3://models/fraud/1b", "mlops_model_version.fraud_v1.id")),
				PlanOnly:    true,
				ExpectError: errorRE(`Object still referenced (rule F2)`, `this plan replaces`, `model version "fraud/1"`, `deployment "fraud-scoring"`, `declare a new version`),
			},
			{
				// Nothing changed: the plan of the first configuration is empty.
				Config:           reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            modelVersionArtifact(reg, "fraud/1", "s3://models/fraud/1"),
			},
			{
				// Moving the deployment to fraud/2 in the same plan is not
				// enough: Terraform deletes fraud/1 before it updates the
				// deployment.
				Config:      reg.config(stackConfig("s3://models/fraud/1b", "mlops_model_version.fraud_v2.id")),
				PlanOnly:    true,
				ExpectError: errorRE(`Object still referenced (rule F2)`, `moves deployment "fraud-scoring" off it`, `Apply the move first`),
			},
			{
				// The way out the message names: move it off first ...
				Config: reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v2.id")),
			},
			{
				// ... then replace it.
				Config: reg.config(stackConfig("s3://models/fraud/1b", "mlops_model_version.fraud_v2.id")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("mlops_model_version.fraud_v1", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("mlops_deployment.scoring", plancheck.ResourceActionNoop),
				}},
				Check: modelVersionArtifact(reg, "fraud/1", "s3://models/fraud/1b"),
			},
		},
	})
}

func modelVersionArtifact(reg *testRegistry, id, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		model, version, err := registry.ParseModelVersionID(id)
		if err != nil {
			return err
		}
		v, err := reg.open("default").ModelVersion(context.Background(), model, version)
		if err != nil {
			return err
		}
		if v.ArtifactURI != want {
			return fmt.Errorf("%s artifact_uri = %q, want %q", id, v.ArtifactURI, want)
		}
		return nil
	}
}

// TestAccPlan_deleteReadRefused: deleting a feature version that a model
// version the plan keeps reads is refused at plan; removing both in the
// same plan is not (and applies).
func TestAccPlan_deleteReadRefused(t *testing.T) {
	reg := newTestRegistry(t)
	full := stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id")
	// Without the suite and with fraud/1 reading a literal id, the feature
	// version can leave the configuration while fraud/1 stays.
	keepReader := strings.Replace(full, "feature_version_ids = [mlops_feature_version.v1.id]\n}\n\nresource \"mlops_model_version\" \"fraud_v2\"",
		"feature_version_ids = [\"transactions/1\"]\n}\n\nresource \"mlops_model_version\" \"fraud_v2\"", 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(full)},
			{
				Config:      reg.config(withoutResources(keepReader, "mlops_feature_version.v1", "mlops_model_version.fraud_v2", "mlops_validation_suite.quality")),
				PlanOnly:    true,
				ExpectError: errorRE(`Object still referenced (rule F2)`, `this plan deletes feature version "transactions/1"`, `model version "fraud/1"`),
			},
			{
				// The readers leave in the same plan: no refusal, and the
				// apply deletes them all.
				Config: reg.config(withoutResources(full, "mlops_feature_version.v1", "mlops_model_version.fraud_v1",
					"mlops_model_version.fraud_v2", "mlops_deployment.scoring", "mlops_validation_suite.quality")),
				Check: func(*terraform.State) error {
					_, err := reg.open("default").FeatureVersion(context.Background(), "transactions", 1)
					if !registry.IsNotFound(err) {
						return fmt.Errorf("feature version transactions/1 still exists (err %w)", err)
					}
					return nil
				},
			},
		},
	})
}

// withoutResources removes the named resource blocks from a configuration.
func withoutResources(cfg string, addrs ...string) string {
	for _, addr := range addrs {
		typ, name, _ := strings.Cut(addr, ".")
		head := fmt.Sprintf("resource %q %q {", typ, name)
		i := strings.Index(cfg, head)
		if i < 0 {
			panic("no block " + addr)
		}
		j := strings.Index(cfg[i:], "\n}\n")
		cfg = cfg[:i] + cfg[i+j+3:]
	}
	return cfg
}

// TestAccPlan_sameRun: objects created in the same run are known to the
// checks of the objects planned after them: a deployment of a model version
// created in the same run is checked against the planned version (no
// "model version not found"), and the model version's missing feature
// version is refused at plan (M1; Terraform plans nothing that depends on
// a refused object, so the deployment's D2 is not reached).
func TestAccPlan_sameRun(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := func(fv string) string {
		return reg.config(stackFeatures + fmt.Sprintf(`

resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = [%s]
  inputs              = [{ feature = "amount", type = "DOUBLE" }]
  metrics             = { auc = 0.8 }
}

resource "mlops_deployment" "scoring" {
  name             = "fraud-scoring"
  model_version_id = mlops_model_version.fraud_v2.id
}

`, fv))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   cfg(`"transactions/2"`),
				PlanOnly: true,
				ExpectError: errorRE(`(rule M1)`, `model version fraud/2 reads feature version transactions/2`,
					`does not exist in environment "default"`),
			},
			{
				// Everything exists after this plan, and the checks of the
				// deployment and the model version read the planned
				// objects: no "not found", inputs checked against the
				// planned features (DOUBLE is double).
				Config: cfg(`mlops_feature_version.v1.id`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("mlops_deployment.scoring", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
				}},
			},
		},
	})
}

// TestAccPlan_wrongRegistry: a state whose objects are all missing from a
// registry (or environment) that was never written stops the plan with an
// error naming the registry and the environment, instead of proposing to
// create everything again; back on the right registry, the plan is empty.
func TestAccPlan_wrongRegistry(t *testing.T) {
	reg := newTestRegistry(t)
	other := newTestRegistry(t)
	body := stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(body)},
			{
				Config:      other.config(body),
				PlanOnly:    true,
				ExpectError: errorRE(`The registry holds none of this state's objects`, `environment "default" of the registry`, `has never been written`),
			},
			{
				Config:      reg.envConfig("staging", body),
				PlanOnly:    true,
				ExpectError: errorRE(`The registry holds none of this state's objects`, `environment "staging"`),
			},
			{
				Config:           reg.config(body),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccPlan_importMissing: importing an id the registry does not hold
// names the environment and the registry it looked in.
func TestAccPlan_importMissing(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(`
resource "mlops_model" "other" {
  name = "other"
}
`)},
			{
				Config: reg.config(`
resource "mlops_model" "other" {
  name = "other"
}

import {
  to = mlops_model.fraud
  id = "fraud"
}

resource "mlops_model" "fraud" {
  name = "fraud"
}
`),
				PlanOnly:    true,
				ExpectError: errorRE(`Cannot import model "fraud": not found`, `does not exist in environment "default" of the registry`),
			},
		},
	})
}

// TestAccPlan_moveOffAndDelete: a plan that moves a deployment to another
// version and deletes the one it served is not refused (plan warns that
// Terraform orders the update first only under create_before_destroy).
// With create_before_destroy on the model versions, one apply moves the
// deployment and deletes the old version; without it, applying the move
// first, then the delete, goes through.
func TestAccPlan_moveOffAndDelete(t *testing.T) {
	moved := stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v2.id")
	gone := func(reg *testRegistry) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if _, err := reg.open("default").ModelVersion(context.Background(), "fraud", 1); !registry.IsNotFound(err) {
				return fmt.Errorf("fraud/1 still exists (err %w)", err)
			}
			return nil
		}
	}
	t.Run("two applies", func(t *testing.T) {
		reg := newTestRegistry(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: reg.config(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id"))},
				{
					// Not refused at plan.
					Config:             reg.config(withoutResources(moved, "mlops_model_version.fraud_v1")),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				},
				{Config: reg.config(moved)},
				{
					Config: reg.config(withoutResources(moved, "mlops_model_version.fraud_v1")),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v1", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("mlops_deployment.scoring", plancheck.ResourceActionNoop),
					}},
					Check: gone(reg),
				},
			},
		})
	})
	t.Run("create_before_destroy", func(t *testing.T) {
		reg := newTestRegistry(t)
		cbd := strings.Replace(stackConfig("s3://models/fraud/1", "mlops_model_version.fraud_v1.id"),
			"feature_version_ids = [mlops_feature_version.v1.id]\n}",
			"feature_version_ids = [mlops_feature_version.v1.id]\n  lifecycle {\n    create_before_destroy = true\n  }\n}", 1)
		if !strings.Contains(cbd, "create_before_destroy") {
			t.Fatal("no lifecycle block in the configuration")
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: reg.config(cbd)},
				{
					Config: reg.config(withoutResources(moved, "mlops_model_version.fraud_v1")),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v1", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("mlops_deployment.scoring", plancheck.ResourceActionUpdate),
					}},
					Check: gone(reg),
				},
			},
		})
	})
}
