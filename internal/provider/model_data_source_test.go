package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// seedModels is the seed scenario: fraud v1 and v2 read transactions v1
// and v2.
const seedModels = transactionsGroup + `
resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_1d", type = "double" },
  ]
}
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "double" },
  ]
}
resource "mlops_model" "fraud" {
  name        = "fraud"
  description = "card fraud scoring"
}
resource "mlops_model_version" "fraud_v1" {
  model_id            = mlops_model.fraud.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.v1.id]
  metrics             = { auc = 0.91 }
}
resource "mlops_model_version" "fraud_v2" {
  model_id            = mlops_model.fraud.id
  version             = 2
  artifact_uri        = "s3://models/fraud/2"
  feature_version_ids = [mlops_feature_version.v2.id]
  inputs              = [{ feature = "amount_7d", type = "double" }]
  metrics             = { auc = 0.93, recall_at_1pct_fpr = 0.41 }
}
`

func TestAccModelDataSources(t *testing.T) {
	reg := newTestRegistry(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(seedModels)},
			{
				Config: reg.config(seedModels + `
data "mlops_model" "fraud" {
  name = "fraud"
}
data "mlops_model_version" "pinned" {
  model_id = "fraud"
  version  = 1
}
data "mlops_model_version" "latest" {
  model_id = mlops_model.fraud.id
}
data "mlops_model_version" "deprecated_argument" {
  model   = "fraud"
  version = 1
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_model.fraud", tfjsonpath.New("description"), knownvalue.StringExact("card fraud scoring")),
					statecheck.ExpectKnownValue("data.mlops_model_version.pinned", tfjsonpath.New("id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue("data.mlops_model_version.pinned", tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue("data.mlops_model_version.pinned", tfjsonpath.New("model"), knownvalue.Null()),
					// The former name of model_id, deprecated: the same
					// version, and model_id holds the value too.
					statecheck.ExpectKnownValue("data.mlops_model_version.deprecated_argument", tfjsonpath.New("id"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue("data.mlops_model_version.deprecated_argument", tfjsonpath.New("model"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue("data.mlops_model_version.deprecated_argument", tfjsonpath.New("model_id"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue("data.mlops_model_version.pinned", tfjsonpath.New("feature_version_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactions/1")})),
					statecheck.ExpectKnownValue("data.mlops_model_version.pinned", tfjsonpath.New("inputs"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mlops_model_version.latest", tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue("data.mlops_model_version.latest", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("data.mlops_model_version.latest", tfjsonpath.New("artifact_uri"), knownvalue.StringExact("s3://models/fraud/2")),
					statecheck.ExpectKnownValue("data.mlops_model_version.latest", tfjsonpath.New("inputs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"feature": knownvalue.StringExact("amount_7d"), "type": knownvalue.StringExact("double")}),
					})),
					statecheck.CompareValuePairs("data.mlops_model_version.latest", tfjsonpath.New("metrics"), "mlops_model_version.fraud_v2", tfjsonpath.New("metrics"), compareEqual),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.mlops_model_version.latest", "metrics.auc", "0.93"),
					resource.TestCheckResourceAttr("data.mlops_model_version.latest", "metrics.recall_at_1pct_fpr", "0.41"),
				),
			},
			{
				Config: reg.config(`
data "mlops_model_version" "both" {
  model_id = "fraud"
  model    = "fraud"
}
`),
				ExpectError: errorRE("Invalid Attribute Combination", "model_id", "model"),
			},
			{
				Config: reg.envConfig("prod", `
data "mlops_model_version" "latest" {
  model_id = "fraud"
}
`),
				ExpectError: errorRE("No such model version", `model "fraud" does not exist in environment "prod"`),
			},
		},
	})
}

// The deprecated model warns at validate, naming model_id, which does not.
func TestModelVersionDataSource_deprecatedArgumentWarns(t *testing.T) {
	testDeprecatedArgumentWarns(t, "mlops_model_version", "model", "model_id", "fraud")
}

// churnModel is a second model, churn, with a version reading
// transactions/1: a version of another model than fraud.
const churnModel = `
resource "mlops_model" "churn" {
  name = "churn"
}
resource "mlops_model_version" "churn_v1" {
  model_id            = mlops_model.churn.id
  version             = 1
  artifact_uri        = "s3://models/churn/1"
  feature_version_ids = [mlops_feature_version.v1.id]
}
`
