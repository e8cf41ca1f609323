package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// testNewRegistryReadsEmpty: a store on a registry nothing was ever written
// to (a missing file, an empty database) reads as an empty registry, and
// its first write creates the registry.
func testNewRegistryReadsEmpty(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	_, err := r.FeatureGroup(ctx, "transactions")
	isNotFound(t, err, registry.KindFeatureGroup, "transactions", "dev")
	_, err = r.FeatureVersion(ctx, "transactions", 1)
	isNotFound(t, err, registry.KindFeatureVersion, "transactions/1", "dev")
	_, err = r.Model(ctx, "fraud")
	isNotFound(t, err, registry.KindModel, "fraud", "dev")
	_, err = r.ModelVersion(ctx, "fraud", 1)
	isNotFound(t, err, registry.KindModelVersion, "fraud/1", "dev")
	_, err = r.Deployment(ctx, "fraud-scoring")
	isNotFound(t, err, registry.KindDeployment, "fraud-scoring", "dev")
	_, err = r.Suite(ctx, "amounts")
	isNotFound(t, err, registry.KindSuite, "amounts", "dev")
	must(t, "lists", f.store.View(ctx, func(tx registry.Tx) error {
		for what, n := range map[string]func() (int, error){
			"feature versions": func() (int, error) { vs, err := tx.FeatureVersions(ctx, "dev", "transactions"); return len(vs), err },
			"model versions":   func() (int, error) { vs, err := tx.ModelVersions(ctx, "dev", "fraud"); return len(vs), err },
			"readers": func() (int, error) {
				ids, err := tx.ModelVersionsReading(ctx, "dev", "transactions/1")
				return len(ids), err
			},
			"serving": func() (int, error) { ids, err := tx.DeploymentsServing(ctx, "dev", "fraud/1"); return len(ids), err },
			"suites": func() (int, error) {
				ss, err := tx.SuitesFor(ctx, "dev", registry.Ref{Kind: registry.KindModel, ID: "fraud"})
				return len(ss), err
			},
			"audit": func() (int, error) { rs, err := tx.Audit(ctx, "dev", registry.KindModel, "fraud"); return len(rs), err },
		} {
			got, err := n()
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if got != 0 {
				t.Errorf("%s of a new registry: %d, want none", what, got)
			}
		}
		return nil
	}))
	seed(t, r)
	read(t, "seeded group", func() (registry.FeatureGroup, error) { return r.FeatureGroup(ctx, "transactions") })
	// Another store that opened the new registry before the first write
	// reads what was written.
	read(t, "seeded group through another store", func() (registry.FeatureGroup, error) {
		return newRegistry(t, open(t), "dev", f.clock).FeatureGroup(ctx, "transactions")
	})
}

// testNeverWritten: NeverWritten tells an environment nothing was ever
// written to from one whose objects were deleted.
func testNeverWritten(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx, dev, prod := f.ctx, f.env("dev"), f.env("prod")
	never := func(r *registry.Registry, want bool, when string) {
		t.Helper()
		got, err := r.NeverWritten(ctx)
		if err != nil || got != want {
			t.Errorf("NeverWritten(%s) %s = %v, %v; want %v", r.Environment(), when, got, err, want)
		}
	}
	never(dev, true, "of a new registry")
	must(t, "create", second(dev.CreateModel(ctx, registry.Model{Name: "fraud"})))
	never(dev, false, "after a write")
	never(prod, true, "after a write to another environment")
	m := read(t, "model", func() (registry.Model, error) { return dev.Model(ctx, "fraud") })
	must(t, "delete", dev.DeleteModel(ctx, m.Name, registry.IfRevision(m.Revision)))
	never(dev, false, "after its only object was deleted (the audit trail remains)")
	// An object without an audit record (written behind the registry)
	// counts too.
	g := group("behind")
	g.Revision = 1
	must(t, "insert", f.store.Update(ctx, "stage", func(tx registry.Tx) error { return tx.InsertFeatureGroup(ctx, "stage", g) }))
	never(f.env("stage"), false, "with an object and no audit record")
}

