package provider

import (
	"context"
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
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "version" parameter: version must be 1 or more, got 0`),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_version_id("fraud", -1)
}
`),
				ExpectError: errorRE(`version must be 1 or more, got -1`),
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
	id, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "fraud-gbm", 2)
	if err != nil {
		t.Fatal(err)
	}
	model, version, perr := registry.ParseModelVersionID(id)
	if perr != nil || model != "fraud-gbm" || version != 2 {
		t.Fatalf("ParseModelVersionID(%q) = %q, %d, %v", id, model, version, perr)
	}
	if _, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "fraud", 0); err == nil || err.FunctionArgument == nil || *err.FunctionArgument != 1 {
		t.Fatalf("version 0: got error %v, want an error on argument 1", err)
	}
	if _, err := runVersionedIDFunction(t, NewModelVersionIDFunction(), "Fraud", 1); err == nil || err.FunctionArgument == nil || *err.FunctionArgument != 0 {
		t.Fatalf("bad name: got error %v, want an error on argument 0", err)
	}
}

// runVersionedIDFunction calls a versioned-id function's Run directly.
func runVersionedIDFunction(t *testing.T, f function.Function, name string, version int64) (string, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(ctx, function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(name), types.Int64Value(version)}),
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
