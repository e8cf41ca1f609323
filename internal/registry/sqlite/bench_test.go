package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

// chainRegistry is a registry holding the seed chain (transactions v1 to
// v3, fraud v1 to v3, all approved, the alias fraud@champion, deployment
// fraud-scoring serving fraud/2 and shadowing fraud/3) plus `extra` unrelated chains of the same shape, in
// environment prod, whose policy requires approval.
func chainRegistry(tb testing.TB, extra int) (*registry.Registry, *sqlstore.Store) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "r.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := registry.New(store, registry.Options{Environment: "prod", Actor: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = reg.Close() })
	mustDo(tb, func() error {
		_, err := reg.CreateEnvironment(ctx, registry.EnvironmentPolicy{Name: "prod", RequireApproval: true})
		return err
	})
	for i := 0; i <= extra; i++ {
		group, model, dep := "transactions", "fraud", "fraud-scoring"
		if i > 0 {
			group, model, dep = fmt.Sprintf("group_%d", i), fmt.Sprintf("model-%d", i), fmt.Sprintf("deployment-%d", i)
		}
		mustDo(tb, func() error {
			_, err := reg.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: group, PrimaryKey: []string{"entity_id"}})
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreateModel(ctx, registry.Model{Name: model})
			return err
		})
		for v := int64(1); v <= 3; v++ {
			features := []registry.Feature{{Name: "entity_id", Type: "string"}}
			for f := 0; f < 20; f++ {
				features = append(features, registry.Feature{Name: fmt.Sprintf("f_%d", f), Type: "double"})
			}
			mustDo(tb, func() error {
				_, err := reg.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: group, Version: v, Features: features})
				return err
			})
			mustDo(tb, func() error {
				_, err := reg.CreateModelVersion(ctx, registry.ModelVersion{Model: model, Version: v, ArtifactURI: fmt.Sprintf("s3://m/%s/%d", model, v),
					FeatureVersionIDs: []string{registry.FeatureVersionID(group, v)}, Inputs: []registry.Input{{Feature: "f_1", Type: "double"}},
					Metrics: map[string]string{"auc": "0.93"}})
				return err
			})
			mustDo(tb, func() error {
				_, err := reg.CreateApproval(ctx, registry.Approval{ModelVersionID: registry.ModelVersionID(model, v), Status: registry.ApprovalApproved})
				return err
			})
			mustDo(tb, func() error {
				_, err := reg.CreatePipeline(ctx, registry.Pipeline{Name: fmt.Sprintf("%s-v%d", strings.ReplaceAll(group, "_", "-"), v),
					Kind: registry.PipelineFeature, Enabled: true, Writes: registry.PipelineWrites{FeatureVersionIDs: []string{registry.FeatureVersionID(group, v)}}})
				return err
			})
		}
		// A view over both versions, and version 4 reading it.
		mustDo(tb, func() error {
			_, err := reg.CreateFeatureView(ctx, chainView(group))
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreateModelVersion(ctx, registry.ModelVersion{Model: model, Version: 4, ArtifactURI: fmt.Sprintf("s3://m/%s/4", model),
				FeatureViewIDs: []string{group + "_view/1"}, Inputs: []registry.Input{{Feature: "v1_f_1", Type: "double"}}})
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreateApproval(ctx, registry.Approval{ModelVersionID: model + "/4", Status: registry.ApprovalApproved})
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreatePipeline(ctx, registry.Pipeline{Name: model + "-training", Kind: registry.PipelineTraining, Enabled: true,
				Reads:  registry.PipelineReads{FeatureVersionIDs: []string{registry.FeatureVersionID(group, 1), registry.FeatureVersionID(group, 2)}},
				Writes: registry.PipelineWrites{ModelID: model}})
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreateModelAlias(ctx, registry.ModelAlias{Model: model, Name: "champion", ModelVersionID: model + "/2"})
			return err
		})
		mustDo(tb, func() error {
			_, err := reg.CreateDeployment(ctx, registry.Deployment{Name: dep, ModelVersion: model + "/2", Rollback: model + "/1", Replicas: registry.DefaultReplicas,
				Shadow: &registry.Shadow{ModelVersion: model + "/3", SamplePercent: 10}})
			return err
		})
	}
	return reg, store
}

// chainView is view <group>_view/1: every feature of <group>/2 and f_1 of
// <group>/1, as v1_f_1.
func chainView(group string) registry.FeatureView {
	return registry.FeatureView{Name: group + "_view", Version: 1, Sources: []registry.FeatureViewSource{
		{FeatureVersionID: group + "/2"},
		{FeatureVersionID: group + "/1", Features: []string{"f_1"}, JoinOn: []string{"entity_id"}, Prefix: "v1_"},
	}}
}

