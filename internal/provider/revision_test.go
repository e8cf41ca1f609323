package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// betweenPlanAndApply runs fn after Terraform has planned and before it
// applies: another writer changing the registry in that window.
type betweenPlanAndApply func() error

func (f betweenPlanAndApply) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// TestAccRevision_concurrentWriter: a change made by another writer after
// plan read the object is not overwritten: apply refuses the update and the
// delete with a conflict, and the other writer's change survives.
func TestAccRevision_concurrentWriter(t *testing.T) {
	reg := newTestRegistry(t)
	otherWriter := func(description string) betweenPlanAndApply {
		return func() error {
			r := reg.open("default")
			g, err := r.FeatureGroup(context.Background(), "transactions")
			if err != nil {
				return err
			}
			g.Description = description
			_, err = r.UpdateFeatureGroup(context.Background(), g)
			return err
		}
	}
	descriptionIs := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			g, err := reg.open("default").FeatureGroup(context.Background(), "transactions")
			if err != nil {
				return err
			}
			if g.Description != want {
				return fmt.Errorf("description %q, want %q", g.Description, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: reg.config(featureGroupConfig(`  description = "ours"`))},
			{
				Config: reg.config(featureGroupConfig(`  description = "ours, edited"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{otherWriter("theirs")},
				},
				ExpectError: errorRE(`Cannot update feature group "transactions": concurrent change`,
					`feature group "transactions" in environment "default" was changed by another writer since this run read it (revision 1, now 2); nothing was written: run plan again`),
			},
			{
				// The other writer's change was not overwritten; the next plan
				// shows it, and apply then succeeds.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              descriptionIs("theirs"),
			},
			{
				Config: reg.config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{otherWriter("theirs again")},
				},
				ExpectError: errorRE(`Cannot delete feature group "transactions": concurrent change`, "was changed by another writer"),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              descriptionIs("theirs again"),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			_, err := reg.open("default").FeatureGroup(context.Background(), "transactions")
			if !registry.IsNotFound(err) {
				return fmt.Errorf("feature group still there after destroy (err=%w)", err)
			}
			return nil
		},
	})
}
