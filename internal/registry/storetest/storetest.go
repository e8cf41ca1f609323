// Package storetest is the contract every registry.Store keeps, written once
// and run by each store against itself: the SQLite file and PostgreSQL. It
// goes through registry.New, as the provider does, and straight through
// Store.View, Store.Update and Tx where the registry would hide what the
// store does.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// Open opens a new store on the database of test t. Calls with the same t
// return separate stores on one database, as separate provider processes
// hold them; each test has a database of its own. The store is closed when
// the test ends.
type Open func(t *testing.T) registry.Store

// PerTest makes an Open: create makes a new database for a test and says
// where it is (a file, a URL), open opens a store on it.
func PerTest(create func(t *testing.T) string, open func(t *testing.T, where string) registry.Store) Open {
	var (
		mu  sync.Mutex
		dbs = map[*testing.T]string{}
	)
	return func(t *testing.T) registry.Store {
		t.Helper()
		where := func() string {
			mu.Lock()
			defer mu.Unlock()
			w, ok := dbs[t]
			if !ok {
				w = create(t)
				dbs[t] = w
				t.Cleanup(func() {
					mu.Lock()
					defer mu.Unlock()
					delete(dbs, t)
				})
			}
			return w
		}()
		return open(t, where)
	}
}

// Run runs the contract against the stores that open opens.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"FeatureGroups", testFeatureGroups},
		{"FeatureVersions", testFeatureVersions},
		{"Models", testModels},
		{"ModelVersions", testModelVersions},
		{"Deployments", testDeployments},
		{"ValidationSuites", testSuites},
		{"ModelAliases", testModelAliases},
		{"Approvals", testApprovals},
		{"EnvironmentPolicies", testEnvironmentPolicies},
		{"TxNotFound", testTxNotFound},
		{"TxStaleRevisions", testTxStaleRevisions},
		{"TxRollback", testTxRollback},
		{"AuditTrail", testAuditTrail},
		{"AuditHistory", testAuditHistory},
		{"EnvironmentsIsolated", testEnvironments},
		{"F2RefusalsWriteNothing", testRefusalsWriteNothing},
		{"JSONRoundTrips", testJSONRoundTrips},
		{"ConcurrentCreates", testConcurrentCreates},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentDistinctWrites", testConcurrentDistinctWrites},
		{"NewRegistryReadsEmpty", testNewRegistryReadsEmpty},
		{"NeverWritten", testNeverWritten},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"EnvironmentsNeverConflict", testEnvironmentsNeverConflict},
		{"ReadsWhileTheSchemaIsCreated", testReadsWhileTheSchemaIsCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// t0 has sub-second precision and a zone other than UTC: the registry
// stores UTC seconds.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("CET", 3600))

// stored is a time as the registry records it.
func stored(at time.Time) time.Time { return at.UTC().Truncate(time.Second) }

// clock is a settable clock, safe for concurrent writers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = at
}

// actor is the audit actor of every write of this suite.
const actor = "storetest"

func newRegistry(t *testing.T, s registry.Store, env string, c *clock) *registry.Registry {
	t.Helper()
	r, err := registry.New(s, registry.Options{Environment: env, Actor: actor, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixture is one test's store and a registry per environment on it.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store registry.Store
	clock *clock
}

func newFixture(t *testing.T, open Open) *fixture {
	return &fixture{t: t, ctx: t.Context(), store: open(t), clock: &clock{t: t0}}
}

func (f *fixture) env(name string) *registry.Registry {
	return newRegistry(f.t, f.store, name, f.clock)
}

// Objects of the seed scenario: feature group transactions, its versions,
// model fraud, its versions reading them, a deployment and suites.

func group(name string) registry.FeatureGroup {
	return registry.FeatureGroup{
		Name:        name,
		PrimaryKey:  []string{"account_id"},
		EventTime:   "event_ts",
		Description: "card transactions",
		Tags:        map[string]string{"team": "fraud"},
	}
}

func features() []registry.Feature {
	return []registry.Feature{
		{Name: "account_id", Type: "string"},
		{Name: "event_ts", Type: "timestamp"},
		{Name: "amount", Type: "double", Description: "amount in EUR"},
	}
}

func featureVersion(g string, v int64) registry.FeatureVersion {
	return registry.FeatureVersion{Group: g, Version: v, Features: features(), Description: "version " + strconv.FormatInt(v, 10)}
}

func modelVersion(m string, v int64, featureVersionIDs ...string) registry.ModelVersion {
	return registry.ModelVersion{
		Model: m, Version: v,
		ArtifactURI:       fmt.Sprintf("s3://models/%s/%d", m, v),
		FeatureVersionIDs: featureVersionIDs,
		Metrics:           map[string]string{"auc": "0.93"},
	}
}

func deployment(name, mv string) registry.Deployment {
	return registry.Deployment{Name: name, ModelVersion: mv, Replicas: registry.DefaultReplicas}
}

func dataSuite(name, fv string) registry.ValidationSuite {
	return registry.ValidationSuite{
		Name: name, FeatureVersion: fv, IngestionPolicy: registry.IngestionStrict,
		Expectations: []registry.Expectation{
			{Type: "expect_column_values_to_not_be_null", Column: "account_id"},
			{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: "0", MaxValue: "1000000"},
		},
	}
}

func modelSuite(name, model string) registry.ValidationSuite {
	return registry.ValidationSuite{
		Name: name, Model: model,
		Expectations: []registry.Expectation{{Type: "expect_metric_to_be_at_least", Metric: "auc", MinValue: "0.9"}},
	}
}

// seed registers in r: transactions v1 and v2, fraud/1 reading v1 and
// fraud/2 reading v2, deployment fraud-scoring serving fraud/1, data suite
// transactions-quality on v1 and release gate fraud-gate on fraud.
func seed(t *testing.T, r *registry.Registry) {
	t.Helper()
	ctx := t.Context()
	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("transactions"))))
	must(t, "create transactions/1", second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 1))))
	must(t, "create transactions/2", second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 2))))
	must(t, "create model", second(r.CreateModel(ctx, registry.Model{Name: "fraud"})))
	must(t, "create fraud/1", second(r.CreateModelVersion(ctx, modelVersion("fraud", 1, "transactions/1"))))
	must(t, "create fraud/2", second(r.CreateModelVersion(ctx, modelVersion("fraud", 2, "transactions/2"))))
	must(t, "create deployment", second(r.CreateDeployment(ctx, deployment("fraud-scoring", "fraud/1"))))
	must(t, "create data suite", second(r.CreateSuite(ctx, dataSuite("transactions-quality", "transactions/1"))))
	must(t, "create release gate", second(r.CreateSuite(ctx, modelSuite("fraud-gate", "fraud"))))
}

func second[T any](_ T, err error) error { return err }

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// equal fails the test unless got deeply equals want (nil and empty maps
// and slices differ).
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

// read reads an object and fails the test on an error.
func read[T any](t *testing.T, what string, fn func() (T, error)) T {
	t.Helper()
	v, err := fn()
	if err != nil {
		t.Fatalf("reading %s: %v", what, err)
	}
	return v
}

func isNotFound(t *testing.T, err error, kind registry.Kind, id, env string) {
	t.Helper()
	var nf *registry.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("error %v (%T), want a *registry.NotFoundError for %s %s", err, err, kind, id)
		return
	}
	if nf.Kind != kind || nf.ID != id || nf.Environment != env {
		t.Errorf("NotFoundError %+v, want %s %q in %q", *nf, kind, id, env)
	}
}

func isAlreadyExists(t *testing.T, err error, kind registry.Kind, id, env string) {
	t.Helper()
	var ae *registry.AlreadyExistsError
	if !errors.As(err, &ae) || !errors.Is(err, registry.ErrAlreadyExists) {
		t.Errorf("error %v (%T), want a *registry.AlreadyExistsError for %s %s", err, err, kind, id)
		return
	}
	if ae.Kind != kind || ae.ID != id || ae.Environment != env {
		t.Errorf("AlreadyExistsError %+v, want %s %q in %q", *ae, kind, id, env)
	}
}

// isConflict checks for a *registry.ConflictError; read and now are the
// revisions it names, 0 when the store cannot know them.
func isConflict(t *testing.T, err error, kind registry.Kind, id, env string, readRev, nowRev int64) {
	t.Helper()
	var ce *registry.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, registry.ErrConflict) {
		t.Errorf("error %v (%T), want a *registry.ConflictError for %s %s", err, err, kind, id)
		return
	}
	want := registry.ConflictError{Kind: kind, ID: id, Environment: env, Read: readRev, Now: nowRev}
	if *ce != want {
		t.Errorf("ConflictError %+v, want %+v", *ce, want)
	}
}

func isRuleError(t *testing.T, err error, rule string) {
	t.Helper()
	var re *registry.RuleError
	if !errors.As(err, &re) {
		t.Errorf("error %v (%T), want a *registry.RuleError", err, err)
		return
	}
	for _, p := range re.Problems {
		if p.Rule == rule {
			return
		}
	}
	t.Errorf("rule error %q does not name rule %s", err, rule)
}

