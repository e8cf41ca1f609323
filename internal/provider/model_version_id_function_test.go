package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

func TestAccModelVersionIDFunction(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: reg.config(`
locals {
  served = {
    stable = provider::mlops::model_version_id("fraud", 2)
    canary = provider::mlops::model_version_id("fraud-v2_gbm", 3)
  }
}

output "id" {
  value = provider::mlops::model_version_id("fraud", 7)
}

output "served" {
  value = local.served
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("id", knownvalue.StringExact("fraud/7")),
					statecheck.ExpectKnownOutputValue("served", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"stable": knownvalue.StringExact("fraud/2"),
						"canary": knownvalue.StringExact("fraud-v2_gbm/3"),
					})),
				},
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("fraud", 0)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "version" parameter: version must be a whole number from 1 to 9223372036854775807; got 0`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("fraud", -1)
}
`),
				ExpectError: errorRE(`version must be a whole number from 1 to 9223372036854775807; got -1`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("fraud", 2.5)
}
`),
				// Refused by the function in words, not by the framework's conversion.
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "version" parameter: version must be a whole number from 1 to 9223372036854775807; got 2.5`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("Fraud Model", 1)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "model" parameter: "Fraud Model" is not a valid model name: it must match `+registry.ModelNamePattern),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("fraud", null)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `"version" parameter: argument must not be null`),
			},
		},
	})
}

// TestModelVersionIDFunctionRoundTrip checks that what the function returns
// is what the registry parses as a model version id.
func TestModelVersionIDFunctionRoundTrip(t *testing.T) {
	id, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "fraud-gbm", "2")
	if err != nil {
		t.Fatal(err)
	}
	model, version, perr := registry.ParseModelVersionID(id)
	if perr != nil || model != "fraud-gbm" || version != 2 {
		t.Fatalf("ParseModelVersionID(%q) = %q, %d, %v", id, model, version, perr)
	}
	for _, v := range []string{"0", "1.5", "9223372036854775808", "1e400"} {
		if _, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "fraud", v); err == nil || err.FunctionArgument == nil || *err.FunctionArgument != 1 ||
			!strings.Contains(err.Text, "version must be a whole number from 1 to 9223372036854775807; got ") {
			t.Fatalf("version %s: got error %v, want an error on argument 1", v, err)
		}
	}
	if _, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "Fraud", "1"); err == nil || err.FunctionArgument == nil || *err.FunctionArgument != 0 {
		t.Fatalf("bad name: got error %v, want an error on argument 0", err)
	}
}

// runVersionedIDFunction calls a versioned-id function's Run directly.
// version is the number's decimal text.
func runVersionedIDFunction(t *testing.T, f function.Function, name, version string) (string, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	number, _, err := big.ParseFloat(version, 10, 512, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(ctx, function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(name), types.NumberValue(number)}),
	}, resp)
	if resp.Error != nil {
		return "", resp.Error
	}
	id, ok := resp.Result.Value().(types.String)
	if !ok || id.IsUnknown() || id.IsNull() {
		t.Fatalf("result %v is not a known string", resp.Result.Value())
	}
	return id.ValueString(), nil
}
