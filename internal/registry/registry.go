// Package registry is the domain of the mlops provider: feature groups and
// their feature versions, models and their model versions, validation
// suites and deployments, the rules between them and the audit trail of
// every write. It knows nothing of Terraform: the provider calls its checks
// at plan time, and every write runs the same checks again inside one store
// transaction.
package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Options configure a Registry.
type Options struct {
	// Environment namespaces every object; DefaultEnvironment when empty.
	Environment string
	// Actor is recorded in the audit trail; DefaultActor() when empty.
	Actor string
	// Logger receives debug logs of writes and their timings.
	Logger hclog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location names the registry in messages: its URL with any password
	// masked (RedactURL). Empty when unknown.
	Location string
}

// Registry is one environment's view of a registry store.
type Registry struct {
	store    Store
	env      string
	actor    string
	location string
	log      hclog.Logger
	now      func() time.Time
	// run is the plan whose checks this Registry runs (see Planning).
	run *RunPlan
}

// New returns a Registry over store for one environment.
func New(store Store, opts Options) (*Registry, error) {
	env := opts.Environment
	if env == "" {
		env = DefaultEnvironment
	}
	if err := CheckEnvironment(env); err != nil {
		return nil, err
	}
	r := &Registry{store: store, env: env, actor: opts.Actor, location: opts.Location, log: opts.Logger, now: opts.Now}
	if r.actor == "" {
		r.actor = DefaultActor()
	}
	if r.log == nil {
		r.log = hclog.NewNullLogger()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// DefaultActor is the audit actor when none is configured: the OS user.
func DefaultActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// Environment is the environment this Registry reads and writes.
func (r *Registry) Environment() string { return r.env }

// Location names the registry for messages, its password masked: the
// Options.Location given to New.
func (r *Registry) Location() string { return r.location }

// NeverWritten reports whether this environment of the registry holds no
// object and has no audit record at all: nothing was ever written to it
// (a missing SQLite file and a database without the registry's schema
// included). When objects Terraform created are missing from such an
// environment, the configuration points at the wrong registry or
// environment; when the environment was written, someone deleted them.
func (r *Registry) NeverWritten(ctx context.Context) (bool, error) {
	return r.NeverWrittenIn(ctx, r.env)
}

// NeverWrittenIn is NeverWritten for environment env, which need not be
// this Registry's: an environment's policy, written from any environment,
// lives in the environment it governs.
func (r *Registry) NeverWrittenIn(ctx context.Context, env string) (bool, error) {
	var written bool
	err := r.view(ctx, "never written", func(tx Tx) error {
		var err error
		written, err = tx.Written(ctx, env)
		return err
	})
	return !written, err
}

// Close closes the underlying store.
func (r *Registry) Close() error { return r.store.Close() }

// timestamp is the registry's clock, at the precision it stores.
func (r *Registry) timestamp() time.Time { return r.now().UTC().Truncate(time.Second) }

// write runs fn in one store transaction and records the audit row of the
// change fn reports. fn returns the object before and after (nil on create
// and delete respectively).
func (r *Registry) write(ctx context.Context, kind Kind, id, action string, fn func(Tx) (before, after any, err error)) error {
	return r.writeIn(ctx, r.env, kind, id, action, fn)
}

// writeIn is write in environment env: the transaction holds env's store
// lock and the audit row is recorded in env. Environment policies are
// written so, in the environment they govern.
func (r *Registry) writeIn(ctx context.Context, env string, kind Kind, id, action string, fn func(Tx) (before, after any, err error)) error {
	start := time.Now()
	err := r.store.Update(ctx, env, func(tx Tx) error {
		before, after, err := fn(tx)
		if err != nil {
			return err
		}
		rec := AuditRecord{Environment: env, Kind: kind, ObjectID: id, Action: action, At: r.timestamp(), Actor: r.actor}
		if rec.Before, err = auditJSON(before); err != nil {
			return err
		}
		if rec.After, err = auditJSON(after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, rec)
	})
	r.log.Debug("registry write", "environment", env, "kind", string(kind), "id", id, "action", action,
		"duration", time.Since(start).String(), "error", errString(err))
	return err
}

func (r *Registry) view(ctx context.Context, what string, fn func(Tx) error) error {
	start := time.Now()
	err := r.store.View(ctx, fn)
	r.log.Trace("registry read", "environment", r.env, "what", what, "duration", time.Since(start).String(), "error", errString(err))
	return err
}

// Audit returns the audit trail of one object of this environment.
func (r *Registry) Audit(ctx context.Context, kind Kind, id string) ([]AuditRecord, error) {
	var recs []AuditRecord
	err := r.view(ctx, "audit", func(tx Tx) error {
		var err error
		recs, err = tx.Audit(ctx, r.env, kind, id)
		return err
	})
	return recs, err
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding the audit record: %w", err)
	}
	return string(b), nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func isNotFound(err error) bool { return IsNotFound(err) }
