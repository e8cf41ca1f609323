package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// fraudModel is model fraud with a description: each step changes it.
func fraudModel(description string) string {
	return fmt.Sprintf(`
resource "mlops_model" "fraud" {
  name        = "fraud"
  description = %q
}
`, description)
}

// auditRecord checks one record of mlops_audit but its JSON, which the
// steps check against the registry.
func auditRecord(action string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"action": knownvalue.StringExact(action),
		"actor":  knownvalue.StringExact("acceptance-test"),
		"at":     knownvalue.StringRegexp(rfc3339UTC),
	})
}

// jsonHas checks that an attribute holds a JSON object with the given
// fields (and maybe others).
func jsonHas(want map[string]any) resource.CheckResourceAttrWithFunc {
	return func(value string) error {
		var got map[string]any
		if err := json.Unmarshal([]byte(value), &got); err != nil {
			return fmt.Errorf("not a JSON object: %w: %s", err, value)
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				return fmt.Errorf("%s = %#v, want %#v in %s", k, got[k], w, value)
			}
		}
		return nil
	}
}

// TestAccAudit_history reads a model's history after two updates: limit 2
// gives the two updates, newest first, with the model before and after
// each; unset, limit holds its default and the create comes last. The
// history outlives the model.
func TestAccAudit_history(t *testing.T) {
	reg := newTestRegistry(t)
	const addr, all = "data.mlops_audit.fraud", "data.mlops_audit.all"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(fraudModel("first"))},
			{Config: reg.config(fraudModel("second"))},
			{Config: reg.config(fraudModel("third"))},
			{
				Config: reg.config(fraudModel("third") + `
data "mlops_audit" "fraud" {
  kind  = "model"
  id    = mlops_model.fraud.id
  limit = 2
}
data "mlops_audit" "all" {
  kind = "model"
  id   = "fraud"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{
						auditRecord("update"), auditRecord("update"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("limit"), knownvalue.Int64Exact(2)),
					// One write's after is the next one's before.
					statecheck.CompareValuePairs(addr, tfjsonpath.New("records").AtSliceIndex(0).AtMapKey("before"),
						addr, tfjsonpath.New("records").AtSliceIndex(1).AtMapKey("after"), compareEqual),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("limit"), knownvalue.Int64Exact(auditDefaultLimit)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{
						auditRecord("update"), auditRecord("update"), auditRecord("create"),
					})),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("records").AtSliceIndex(2).AtMapKey("before"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					// The newest after is the model as the registry holds it.
					resource.TestCheckResourceAttrWith(addr, "records.0.after", func(value string) error {
						m, err := reg.open("default").Model(context.Background(), "fraud")
						if err != nil {
							return err
						}
						want, err := json.Marshal(m)
						if err != nil {
							return err
						}
						if value != string(want) {
							return fmt.Errorf("records.0.after = %s, want the registry's %s", value, want)
						}
						return nil
					}),
					resource.TestCheckResourceAttrWith(addr, "records.0.after", jsonHas(map[string]any{"name": "fraud", "description": "third", "revision": 3.0})),
					resource.TestCheckResourceAttrWith(addr, "records.0.before", jsonHas(map[string]any{"description": "second", "revision": 2.0})),
					resource.TestCheckResourceAttrWith(addr, "records.1.before", jsonHas(map[string]any{"description": "first", "revision": 1.0})),
					resource.TestCheckResourceAttrPair(addr, "records.0.at", all, "records.0.at"),
				),
			},
			{Config: reg.config("")},
			{
				// The model is gone; its history is not.
				Config: reg.config(`
data "mlops_audit" "fraud" {
  kind  = "model"
  id    = "fraud"
  limit = 1
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{auditRecord("delete")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("records").AtSliceIndex(0).AtMapKey("after"), knownvalue.Null()),
				},
				Check: resource.TestCheckResourceAttrWith(addr, "records.0.before", jsonHas(map[string]any{"description": "third", "revision": 3.0})),
			},
		},
	})
}

// TestAccAudit_refused: a kind or limit that is not allowed is refused at
// validate; an id with no history, or one of another environment, is an
// error naming kind, id and environment.
func TestAccAudit_refused(t *testing.T) {
	reg := newTestRegistry(t)
	audit := func(kind, id, limit string) string {
		return fmt.Sprintf(`
data "mlops_audit" "a" {
  kind  = %q
  id    = %q
  limit = %s
}
`, kind, id, limit)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      reg.config(audit("models", "fraud", "null")),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid Attribute Value Match", fmt.Sprintf(`kind value must be one of: %q, got: "models"`, registry.KindNames())),
			},
			{
				Config:      reg.config(audit("model", "fraud", "0")),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid Attribute Value", "limit must be a whole number from 1 to 1000, got: 0"),
			},
			{
				Config:      reg.config(audit("model", "fraud", "2.5")),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid Attribute Value", "limit must be a whole number from 1 to 1000, got: 2.5"),
			},
			{Config: reg.config(fraudModel("scoring"))},
			{
				Config:      reg.config(fraudModel("scoring") + audit("model", "ghost", "5")),
				ExpectError: errorRE(`No history of model "ghost"`, `no audit record of model "ghost" in environment "default"`, "Check the kind, the id"),
			},
			{
				// fraud's history is default's; prod has none.
				Config:      reg.envConfig("prod", audit("model", "fraud", "5")),
				ExpectError: errorRE(`No history of model "fraud"`, `in environment "prod"`),
			},
			{
				// Nor has another kind under the same id.
				Config:      reg.config(fraudModel("scoring") + audit("deployment", "fraud", "5")),
				ExpectError: errorRE(`No history of deployment "fraud"`, `in environment "default"`),
			},
		},
	})
}
