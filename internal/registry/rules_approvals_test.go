package registry

import (
	"fmt"
	"testing"
	"time"
)

// These tests call the checks of model version approvals directly: their
// own fields, the version they decide on, whether an approval is of the
// artifact a version has now, rule D6, the warning when a served version's
// approval is revoked, and F2's words when an approval still approves a
// version.

func TestCheckApproval(t *testing.T) {
	tests := []struct {
		name     string
		approval Approval
		wants    []want
	}{
		{"approved", Approval{ModelVersionID: "fraud/2", Status: ApprovalApproved, Approver: "risk-team"}, nil},
		{"rejected with a reason", Approval{ModelVersionID: "fraud/2", Status: ApprovalRejected, Approver: "risk-team", Reason: "drift"}, nil},
		{"version and approver not known yet", Approval{Status: ApprovalApproved}, nil},
		{"no status", Approval{ModelVersionID: "fraud/2"},
			[]want{errorAt("D6", Path{"status"}, "Invalid approval status", `status "" is not an approval status`, "no approval is pending")}},
		{"pending is no status", Approval{ModelVersionID: "fraud/2", Status: "pending"},
			[]want{errorAt("D6", Path{"status"}, "Invalid approval status", `"pending"`, `"approved" or "rejected"`)}},
		{"status in capitals", Approval{ModelVersionID: "fraud/2", Status: "Approved"},
			[]want{errorAt("D6", Path{"status"}, "Invalid approval status", `"Approved"`)}},
		{"invalid version id", Approval{ModelVersionID: "fraud", Status: ApprovalApproved},
			[]want{errorAt("D6", Path{"model_version_id"}, "Invalid model version id", "<name>/<version>")}},
		{"blank approver", Approval{ModelVersionID: "fraud/2", Status: ApprovalApproved, Approver: "  "},
			[]want{errorAt("D6", Path{"approver"}, "Invalid approver", "not be blank")}},
		{"everything wrong", Approval{ModelVersionID: "fraud/x", Status: "ok", Approver: " "},
			[]want{
				errorAt("D6", Path{"status"}, "Invalid approval status"),
				errorAt("D6", Path{"model_version_id"}, "Invalid model version id"),
				errorAt("D6", Path{"approver"}, "Invalid approver"),
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expectProblems(t, CheckApproval(tc.approval), tc.wants...) })
	}
	// At plan, a status not known yet is left for apply.
	expectProblems(t, CheckApprovalRefs(Approval{ModelVersionID: "fraud/2"}))
	expectProblems(t, CheckApprovalRefs(Approval{ModelVersionID: "fraud"}),
		errorAt("D6", Path{"model_version_id"}, "Invalid model version id"))
}

func TestCheckApprovalTarget(t *testing.T) {
	a := Approval{ModelVersionID: "fraud/9", Status: ApprovalApproved}
	expectProblems(t, CheckApprovalTarget(a, "prod", true))
	expectProblems(t, CheckApprovalTarget(a, "prod", false),
		errorAt("D6", Path{"model_version_id"}, "Model version not found",
			`approval of model version "fraud/9": that version does not exist in environment "prod"`,
			"only a registered version can be approved or rejected", "Register it there first", "fix model_version_id"))
}

func TestApprovalMatches(t *testing.T) {
	digest := "sha256:aa"
	v := ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://models/fraud/2", ArtifactDigest: digest}
	tests := []struct {
		name     string
		uri, dig string
		want     bool
	}{
		{"same artifact", "s3://models/fraud/2", digest, true},
		{"other digest", "s3://models/fraud/2", "sha256:bb", false},
		{"other URI, same digest", "s3://models/fraud/2b", digest, false},
		{"no digest recorded", "s3://models/fraud/2", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ApprovalMatches(Approval{ArtifactURI: tc.uri, ArtifactDigest: tc.dig}, v); got != tc.want {
				t.Errorf("ApprovalMatches = %v, want %v", got, tc.want)
			}
		})
	}
	// A version without a digest is approved by its URI alone.
	noDigest := ModelVersion{Model: "fraud", Version: 2, ArtifactURI: "s3://models/fraud/2"}
	if !ApprovalMatches(Approval{ArtifactURI: "s3://models/fraud/2"}, noDigest) {
		t.Error("an approval of the same URI, neither with a digest, must match")
	}
	if ApprovalMatches(Approval{ArtifactURI: "s3://models/fraud/2", ArtifactDigest: digest}, noDigest) {
		t.Error("an approval of a digest the version no longer has must not match")
	}
}