func mustDo(tb testing.TB, fn func() error) {
	tb.Helper()
	if err := fn(); err != nil {
		tb.Fatal(err)
	}
}

// TestPlanChecksCostTheChainNotTheRegistry: the plan-time checks of a
// deployment (with a canary and a shadow, its environment's policy and
// approvals), a model
// version, a feature version, an alias and an approval send the same
// number of queries whatever else the registry holds: they cost O(length
// of the chain).
func TestPlanChecksCostTheChainNotTheRegistry(t *testing.T) {
	ctx := context.Background()
	count := func(extra int) map[string]int64 {
		reg, store := chainRegistry(t, extra)
		n := map[string]int64{}
		measure := func(what string, check func() error) {
			before := store.Queries()
			if err := check(); err != nil {
				t.Fatal(err)
			}
			n[what] = store.Queries() - before
		}
		measure("deployment", func() error {
			_, err := reg.CheckDeploymentPlan(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1",
				Canary: &registry.Canary{ModelVersion: "fraud/2", Percent: 10}, Shadow: &registry.Shadow{ModelVersion: "fraud/3", SamplePercent: 10}})
			return err
		})
		measure("model version", func() error {
			_, err := reg.CheckModelVersionPlan(ctx, registry.ModelVersionPlan{Model: "fraud", Version: 5, FeatureVersionIDs: []string{"transactions/2"},
				AllFeatureVersionsKnown: true, AllFeatureViewsKnown: true, Inputs: []registry.Input{{Feature: "f_1", Type: "double"}}, InputsKnown: true})
			return err
		})
		measure("feature version", func() error {
			_, err := reg.CheckFeatureVersionPlan(ctx, registry.FeatureVersionPlan{Group: "transactions", Version: 2,
				Features: []registry.Feature{{Name: "entity_id", Type: "string"}}})
			return err
		})
		measure("alias", func() error {
			_, err := reg.CheckModelAliasPlan(ctx, registry.ModelAlias{Model: "fraud", Name: "champion", ModelVersionID: "fraud/1"})
			return err
		})
		measure("approval", func() error {
			_, err := reg.CheckApprovalPlan(ctx, registry.Approval{ModelVersionID: "fraud/2", Status: registry.ApprovalRejected})
			return err
		})
		measure("feature view", func() error {
			v := chainView("transactions")
			v.Version = 2
			_, _, err := reg.CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: v, Known: true})
			return err
		})
		measure("model version on a view", func() error {
			_, err := reg.CheckModelVersionPlan(ctx, registry.ModelVersionPlan{Model: "fraud", Version: 5, FeatureViewIDs: []string{"transactions_view/1"},
				AllFeatureVersionsKnown: true, AllFeatureViewsKnown: true, Inputs: []registry.Input{{Feature: "v1_f_1", Type: "double"}}, InputsKnown: true})
			return err
		})
		measure("deployment through a view", func() error {
			_, err := reg.CheckDeploymentPlan(ctx, registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/4"})
			return err
		})
		// Disabling the pipeline of transactions/1, which the rollback
		// version fraud/1 reads: D10 walks the chain back to fraud-scoring.
		measure("pipeline", func() error {
			off := registry.Pipeline{Name: "transactions-v1", Kind: registry.PipelineFeature,
				Writes: registry.PipelineWrites{FeatureVersionIDs: []string{"transactions/1"}}}
			ps, err := reg.CheckPipelinePlan(ctx, registry.PipelineChange{Prior: &registry.Pipeline{Name: "transactions-v1"}, Next: &off})
			if err == nil && !ps.HasErrors() {
				t.Fatalf("disabling transactions-v1 was not refused: %v", ps)
			}
			return err
		})
		return n
	}
	alone, crowded := count(0), count(100)
	t.Logf("queries per plan-time check (alone / with 100 other chains): %v / %v", alone, crowded)
	for what, n := range alone {
		if crowded[what] != n {
			t.Errorf("the plan-time check of a %s grows with the registry: %d -> %d queries", what, n, crowded[what])
		}
		if n == 0 {
			t.Errorf("no queries counted for the plan-time check of a %s", what)
		}
	}
}

