package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

func TestAccFeatureVersionIDFunction(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: reg.config(`
locals {
  group = "user_profiles"
}

output "id" {
  value = provider::mlops::feature_version_id("transactions", 2)
}

output "from_locals" {
  value = provider::mlops::feature_version_id(local.group, 12)
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("id", knownvalue.StringExact("transactions/2")),
					statecheck.ExpectKnownOutputValue("from_locals", knownvalue.StringExact("user_profiles/12")),
				},
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id("transactions", 0)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "version" parameter: version must be a whole number from 1 to 9223372036854775807; got 0`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id("Transactions", 2)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "group" parameter: "Transactions" is not a valid feature group name: it must match `+registry.NamePattern),
			},
			{
				// Dashes are fine in model names, not in feature group names.
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id("user-profiles", 2)
}
`),
				ExpectError: errorRE(`"user-profiles" is not a valid feature group name`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id("transactions", 1.5)
}
`),
				// Refused by the function in words, not by the framework's conversion.
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "version" parameter: version must be a whole number from 1 to 9223372036854775807; got 1.5`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id("transactions", 99999999999999999999999)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `version must be a whole number from 1 to 9223372036854775807; got 99999999999999999999999`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::feature_version_id(null, 2)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `"group" parameter: argument must not be null`),
			},
		},
	})
}

// TestFeatureVersionIDFunctionRoundTrip checks that what the function
// returns is what the registry parses as a feature version id.
func TestFeatureVersionIDFunctionRoundTrip(t *testing.T) {
	id, err := runVersionedIDFunction(t, NewFeatureVersionIDFunction(), "transactions", "2")
	if err != nil {
		t.Fatal(err)
	}
	group, version, perr := registry.ParseFeatureVersionID(id)
	if perr != nil || group != "transactions" || version != 2 {
		t.Fatalf("ParseFeatureVersionID(%q) = %q, %d, %v", id, group, version, perr)
	}
}