func testFeatureGroups(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")

	created, err := r.CreateFeatureGroup(ctx, group("transactions"))
	must(t, "create", err)
	want := group("transactions")
	want.CreatedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "transactions") }), want)

	_, err = r.CreateFeatureGroup(ctx, group("transactions"))
	isAlreadyExists(t, err, registry.KindFeatureGroup, "transactions", "dev")

	f.clock.set(t0.Add(time.Hour))
	upd := created
	upd.OnlineEnabled, upd.Description, upd.Tags = true, "", map[string]string{"team": "risk", "tier": "1"}
	updated, err := r.UpdateFeatureGroup(ctx, upd)
	must(t, "update", err)
	want = upd
	want.Revision = 2 // created_at stays
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "transactions") }), want)

	// A write based on revision 1 comes too late.
	_, err = r.UpdateFeatureGroup(ctx, created)
	isConflict(t, err, registry.KindFeatureGroup, "transactions", "dev", 1, 2)
	isConflict(t, r.DeleteFeatureGroup(ctx, "transactions", registry.IfRevision(1)), registry.KindFeatureGroup, "transactions", "dev", 1, 2)
	equal(t, "after refused writes", read(t, "group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "transactions") }), want)

	_, err = r.UpdateFeatureGroup(ctx, group("ghost"))
	isNotFound(t, err, registry.KindFeatureGroup, "ghost", "dev")

	must(t, "delete", r.DeleteFeatureGroup(ctx, "transactions", registry.IfRevision(2)))
	_, err = r.FeatureGroup(ctx, "transactions")
	isNotFound(t, err, registry.KindFeatureGroup, "transactions", "dev")
	must(t, "delete again (already gone)", r.DeleteFeatureGroup(ctx, "transactions"))

	// The name is free again.
	again, err := r.CreateFeatureGroup(ctx, group("transactions"))
	must(t, "create after delete", err)
	if again.Revision != 1 {
		t.Errorf("recreated revision = %d, want 1", again.Revision)
	}
}

func testFeatureVersions(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("transactions"))))

	v1, err := r.CreateFeatureVersion(ctx, featureVersion("transactions", 1))
	must(t, "create v1", err)
	want := featureVersion("transactions", 1)
	want.SchemaHash, want.CreatedAt, want.Revision = registry.SchemaHash(want.Features), stored(t0), 1
	equal(t, "created", v1, want)
	equal(t, "read", read(t, "v1", func() (registry.FeatureVersion, error) { return r.FeatureVersion(ctx, "transactions", 1) }), want)

	_, err = r.CreateFeatureVersion(ctx, featureVersion("transactions", 1))
	isAlreadyExists(t, err, registry.KindFeatureVersion, "transactions/1", "dev")

	// Versions list in version order, whatever the order of creation.
	must(t, "create v3", second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 3))))
	must(t, "create v2", second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 2))))
	var versions []int64
	must(t, "list", f.store.View(ctx, func(tx registry.Tx) error {
		vs, err := tx.FeatureVersions(ctx, "dev", "transactions")
		for _, v := range vs {
			versions = append(versions, v.Version)
		}
		return err
	}))
	equal(t, "versions", versions, []int64{1, 2, 3})
	latest := read(t, "latest", func() (registry.FeatureVersion, error) { return r.LatestFeatureVersion(ctx, "transactions") })
	if latest.Version != 3 {
		t.Errorf("latest = %d, want 3", latest.Version)
	}

	// Append a feature and deprecate v3.
	upd := read(t, "v3", func() (registry.FeatureVersion, error) { return r.FeatureVersion(ctx, "transactions", 3) })
	upd.Features = append(slices.Clone(upd.Features), registry.Feature{Name: "merchant", Type: "string"})
	upd.Deprecated, upd.Description = true, "superseded"
	updated, err := r.UpdateFeatureVersion(ctx, upd)
	must(t, "update", err)
	want = upd
	want.SchemaHash, want.Revision = registry.SchemaHash(upd.Features), 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "v3", func() (registry.FeatureVersion, error) { return r.FeatureVersion(ctx, "transactions", 3) }), want)
	if latest := read(t, "latest", func() (registry.FeatureVersion, error) { return r.LatestFeatureVersion(ctx, "transactions") }); latest.Version != 2 {
		t.Errorf("latest non-deprecated = %d, want 2", latest.Version)
	}

	stale := upd
	stale.Revision = 1
	_, err = r.UpdateFeatureVersion(ctx, stale)
	isConflict(t, err, registry.KindFeatureVersion, "transactions/3", "dev", 1, 2)
	isConflict(t, r.DeleteFeatureVersion(ctx, "transactions", 3, registry.IfRevision(1)), registry.KindFeatureVersion, "transactions/3", "dev", 1, 2)
	_, err = r.UpdateFeatureVersion(ctx, featureVersion("transactions", 9))
	isNotFound(t, err, registry.KindFeatureVersion, "transactions/9", "dev")

	must(t, "delete v3", r.DeleteFeatureVersion(ctx, "transactions", 3, registry.IfRevision(2)))
	_, err = r.FeatureVersion(ctx, "transactions", 3)
	isNotFound(t, err, registry.KindFeatureVersion, "transactions/3", "dev")
	must(t, "delete v3 again", r.DeleteFeatureVersion(ctx, "transactions", 3))

	// A group with versions is not deleted (F2); without them it is.
	isRuleError(t, r.DeleteFeatureGroup(ctx, "transactions"), "F2")
	must(t, "delete v1", r.DeleteFeatureVersion(ctx, "transactions", 1))
	must(t, "delete v2", r.DeleteFeatureVersion(ctx, "transactions", 2))
	must(t, "delete group", r.DeleteFeatureGroup(ctx, "transactions"))
}

func testModels(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")

	m := registry.Model{Name: "fraud", Description: "card fraud", Tags: map[string]string{"owner": "risk"}}
	created, err := r.CreateModel(ctx, m)
	must(t, "create", err)
	want := m
	want.CreatedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "model", func() (registry.Model, error) { return r.Model(ctx, "fraud") }), want)
	_, err = r.CreateModel(ctx, m)
	isAlreadyExists(t, err, registry.KindModel, "fraud", "dev")

	upd := created
	upd.Description, upd.Tags = "", nil
	updated, err := r.UpdateModel(ctx, upd)
	must(t, "update", err)
	want = upd
	want.Revision = 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "model", func() (registry.Model, error) { return r.Model(ctx, "fraud") }), want)

	_, err = r.UpdateModel(ctx, created)
	isConflict(t, err, registry.KindModel, "fraud", "dev", 1, 2)
	isConflict(t, r.DeleteModel(ctx, "fraud", registry.IfRevision(1)), registry.KindModel, "fraud", "dev", 1, 2)
	_, err = r.UpdateModel(ctx, registry.Model{Name: "ghost"})
	isNotFound(t, err, registry.KindModel, "ghost", "dev")

	must(t, "delete", r.DeleteModel(ctx, "fraud", registry.IfRevision(2)))
	_, err = r.Model(ctx, "fraud")
	isNotFound(t, err, registry.KindModel, "fraud", "dev")
	must(t, "delete again", r.DeleteModel(ctx, "fraud"))
}

func testModelVersions(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("transactions"))))
	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("accounts"))))
	for _, fv := range []registry.FeatureVersion{featureVersion("transactions", 1), featureVersion("transactions", 2), featureVersion("accounts", 1)} {
		must(t, "create "+fv.ID(), second(r.CreateFeatureVersion(ctx, fv)))
	}
	must(t, "create model", second(r.CreateModel(ctx, registry.Model{Name: "fraud"})))

	// Feature version ids are kept sorted.
	mv := modelVersion("fraud", 2, "transactions/2", "accounts/1")
	mv.ArtifactDigest = "sha256:" + strings.Repeat("ab", 32)
	mv.Inputs = []registry.Input{{Feature: "transactions.amount", Type: "double"}, {Feature: "accounts.account_id"}}
	mv.Description, mv.Tags = "second try", map[string]string{"stage": "candidate"}
	created, err := r.CreateModelVersion(ctx, mv)
	must(t, "create fraud/2", err)
	want := mv
	want.FeatureVersionIDs = []string{"accounts/1", "transactions/2"}
	want.CreatedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "fraud/2", func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", 2) }), want)
	_, err = r.CreateModelVersion(ctx, mv)
	isAlreadyExists(t, err, registry.KindModelVersion, "fraud/2", "dev")

	must(t, "create fraud/1", second(r.CreateModelVersion(ctx, modelVersion("fraud", 1, "transactions/1"))))
	must(t, "create fraud/3", second(r.CreateModelVersion(ctx, modelVersion("fraud", 3, "transactions/2"))))
	var (
		versions  []int64
		reading   []string
		readingV1 []string
	)
	must(t, "lists", f.store.View(ctx, func(tx registry.Tx) error {
		vs, err := tx.ModelVersions(ctx, "dev", "fraud")
		if err != nil {
			return err
		}
		for _, v := range vs {
			versions = append(versions, v.Version)
			if v.Version == 2 {
				equal(t, "fraud/2 in the list", v, want)
			}
		}
		if reading, err = tx.ModelVersionsReading(ctx, "dev", "transactions/2"); err != nil {
			return err
		}
		readingV1, err = tx.ModelVersionsReading(ctx, "dev", "accounts/1")
		return err
	}))
	equal(t, "versions", versions, []int64{1, 2, 3})
	equal(t, "model versions reading transactions/2", reading, []string{"fraud/2", "fraud/3"})
	equal(t, "model versions reading accounts/1", readingV1, []string{"fraud/2"})
	latest := read(t, "latest", func() (registry.ModelVersion, error) { return r.LatestModelVersion(ctx, "fraud") })
	if latest.Version != 3 {
		t.Errorf("latest = %d, want 3", latest.Version)
	}

	upd := created
	upd.Metrics = map[string]string{"auc": "0.95", "recall_at_1pct_fpr": "0.41"}
	upd.Description, upd.Tags = "", nil
	updated, err := r.UpdateModelVersion(ctx, upd)
	must(t, "update", err)
	want = upd
	want.Revision = 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "fraud/2", func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", 2) }), want)

	_, err = r.UpdateModelVersion(ctx, created)
	isConflict(t, err, registry.KindModelVersion, "fraud/2", "dev", 1, 2)
	isConflict(t, r.DeleteModelVersion(ctx, "fraud", 2, registry.IfRevision(1)), registry.KindModelVersion, "fraud/2", "dev", 1, 2)
	_, err = r.UpdateModelVersion(ctx, modelVersion("fraud", 9, "transactions/1"))
	isNotFound(t, err, registry.KindModelVersion, "fraud/9", "dev")

	// Its lineage goes with it.
	must(t, "delete", r.DeleteModelVersion(ctx, "fraud", 2, registry.IfRevision(2)))
	_, err = r.ModelVersion(ctx, "fraud", 2)
	isNotFound(t, err, registry.KindModelVersion, "fraud/2", "dev")
	must(t, "delete again", r.DeleteModelVersion(ctx, "fraud", 2))
	must(t, "reading", f.store.View(ctx, func(tx registry.Tx) error {
		var err error
		readingV1, err = tx.ModelVersionsReading(ctx, "dev", "accounts/1")
		return err
	}))
	equal(t, "model versions reading accounts/1 after the delete", readingV1, []string(nil))
	must(t, "delete accounts/1, read by nothing now", r.DeleteFeatureVersion(ctx, "accounts", 1))
}

