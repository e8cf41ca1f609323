package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccFeatureGroupDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	addr := "data.mlops_feature_group.t"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(featureGroupConfig(`  tags = { team = "fraud" }`)),
			},
			{
				Config: reg.config(featureGroupConfig(`  tags = { team = "fraud" }`) + `
data "mlops_feature_group" "t" {
  name = "transactions"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("transactions")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("primary_key"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("account_id")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("event_time"), knownvalue.StringExact("event_ts")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("fraud")})),
					statecheck.CompareValuePairs(addr, tfjsonpath.New("created_at"), "mlops_feature_group.transactions", tfjsonpath.New("created_at"), compareEqual),
				},
			},
			{
				Config: reg.envConfig("prod", `
data "mlops_feature_group" "t" {
  name = "transactions"
}
`),
				ExpectError: errorRE("No such feature group", `feature group "transactions" does not exist in environment "prod"`),
			},
		},
	})
}