func TestCheckApprovals(t *testing.T) {
	day1 := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
	day2 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	version := func(v int64, digest string) *ModelVersion {
		return &ModelVersion{Model: "fraud", Version: v, ArtifactURI: fmt.Sprintf("s3://models/fraud/%d", v), ArtifactDigest: digest}
	}
	v1, v2, v3 := version(1, "sha256:11"), version(2, "sha256:22"), version(3, "")
	served := func(vs ...*ModelVersion) []ServedVersion {
		out := make([]ServedVersion, len(vs))
		for i, v := range vs {
			out[i] = ServedVersion{ID: v.ID(), Role: servedRoles[i], Version: v}
		}
		return out
	}
	approvalOf := func(v *ModelVersion, status string, at time.Time) Approval {
		return Approval{ModelVersionID: v.ID(), Status: status, Approver: "risk-team", ArtifactURI: v.ArtifactURI, ArtifactDigest: v.ArtifactDigest, ApprovedAt: at}
	}
	approved1 := approvalOf(v1, ApprovalApproved, day1)
	rejected2 := approvalOf(v2, ApprovalRejected, day2)
	rejected2.Reason = "backtest failed"
	void2 := approvalOf(v2, ApprovalApproved, day2)
	void2.ArtifactDigest = "sha256:old"
	approved3 := approvalOf(v3, ApprovalApproved, day2)
	byID := func(as ...Approval) map[string]Approval {
		m := map[string]Approval{}
		for _, a := range as {
			m[a.ModelVersionID] = a
		}
		return m
	}
	tests := []struct {
		name      string
		served    []ServedVersion
		approvals map[string]Approval
		approved  []Approval
		wants     []want
	}{
		{"approved", served(v1), byID(approved1), []Approval{approved1}, nil},
		{"approved by URI alone", served(v3), byID(approved3), []Approval{approved3}, nil},
		{"no approval", served(v2), nil, nil,
			[]want{errorAt("D6", Path{"model_version_id"}, "Model version not approved",
				`deployment fraud-scoring -> model version fraud/2: fraud/2 has no approval in prod, and environment "prod" requires approval (require_approval). `+
					`Approve it with mlops_model_version_approval in the configuration that approves models.`)}},
		{"no approval, another version approved", served(v2), nil, []Approval{approved1},
			[]want{errorAt("D6", Path{"model_version_id"}, "Model version not approved",
				"fraud/2 has no approval in prod", "in the configuration that approves models, or serve fraud/1 (approved 2026-11-20 by risk-team).")}},
		{"rejected, with the reason", served(v2), byID(rejected2), []Approval{approved1},
			[]want{errorAt("D6", Path{"model_version_id"}, "Model version not approved",
				`fraud/2 was rejected in prod on 2026-11-24 by risk-team ("backtest failed")`, "or serve fraud/1 (approved 2026-11-20 by risk-team).")}},
		{"void: the artifact changed", served(v2), byID(void2), []Approval{approved1},
			[]want{errorAt("D6", Path{"model_version_id"}, "Model version not approved",
				"the approval of fraud/2 in prod (2026-11-24 by risk-team) is for artifact sha256:old, but fraud/2 now is sha256:22, so it no longer counts")}},
		{"alternatives: several, not the served one, not another model's", served(v2), nil,
			[]Approval{approved1, approved3, {ModelVersionID: "churn/1", Status: ApprovalApproved, Approver: "risk-team", ApprovedAt: day1}},
			[]want{errorAt("D6", Path{"model_version_id"}, "Model version not approved",
				"or serve fraud/1 (approved 2026-11-20 by risk-team) or fraud/3 (approved 2026-11-24 by risk-team).")}},
		{"canary without approval", served(v1, v2), byID(approved1), []Approval{approved1},
			[]want{errorAt("D6", Path{"canary", "model_version_id"}, "Model version not approved",
				"deployment fraud-scoring -> model version fraud/2: fraud/2 has no approval in prod", "or serve fraud/1")}},
		{"main and canary both unapproved", served(v2, v3), nil, nil,
			[]want{
				errorAt("D6", Path{"model_version_id"}, "Model version not approved", "fraud/2 has no approval"),
				errorAt("D6", Path{"canary", "model_version_id"}, "Model version not approved", "fraud/3 has no approval"),
			}},
		{"canary approved too", served(v1, v3), byID(approved1, approved3), nil, nil},
		{"shadow without approval", served(v1, v3, v2), byID(approved1, approved3), nil,
			[]want{errorAt("D6", Path{"shadow", "model_version_id"}, "Model version not approved",
				"deployment fraud-scoring -> model version fraud/2: fraud/2 has no approval in prod")}},
		{"missing and unknown versions are other rules'", []ServedVersion{{ID: "fraud/9"}, {}}, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckApprovals("fraud-scoring", "prod", tc.served, tc.approvals, tc.approved), tc.wants...)
		})
	}
	// A deployment not named yet.
	expectProblems(t, CheckApprovals("", "prod", served(v2), nil, nil),
		errorAt("D6", Path{"model_version_id"}, "Model version not approved", "-> model version fraud/2"))
}

