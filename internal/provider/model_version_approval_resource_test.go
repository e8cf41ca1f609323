package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// approvalSeed is the transactions group, model fraud, its version 1
// (no digest) and its version 2 (artifact digest testDigest).
var approvalSeed = mvFeatures + mvModel +
	fraudVersion(1, `[mlops_feature_version.v1.id]`, "") +
	fraudVersion(2, `[mlops_feature_version.v2.id]`, fmt.Sprintf("  artifact_digest = %q", testDigest))

const approvalAddr = "mlops_model_version_approval.fraud_v2"

// fraudV2Approval is the approval of modelVersionID (HCL) named fraud_v2.
func fraudV2Approval(modelVersionID, body string) string {
	return fmt.Sprintf(`
resource "mlops_model_version_approval" "fraud_v2" {
  model_version_id = %s
%s
}
`, modelVersionID, body)
}

// checkApprovalsDestroyed is a CheckDestroy that looks in the registry.
func checkApprovalsDestroyed(reg *testRegistry, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			if _, err := reg.open("default").Approval(context.Background(), id); !registry.IsNotFound(err) {
				return fmt.Errorf("approval of %s still in the registry after destroy (err=%w)", id, err)
			}
		}
		return nil
	}
}

// approvalInRegistry checks what the registry holds for the approval of
// id: status, approver, the artifact decided on, and revision.
func approvalInRegistry(reg *testRegistry, id, status, approver, digest string, revision int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := reg.open("default").Approval(context.Background(), id)
		if err != nil {
			return fmt.Errorf("approval of %s not in the registry: %w", id, err)
		}
		want := registry.Approval{ModelVersionID: id, Status: status, Approver: approver, ArtifactURI: "s3://models/" + id,
			ArtifactDigest: digest, Revision: revision, Reason: a.Reason, ApprovedAt: a.ApprovedAt}
		if a != want || a.ApprovedAt.IsZero() {
			return fmt.Errorf("approval of %s is %+v, want %+v", id, a, want)
		}
		return nil
	}
}

// TestAccModelVersionApproval_lifecycle approves a version in the plan that
// creates it (id and approver known at plan; the artifact and time
// recorded), imports it, changes the reason (the decision's time stays),
// rejects it with another approver (a new decision) and refuses at plan to
// delete the version it decides on.
func TestAccModelVersionApproval_lifecycle(t *testing.T) {
	reg := newTestRegistry(t)
	approvedAt := statecheck.CompareValue(compare.ValuesSame())
	approved := reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `
  status = "approved"
  reason = "backtest 2026-11 signed off"`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkApprovalsDestroyed(reg, "fraud/2"),
			checkModelVersionsDestroyed(reg, "default", "fraud/1", "fraud/2"),
		),
		Steps: []resource.TestStep{
			{
				Config: approved,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(approvalAddr, plancheck.ResourceActionCreate),
						// The id and the approver follow from configuration.
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("acceptance-test")),
						plancheck.ExpectUnknownValue(approvalAddr, tfjsonpath.New("approved_at")),
						plancheck.ExpectUnknownValue(approvalAddr, tfjsonpath.New("artifact_digest")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("model_version_id"), knownvalue.StringExact("fraud/2")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("status"), knownvalue.StringExact("approved")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("acceptance-test")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("reason"), knownvalue.StringExact("backtest 2026-11 signed off")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approved_at"), knownvalue.StringRegexp(timestampRE)),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("artifact_digest"), knownvalue.StringExact(testDigest)),
					approvedAt.AddStateValue(approvalAddr, tfjsonpath.New("approved_at")),
				},
				Check: approvalInRegistry(reg, "fraud/2", "approved", "acceptance-test", testDigest, 1),
			},
			{
				ResourceName:      approvalAddr,
				ImportState:       true,
				ImportStateId:     "fraud/2",
				ImportStateVerify: true,
			},
			{
				// An import block: the plan imports it and changes nothing.
				ResourceName:    approvalAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "fraud/2",
			},
			{
				ResourceName:  approvalAddr,
				ImportState:   true,
				ImportStateId: "fraud@champion",
				ExpectError:   errorRE("Invalid import id", `model version id "fraud@champion" must have the form <name>/<version>`),
			},
			{
				// A new reason alone: in place, the decision's time and
				// artifact stay, known at plan.
				Config: reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `
  status = "approved"
  reason = "backtest 2026-11 and shadow run signed off"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(approvalAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approved_at"), knownvalue.StringRegexp(timestampRE)),
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("artifact_digest"), knownvalue.StringExact(testDigest)),
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("acceptance-test")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("reason"), knownvalue.StringExact("backtest 2026-11 and shadow run signed off")),
					approvedAt.AddStateValue(approvalAddr, tfjsonpath.New("approved_at")),
				},
				Check: approvalInRegistry(reg, "fraud/2", "approved", "acceptance-test", testDigest, 2),
			},
			{
				// Rejected by another approver: a new decision, in place.
				Config: reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `
  status   = "rejected"
  approver = "risk-lead"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(approvalAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(approvalAddr, tfjsonpath.New("approved_at")),
						plancheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("risk-lead")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("status"), knownvalue.StringExact("rejected")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("risk-lead")),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approved_at"), knownvalue.StringRegexp(timestampRE)),
				},
				Check: approvalInRegistry(reg, "fraud/2", "rejected", "risk-lead", testDigest, 3),
			},
			{
				// F2 at plan: the version an approval decides on cannot go
				// while the approval stays.
				Config: reg.config(mvFeatures + mvModel + fraudVersion(1, `[mlops_feature_version.v1.id]`, "") + fraudV2Approval(`"fraud/2"`, `
  status   = "rejected"
  approver = "risk-lead"`)),
				PlanOnly: true,
				ExpectError: errorRE("Object still referenced (rule F2)",
					`this plan deletes model version "fraud/2" in environment "default", but model version approval "fraud/2" still approves it and this plan keeps it`,
					"remove it there first"),
			},
			{
				// The refused plan changed nothing; the approver stays when
				// the configuration stops naming it and the status stays.
				Config: reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `
  status = "rejected"`)),
				PlanOnly: true,
				Check:    approvalInRegistry(reg, "fraud/2", "rejected", "risk-lead", testDigest, 3),
			},
		},
	})
}

