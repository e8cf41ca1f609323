package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// racers is how many stores race on one database.
const racers = 8

// race runs fn once in each of racers goroutines at the same moment and
// returns their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// racingStores opens racers stores on the test's database, each behind
// the gate that the returned gate arms, and a registry of env on each.
func racingStores(t *testing.T, open Open, env string, c *clock) ([]registry.Store, []*registry.Registry, *gate) {
	t.Helper()
	g := &gate{}
	stores := make([]registry.Store, racers)
	rs := make([]*registry.Registry, racers)
	for i := range rs {
		stores[i] = gatedStore{Store: open(t), gate: g}
		rs[i] = newRegistry(t, stores[i], env, c)
	}
	return stores, rs, g
}

// gateTimeout bounds a racer's wait at the gate. A store that serialises
// writers lets only one racer reach its first write at a time: that racer
// waits this long, then the gate opens for all.
const gateTimeout = 250 * time.Millisecond

// gate holds the racers' writes, once armed, until every racer has
// reached one: every racer has then read what it checks before any of them
// writes, the interleaving in which a store's checks all pass on stale
// reads unless the store itself serialises the transactions.
type gate struct {
	mu      sync.Mutex
	arrived int
	closed  chan struct{} // nil when the gate is open
}

// arm closes the gate for the next write of each racer.
func (g *gate) arm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.arrived, g.closed = 0, make(chan struct{})
}

// wait returns when every racer has reached the gate, or after gateTimeout.
func (g *gate) wait(ctx context.Context) {
	g.mu.Lock()
	ch := g.closed
	if ch != nil {
		g.arrived++
		if g.arrived == racers {
			g.openLocked()
		}
	}
	g.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	case <-time.After(gateTimeout):
		g.mu.Lock()
		if g.closed == ch {
			g.openLocked()
		}
		g.mu.Unlock()
	}
}

func (g *gate) openLocked() {
	close(g.closed)
	g.closed = nil
}

// gatedStore holds each write of its transactions at a gate.
type gatedStore struct {
	registry.Store
	gate *gate
}

func (s gatedStore) Update(ctx context.Context, env string, fn func(registry.Tx) error) error {
	return s.Store.Update(ctx, env, func(tx registry.Tx) error { return fn(gatedTx{Tx: tx, gate: s.gate}) })
}

// gatedTx waits at the gate before every write.
type gatedTx struct {
	registry.Tx
	gate *gate
}

func (t gatedTx) InsertFeatureGroup(ctx context.Context, env string, g registry.FeatureGroup) error {
	t.gate.wait(ctx)
	return t.Tx.InsertFeatureGroup(ctx, env, g)
}

func (t gatedTx) UpdateFeatureGroup(ctx context.Context, env string, g registry.FeatureGroup) error {
	t.gate.wait(ctx)
	return t.Tx.UpdateFeatureGroup(ctx, env, g)
}

func (t gatedTx) InsertFeatureVersion(ctx context.Context, env string, v registry.FeatureVersion) error {
	t.gate.wait(ctx)
	return t.Tx.InsertFeatureVersion(ctx, env, v)
}

func (t gatedTx) InsertModel(ctx context.Context, env string, m registry.Model) error {
	t.gate.wait(ctx)
	return t.Tx.InsertModel(ctx, env, m)
}

func (t gatedTx) UpdateModel(ctx context.Context, env string, m registry.Model) error {
	t.gate.wait(ctx)
	return t.Tx.UpdateModel(ctx, env, m)
}

func (t gatedTx) InsertModelVersion(ctx context.Context, env string, v registry.ModelVersion) error {
	t.gate.wait(ctx)
	return t.Tx.InsertModelVersion(ctx, env, v)
}

func (t gatedTx) InsertDeployment(ctx context.Context, env string, d registry.Deployment) error {
	t.gate.wait(ctx)
	return t.Tx.InsertDeployment(ctx, env, d)
}

func (t gatedTx) InsertSuite(ctx context.Context, env string, s registry.ValidationSuite) error {
	t.gate.wait(ctx)
	return t.Tx.InsertSuite(ctx, env, s)
}

// testConcurrentDistinctWrites races stores that write different objects,
// as Terraform's parallel operations and two workspaces do: feature
// versions of one group, a model each and its versions, updates of each
// racer's own model. Every write succeeds; none is lost.
func testConcurrentDistinctWrites(t *testing.T, open Open) {
	const each = 4
	f := newFixture(t, open)
	ctx, r := f.ctx, f.env("dev")
	_, rs, gate := racingStores(t, open, "dev", f.clock)
	must(t, "create group", second(r.CreateFeatureGroup(ctx, group("transactions"))))

	gate.arm()
	errs := race(func(i int) error {
		r := rs[i]
		model := fmt.Sprintf("model-%d", i)
		if _, err := r.CreateModel(ctx, registry.Model{Name: model}); err != nil {
			return fmt.Errorf("racer %d: create %s: %w", i, model, err)
		}
		for j := range int64(each) {
			fv := featureVersion("transactions", int64(i)*each+j+1)
			if _, err := r.CreateFeatureVersion(ctx, fv); err != nil {
				return fmt.Errorf("racer %d: create %s: %w", i, fv.ID(), err)
			}
			mv := modelVersion(model, j+1, fv.ID())
			if _, err := r.CreateModelVersion(ctx, mv); err != nil {
				return fmt.Errorf("racer %d: create %s: %w", i, mv.ID(), err)
			}
			m, err := r.Model(ctx, model)
			if err != nil {
				return err
			}
			m.Description = fmt.Sprintf("%d versions", j+1)
			if _, err := r.UpdateModel(ctx, m); err != nil {
				return fmt.Errorf("racer %d: update %s: %w", i, model, err)
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("a write of its own object failed: %v", err)
		}
	}
	var versions int
	must(t, "list", f.store.View(ctx, func(tx registry.Tx) error {
		vs, err := tx.FeatureVersions(ctx, "dev", "transactions")
		versions = len(vs)
		return err
	}))
	if versions != racers*each {
		t.Errorf("feature versions = %d, want %d", versions, racers*each)
	}
	for i := range racers {
		model := fmt.Sprintf("model-%d", i)
		m := read(t, model, func() (registry.Model, error) { return r.Model(ctx, model) })
		if want := fmt.Sprintf("%d versions", each); m.Description != want || m.Revision != each+1 {
			t.Errorf("%s: %q at revision %d, want %q at revision %d", model, m.Description, m.Revision, want, each+1)
		}
		latest := read(t, model, func() (registry.ModelVersion, error) { return r.LatestModelVersion(ctx, model) })
		if latest.Version != each {
			t.Errorf("%s: latest version %d, want %d", model, latest.Version, each)
		}
		if got := actions(audit(t, r, registry.KindModel, model)); got != "create,update,update,update,update" {
			t.Errorf("%s: audit %q", model, got)
		}
	}
}
