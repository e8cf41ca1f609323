package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// respellConfig is a feature version and a model version whose types are
// spelled as given.
func respellConfig(featureType, inputType string) string {
	return fmt.Sprintf(`
resource "mlops_feature_group" "g" {
  name        = "transactions"
  primary_key = ["account_id"]
}

resource "mlops_feature_version" "v" {
  feature_group_id = mlops_feature_group.g.id
  version          = 1
  features = [
    { name = "account_id", type = "string" },
    { name = "counts", type = %q },
  ]
}

resource "mlops_model" "m" {
  name = "fraud"
}

resource "mlops_model_version" "mv" {
  model_id            = mlops_model.m.id
  version             = 1
  artifact_uri        = "s3://models/fraud/1"
  feature_version_ids = [mlops_feature_version.v.id]
  inputs              = [{ feature = "counts", type = %q }]
}
`, featureType, inputType)
}

// TestAccTypes_respellingIsNoChange: re-spelling a type, in a feature
// version's features or a model version's inputs, plans no change, and the
// registry keeps the canonical form.
func TestAccTypes_respellingIsNoChange(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(respellConfig("array<int>", "array<int>"))},
			{
				Config:           reg.config(respellConfig("Array< INT >", "ARRAY<Int>")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Created with another spelling: no diff after apply, and
				// the registry holds the canonical form.
				Config: reg.config(respellConfig("Array< INT >", "ARRAY<Int>")),
				Taint:  []string{"mlops_model_version.mv"},
				Check: func(*terraform.State) error {
					ctx := context.Background()
					mv, err := reg.open("default").ModelVersion(ctx, "fraud", 1)
					if err != nil {
						return err
					}
					if len(mv.Inputs) != 1 || mv.Inputs[0].Type != "array<int>" {
						return fmt.Errorf("registry inputs = %+v, want the canonical array<int>", mv.Inputs)
					}
					return nil
				},
			},
			{
				// The feature version is created again with the new spelling.
				Config: reg.config(respellConfig("Array< INT >", "ARRAY<Int>")),
				Taint:  []string{"mlops_model_version.mv", "mlops_feature_version.v"},
				Check: func(*terraform.State) error {
					fv, err := reg.open("default").FeatureVersion(context.Background(), "transactions", 1)
					if err != nil {
						return err
					}
					if fv.Features[1].Type != "array<int>" {
						return fmt.Errorf("registry feature type = %q, want the canonical array<int>", fv.Features[1].Type)
					}
					return nil
				},
			},
		},
	})
}