func TestAccModelVersionApproval_disappears(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `  status = "approved"`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkApprovalsDestroyed(reg, "fraud/2"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return reg.open("default").DeleteApproval(context.Background(), "fraud/2")
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: the next plan recreates it, no
				// error, and nothing that reads the version is replaced.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(approvalAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("mlops_model_version.fraud_v2", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: approvalInRegistry(reg, "fraud/2", "approved", "acceptance-test", testDigest, 1),
			},
		},
	})
}

func TestAccModelVersionApproval_requiresImport(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(approvalSeed),
			},
			{
				// Approved outside this configuration (by "outside-terraform").
				PreConfig: func() {
					a := registry.Approval{ModelVersionID: "fraud/2", Status: registry.ApprovalApproved}
					if _, err := reg.open("default").CreateApproval(context.Background(), a); err != nil {
						t.Fatal(err)
					}
				},
				Config:      reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `  status = "rejected"`)),
				ExpectError: errorRE(`model version approval "fraud/2" already exists in environment "default"`, "terraform import"),
			},
			{
				// The refused create left the approval as it was; importing
				// it with the configuration that matches changes nothing.
				Config: reg.config(approvalSeed + fraudV2Approval("mlops_model_version.fraud_v2.id", `  status = "approved"`) + `
import {
  to = mlops_model_version_approval.fraud_v2
  id = "fraud/2"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(approvalAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(approvalAddr, tfjsonpath.New("approver"), knownvalue.StringExact("outside-terraform")),
				},
				Check: approvalInRegistry(reg, "fraud/2", "approved", "outside-terraform", testDigest, 1),
			},
		},
	})
}

// TestAccModelVersionApproval_refusals: bad input at validate, a missing
// version at plan, with nothing written.
func TestAccModelVersionApproval_refusals(t *testing.T) {
	reg := newTestRegistry(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(approvalSeed),
			},
			{
				// Needs the registry: refused at plan.
				Config:   reg.config(approvalSeed + fraudV2Approval(`"fraud/9"`, `  status = "approved"`)),
				PlanOnly: true,
				ExpectError: errorRE("Model version not found (rule D6)",
					`approval of model version "fraud/9": that version does not exist in environment "default"`, "Register it there first"),
			},
			{
				// The configuration alone shows these: refused at validate.
				Config:      reg.config(approvalSeed + fraudV2Approval(`"fraud/2"`, `  status = "pending"`)),
				PlanOnly:    true,
				ExpectError: errorRE(`Attribute status value must be one of: ["approved" "rejected"], got: "pending"`),
			},
			{
				Config:      reg.config(approvalSeed + fraudV2Approval(`"fraud"`, `  status = "approved"`)),
				PlanOnly:    true,
				ExpectError: errorRE("Invalid id", `model version id "fraud" must have the form <name>/<version>`),
			},
			{
				Config:      reg.config(approvalSeed + fraudV2Approval(`"fraud/2"`, "  status = \"approved\"\n  approver = \"\"")),
				PlanOnly:    true,
				ExpectError: errorRE("Attribute approver string length must be at least 1"),
			},
			{
				// Nothing was written.
				Config: reg.config(approvalSeed),
				Check:  checkApprovalsDestroyed(reg, "fraud/2", "fraud/9"),
			},
		},
	})
}
