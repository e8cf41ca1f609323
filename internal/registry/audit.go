package registry

import (
	"context"
	"fmt"
	"strings"
)

// kinds are the kinds of registry object, each with an audit trail. Every
// Kind constant is here: the names configurations give them (KindNames,
// KindNamed) come from this list only.
var kinds = []Kind{KindFeatureGroup, KindFeatureVersion, KindModel, KindModelVersion, KindDeployment, KindSuite, KindModelAlias, KindApproval, KindEnvironment, KindFeatureView, KindPipeline}

// Name is the kind as configurations name it: "feature_group" for
// KindFeatureGroup, "validation_suite" for KindSuite.
func (k Kind) Name() string { return strings.ReplaceAll(string(k), " ", "_") }

// KindNames lists the names configurations give the kinds of registry
// object (Kind.Name), in the order of the kinds' declaration.
func KindNames() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name()
	}
	return names
}

// KindNamed returns the kind a configuration names ("model_version"); false
// when no kind has that name.
func KindNamed(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name() == name {
			return k, true
		}
	}
	return "", false
}

// History returns the newest records of one object's audit trail in this
// environment, newest first (the order of the writes, which the records'
// times, kept to the second, cannot always tell), at most limit of them.
// The trail outlives the object: a deleted object's history starts with its
// delete, and an object created again under the same id continues the
// trail of the one before. An id with no record at all is a
// *NotFoundError: nothing was ever written to it in this environment.
// An environment's policy has its history in the environment it governs,
// whatever this Registry's environment.
func (r *Registry) History(ctx context.Context, kind Kind, id string, limit int) ([]AuditRecord, error) {
	if limit < 1 {
		return nil, fmt.Errorf("the history of %s %q: the limit must be 1 or more, got %d", kind, id, limit)
	}
	env := r.env
	if kind == KindEnvironment {
		env = id
	}
	var recs []AuditRecord
	err := r.view(ctx, "history", func(tx Tx) error {
		var err error
		recs, err = tx.RecentAudit(ctx, env, kind, id, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, &NotFoundError{Kind: kind, ID: id, Environment: env}
	}
	return recs, nil
}
