package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccFeatureViewDataSource looks a view up by version and, without
// one, the highest; a name that does not exist is an error naming it.
func TestAccFeatureViewDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	views := viewFeatures + fraudFeaturesView(1, `  labels = ["amount"]`) + `
resource "mlops_feature_view" "fraud_v2" {
  name    = "fraud_features"
  version = 2
  sources = [{ feature_version_id = mlops_feature_version.v1.id, features = ["account_id", "amount_1d"] }]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(views + `
data "mlops_feature_view" "latest" {
  name       = "fraud_features"
  depends_on = [mlops_feature_view.fraud, mlops_feature_view.fraud_v2]
}

data "mlops_feature_view" "v1" {
  name    = mlops_feature_view.fraud.name
  version = mlops_feature_view.fraud.version
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_view.latest", tfjsonpath.New("id"), knownvalue.StringExact("fraud_features/2")),
					statecheck.ExpectKnownValue("data.mlops_feature_view.latest", tfjsonpath.New("labels"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mlops_feature_view.latest", tfjsonpath.New("schema"), knownvalue.ListExact([]knownvalue.Check{
						viewColumn("account_id", "string"), viewColumn("amount_1d", "double"),
					})),
					statecheck.ExpectKnownValue("data.mlops_feature_view.v1", tfjsonpath.New("id"), knownvalue.StringExact("fraud_features/1")),
					statecheck.ExpectKnownValue("data.mlops_feature_view.v1", tfjsonpath.New("schema"), viewSchema),
					statecheck.ExpectKnownValue("data.mlops_feature_view.v1", tfjsonpath.New("labels"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("amount")})),
					statecheck.ExpectKnownValue("data.mlops_feature_view.v1", tfjsonpath.New("sources").AtSliceIndex(1).AtMapKey("prefix"), knownvalue.StringExact("acct_")),
					statecheck.CompareValuePairs("data.mlops_feature_view.v1", tfjsonpath.New("schema_hash"), "mlops_feature_view.fraud", tfjsonpath.New("schema_hash"), compareEqual),
				},
			},
			{
				Config: reg.config(views + `
data "mlops_feature_view" "nope" {
  name = "nope"
}
`),
				ExpectError: errorRE("No such feature view", `feature view "nope/<latest>"`, `environment "default"`),
			},
		},
	})
}
