package registry_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// accountsGroup is a second entity keyed like transactions.
func accountsGroup() registry.FeatureGroup {
	return registry.FeatureGroup{Name: "accounts", PrimaryKey: []string{"account_id"}}
}

func accountsVersion() registry.FeatureVersion {
	return registry.FeatureVersion{Group: "accounts", Version: 1, Features: []registry.Feature{
		{Name: "account_id", Type: "string"}, {Name: "age_days", Type: "int"}, {Name: "amount", Type: "double"},
	}}
}

// fraudFeatures is view fraud_features/1: every feature of transactions/2
// and accounts/1's age_days, as acct_age_days, labelled by amount.
func fraudFeatures() registry.FeatureView {
	return registry.FeatureView{
		Name: "fraud_features", Version: 1,
		Sources: []registry.FeatureViewSource{
			{FeatureVersionID: "transactions/2"},
			{FeatureVersionID: "accounts/1", Features: []string{"account_id", "age_days"}, JoinOn: []string{"account_id"}, Prefix: "acct_"},
		},
		Labels:      []string{"amount"},
		Description: "fraud model inputs",
		Tags:        map[string]string{"team": "fraud"},
	}
}

// seedView registers transactions/2, accounts/1 and fraud_features/1 in r,
// and model fraud.
func seedView(t *testing.T, r *registry.Registry) registry.FeatureView {
	t.Helper()
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(2))
	mustCreateGroup(t, r, accountsGroup())
	mustCreateVersion(t, r, accountsVersion())
	mustCreateModel(t, r, "fraud")
	v, err := r.CreateFeatureView(context.Background(), fraudFeatures())
	if err != nil {
		t.Fatalf("CreateFeatureView: %v", err)
	}
	return v
}

// fraudOnView is model version fraud/3, reading the view only.
func fraudOnView(inputs ...registry.Input) registry.ModelVersion {
	return registry.ModelVersion{Model: "fraud", Version: 3, ArtifactURI: "s3://models/fraud/3", FeatureViewIDs: []string{"fraud_features/1"}, Inputs: inputs}
}

func TestFeatureViewLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	created := seedView(t, r)

	wantSchema := []registry.Feature{
		{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"}, {Name: "amount", Type: "double"},
		{Name: "acct_age_days", Type: "int"},
	}
	got, err := r.FeatureView(ctx, "fraud_features", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, created) || !reflect.DeepEqual(got.Schema, wantSchema) || got.SchemaHash != registry.SchemaHash(wantSchema) ||
		got.Revision != 1 || !got.CreatedAt.Equal(t0Stored) {
		t.Fatalf("read back %+v\ncreated %+v", got, created)
	}
	if _, err := r.CreateFeatureView(ctx, fraudFeatures()); !strings.Contains(errString(err), `feature view "fraud_features/1" already exists in environment "dev"`) {
		t.Errorf("second create: %v", err)
	}

	// Description and tags change in place; sources and labels never.
	next := got
	next.Description, next.Tags = "v1 inputs", map[string]string{"team": "risk"}
	updated, err := r.UpdateFeatureView(ctx, next)
	if err != nil || updated.Revision != 2 || updated.Description != "v1 inputs" || updated.SchemaHash != got.SchemaHash {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	next = updated
	next.Labels = nil
	_, err = r.UpdateFeatureView(ctx, next)
	refusedWith(t, err, "[FV1] Feature view cannot change in place", "declare a new version (version = 2)")

	// The latest version is the highest.
	v2 := fraudFeatures()
	v2.Version, v2.Labels = 2, nil
	if _, err := r.CreateFeatureView(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if latest, err := r.LatestFeatureView(ctx, "fraud_features"); err != nil || latest.Version != 2 {
		t.Errorf("latest: %+v, %v", latest, err)
	}
	_, err = r.LatestFeatureView(ctx, "nope")
	notFound(t, err, `feature view "nope/<latest>"`, `"dev"`)

	// F2: the feature versions a view reads stay; so does a view a model
	// version reads.
	err = r.DeleteFeatureVersion(ctx, "accounts", 1)
	refusedWith(t, err, "[F2]", `feature version "accounts/1"`, `feature view "fraud_features/1", feature view "fraud_features/2"`)
	mustCreateModelVersion(t, r, fraudOnView(registry.Input{Feature: "acct_age_days", Type: "int"}))
	err = r.DeleteFeatureView(ctx, "fraud_features", 1)
	refusedWith(t, err, "[F2]", `feature view "fraud_features/1" in environment "dev" is still referenced by model version "fraud/3"`)
	if deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindFeatureView, ID: "fraud_features/1"}); err != nil || len(deps) != 1 {
		t.Errorf("dependents of the view: %v, %v", deps, err)
	}

	if err := r.DeleteModelVersion(ctx, "fraud", 3); err != nil {
		t.Fatal(err)
	}
	for _, version := range []int64{1, 2} {
		if err := r.DeleteFeatureView(ctx, "fraud_features", version); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.DeleteFeatureVersion(ctx, "accounts", 1); err != nil {
		t.Fatalf("accounts/1 once no view reads it: %v", err)
	}
	if got := actions(audit(t, r, registry.KindFeatureView, "fraud_features/1")); got != "create,update,delete" {
		t.Errorf("audit = %s", got)
	}
}

// TestCreateFeatureViewFV1 refuses each FV1 case on write, nothing written.
func TestCreateFeatureViewFV1(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedView(t, r)
	devices := registry.FeatureGroup{Name: "devices", PrimaryKey: []string{"account_id"}}
	mustCreateGroup(t, r, devices)
	mustCreateVersion(t, r, registry.FeatureVersion{Group: "devices", Version: 1, Features: []registry.Feature{{Name: "account_id", Type: "bigint"}, {Name: "n", Type: "int"}}})
	view := func(second registry.FeatureViewSource, labels ...string) registry.FeatureView {
		return registry.FeatureView{Name: "bad", Version: 1, Labels: labels, Sources: []registry.FeatureViewSource{{FeatureVersionID: "transactions/2"}, second}}
	}
	for name, c := range map[string]struct {
		view  registry.FeatureView
		words []string
	}{
		"source missing":        {view(registry.FeatureViewSource{FeatureVersionID: "accounts/9", JoinOn: []string{"account_id"}}), []string{"[FV1] Feature version missing", `reads feature version accounts/9, which does not exist in environment "dev"`}},
		"join on a missing key": {view(registry.FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"event_ts"}, Prefix: "a_"}), []string{"[FV1] Join key missing", `on "event_ts", which feature version accounts/1 does not have`}},
		"key types differ":      {view(registry.FeatureViewSource{FeatureVersionID: "devices/1", JoinOn: []string{"account_id"}}), []string{"[FV1] Join key type mismatch", "string on the left", "bigint in feature version devices/1"}},
		"duplicate outputs":     {view(registry.FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}}), []string{"[FV1] Duplicate output feature", `outputs "amount" from source 1 (transactions/2) and from source 2 (accounts/1)`}},
		"label not an output":   {view(registry.FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}, Prefix: "a_"}, "age_days"), []string{"[FV1] Label not among the outputs", `labels "age_days"`, "a_age_days"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.CreateFeatureView(ctx, c.view)
			refusedWith(t, err, c.words...)
			_, err = r.FeatureView(ctx, "bad", 1)
			notFound(t, err)
		})
	}
}

