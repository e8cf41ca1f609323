package registry

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the checks of model version approvals: their own fields,
// the version they decide on, and rule D6 (in an environment that requires
// approval, every served version has an approval of its artifact).

// ApprovalStatuses are the statuses an approval can have. A model version
// without an approval is pending.
var ApprovalStatuses = []string{ApprovalApproved, ApprovalRejected}

// CheckApproval checks an approval's own fields, without the registry, as
// every write does: the status is one of ApprovalStatuses. An empty
// ModelVersionID or Approver is one not known yet.
func CheckApproval(a Approval) Problems {
	return append(CheckApprovalStatus(a.Status), CheckApprovalRefs(a)...)
}

// CheckApprovalStatus checks an approval's status.
func CheckApprovalStatus(status string) Problems {
	var ps Problems
	if !slices.Contains(ApprovalStatuses, status) {
		ps.errorf("D6", Path{"status"}, "Invalid approval status",
			"status %q is not an approval status: it is %q or %q (a model version with no approval is pending)",
			status, ApprovalApproved, ApprovalRejected)
	}
	return ps
}

// CheckApprovalRefs checks an approval's fields other than its status: the
// form of its model version id and its approver. Empty fields are ones not
// known yet, checked later.
func CheckApprovalRefs(a Approval) Problems {
	var ps Problems
	if a.ModelVersionID != "" {
		ps = append(ps, CheckModelVersionRef(Path{"model_version_id"}, "D6", a.ModelVersionID)...)
	}
	if a.Approver != "" && strings.TrimSpace(a.Approver) == "" {
		ps.errorf("D6", Path{"approver"}, "Invalid approver", "approver must name who decides, not be blank")
	}
	return ps
}

// CheckApprovalTarget checks that the model version an approval decides on
// exists in environment env (found).
func CheckApprovalTarget(a Approval, env string, found bool) Problems {
	var ps Problems
	if !found {
		ps.errorf("D6", Path{"model_version_id"}, "Model version not found",
			"approval of model version %q: that version does not exist in environment %q, and only a registered version can be approved or rejected. "+
				"Register it there first (the configuration that manages the model versions), or fix model_version_id.",
			a.ModelVersionID, env)
	}
	return ps
}

// CheckApprovalRevoked warns, at plan, that revoking (deleting, or
// rejecting) the approval of model version id in environment env, which
// requires approval, leaves the deployments that serve it (servedBy)
// without one: they keep running, and D6 refuses their next change.
func CheckApprovalRevoked(id, env, how string, servedBy []string) Problems {
	var ps Problems
	if len(servedBy) == 0 {
		return ps
	}
	ps.warnf("D6", nil, "Revoking the approval of a served model version",
		"this plan %s the approval of model version %s in environment %q, which requires approval (require_approval), "+
			"and deployment %s %s it. %s running, but %s next change will be refused (rule D6) unless it serves an approved version "+
			"or %s is approved again first.",
		how, id, env, strings.Join(servedBy, ", "), serveVerb(len(servedBy)), keepVerb(len(servedBy)), its(len(servedBy)), id)
	return ps
}

func serveVerb(n int) string {
	if n == 1 {
		return "serves"
	}
	return "serve"
}

func keepVerb(n int) string {
	if n == 1 {
		return "It keeps"
	}
	return "They keep"
}

func its(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

// ApprovalMatches reports whether approval a decided on the artifact model
// version v has now. An approval of another artifact is void.
func ApprovalMatches(a Approval, v ModelVersion) bool {
	return a.ArtifactURI == v.ArtifactURI && a.ArtifactDigest == v.ArtifactDigest
}

// artifactOf names what an approval or a model version holds: its digest,
// or its URI when it has none.
func artifactOf(uri, digest string) string {
	if digest != "" {
		return digest
	}
	return uri
}

// CheckApprovals is rule D6 for a deployment in an environment that
// requires approval: every served version that exists (D1 refuses the
// others) has an approval with status approved of the artifact it has now.
// approvals holds the approvals of the served versions, by model version
// id; approved the valid approved versions of the served models, offered
// as the fix.
func CheckApprovals(deployment, env string, served []ServedVersion, approvals map[string]Approval, approved []Approval) Problems {
	var ps Problems
	for _, s := range served {
		if s.Version == nil {
			continue
		}
		a, ok := approvals[s.ID]
		var problem string
		switch {
		case !ok:
			problem = fmt.Sprintf("%s has no approval in %s", s.ID, env)
		case a.Status != ApprovalApproved:
			problem = fmt.Sprintf("%s was %s in %s on %s by %s%s", s.ID, a.Status, env, day(a), a.Approver, reasonOf(a))
		case !ApprovalMatches(a, *s.Version):
			problem = fmt.Sprintf("the approval of %s in %s (%s by %s) is for artifact %s, but %s now is %s, so it no longer counts",
				s.ID, env, day(a), a.Approver, artifactOf(a.ArtifactURI, a.ArtifactDigest), s.ID, artifactOf(s.Version.ArtifactURI, s.Version.ArtifactDigest))
		default:
			continue
		}
		ps.errorf("D6", servedPath(s.Role), "Model version not approved",
			"deployment %s -> model version %s: %s, and environment %q requires approval (require_approval). "+
				"Approve it with mlops_model_version_approval in the configuration that approves models%s",
			nameOrNew(deployment), s.ID, problem, env, approvedFix(s.Version.Model, s.ID, approved))
	}
	return ps
}

// approvedFix offers the approved versions of model other than id.
func approvedFix(model, id string, approved []Approval) string {
	var alts []string
	for _, a := range approved {
		if a.ModelVersionID == id || !strings.HasPrefix(a.ModelVersionID, model+"/") {
			continue
		}
		alts = append(alts, fmt.Sprintf("%s (approved %s by %s)", a.ModelVersionID, day(a), a.Approver))
	}
	if len(alts) == 0 {
		return "."
	}
	return ", or serve " + strings.Join(alts, " or ") + "."
}

func day(a Approval) string { return a.ApprovedAt.UTC().Format("2006-01-02") }

func reasonOf(a Approval) string {
	if a.Reason == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", a.Reason)
}
