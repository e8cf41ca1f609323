package provider

import (
	"context"
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

func TestAccModelAliasIDFunction(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_alias_id("fraud", "champion")
}

output "other" {
  value = provider::mlops::model_alias_id("fraud-v2_gbm", "challenger-2")
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("id", knownvalue.StringExact("fraud@champion")),
					statecheck.ExpectKnownOutputValue("other", knownvalue.StringExact("fraud-v2_gbm@challenger-2")),
				},
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_alias_id("Fraud Model", "champion")
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "model" parameter: "Fraud Model" is not a valid model name: it must match `+registry.ModelNamePattern),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_alias_id("fraud", "the champion")
}
`),
				ExpectError: errorRE(`Invalid function argument`, `Invalid value for "alias" parameter: "the champion" is not a valid alias name: it must match `+registry.AliasNamePattern),
			},
			{
				Config: reg.config(`
output "id" {
  value = provider::mlops::model_alias_id("fraud", null)
}
`),
				ExpectError: errorRE(`Invalid function argument`, `"alias" parameter: argument must not be null`),
			},
		},
	})
}

// TestModelAliasIDFunctionRoundTrip checks that what the function returns
// is what the registry parses as a model alias id, and that a bad argument
// is blamed on the right position.
func TestModelAliasIDFunctionRoundTrip(t *testing.T) {
	run := func(model, alias string) (string, *function.FuncError) {
		resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
		NewModelAliasIDFunction().Run(context.Background(), function.RunRequest{
			Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(model), types.StringValue(alias)}),
		}, resp)
		if resp.Error != nil {
			return "", resp.Error
		}
		id, ok := resp.Result.Value().(types.String)
		if !ok || !known(id) {
			t.Fatalf("result %v is not a known string", resp.Result.Value())
		}
		return id.ValueString(), nil
	}
	id, err := run("fraud-gbm", "champion")
	if err != nil {
		t.Fatal(err)
	}
	model, alias, perr := registry.ParseModelAliasID(id)
	if perr != nil || model != "fraud-gbm" || alias != "champion" {
		t.Fatalf("ParseModelAliasID(%q) = %q, %q, %v", id, model, alias, perr)
	}
	for _, tc := range []struct {
		model, alias string
		arg          int64
		words        string
	}{
		{"Fraud", "champion", 0, "not a valid model name"},
		{"fraud", "", 1, "not a valid alias name"},
		{"fraud", "champ@ion", 1, "not a valid alias name"},
	} {
		_, err := run(tc.model, tc.alias)
		if err == nil || err.FunctionArgument == nil || *err.FunctionArgument != tc.arg || !strings.Contains(err.Text, tc.words) {
			t.Errorf("model_alias_id(%q, %q): got error %v, want one on argument %d saying %q", tc.model, tc.alias, err, tc.arg, tc.words)
		}
	}
}