func TestCheckApprovalRevoked(t *testing.T) {
	expectProblems(t, CheckApprovalRevoked("fraud/2", "prod", "deletes", nil))
	expectProblems(t, CheckApprovalRevoked("fraud/2", "prod", "deletes", []string{"fraud-scoring"}),
		warningAt("D6", nil, "Revoking the approval of a served model version",
			`this plan deletes the approval of model version fraud/2 in environment "prod", which requires approval (require_approval), `+
				`and deployment fraud-scoring serves it. It keeps running, but its next change will be refused (rule D6) unless it serves an approved version or fraud/2 is approved again first.`))
	expectProblems(t, CheckApprovalRevoked("fraud/2", "prod", "rejects", []string{"fraud-eu", "fraud-us"}),
		warningAt("D6", nil, "Revoking the approval of a served model version",
			"this plan rejects the approval of model version fraud/2", "deployment fraud-eu, fraud-us serve it. They keep running, but their next change"))
}

func TestF2WordsForApprovals(t *testing.T) {
	mv := Ref{Kind: KindModelVersion, ID: "fraud/2"}
	approval := Ref{Kind: KindApproval, ID: "fraud/2"}
	alias := Ref{Kind: KindModelAlias, ID: "fraud@champion"}
	deployment := Ref{Kind: KindDeployment, ID: "fraud-scoring"}
	tests := []struct {
		name    string
		reading []Ref
		words   []string
	}{
		{"approval", []Ref{approval}, []string{
			`model version approval "fraud/2" still approves it and this plan keeps it. ` +
				`An approval stays until the configuration that approves models removes it (its mlops_model_version_approval): remove it there first.`,
		}},
		{"alias and approval", []Ref{alias, approval}, []string{`still points at or approves it and this plan keeps them`}},
		{"all three", []Ref{deployment, alias, approval}, []string{`still serves, points at or approves it`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckLeavingReaders(mv, false, "prod", tc.reading, nil),
				errorAt("F2", nil, append([]string{"Object still referenced", `this plan deletes model version "fraud/2" in environment "prod"`}, tc.words...)...))
		})
	}
	expectProblems(t, CheckDeleteDependents(mv, "prod", []Ref{approval}, true),
		errorAt("F2", nil, "Object still referenced", `model version "fraud/2" in environment "prod" is still referenced by model version approval "fraud/2"`, "Nothing was deleted"))
}
