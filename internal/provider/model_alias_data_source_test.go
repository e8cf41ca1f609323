package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccModelAliasDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	managed := aliasSeed + championAlias("mlops_model_version.fraud_v2.id", `  description = "serves prod"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(managed),
			},
			{
				Config: reg.config(managed + `
data "mlops_model_alias" "champion" {
  model_id = "fraud"
  name     = "champion"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_model_alias.champion", tfjsonpath.New("id"), knownvalue.StringExact("fraud@champion")),
					statecheck.ExpectKnownValue("data.mlops_model_alias.champion", tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue("data.mlops_model_alias.champion", tfjsonpath.New("description"), knownvalue.StringExact("serves prod")),
					statecheck.ExpectKnownValue("data.mlops_model_alias.champion", tfjsonpath.New("updated_at"), knownvalue.StringRegexp(timestampRE)),
				},
				Check: resource.TestCheckResourceAttrPair("data.mlops_model_alias.champion", "updated_at", "mlops_model_alias.champion", "updated_at"),
			},
			{
				Config: reg.config(managed + `
data "mlops_model_alias" "challenger" {
  model_id = "fraud"
  name     = "challenger"
}
`),
				ExpectError: errorRE("No such model alias", `model alias "fraud@challenger"`, `environment "default"`),
			},
		},
	})
}