// TestModelVersionReadsFeatureView: M1 and M2 follow the view, D2 follows
// deployment -> model version -> feature view -> feature version, and the
// lineage draws the view.
func TestModelVersionReadsFeatureView(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	seedView(t, r)

	_, err := r.CreateModelVersion(ctx, registry.ModelVersion{Model: "fraud", Version: 3, ArtifactURI: "s3://models/fraud/3"})
	refusedWith(t, err, "[M1] No feature versions", "at least one feature version (feature_version_ids) or feature view (feature_view_ids)")
	missing := fraudOnView()
	missing.FeatureViewIDs = []string{"fraud_features/7"}
	_, err = r.CreateModelVersion(ctx, missing)
	refusedWith(t, err, "[M1] Feature view missing", `model version fraud/3 reads feature view fraud_features/7, which does not exist in environment "dev"`)
	_, err = r.CreateModelVersion(ctx, fraudOnView(registry.Input{Feature: "amount"}))
	refusedWith(t, err, "[M2] Input is a label", `reads input "amount", which feature view fraud_features/1 declares as a training label`)
	_, err = r.CreateModelVersion(ctx, fraudOnView(registry.Input{Feature: "fraud_features.acct_age_days", Type: "string"}))
	refusedWith(t, err, "[M2] Input type mismatch", `declares "acct_age_days" as int`)

	mv := mustCreateModelVersion(t, r, fraudOnView(registry.Input{Feature: "acct_age_days", Type: "int"}, registry.Input{Feature: "event_ts"}))
	got, err := r.ModelVersion(ctx, "fraud", 3)
	if err != nil || !reflect.DeepEqual(got.FeatureViewIDs, []string{"fraud_features/1"}) || len(got.FeatureVersionIDs) != 0 || !reflect.DeepEqual(got, mv) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	changed := got
	changed.FeatureViewIDs = nil
	changed.FeatureVersionIDs = []string{"transactions/2"}
	_, err = r.UpdateModelVersion(ctx, changed)
	refusedWith(t, err, "Model version cannot change in place", "feature views")

	mustDeploy(t, r, serving("fraud/3", "", 0))
	l, err := r.Lineage(ctx, "fraud-scoring")
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.ViewLineage{{ID: "fraud_features/1", FeatureVersions: []string{"accounts/1", "transactions/2"}}}
	if !reflect.DeepEqual(l.Served[0].FeatureViews, want) {
		t.Errorf("lineage views = %+v, want %+v", l.Served[0].FeatureViews, want)
	}
	for _, edge := range []string{
		"model_version_fraud_3 --> feature_view_fraud_features_1",
		"feature_view_fraud_features_1 --> feature_version_accounts_1",
		"feature_view_fraud_features_1 --> feature_version_transactions_2",
		`feature_view_fraud_features_1["feature view fraud_features/1"]`,
	} {
		if !strings.Contains(l.Mermaid(), edge) {
			t.Errorf("mermaid lacks %q:\n%s", edge, l.Mermaid())
		}
	}

	// A feature version behind the view vanishes: D2 names every link.
	behindTheBack(t, e, `DELETE FROM feature_versions WHERE environment = ? AND feature_group = ? AND version = ?`, "dev", "accounts", 1)
	oneProblem(t, planProblems(t, r, serving("fraud/3", "", 0)), "D2", registry.SeverityError, registry.Path{"model_version_id"},
		"Feature version missing for a served model",
		"deployment fraud-scoring -> model version fraud/3 -> feature view fraud_features/1 -> feature version accounts/1: "+
			`feature version accounts/1 does not exist in environment "dev"`)
	l, err = r.Lineage(ctx, "fraud-scoring")
	if err != nil || !reflect.DeepEqual(l.Served[0].FeatureViews[0].Missing, []string{"accounts/1"}) ||
		!strings.Contains(l.Mermaid(), "class feature_version_accounts_1 missing") {
		t.Errorf("lineage after the drop: %+v, %v\n%s", l.Served, err, l.Mermaid())
	}
	// And the view itself.
	behindTheBack(t, e, `DELETE FROM feature_views WHERE environment = ? AND name = ?`, "dev", "fraud_features")
	oneProblem(t, planProblems(t, r, serving("fraud/3", "", 0)), "D2", registry.SeverityError, registry.Path{"model_version_id"},
		"Feature view missing for a served model",
		"deployment fraud-scoring -> model version fraud/3 -> feature view fraud_features/1: "+
			`feature view fraud_features/1 does not exist in environment "dev"`)
}

// TestCheckFeatureViewPlan: FV1 at plan, over what the plan creates.
func TestCheckFeatureViewPlan(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedView(t, r)
	schema, ps, err := r.CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: fraudFeatures(), Known: true})
	if err != nil || len(ps) != 0 || len(schema) != 4 {
		t.Fatalf("plan of a good view: %v, %v, %v", schema, ps, err)
	}
	// A feature version this plan creates, with its features not known
	// yet: FV1 waits for apply.
	run := registry.NewRunPlan("dev")
	run.Put(registry.FeatureVersion{Group: "accounts", Version: 2})
	p := fraudFeatures()
	p.Sources[1].FeatureVersionID = "accounts/2"
	schema, ps, err = r.Planning(run).CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: p, Known: true})
	if err != nil || len(ps) != 0 || schema != nil {
		t.Fatalf("plan over an unknown feature version: %v, %v, %v", schema, ps, err)
	}
	// Once known, the planned version is checked like a stored one.
	planned := accountsVersion()
	planned.Version = 2
	planned.Features[0].Type = "bigint"
	run.Put(planned)
	_, ps, err = r.Planning(run).CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: p, Known: true})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "FV1", registry.SeverityError, registry.Path{"sources", 1, "join_on", 0}, "Join key type mismatch")
	// Not known: only the sources' existence.
	p.Sources[1].FeatureVersionID = "accounts/9"
	_, ps, err = r.CheckFeatureViewPlan(ctx, registry.FeatureViewPlan{View: p})
	if err != nil {
		t.Fatal(err)
	}
	oneProblem(t, ps, "FV1", registry.SeverityError, registry.Path{"sources", 1, "feature_version_id"}, "Feature version missing")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