// testRollbackOnPanic: a write whose callback panics is rolled back and
// leaves no lock behind: the next write of the same object goes through.
func testRollbackOnPanic(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx := f.ctx
	g := group("half")
	g.Revision = 1
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the callback's panic did not reach the caller")
			}
		}()
		_ = f.store.Update(ctx, "dev", func(tx registry.Tx) error {
			if err := tx.InsertFeatureGroup(ctx, "dev", g); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	_, err := f.env("dev").FeatureGroup(ctx, "half")
	isNotFound(t, err, registry.KindFeatureGroup, "half", "dev")
	// Bounded: a transaction left open holds its locks until the test's
	// cleanup; the store's own timeouts are longer than this.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	must(t, "the same insert after the panic", f.store.Update(wctx, "dev", func(tx registry.Tx) error { return tx.InsertFeatureGroup(wctx, "dev", g) }))
}

// retryCounter is a store that counts the runs of write transactions it
// repeated after a conflict.
type retryCounter interface{ Retries() int64 }

// testEnvironmentsNeverConflict races writers that are each alone in an
// environment: none waits for or conflicts with another, so no write is
// run again, and every one succeeds.
func testEnvironmentsNeverConflict(t *testing.T, open Open) {
	const each = 6
	f := newFixture(t, open)
	ctx := f.ctx
	stores := make([]registry.Store, racers)
	rs := make([]*registry.Registry, racers)
	for i := range racers {
		stores[i] = open(t)
		rs[i] = newRegistry(t, stores[i], fmt.Sprintf("env-%d", i), f.clock)
	}
	// The schema exists before the race: its creation is not what is tested.
	must(t, "first write", second(f.env("setup").CreateModel(ctx, registry.Model{Name: "setup"})))
	errs := race(func(i int) error {
		r := rs[i]
		if _, err := r.CreateFeatureGroup(ctx, group("transactions")); err != nil {
			return err
		}
		if _, err := r.CreateModel(ctx, registry.Model{Name: "fraud"}); err != nil {
			return err
		}
		for v := range int64(each) {
			fv := featureVersion("transactions", v+1)
			if _, err := r.CreateFeatureVersion(ctx, fv); err != nil {
				return err
			}
			if _, err := r.CreateModelVersion(ctx, modelVersion("fraud", v+1, fv.ID())); err != nil {
				return err
			}
			m, err := r.Model(ctx, "fraud")
			if err != nil {
				return err
			}
			m.Description = fmt.Sprintf("%d versions", v+1)
			if _, err := r.UpdateModel(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("environment env-%d, alone in it: %v", i, err)
		}
	}
	var retried int64
	for _, s := range stores {
		if rc, ok := s.(retryCounter); ok {
			retried += rc.Retries()
		}
	}
	if retried != 0 {
		t.Errorf("writers alone in their environments were run again %d times: writes of different environments conflicted", retried)
	}
}

// testReadsWhileTheSchemaIsCreated: stores that read a new registry while
// another store's first write creates its schema, migration after
// migration, see an empty registry or the written one, never an error.
func testReadsWhileTheSchemaIsCreated(t *testing.T, open Open) {
	f := newFixture(t, open)
	ctx := f.ctx
	readers := make([]*registry.Registry, racers-1)
	for i := range readers {
		readers[i] = newRegistry(t, open(t), "dev", f.clock)
	}
	done := make(chan struct{})
	errs := race(func(i int) error {
		if i == 0 {
			defer close(done)
			_, err := f.env("dev").CreateModel(ctx, registry.Model{Name: "fraud"})
			return err
		}
		for reads := 0; ; reads++ {
			_, err := readers[i-1].Model(ctx, "fraud")
			if err != nil && !registry.IsNotFound(err) {
				return fmt.Errorf("reader %d, read %d: %w", i, reads, err)
			}
			select {
			case <-done:
				return nil
			default:
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
