package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

var compareEqual = compare.ValuesSame()

func TestAccFeatureVersionDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	versions := func(v2deprecated bool) string {
		dep := "false"
		if v2deprecated {
			dep = "true"
		}
		return transactionsGroup + `
resource "mlops_feature_version" "v1" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
  ]
}
resource "mlops_feature_version" "v2" {
  feature_group_id = mlops_feature_group.transactions.id
  version          = 2
  deprecated       = ` + dep + `
  features = [
    { name = "account_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
    { name = "amount_7d", type = "Double", description = "sum over 7 days" },
  ]
}
`
	}
	lookups := `
data "mlops_feature_version" "pinned" {
  feature_group = "transactions"
  version       = 1
}
data "mlops_feature_version" "latest" {
  feature_group = "transactions"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(versions(false))},
			{
				Config: reg.config(versions(false) + lookups),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.pinned", tfjsonpath.New("features"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("features").AtSliceIndex(2), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("amount_7d"), "type": knownvalue.StringExact("Double"), "description": knownvalue.StringExact("sum over 7 days"),
					})),
					statecheck.CompareValuePairs("data.mlops_feature_version.latest", tfjsonpath.New("schema_hash"), "mlops_feature_version.v2", tfjsonpath.New("schema_hash"), compareEqual),
				},
			},
			{Config: reg.config(versions(true))},
			{
				// Deprecated versions are skipped by the latest lookup.
				Config: reg.config(versions(true) + lookups),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_feature_version.latest", tfjsonpath.New("id"), knownvalue.StringExact("transactions/1")),
				},
			},
			{
				Config: reg.config(versions(true) + `
data "mlops_feature_version" "missing" {
  feature_group = "transactions"
  version       = 3
}
`),
				ExpectError: errorRE("No such feature version", `feature version "transactions/3" does not exist in environment "default"`),
			},
			{
				Config: reg.config(versions(true) + `
data "mlops_feature_version" "missing" {
  feature_group = "payments"
}
`),
				ExpectError: errorRE("No such feature version", `feature group "payments" does not exist in environment "default"`),
			},
		},
	})
}