func testDeployments(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	seed(t, r)
	must(t, "create fraud/3", second(r.CreateModelVersion(ctx, modelVersion("fraud", 3, "transactions/2"))))

	d := deployment("fraud-canary", "fraud/2")
	d.Canary = &registry.Canary{ModelVersion: "fraud/3", Percent: 10}
	d.Shadow = &registry.Shadow{ModelVersion: "fraud/1", SamplePercent: 100}
	d.Replicas = registry.Replicas{Min: 0, Max: 4}
	created, err := r.CreateDeployment(ctx, d)
	must(t, "create", err)
	want := d
	want.CreatedAt, want.UpdatedAt, want.Revision = stored(t0), stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "deployment", func() (registry.Deployment, error) { return r.Deployment(ctx, "fraud-canary") }), want)
	_, err = r.CreateDeployment(ctx, d)
	isAlreadyExists(t, err, registry.KindDeployment, "fraud-canary", "dev")

	serving := func(mv string) []string {
		t.Helper()
		var names []string
		must(t, "serving "+mv, f.store.View(ctx, func(tx registry.Tx) error {
			var err error
			names, err = tx.DeploymentsServing(ctx, "dev", mv)
			return err
		}))
		return names
	}
	equal(t, "serving fraud/2", serving("fraud/2"), []string{"fraud-canary"})
	equal(t, "serving fraud/3 (canary)", serving("fraud/3"), []string{"fraud-canary"})
	equal(t, "serving fraud/1 (shadow)", serving("fraud/1"), []string{"fraud-canary", "fraud-scoring"})
	var listed []string
	must(t, "list", f.store.View(ctx, func(tx registry.Tx) error {
		all, err := tx.Deployments(ctx, "dev")
		for _, d := range all {
			listed = append(listed, d.Name)
			if d.Name == "fraud-canary" {
				equal(t, "listed", d, want)
			}
		}
		return err
	}))
	equal(t, "deployments of dev", listed, []string{"fraud-canary", "fraud-scoring"})

	// Promote the canary and drop the shadow: no canary any more,
	// updated_at moves.
	f.clock.set(t0.Add(time.Hour))
	upd := created
	upd.ModelVersion, upd.Canary, upd.Shadow, upd.PromoteFrom = "fraud/3", nil, nil, ""
	updated, err := r.UpdateDeployment(ctx, upd)
	must(t, "update", err)
	want = upd
	want.UpdatedAt, want.Revision = stored(t0.Add(time.Hour)), 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "deployment", func() (registry.Deployment, error) { return r.Deployment(ctx, "fraud-canary") }), want)
	equal(t, "serving fraud/2 after the update", serving("fraud/2"), []string(nil))
	equal(t, "serving fraud/3 after the update", serving("fraud/3"), []string{"fraud-canary"})
	equal(t, "serving fraud/1 after the update", serving("fraud/1"), []string{"fraud-scoring"})

	_, err = r.UpdateDeployment(ctx, created)
	isConflict(t, err, registry.KindDeployment, "fraud-canary", "dev", 1, 2)
	isConflict(t, r.DeleteDeployment(ctx, "fraud-canary", registry.IfRevision(1)), registry.KindDeployment, "fraud-canary", "dev", 1, 2)
	_, err = r.UpdateDeployment(ctx, deployment("ghost", "fraud/1"))
	isNotFound(t, err, registry.KindDeployment, "ghost", "dev")

	must(t, "delete", r.DeleteDeployment(ctx, "fraud-canary", registry.IfRevision(2)))
	_, err = r.Deployment(ctx, "fraud-canary")
	isNotFound(t, err, registry.KindDeployment, "fraud-canary", "dev")
	must(t, "delete again", r.DeleteDeployment(ctx, "fraud-canary"))
	equal(t, "serving fraud/3 after the delete", serving("fraud/3"), []string(nil))
}

