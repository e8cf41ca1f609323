package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccValidationSuiteDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	const ds = "data.mlops_validation_suite.quality"
	cfg := seedModels + vsDataSuite("mlops_feature_version.v2.id", vsDataExpectations) + `
data "mlops_validation_suite" "quality" {
  name = mlops_validation_suite.data.name
}
`
	same := func(attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(ds, tfjsonpath.New(attr), vsDataAddr, tfjsonpath.New(attr), compareEqual)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(cfg),
				ConfigStateChecks: []statecheck.StateCheck{
					same("great_expectations_json"),
					same("great_expectations_json_v0"),
					same("expectations"),
					same("id"),
					same("feature_version_id"),
					same("ingestion_policy"),
					same("created_at"),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("model_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("feature_version_id"), knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("expectations").AtSliceIndex(1).AtMapKey("min_value"), knownvalue.NumberExact(vsNumber("0"))),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("expectations").AtSliceIndex(0).AtMapKey("severity"), knownvalue.StringExact("error")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("great_expectations_json_v0"), vsGEJSON("transactions-quality", func(ge vsGE) error {
						return ge.kwargs(1, map[string]string{"column": `"amount_7d"`, "min_value": `0`})
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("great_expectations_json"), vsGXJSON("transactions-quality", func(gx vsGX) error {
						return gx.kwargs(1, map[string]string{"column": `"amount_7d"`, "min_value": `0`})
					})),
				},
			},
			{
				Config: reg.config(cfg + `
data "mlops_validation_suite" "missing" {
  name = "payments-quality"
}
`),
				ExpectError: errorRE("No such validation suite", `validation suite "payments-quality" does not exist in environment "default"`),
			},
		},
	})
}