func BenchmarkCheckDeploymentPlan(b *testing.B) {
	ctx := context.Background()
	reg, store := chainRegistry(b, 50)
	d := registry.Deployment{Name: "fraud-scoring", ModelVersion: "fraud/1", Canary: &registry.Canary{ModelVersion: "fraud/2", Percent: 10}}
	before := store.Queries()
	b.ResetTimer()
	for b.Loop() {
		if _, err := reg.CheckDeploymentPlan(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(store.Queries()-before)/float64(b.N), "queries/op")
}

func BenchmarkReadFeatureVersion(b *testing.B) {
	ctx := context.Background()
	reg, store := chainRegistry(b, 50)
	before := store.Queries()
	b.ResetTimer()
	for b.Loop() {
		if _, err := reg.FeatureVersion(ctx, "transactions", 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(store.Queries()-before)/float64(b.N), "queries/op")
}

func BenchmarkReadModelVersion(b *testing.B) {
	ctx := context.Background()
	reg, store := chainRegistry(b, 50)
	before := store.Queries()
	b.ResetTimer()
	for b.Loop() {
		if _, err := reg.ModelVersion(ctx, "fraud", 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(store.Queries()-before)/float64(b.N), "queries/op")
}

func BenchmarkCreateFeatureVersion(b *testing.B) {
	ctx := context.Background()
	reg, _ := chainRegistry(b, 0)
	features := []registry.Feature{{Name: "entity_id", Type: "string"}}
	for f := 0; f < 20; f++ {
		features = append(features, registry.Feature{Name: fmt.Sprintf("f_%d", f), Type: "array<double>"})
	}
	v := int64(10)
	b.ResetTimer()
	for b.Loop() {
		v++
		if _, err := reg.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: "transactions", Version: v, Features: features}); err != nil {
			b.Fatal(err)
		}
	}
}

// writeChain makes, with write, the writes of one new chain (number n) in
// the order Terraform applies them: the benchmark's mix of a feature group,
// two feature versions, a feature pipeline, a feature view, a model, a
// training pipeline, two model versions (one reading the view), their
// approvals, an alias and a deployment with a canary.
func writeChain(reg *registry.Registry, n int, write func(what string, fn func() error)) {
	ctx := context.Background()
	group, model := fmt.Sprintf("new_group_%d", n), fmt.Sprintf("new-model-%d", n)
	fv := func(v int) string { return fmt.Sprintf("%s/%d", group, v) }
	mv := func(v int) string { return fmt.Sprintf("%s/%d", model, v) }
	view := fmt.Sprintf("new_view_%d", n)
	features := []registry.Feature{{Name: "entity_id", Type: "string"}}
	for f := 0; f < 20; f++ {
		features = append(features, registry.Feature{Name: fmt.Sprintf("f_%d", f), Type: "double"})
	}
	write("create feature group", func() error {
		_, err := reg.CreateFeatureGroup(ctx, registry.FeatureGroup{Name: group, PrimaryKey: []string{"entity_id"}})
		return err
	})
	for v := int64(1); v <= 2; v++ {
		write(fmt.Sprintf("create feature version %d", v), func() error {
			_, err := reg.CreateFeatureVersion(ctx, registry.FeatureVersion{Group: group, Version: v, Features: features})
			return err
		})
	}
	write("create feature pipeline", func() error {
		_, err := reg.CreatePipeline(ctx, registry.Pipeline{Name: fmt.Sprintf("new-group-%d", n), Kind: registry.PipelineFeature, Enabled: true,
			Writes: registry.PipelineWrites{FeatureVersionIDs: []string{fv(1), fv(2)}}})
		return err
	})
	write("create feature view", func() error {
		_, err := reg.CreateFeatureView(ctx, registry.FeatureView{Name: view, Version: 1, Sources: []registry.FeatureViewSource{{FeatureVersionID: fv(2)}}})
		return err
	})
	write("create model", func() error {
		_, err := reg.CreateModel(ctx, registry.Model{Name: model})
		return err
	})
	write("create training pipeline", func() error {
		_, err := reg.CreatePipeline(ctx, registry.Pipeline{Name: model + "-training", Kind: registry.PipelineTraining, Enabled: true,
			Reads:  registry.PipelineReads{FeatureVersionIDs: []string{fv(1), fv(2)}},
			Writes: registry.PipelineWrites{ModelID: model}})
		return err
	})
	write("create model version", func() error {
		_, err := reg.CreateModelVersion(ctx, registry.ModelVersion{Model: model, Version: 1, ArtifactURI: "s3://m/new/1",
			FeatureVersionIDs: []string{fv(1)}, Inputs: []registry.Input{{Feature: "f_1", Type: "double"}}, Metrics: map[string]string{"auc": "0.9"}})
		return err
	})
	write("create model version on a view", func() error {
		_, err := reg.CreateModelVersion(ctx, registry.ModelVersion{Model: model, Version: 2, ArtifactURI: "s3://m/new/2",
			FeatureViewIDs: []string{view + "/1"}, Inputs: []registry.Input{{Feature: "f_1", Type: "double"}}})
		return err
	})
	for v := 1; v <= 2; v++ {
		write(fmt.Sprintf("create approval %d", v), func() error {
			_, err := reg.CreateApproval(ctx, registry.Approval{ModelVersionID: mv(v), Status: registry.ApprovalApproved})
			return err
		})
	}
	write("create alias", func() error {
		_, err := reg.CreateModelAlias(ctx, registry.ModelAlias{Model: model, Name: "champion", ModelVersionID: mv(2)})
		return err
	})
	write("create deployment", func() error {
		_, err := reg.CreateDeployment(ctx, registry.Deployment{Name: fmt.Sprintf("new-deployment-%d", n), ModelVersion: mv(2), Replicas: registry.DefaultReplicas,
			Canary: &registry.Canary{ModelVersion: mv(1), Percent: 10}})
		return err
	})
}

// writeCosts runs, on a registry holding the seed chain and `extra` other
// chains, the writes of one new chain, then an update and a delete of its
// deployment, and returns the queries and commits of each.
func writeCosts(t *testing.T, extra int) (queries, commits map[string]int64, order []string) {
	t.Helper()
	ctx := context.Background()
	reg, store := chainRegistry(t, extra)
	queries, commits = map[string]int64{}, map[string]int64{}
	write := func(what string, fn func() error) {
		t.Helper()
		q, c := store.Queries(), store.Commits()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		queries[what], commits[what] = store.Queries()-q, store.Commits()-c
		order = append(order, what)
	}
	writeChain(reg, 0, write)
	d, err := reg.Deployment(ctx, "new-deployment-0")
	if err != nil {
		t.Fatal(err)
	}
	d.Canary.Percent = 20
	write("update deployment", func() error {
		d, err = reg.UpdateDeployment(ctx, d)
		return err
	})
	write("delete deployment", func() error {
		return reg.DeleteDeployment(ctx, d.Name, registry.IfRevision(d.Revision))
	})
	return queries, commits, order
}

// TestWritesCostTheChainNotTheRegistry: each write of the benchmark's mix
// is one transaction (one commit, the one sync to disk) whose queries are
// counted: no more than its budget, and the same whatever else the
// registry holds. A write that reads back what it wrote, loads the same
// rows twice or runs a statement after its commit (a checkpoint) costs
// more, and fails here.
func TestWritesCostTheChainNotTheRegistry(t *testing.T) {
	// The queries of each write, its audit row included: its reads (what
	// it replaces, what its rules check) and its own rows.
	budget := map[string]int64{
		"create feature group":           3,
		"create feature version 1":       4,
		"create feature version 2":       4,
		"create feature pipeline":        7,
		"create feature view":            5,
		"create model":                   3,
		"create training pipeline":       9,
		"create model version":           6,
		"create model version on a view": 6,
		"create approval 1":              6,
		"create approval 2":              6,
		"create alias":                   6,
		"create deployment":              32,
		"update deployment":              33,
		"delete deployment":              6,
	}
	alone, commits, order := writeCosts(t, 0)
	crowded, _, _ := writeCosts(t, 30)
	for _, what := range order {
		t.Logf("%-32s %3d queries (%d with 30 other chains), %d commits", what, alone[what], crowded[what], commits[what])
		if commits[what] != 1 {
			t.Errorf("%s: %d commits, want 1 (one transaction per write)", what, commits[what])
		}
		if alone[what] > budget[what] {
			t.Errorf("%s: %d queries, over its budget of %d", what, alone[what], budget[what])
		}
		if crowded[what] != alone[what] {
			t.Errorf("%s grows with the registry: %d -> %d queries", what, alone[what], crowded[what])
		}
	}
	if len(order) != len(budget) {
		t.Errorf("%d writes measured, %d budgets", len(order), len(budget))
	}
}

// BenchmarkWriteChain: the writes of one chain of the benchmark's mix (13
// objects, each its own transaction), on a registry of 10 other chains.
func BenchmarkWriteChain(b *testing.B) {
	reg, store := chainRegistry(b, 10)
	q, c := store.Queries(), store.Commits()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		writeChain(reg, n, func(what string, fn func() error) {
			if err := fn(); err != nil {
				b.Fatalf("%s: %v", what, err)
			}
		})
	}
	b.ReportMetric(float64(store.Queries()-q)/float64(b.N), "queries/op")
	b.ReportMetric(float64(store.Commits()-c)/float64(b.N), "commits/op")
}