func testSuites(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	seed(t, r)

	normalised := func(s registry.ValidationSuite) registry.ValidationSuite {
		s.Expectations = slices.Clone(s.Expectations)
		for i := range s.Expectations {
			s.Expectations[i].Severity = s.Expectations[i].EffectiveSeverity()
		}
		return s
	}
	s := dataSuite("amounts", "transactions/2")
	s.Expectations = append(s.Expectations,
		registry.Expectation{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"a", "b"}, Mostly: "0.95", Severity: "warning"})
	created, err := r.CreateSuite(ctx, s)
	must(t, "create", err)
	want := normalised(s)
	want.CreatedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "suite", func() (registry.ValidationSuite, error) { return r.Suite(ctx, "amounts") }), want)
	_, err = r.CreateSuite(ctx, s)
	isAlreadyExists(t, err, registry.KindSuite, "amounts", "dev")

	suitesFor := func(target registry.Ref) []string {
		t.Helper()
		var names []string
		must(t, "suites for "+target.ID, f.store.View(ctx, func(tx registry.Tx) error {
			ss, err := tx.SuitesFor(ctx, "dev", target)
			for _, s := range ss {
				names = append(names, s.Name)
			}
			return err
		}))
		return names
	}
	must(t, "create a second gate", second(r.CreateSuite(ctx, modelSuite("another-gate", "fraud"))))
	equal(t, "suites for transactions/2", suitesFor(registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/2"}), []string{"amounts"})
	equal(t, "suites for transactions/1", suitesFor(registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/1"}), []string{"transactions-quality"})
	equal(t, "suites for fraud", suitesFor(registry.Ref{Kind: registry.KindModel, ID: "fraud"}), []string{"another-gate", "fraud-gate"})

	upd := created
	upd.IngestionPolicy = registry.IngestionAlways
	upd.Expectations = []registry.Expectation{{Type: "expect_column_to_exist", Column: "amount"}}
	updated, err := r.UpdateSuite(ctx, upd)
	must(t, "update", err)
	want = normalised(upd)
	want.Revision = 2
	equal(t, "updated", updated, want)
	equal(t, "read after update", read(t, "suite", func() (registry.ValidationSuite, error) { return r.Suite(ctx, "amounts") }), want)

	_, err = r.UpdateSuite(ctx, created)
	isConflict(t, err, registry.KindSuite, "amounts", "dev", 1, 2)
	isConflict(t, r.DeleteSuite(ctx, "amounts", registry.IfRevision(1)), registry.KindSuite, "amounts", "dev", 1, 2)
	_, err = r.UpdateSuite(ctx, dataSuite("ghost", "transactions/1"))
	isNotFound(t, err, registry.KindSuite, "ghost", "dev")

	must(t, "delete", r.DeleteSuite(ctx, "amounts", registry.IfRevision(2)))
	_, err = r.Suite(ctx, "amounts")
	isNotFound(t, err, registry.KindSuite, "amounts", "dev")
	must(t, "delete again", r.DeleteSuite(ctx, "amounts"))
	equal(t, "suites for transactions/2 after the delete", suitesFor(registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/2"}), []string(nil))
}

func testModelAliases(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	seed(t, r)
	must(t, "create model churn", second(r.CreateModel(ctx, registry.Model{Name: "churn"})))
	must(t, "create churn/1", second(r.CreateModelVersion(ctx, modelVersion("churn", 1, "transactions/1"))))

	a := registry.ModelAlias{Model: "fraud", Name: "champion", ModelVersionID: "fraud/1", Description: "serves prod"}
	created, err := r.CreateModelAlias(ctx, a)
	must(t, "create", err)
	want := a
	want.UpdatedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "alias", func() (registry.ModelAlias, error) { return r.ModelAlias(ctx, "fraud", "champion") }), want)
	_, err = r.CreateModelAlias(ctx, a)
	isAlreadyExists(t, err, registry.KindModelAlias, "fraud@champion", "dev")
	_, err = r.ModelAlias(ctx, "fraud", "challenger")
	isNotFound(t, err, registry.KindModelAlias, "fraud@challenger", "dev")
	// Another environment has neither the alias nor the version (A1).
	_, err = f.env("prod").ModelAlias(ctx, "fraud", "champion")
	isNotFound(t, err, registry.KindModelAlias, "fraud@champion", "prod")
	_, err = f.env("prod").CreateModelAlias(ctx, a)
	isRuleError(t, err, "A1")

	// A1 at write: a missing version, a version of another model.
	for what, bad := range map[string]registry.ModelAlias{
		"missing version":          {Model: "fraud", Name: "challenger", ModelVersionID: "fraud/9"},
		"another model's version":  {Model: "fraud", Name: "challenger", ModelVersionID: "churn/1"},
		"version of a ghost model": {Model: "ghost", Name: "champion", ModelVersionID: "ghost/1"},
	} {
		t.Run(what, func(t *testing.T) {
			_, err := r.CreateModelAlias(ctx, bad)
			isRuleError(t, err, "A1")
			_, err = r.ModelAlias(ctx, bad.Model, bad.Name)
			isNotFound(t, err, registry.KindModelAlias, bad.ID(), "dev")
		})
	}

	// Moving it is an update; a move to another model's version is refused.
	f.clock.set(t0.Add(time.Hour))
	moved := created
	moved.ModelVersionID, moved.Description = "fraud/2", ""
	updated, err := r.UpdateModelAlias(ctx, moved)
	must(t, "move", err)
	want = moved
	want.UpdatedAt, want.Revision = stored(t0.Add(time.Hour)), 2
	equal(t, "moved", updated, want)
	equal(t, "read after move", read(t, "alias", func() (registry.ModelAlias, error) { return r.ModelAlias(ctx, "fraud", "champion") }), want)
	bad := updated
	bad.ModelVersionID = "churn/1"
	_, err = r.UpdateModelAlias(ctx, bad)
	isRuleError(t, err, "A1")
	_, err = r.UpdateModelAlias(ctx, created)
	isConflict(t, err, registry.KindModelAlias, "fraud@champion", "dev", 1, 2)
	_, err = r.UpdateModelAlias(ctx, registry.ModelAlias{Model: "fraud", Name: "ghost", ModelVersionID: "fraud/1"})
	isNotFound(t, err, registry.KindModelAlias, "fraud@ghost", "dev")
	equal(t, "audit", actions(audit(t, r, registry.KindModelAlias, "fraud@champion")), "create,update")

	// F2: the version it points at, and its model, stay while it does.
	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/2"})
	must(t, "dependents", err)
	equal(t, "dependents of fraud/2", deps, []registry.Ref{{Kind: registry.KindModelAlias, ID: "fraud@champion"}})
	isRuleError(t, r.DeleteModelVersion(ctx, "fraud", 2), "F2")
	must(t, "create churn@champion", second(r.CreateModelAlias(ctx, registry.ModelAlias{Model: "churn", Name: "champion", ModelVersionID: "churn/1"})))
	deps, err = r.Dependents(ctx, registry.Ref{Kind: registry.KindModel, ID: "churn"})
	must(t, "dependents", err)
	equal(t, "dependents of churn", deps, []registry.Ref{
		{Kind: registry.KindModelVersion, ID: "churn/1"}, {Kind: registry.KindModelAlias, ID: "churn@champion"},
	})
	_, err = r.ModelVersion(ctx, "fraud", 2)
	must(t, "fraud/2 still there", err)

	isConflict(t, r.DeleteModelAlias(ctx, "fraud", "champion", registry.IfRevision(1)), registry.KindModelAlias, "fraud@champion", "dev", 1, 2)
	must(t, "delete", r.DeleteModelAlias(ctx, "fraud", "champion", registry.IfRevision(2)))
	_, err = r.ModelAlias(ctx, "fraud", "champion")
	isNotFound(t, err, registry.KindModelAlias, "fraud@champion", "dev")
	must(t, "delete again", r.DeleteModelAlias(ctx, "fraud", "champion"))
	must(t, "delete fraud/2 once no alias points at it", r.DeleteModelVersion(ctx, "fraud", 2))
	equal(t, "audit", actions(audit(t, r, registry.KindModelAlias, "fraud@champion")), "create,update,delete")
}

// testApprovals: the decision on a model version, of its artifact at the
// time; one per version and environment; refused for a missing version; a
// reader of its version (F2) until deleted.
func testApprovals(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, dev, prod := f.ctx, f.env("dev"), f.env("prod")
	seed(t, dev)
	seed(t, prod)
	v3 := modelVersion("fraud", 3, "transactions/2")
	v3.ArtifactDigest = "sha256:" + strings.Repeat("3c", 32)
	must(t, "create fraud/3", second(dev.CreateModelVersion(ctx, v3)))
	approval := func(r *registry.Registry, id string) (registry.Approval, error) { return r.Approval(ctx, id) }

	// The write records the version's artifact, the time and, when none is
	// named, the registry's actor as approver.
	a := registry.Approval{ModelVersionID: "fraud/3", Status: registry.ApprovalApproved, Reason: "backtest 2026-11 signed off"}
	created, err := dev.CreateApproval(ctx, a)
	must(t, "create", err)
	want := a
	want.Approver, want.ArtifactURI, want.ArtifactDigest = actor, v3.ArtifactURI, v3.ArtifactDigest
	want.ApprovedAt, want.Revision = stored(t0), 1
	equal(t, "created", created, want)
	equal(t, "read", read(t, "approval", func() (registry.Approval, error) { return approval(dev, "fraud/3") }), want)
	_, err = dev.CreateApproval(ctx, a)
	isAlreadyExists(t, err, registry.KindApproval, "fraud/3", "dev")
	_, err = approval(dev, "fraud/1")
	isNotFound(t, err, registry.KindApproval, "fraud/1", "dev")

	// A version without a digest is approved by its URI; an approver named
	// is kept.
	v1 := read(t, "fraud/1", func() (registry.ModelVersion, error) { return dev.ModelVersion(ctx, "fraud", 1) })
	byURI, err := dev.CreateApproval(ctx, registry.Approval{ModelVersionID: "fraud/1", Status: registry.ApprovalRejected, Approver: "risk-team"})
	must(t, "create fraud/1's", err)
	equal(t, "approval by URI", []string{byURI.Approver, byURI.ArtifactURI, byURI.ArtifactDigest}, []string{"risk-team", v1.ArtifactURI, ""})

	// Refused, writing nothing: a missing version, a bad status.
	for what, bad := range map[string]registry.Approval{
		"missing version": {ModelVersionID: "fraud/9", Status: registry.ApprovalApproved},
		"bad status":      {ModelVersionID: "fraud/2", Status: "pending"},
	} {
		t.Run(what, func(t *testing.T) {
			_, err := dev.CreateApproval(ctx, bad)
			isRuleError(t, err, "D6")
			_, err = approval(dev, bad.ModelVersionID)
			isNotFound(t, err, registry.KindApproval, bad.ModelVersionID, "dev")
			equal(t, "audit", audit(t, dev, registry.KindApproval, bad.ModelVersionID), []registry.AuditRecord(nil))
		})
	}
	// Each environment has its own: prod lacks fraud/3, and has no approval
	// of fraud/1.
	_, err = prod.CreateApproval(ctx, a)
	isRuleError(t, err, "D6")
	_, err = approval(prod, "fraud/1")
	isNotFound(t, err, registry.KindApproval, "fraud/1", "prod")
	prodApproval, err := prod.CreateApproval(ctx, registry.Approval{ModelVersionID: "fraud/1", Status: registry.ApprovalApproved})
	must(t, "approve fraud/1 in prod", err)
	var devList, prodList []registry.Approval
	must(t, "lists", f.store.View(ctx, func(tx registry.Tx) error {
		var err error
		if devList, err = tx.Approvals(ctx, "dev", "fraud"); err != nil {
			return err
		}
		prodList, err = tx.Approvals(ctx, "prod", "fraud")
		return err
	}))
	equal(t, "dev's approvals", devList, []registry.Approval{byURI, created})
	equal(t, "prod's approvals", prodList, []registry.Approval{prodApproval})

	// A new reason alone keeps the decision's time; a new status is a new
	// decision.
	f.clock.set(t0.Add(time.Hour))
	upd := created
	upd.Reason = "backtest 2026-11 and shadow run signed off"
	updated, err := dev.UpdateApproval(ctx, upd)
	must(t, "update the reason", err)
	want.Reason, want.Revision = upd.Reason, 2
	equal(t, "reason updated", updated, want)
	reasoned := updated
	f.clock.set(t0.Add(2 * time.Hour))
	upd = updated
	upd.Status, upd.Approver, upd.Reason = registry.ApprovalRejected, "risk-lead", "drift in November"
	updated, err = dev.UpdateApproval(ctx, upd)
	must(t, "reject", err)
	want.Status, want.Approver, want.Reason = registry.ApprovalRejected, "risk-lead", "drift in November"
	want.ApprovedAt, want.Revision = stored(t0.Add(2*time.Hour)), 3
	equal(t, "rejected", updated, want)
	equal(t, "read after update", read(t, "approval", func() (registry.Approval, error) { return approval(dev, "fraud/3") }), want)
	bad := updated
	bad.Status = "maybe"
	_, err = dev.UpdateApproval(ctx, bad)
	isRuleError(t, err, "D6")
	_, err = dev.UpdateApproval(ctx, created)
	isConflict(t, err, registry.KindApproval, "fraud/3", "dev", 1, 3)
	_, err = dev.UpdateApproval(ctx, registry.Approval{ModelVersionID: "fraud/2", Status: registry.ApprovalApproved})
	isNotFound(t, err, registry.KindApproval, "fraud/2", "dev")

	// Revoking the approval of a served version where approval is required
	// warns at plan, naming the deployments; elsewhere it says nothing.
	revoked := func(r *registry.Registry, id string) registry.Problems {
		t.Helper()
		ps, err := r.CheckApprovalRevokedPlan(ctx, id, "deletes")
		must(t, "revoke check of "+id, err)
		return ps
	}
	equal(t, "revoking without a policy", revoked(dev, "fraud/1"), registry.Problems(nil))
	must(t, "dev requires approval", f.store.Update(ctx, "dev", func(tx registry.Tx) error {
		return tx.InsertEnvironment(ctx, registry.EnvironmentPolicy{Name: "dev", RequireApproval: true, RequiredGates: []string{}, CreatedAt: stored(t0), UpdatedAt: stored(t0), Revision: 1})
	}))
	if ps := revoked(dev, "fraud/1"); len(ps) != 1 || ps[0].Severity != registry.SeverityWarning || ps[0].Rule != "D6" ||
		!strings.Contains(ps[0].Detail, "deployment fraud-scoring serves it") {
		t.Errorf("revoking fraud/1's approval in dev = %+v, want one D6 warning naming fraud-scoring", ps)
	}
	equal(t, "revoking a version nothing serves", revoked(dev, "fraud/3"), registry.Problems(nil))
	equal(t, "revoking in prod, which requires nothing", revoked(prod, "fraud/1"), registry.Problems(nil))

	// F2: the version stays while an approval of it does, whatever its
	// status; prod's approval does not hold dev's version.
	deps, err := dev.Dependents(ctx, registry.Ref{Kind: registry.KindModelVersion, ID: "fraud/3"})
	must(t, "dependents", err)
	equal(t, "dependents of fraud/3", deps, []registry.Ref{{Kind: registry.KindApproval, ID: "fraud/3"}})
	isRuleError(t, dev.DeleteModelVersion(ctx, "fraud", 3), "F2")
	must(t, "fraud/3 still there", second(dev.ModelVersion(ctx, "fraud", 3)))
	deps, err = dev.Dependents(ctx, registry.Ref{Kind: registry.KindApproval, ID: "fraud/3"})
	must(t, "dependents of the approval", err)
	equal(t, "dependents of the approval", deps, []registry.Ref(nil))

	isConflict(t, dev.DeleteApproval(ctx, "fraud/3", registry.IfRevision(1)), registry.KindApproval, "fraud/3", "dev", 1, 3)
	must(t, "delete", dev.DeleteApproval(ctx, "fraud/3", registry.IfRevision(3)))
	_, err = approval(dev, "fraud/3")
	isNotFound(t, err, registry.KindApproval, "fraud/3", "dev")
	must(t, "delete again", dev.DeleteApproval(ctx, "fraud/3"))
	must(t, "delete fraud/3 once no approval holds it", dev.DeleteModelVersion(ctx, "fraud", 3))
	must(t, "prod's approval stays", second(approval(prod, "fraud/1")))

	trail := audit(t, dev, registry.KindApproval, "fraud/3")
	equal(t, "audit", actions(trail), "create,update,update,delete")
	equal(t, "audit actor", trail[0].Actor, actor)
	equal(t, "audit of the decision", []string{trail[2].Before, trail[2].After}, []string{jsonOf(t, reasoned), jsonOf(t, want)})
	equal(t, "prod's audit", actions(audit(t, prod, registry.KindApproval, "fraud/1")), "create")
}

func testTxNotFound(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx := f.ctx
	must(t, "view", f.store.View(ctx, func(tx registry.Tx) error {
		_, err := tx.FeatureGroup(ctx, "dev", "g")
		isNotFound(t, err, registry.KindFeatureGroup, "g", "dev")
		_, err = tx.FeatureVersion(ctx, "dev", "g", 1)
		isNotFound(t, err, registry.KindFeatureVersion, "g/1", "dev")
		_, err = tx.Model(ctx, "dev", "m")
		isNotFound(t, err, registry.KindModel, "m", "dev")
		_, err = tx.ModelVersion(ctx, "dev", "m", 2)
		isNotFound(t, err, registry.KindModelVersion, "m/2", "dev")
		_, err = tx.Deployment(ctx, "dev", "d")
		isNotFound(t, err, registry.KindDeployment, "d", "dev")
		_, err = tx.Suite(ctx, "dev", "s")
		isNotFound(t, err, registry.KindSuite, "s", "dev")
		// Lists of nothing are empty, not errors.
		for what, fn := range map[string]func() (int, error){
			"FeatureVersions": func() (int, error) { l, err := tx.FeatureVersions(ctx, "dev", "g"); return len(l), err },
			"ModelVersions":   func() (int, error) { l, err := tx.ModelVersions(ctx, "dev", "m"); return len(l), err },
			"ModelVersionsReading": func() (int, error) {
				l, err := tx.ModelVersionsReading(ctx, "dev", "g/1")
				return len(l), err
			},
			"DeploymentsServing": func() (int, error) { l, err := tx.DeploymentsServing(ctx, "dev", "m/1"); return len(l), err },
			"SuitesFor": func() (int, error) {
				l, err := tx.SuitesFor(ctx, "dev", registry.Ref{Kind: registry.KindModel, ID: "m"})
				return len(l), err
			},
			"Audit": func() (int, error) { l, err := tx.Audit(ctx, "dev", registry.KindModel, "m"); return len(l), err },
			"RecentAudit": func() (int, error) {
				l, err := tx.RecentAudit(ctx, "dev", registry.KindModel, "m", 10)
				return len(l), err
			},
		} {
			if n, err := fn(); n != 0 || err != nil {
				t.Errorf("%s of nothing = %d items, %v", what, n, err)
			}
		}
		return nil
	}))
}

// testTxStaleRevisions updates and deletes every kind through Tx with a
// revision that is not the stored one: a *ConflictError, nothing changed.
func testTxStaleRevisions(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	seed(t, r)
	before := snapshot(t, f.store, "dev")

	g := read(t, "group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "transactions") })
	fv := read(t, "feature version", func() (registry.FeatureVersion, error) { return r.FeatureVersion(ctx, "transactions", 1) })
	m := read(t, "model", func() (registry.Model, error) { return r.Model(ctx, "fraud") })
	mv := read(t, "model version", func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", 2) })
	d := read(t, "deployment", func() (registry.Deployment, error) { return r.Deployment(ctx, "fraud-scoring") })
	s := read(t, "suite", func() (registry.ValidationSuite, error) { return r.Suite(ctx, "fraud-gate") })
	// Update methods write revision r where r-1 is stored; 1 is stored, so
	// 1 and 3 are both stale.
	g.Revision, fv.Revision, m.Revision, mv.Revision, d.Revision, s.Revision = 3, 3, 3, 3, 3, 3
	for _, w := range []struct {
		kind registry.Kind
		id   string
		fn   func(registry.Tx) error
	}{
		{registry.KindFeatureGroup, "transactions", func(tx registry.Tx) error { return tx.UpdateFeatureGroup(ctx, "dev", g) }},
		{registry.KindFeatureGroup, "transactions", func(tx registry.Tx) error { return tx.DeleteFeatureGroup(ctx, "dev", "transactions", 2) }},
		{registry.KindFeatureVersion, "transactions/1", func(tx registry.Tx) error { return tx.UpdateFeatureVersion(ctx, "dev", fv) }},
		{registry.KindFeatureVersion, "transactions/1", func(tx registry.Tx) error { return tx.DeleteFeatureVersion(ctx, "dev", "transactions", 1, 2) }},
		{registry.KindModel, "fraud", func(tx registry.Tx) error { return tx.UpdateModel(ctx, "dev", m) }},
		{registry.KindModel, "fraud", func(tx registry.Tx) error { return tx.DeleteModel(ctx, "dev", "fraud", 2) }},
		{registry.KindModelVersion, "fraud/2", func(tx registry.Tx) error { return tx.UpdateModelVersion(ctx, "dev", mv) }},
		{registry.KindModelVersion, "fraud/2", func(tx registry.Tx) error { return tx.DeleteModelVersion(ctx, "dev", "fraud", 2, 2) }},
		{registry.KindDeployment, "fraud-scoring", func(tx registry.Tx) error { return tx.UpdateDeployment(ctx, "dev", d) }},
		{registry.KindDeployment, "fraud-scoring", func(tx registry.Tx) error { return tx.DeleteDeployment(ctx, "dev", "fraud-scoring", 2) }},
		{registry.KindSuite, "fraud-gate", func(tx registry.Tx) error { return tx.UpdateSuite(ctx, "dev", s) }},
		{registry.KindSuite, "fraud-gate", func(tx registry.Tx) error { return tx.DeleteSuite(ctx, "dev", "fraud-gate", 2) }},
		// An object that is not there has no revision to match either.
		{registry.KindModel, "ghost", func(tx registry.Tx) error { return tx.DeleteModel(ctx, "dev", "ghost", 1) }},
	} {
		isConflict(t, f.store.Update(ctx, "dev", w.fn), w.kind, w.id, "dev", 0, 0)
	}
	sameState(t, "registry after stale writes", snapshot(t, f.store, "dev"), before)
}

func testTxRollback(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx := f.ctx
	boom := errors.New("boom")
	g := group("half")
	g.Revision = 1
	err := f.store.Update(ctx, "dev", func(tx registry.Tx) error {
		if err := tx.InsertFeatureGroup(ctx, "dev", g); err != nil {
			return err
		}
		// The transaction sees its own writes.
		if _, err := tx.FeatureGroup(ctx, "dev", "half"); err != nil {
			return fmt.Errorf("reading an insert of the same transaction: %w", err)
		}
		if err := tx.AppendAudit(ctx, registry.AuditRecord{Environment: "dev", Kind: registry.KindFeatureGroup, ObjectID: "half", Action: "create", At: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the callback's error", err)
	}
	_, err = f.env("dev").FeatureGroup(ctx, "half")
	isNotFound(t, err, registry.KindFeatureGroup, "half", "dev")
	if recs := audit(t, f.env("dev"), registry.KindFeatureGroup, "half"); len(recs) != 0 {
		t.Errorf("a rolled-back audit row is visible: %+v", recs)
	}

	// A failed statement rolls back the statements before it.
	must(t, "insert", f.store.Update(ctx, "dev", func(tx registry.Tx) error { return tx.InsertFeatureGroup(ctx, "dev", g) }))
	other := group("other")
	other.Revision = 1
	err = f.store.Update(ctx, "dev", func(tx registry.Tx) error {
		if err := tx.InsertFeatureGroup(ctx, "dev", other); err != nil {
			return err
		}
		return tx.InsertFeatureGroup(ctx, "dev", g) // a duplicate
	})
	if err == nil {
		t.Fatal("inserting a duplicate feature group succeeded")
	}
	_, err = f.env("dev").FeatureGroup(ctx, "other")
	isNotFound(t, err, registry.KindFeatureGroup, "other", "dev")
}

func audit(t *testing.T, r *registry.Registry, kind registry.Kind, id string) []registry.AuditRecord {
	t.Helper()
	recs, err := r.Audit(t.Context(), kind, id)
	if err != nil {
		t.Fatalf("audit of %s %s: %v", kind, id, err)
	}
	return recs
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testAuditTrail(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")

	created, err := r.CreateFeatureGroup(ctx, group("transactions"))
	must(t, "create", err)
	f.clock.set(t0.Add(time.Minute))
	upd := created
	upd.Description = "changed"
	updated, err := r.UpdateFeatureGroup(ctx, upd)
	must(t, "update", err)

	// Refused writes record nothing.
	_, err = r.CreateFeatureGroup(ctx, group("transactions"))
	isAlreadyExists(t, err, registry.KindFeatureGroup, "transactions", "dev")
	_, err = r.UpdateFeatureGroup(ctx, created)
	isConflict(t, err, registry.KindFeatureGroup, "transactions", "dev", 1, 2)
	must(t, "create a version", second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 1))))
	isRuleError(t, r.DeleteFeatureGroup(ctx, "transactions"), "F2")
	must(t, "delete the version", r.DeleteFeatureVersion(ctx, "transactions", 1))

	f.clock.set(t0.Add(2 * time.Minute))
	must(t, "delete", r.DeleteFeatureGroup(ctx, "transactions"))
	// Deleting what is gone writes nothing, so records nothing.
	must(t, "delete again", r.DeleteFeatureGroup(ctx, "transactions"))

	want := []registry.AuditRecord{
		{Environment: "dev", Kind: registry.KindFeatureGroup, ObjectID: "transactions", Action: "create",
			After: jsonOf(t, created), At: stored(t0), Actor: actor},
		{Environment: "dev", Kind: registry.KindFeatureGroup, ObjectID: "transactions", Action: "update",
			Before: jsonOf(t, created), After: jsonOf(t, updated), At: stored(t0.Add(time.Minute)), Actor: actor},
		{Environment: "dev", Kind: registry.KindFeatureGroup, ObjectID: "transactions", Action: "delete",
			Before: jsonOf(t, updated), At: stored(t0.Add(2 * time.Minute)), Actor: actor},
	}
	// The trail outlives the object.
	equal(t, "audit trail", audit(t, r, registry.KindFeatureGroup, "transactions"), want)
	equal(t, "version's audit actions", actions(audit(t, r, registry.KindFeatureVersion, "transactions/1")), "create,delete")
	equal(t, "another environment's trail", audit(t, f.env("prod"), registry.KindFeatureGroup, "transactions"), []registry.AuditRecord(nil))
	equal(t, "another kind's trail", audit(t, r, registry.KindModel, "transactions"), []registry.AuditRecord(nil))

	// Every kind records its writes.
	seed(t, r)
	for _, o := range []struct {
		kind registry.Kind
		id   string
	}{
		{registry.KindFeatureGroup, "transactions"}, {registry.KindFeatureVersion, "transactions/2"}, {registry.KindModel, "fraud"},
		{registry.KindModelVersion, "fraud/2"}, {registry.KindDeployment, "fraud-scoring"}, {registry.KindSuite, "fraud-gate"},
	} {
		recs := audit(t, r, o.kind, o.id)
		if len(recs) == 0 || recs[len(recs)-1].Action != "create" || recs[len(recs)-1].Before != "" || recs[len(recs)-1].After == "" {
			t.Errorf("audit of %s %s = %+v, want a create last", o.kind, o.id, recs)
		}
	}
}

// testAuditHistory reads one object's trail newest first, limited, as the
// store orders and cuts it: writes within one second keep their order, the
// trail spans a delete and a create again, and each environment and kind
// keeps its own.
func testAuditHistory(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, dev, prod := f.ctx, f.env("dev"), f.env("prod")

	m, err := dev.CreateModel(ctx, registry.Model{Name: "fraud"})
	must(t, "create", err)
	for i, desc := range []string{"one", "two", "three"} {
		f.clock.set(t0.Add(time.Duration(min(i+1, 2)) * time.Minute)) // "two" and "three" in one second
		m.Description = desc
		m, err = dev.UpdateModel(ctx, m)
		must(t, "update "+desc, err)
	}
	f.clock.set(t0.Add(3 * time.Minute))
	must(t, "delete", dev.DeleteModel(ctx, "fraud"))
	f.clock.set(t0.Add(4 * time.Minute))
	must(t, "create again", second(dev.CreateModel(ctx, registry.Model{Name: "fraud", Description: "again"})))
	// prod's fraud has a trail of its own, under the same id.
	pm, err := prod.CreateModel(ctx, registry.Model{Name: "fraud"})
	must(t, "create in prod", err)
	pm.Description = "prod"
	must(t, "update in prod", second(prod.UpdateModel(ctx, pm)))

	trail := audit(t, dev, registry.KindModel, "fraud")
	equal(t, "trail, oldest first", actions(trail), "create,update,update,update,delete,create")
	newest := slices.Clone(trail)
	slices.Reverse(newest)
	history := func(r *registry.Registry, kind registry.Kind, id string, limit int) []registry.AuditRecord {
		t.Helper()
		recs, err := r.History(ctx, kind, id, limit)
		must(t, fmt.Sprintf("history of %s %s, limit %d", kind, id, limit), err)
		return recs
	}
	for _, limit := range []int{1, 2, 4, 6, 1000} {
		equal(t, fmt.Sprintf("history, limit %d", limit), history(dev, registry.KindModel, "fraud", limit), newest[:min(limit, len(newest))])
	}
	// Within one second the order of the writes decides.
	h := history(dev, registry.KindModel, "fraud", 4)
	equal(t, "times of the two updates in one second", []time.Time{h[2].At, h[3].At}, []time.Time{stored(t0.Add(2 * time.Minute)), stored(t0.Add(2 * time.Minute))})
	equal(t, "newer of the two", h[2].After, jsonOf(t, m))
	equal(t, "older of the two", h[2].Before, h[3].After)

	prodHistory := history(prod, registry.KindModel, "fraud", 10)
	equal(t, "prod's history", actions(prodHistory), "update,create")
	for _, rec := range prodHistory {
		equal(t, "prod record's environment", rec.Environment, "prod")
	}

	// No record: not found, naming kind, id and environment.
	_, err = dev.History(ctx, registry.KindDeployment, "fraud", 10)
	isNotFound(t, err, registry.KindDeployment, "fraud", "dev")
	_, err = f.env("stage").History(ctx, registry.KindModel, "fraud", 10)
	isNotFound(t, err, registry.KindModel, "fraud", "stage")
	_, err = dev.History(ctx, registry.KindModel, "ghost", 10)
	isNotFound(t, err, registry.KindModel, "ghost", "dev")
	// A limit below 1 is the caller's mistake, not a missing trail.
	if _, err := dev.History(ctx, registry.KindModel, "fraud", 0); err == nil || registry.IsNotFound(err) {
		t.Errorf("history with limit 0 = %v, want an error about the limit", err)
	}
}

func actions(recs []registry.AuditRecord) string {
	a := make([]string, len(recs))
	for i, r := range recs {
		a[i] = r.Action
	}
	return strings.Join(a, ",")
}

func testEnvironments(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx := f.ctx
	dev, prod := f.env("dev"), f.env("prod")
	seed(t, prod)
	before := snapshot(t, f.store, "prod")

	// dev has none of prod's objects.
	_, err := dev.FeatureGroup(ctx, "transactions")
	isNotFound(t, err, registry.KindFeatureGroup, "transactions", "dev")
	_, err = dev.FeatureVersion(ctx, "transactions", 1)
	isNotFound(t, err, registry.KindFeatureVersion, "transactions/1", "dev")
	_, err = dev.Model(ctx, "fraud")
	isNotFound(t, err, registry.KindModel, "fraud", "dev")
	_, err = dev.ModelVersion(ctx, "fraud", 1)
	isNotFound(t, err, registry.KindModelVersion, "fraud/1", "dev")
	_, err = dev.Deployment(ctx, "fraud-scoring")
	isNotFound(t, err, registry.KindDeployment, "fraud-scoring", "dev")
	_, err = dev.Suite(ctx, "fraud-gate")
	isNotFound(t, err, registry.KindSuite, "fraud-gate", "dev")
	// prod's feature versions do not satisfy dev's model versions (M1).
	must(t, "create model in dev", second(dev.CreateModel(ctx, registry.Model{Name: "fraud"})))
	_, err = dev.CreateModelVersion(ctx, modelVersion("fraud", 1, "transactions/1"))
	isRuleError(t, err, "M1")

	// The same names in dev, with other content; prod keeps its own.
	g := group("transactions")
	g.Description, g.PrimaryKey = "dev copy", []string{"account_id", "card_id"}
	must(t, "create group in dev", second(dev.CreateFeatureGroup(ctx, g)))
	fv := featureVersion("transactions", 1)
	fv.Features = append(fv.Features, registry.Feature{Name: "card_id", Type: "string"})
	must(t, "create transactions/1 in dev", second(dev.CreateFeatureVersion(ctx, fv)))
	sameState(t, "prod after dev's writes", snapshot(t, f.store, "prod"), before)

	// References count in their own environment only (F2): nothing in dev
	// reads dev's transactions/1, so it goes; prod's stays referenced.
	must(t, "delete transactions/1 in dev", dev.DeleteFeatureVersion(ctx, "transactions", 1))
	isRuleError(t, prod.DeleteFeatureVersion(ctx, "transactions", 1), "F2")
	must(t, "lists in dev", f.store.View(ctx, func(tx registry.Tx) error {
		for what, fn := range map[string]func() (int, error){
			"ModelVersionsReading": func() (int, error) {
				l, err := tx.ModelVersionsReading(ctx, "dev", "transactions/1")
				return len(l), err
			},
			"DeploymentsServing": func() (int, error) { l, err := tx.DeploymentsServing(ctx, "dev", "fraud/1"); return len(l), err },
			"SuitesFor": func() (int, error) {
				l, err := tx.SuitesFor(ctx, "dev", registry.Ref{Kind: registry.KindModel, ID: "fraud"})
				return len(l), err
			},
			"FeatureVersions": func() (int, error) { l, err := tx.FeatureVersions(ctx, "dev", "transactions"); return len(l), err },
			"ModelVersions":   func() (int, error) { l, err := tx.ModelVersions(ctx, "dev", "fraud"); return len(l), err },
		} {
			if n, err := fn(); n != 0 || err != nil {
				t.Errorf("%s in dev = %d items, %v; want prod's objects left out", what, n, err)
			}
		}
		return nil
	}))
	sameState(t, "prod at the end", snapshot(t, f.store, "prod"), before)
}

// testRefusalsWriteNothing tries deletes that F2 refuses, and creates that
// other rules refuse: each leaves the registry as it was, audit included.
func testRefusalsWriteNothing(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	seed(t, r)
	before := snapshot(t, f.store, "dev")

	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/1"})
	must(t, "dependents", err)
	equal(t, "dependents of transactions/1", deps, []registry.Ref{
		{Kind: registry.KindModelVersion, ID: "fraud/1", ServedBy: []string{"fraud-scoring"}},
		{Kind: registry.KindSuite, ID: "transactions-quality"},
	})

	for what, err := range map[string]error{
		"delete group with versions":             r.DeleteFeatureGroup(ctx, "transactions"),
		"delete feature version read by fraud/1": r.DeleteFeatureVersion(ctx, "transactions", 1),
		"delete feature version read by fraud/2": r.DeleteFeatureVersion(ctx, "transactions", 2),
		"delete served model version":            r.DeleteModelVersion(ctx, "fraud", 1),
		"delete model with versions":             r.DeleteModel(ctx, "fraud"),
	} {
		t.Run(what, func(t *testing.T) { isRuleError(t, err, "F2") })
	}
	_, err = r.CreateModelVersion(ctx, modelVersion("fraud", 3, "transactions/9"))
	isRuleError(t, err, "M1")
	_, err = r.CreateDeployment(ctx, deployment("ghost-scoring", "fraud/9"))
	isRuleError(t, err, "D1")
	sameState(t, "registry after refused deletes and creates", snapshot(t, f.store, "dev"), before)

	// A release gate (D3) refuses a create and an update.
	low := modelVersion("fraud", 4, "transactions/2")
	low.Metrics = map[string]string{"auc": "0.5"}
	must(t, "create a version below the gate", second(r.CreateModelVersion(ctx, low)))
	before = snapshot(t, f.store, "dev")
	_, err = r.CreateDeployment(ctx, deployment("gated", "fraud/4"))
	isRuleError(t, err, "D3")
	d := read(t, "deployment", func() (registry.Deployment, error) { return r.Deployment(ctx, "fraud-scoring") })
	d.ModelVersion = "fraud/4"
	_, err = r.UpdateDeployment(ctx, d)
	isRuleError(t, err, "D3")
	sameState(t, "registry after refused writes", snapshot(t, f.store, "dev"), before)
}

// state is what one environment of a store holds, read through Tx.
type state struct {
	Groups      []registry.FeatureGroup
	Versions    []registry.FeatureVersion
	Models      []registry.Model
	ModelVers   []registry.ModelVersion
	Deployments []registry.Deployment
	Suites      []registry.ValidationSuite
	Audit       map[string][]registry.AuditRecord
}

// sameState compares two snapshots part by part, to show what changed.
func sameState(t *testing.T, what string, got, want state) {
	t.Helper()
	equal(t, what+": feature groups", got.Groups, want.Groups)
	equal(t, what+": feature versions", got.Versions, want.Versions)
	equal(t, what+": models", got.Models, want.Models)
	equal(t, what+": model versions", got.ModelVers, want.ModelVers)
	equal(t, what+": deployments", got.Deployments, want.Deployments)
	equal(t, what+": validation suites", got.Suites, want.Suites)
	for _, k := range slices.Sorted(maps.Keys(want.Audit)) {
		equal(t, what+": audit of "+k, got.Audit[k], want.Audit[k])
	}
	for k := range got.Audit {
		if _, ok := want.Audit[k]; !ok {
			t.Errorf("%s: audit of %s appeared: %+v", what, k, got.Audit[k])
		}
	}
}

// snapshot reads every object that the seed scenario and the tests name,
// and their audit trails.
func snapshot(t *testing.T, s registry.Store, env string) state {
	t.Helper()
	ctx := t.Context()
	var st state
	st.Audit = map[string][]registry.AuditRecord{}
	trail := func(tx registry.Tx, kind registry.Kind, id string) error {
		recs, err := tx.Audit(ctx, env, kind, id)
		st.Audit[string(kind)+" "+id] = recs
		return err
	}
	ignoreNotFound := func(err error) error {
		if registry.IsNotFound(err) {
			return nil
		}
		return err
	}
	err := s.View(ctx, func(tx registry.Tx) error {
		for _, name := range []string{"transactions", "accounts"} {
			g, err := tx.FeatureGroup(ctx, env, name)
			if err == nil {
				st.Groups = append(st.Groups, g)
			} else if ignoreNotFound(err) != nil {
				return err
			}
			vs, err := tx.FeatureVersions(ctx, env, name)
			if err != nil {
				return err
			}
			st.Versions = append(st.Versions, vs...)
			if err := trail(tx, registry.KindFeatureGroup, name); err != nil {
				return err
			}
			for _, v := range vs {
				if err := trail(tx, registry.KindFeatureVersion, v.ID()); err != nil {
					return err
				}
			}
		}
		for _, name := range []string{"fraud", "churn"} {
			m, err := tx.Model(ctx, env, name)
			if err == nil {
				st.Models = append(st.Models, m)
			} else if ignoreNotFound(err) != nil {
				return err
			}
			vs, err := tx.ModelVersions(ctx, env, name)
			if err != nil {
				return err
			}
			st.ModelVers = append(st.ModelVers, vs...)
			if err := trail(tx, registry.KindModel, name); err != nil {
				return err
			}
			for _, v := range vs {
				if err := trail(tx, registry.KindModelVersion, v.ID()); err != nil {
					return err
				}
			}
		}
		for _, name := range []string{"fraud-scoring", "fraud-canary", "ghost-scoring", "gated"} {
			d, err := tx.Deployment(ctx, env, name)
			if err == nil {
				st.Deployments = append(st.Deployments, d)
			} else if ignoreNotFound(err) != nil {
				return err
			}
			if err := trail(tx, registry.KindDeployment, name); err != nil {
				return err
			}
		}
		for _, name := range []string{"transactions-quality", "fraud-gate", "amounts"} {
			s, err := tx.Suite(ctx, env, name)
			if err == nil {
				st.Suites = append(st.Suites, s)
			} else if ignoreNotFound(err) != nil {
				return err
			}
			if err := trail(tx, registry.KindSuite, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot of %s: %v", env, err)
	}
	return st
}

// testJSONRoundTrips reads back exactly what was written: nil and empty
// kept apart, decimal text as written, order kept.
func testJSONRoundTrips(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	text := "naïve \"quoted\" \\ back\nslash, emoji 🚀, NUL-free"

	for i, tags := range []map[string]string{nil, {}, {"a": "", "b": text}} {
		g := group("g_" + strconv.Itoa(i))
		g.Tags, g.Description, g.EventTime = tags, text, ""
		g.PrimaryKey = []string{"zeta", "alpha"}
		created, err := r.CreateFeatureGroup(ctx, g)
		must(t, "create group", err)
		equal(t, fmt.Sprintf("group with tags %#v", tags), read(t, "group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, g.Name) }), created)

		m := registry.Model{Name: "m-" + strconv.Itoa(i), Tags: tags, Description: text}
		createdM, err := r.CreateModel(ctx, m)
		must(t, "create model", err)
		equal(t, fmt.Sprintf("model with tags %#v", tags), read(t, "model", func() (registry.Model, error) { return r.Model(ctx, m.Name) }), createdM)
	}

	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("transactions"))))
	fv := featureVersion("transactions", 1)
	fv.Features = []registry.Feature{
		{Name: "zz_last_name_first", Type: "Array< INT >", Description: text},
		{Name: "account_id", Type: "string"},
		{Name: "event_ts", Type: "timestamp"},
		{Name: "amount", Type: "decimal(38, 18)"},
		{Name: "attrs", Type: "map<string,array<double>>"},
	}
	createdFV, err := r.CreateFeatureVersion(ctx, fv)
	must(t, "create feature version", err)
	equal(t, "feature version", read(t, "fv", func() (registry.FeatureVersion, error) { return r.FeatureVersion(ctx, "transactions", 1) }), createdFV)

	must(t, "create model", second(r.CreateModel(ctx, registry.Model{Name: "fraud"})))
	metrics := map[string]string{
		"auc":      "0.930",                                    // a trailing zero
		"tiny":     "1e-7",                                     // an exponent
		"big":      "123456789012345678901234567890.000000001", // more digits than a float64 holds
		"negative": "-0.50",
		"integer":  "42",
	}
	for i, c := range []struct {
		inputs  []registry.Input
		metrics map[string]string
		tags    map[string]string
	}{
		{nil, nil, nil},
		{[]registry.Input{{Feature: "amount", Type: "decimal(38,18)"}, {Feature: "account_id"}}, map[string]string{}, map[string]string{}},
		{[]registry.Input{{Feature: "attrs"}}, metrics, map[string]string{"k": text}},
	} {
		mv := modelVersion("fraud", int64(i+1), "transactions/1")
		mv.Inputs, mv.Metrics, mv.Tags, mv.Description = c.inputs, c.metrics, c.tags, text
		created, err := r.CreateModelVersion(ctx, mv)
		must(t, "create "+mv.ID(), err)
		equal(t, "model version "+mv.ID(), read(t, mv.ID(), func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", mv.Version) }), created)
	}
	got := read(t, "fraud/3", func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", 3) })
	for name, want := range metrics {
		if got.Metrics[name] != want {
			t.Errorf("metric %s = %q, want %q exactly", name, got.Metrics[name], want)
		}
	}

	// Through Tx, an empty input list is kept apart from none (the
	// registry refuses one; the store still keeps what it is given).
	mv := modelVersion("fraud", 9, "transactions/1")
	mv.Inputs, mv.Metrics, mv.Tags, mv.FeatureVersionIDs = []registry.Input{}, map[string]string{}, map[string]string{}, []string{"transactions/1"}
	mv.CreatedAt, mv.Revision = stored(t0), 1
	must(t, "insert", f.store.Update(ctx, "dev", func(tx registry.Tx) error { return tx.InsertModelVersion(ctx, "dev", mv) }))
	equal(t, "model version with empty lists", read(t, "fraud/9", func() (registry.ModelVersion, error) { return r.ModelVersion(ctx, "fraud", 9) }), mv)

	s := dataSuite("odd-values", "transactions/1")
	s.Expectations = []registry.Expectation{
		{Type: "expect_column_values_to_match_regex", Column: "account_id", Regex: `^[a-z]{2}-\d+$|"quoted"|ü`, Mostly: "0.999"},
		{Type: "expect_column_values_to_be_in_set", Column: "account_id", ValueSet: []string{"", text, "b"}, Severity: "warning"},
		{Type: "expect_table_row_count_to_be_between", MinValue: "0.0", MaxValue: "1e9"},
	}
	createdS, err := r.CreateSuite(ctx, s)
	must(t, "create suite", err)
	equal(t, "suite", read(t, "suite", func() (registry.ValidationSuite, error) { return r.Suite(ctx, "odd-values") }), createdS)
}

// testConcurrentCreates races stores, as separate provider processes, to
// create the same object: exactly one wins, the others are told it exists.
func testConcurrentCreates(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	_, rs, gate := racingStores(t, open, "dev", f.clock)
	seed(t, r)

	for _, c := range []struct {
		kind   registry.Kind
		id     string
		create func(r *registry.Registry) error
	}{
		{registry.KindFeatureGroup, "accounts", func(r *registry.Registry) error {
			return second(r.CreateFeatureGroup(ctx, group("accounts")))
		}},
		{registry.KindFeatureVersion, "transactions/3", func(r *registry.Registry) error {
			return second(r.CreateFeatureVersion(ctx, featureVersion("transactions", 3)))
		}},
		{registry.KindModel, "churn", func(r *registry.Registry) error {
			return second(r.CreateModel(ctx, registry.Model{Name: "churn"}))
		}},
		{registry.KindModelVersion, "fraud/3", func(r *registry.Registry) error {
			return second(r.CreateModelVersion(ctx, modelVersion("fraud", 3, "transactions/1", "transactions/2")))
		}},
		{registry.KindDeployment, "fraud-canary", func(r *registry.Registry) error {
			d := deployment("fraud-canary", "fraud/1")
			d.Canary = &registry.Canary{ModelVersion: "fraud/2", Percent: 5}
			return second(r.CreateDeployment(ctx, d))
		}},
		{registry.KindSuite, "amounts", func(r *registry.Registry) error {
			return second(r.CreateSuite(ctx, dataSuite("amounts", "transactions/2")))
		}},
	} {
		gate.arm()
		errs := race(func(i int) error { return c.create(rs[i]) })
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			isAlreadyExists(t, err, c.kind, c.id, "dev")
		}
		if won != 1 {
			t.Errorf("%s %s: %d creates won the race, want exactly 1", c.kind, c.id, won)
		}
		if got := actions(audit(t, r, c.kind, c.id)); got != "create" {
			t.Errorf("%s %s: audit %q, want one create", c.kind, c.id, got)
		}
	}
	// The model version's lineage was written once.
	var reading []string
	must(t, "reading", f.store.View(ctx, func(tx registry.Tx) error {
		var err error
		reading, err = tx.ModelVersionsReading(ctx, "dev", "transactions/2")
		return err
	}))
	equal(t, "model versions reading transactions/2", reading, []string{"fraud/2", "fraud/3"})
}

// testConcurrentUpdates races stores to change one object. Through the
// registry each racer does read-modify-write with the revision it read and
// tries again on a conflict; straight through Store.Update each racer reads
// and writes in one transaction, which the store serialises. Either way no
// update is lost.
func testConcurrentUpdates(t *testing.T, open Open) {
	const each = 5
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	stores, rs, gate := racingStores(t, open, "dev", f.clock)
	for _, name := range []string{"counter", "direct"} {
		g := group(name)
		g.Tags = map[string]string{"n": "0"}
		must(t, "create "+name, second(r.CreateFeatureGroup(ctx, g)))
	}

	var (
		mu        sync.Mutex
		conflicts int
	)
	gate.arm()
	errs := race(func(i int) error {
		for done := 0; done < each; {
			g, err := rs[i].FeatureGroup(ctx, "counter")
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(g.Tags["n"])
			if err != nil {
				return err
			}
			g.Tags = map[string]string{"n": strconv.Itoa(n + 1)}
			_, err = rs[i].UpdateFeatureGroup(ctx, g)
			var ce *registry.ConflictError
			switch {
			case errors.As(err, &ce):
				mu.Lock()
				conflicts++
				mu.Unlock()
			case err != nil:
				return fmt.Errorf("racer %d: %w", i, err)
			default:
				done++
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("read-modify-write through the registry: %v (a raw database error, or a lost update)", err)
		}
	}
	g := read(t, "counter", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "counter") })
	if g.Tags["n"] != strconv.Itoa(racers*each) || g.Revision != racers*each+1 {
		t.Errorf("counter = %s at revision %d, want %d at revision %d: updates were lost", g.Tags["n"], g.Revision, racers*each, racers*each+1)
	}
	if n := len(audit(t, r, registry.KindFeatureGroup, "counter")); n != racers*each+1 {
		t.Errorf("counter audit rows = %d, want %d", n, racers*each+1)
	}
	t.Logf("%d updates through the registry, %d conflicts retried by the callers", racers*each, conflicts)

	gate.arm()
	errs = race(func(i int) error {
		for range each {
			err := stores[i].Update(ctx, "dev", func(tx registry.Tx) error {
				g, err := tx.FeatureGroup(ctx, "dev", "direct")
				if err != nil {
					return err
				}
				n, err := strconv.Atoi(g.Tags["n"])
				if err != nil {
					return err
				}
				g.Tags = map[string]string{"n": strconv.Itoa(n + 1)}
				g.Revision++
				return tx.UpdateFeatureGroup(ctx, "dev", g)
			})
			if err != nil {
				return fmt.Errorf("racer %d: %w", i, err)
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("read and write in one Store.Update: %v (the store did not serialise the writers)", err)
		}
	}
	g = read(t, "direct", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "direct") })
	if g.Tags["n"] != strconv.Itoa(racers*each) || g.Revision != racers*each+1 {
		t.Errorf("direct counter = %s at revision %d, want %d at revision %d: updates were lost", g.Tags["n"], g.Revision, racers*each, racers*each+1)
	}
}
