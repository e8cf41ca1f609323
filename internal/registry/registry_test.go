package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

// clock is a settable clock for registry.Options.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// t0 has sub-second precision and a non-UTC zone: the registry stores UTC
// seconds.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("CET", 3600))

// t0Stored is t0 as the registry records it.
var t0Stored = time.Date(2026, 3, 4, 4, 6, 7, 0, time.UTC)

type env struct {
	store *sqlstore.Store
	clock *clock
	path  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.db")
	store, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return &env{store: store, clock: &clock{t: t0}, path: path}
}

func (e *env) registry(t *testing.T, environment string) *registry.Registry {
	t.Helper()
	r, err := registry.New(e.store, registry.Options{Environment: environment, Actor: "tester", Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func txGroup() registry.FeatureGroup {
	return registry.FeatureGroup{
		Name:        "transactions",
		PrimaryKey:  []string{"account_id"},
		EventTime:   "event_ts",
		Description: "card transactions",
		Tags:        map[string]string{"team": "fraud"},
	}
}

func txFeatures() []registry.Feature {
	return []registry.Feature{
		{Name: "account_id", Type: "string"},
		{Name: "event_ts", Type: "timestamp"},
		{Name: "amount", Type: "double", Description: "amount in EUR"},
	}
}

func txVersion(v int64) registry.FeatureVersion {
	return registry.FeatureVersion{Group: "transactions", Version: v, Features: txFeatures()}
}

func mustCreateGroup(t *testing.T, r *registry.Registry, g registry.FeatureGroup) registry.FeatureGroup {
	t.Helper()
	out, err := r.CreateFeatureGroup(context.Background(), g)
	if err != nil {
		t.Fatalf("CreateFeatureGroup(%s): %v", g.Name, err)
	}
	return out
}

func mustCreateVersion(t *testing.T, r *registry.Registry, v registry.FeatureVersion) registry.FeatureVersion {
	t.Helper()
	out, err := r.CreateFeatureVersion(context.Background(), v)
	if err != nil {
		t.Fatalf("CreateFeatureVersion(%s): %v", v.ID(), err)
	}
	return out
}

// ruleError asserts that err is a *RuleError and returns it.
// refusedWith asserts that err is a *registry.RuleError whose text has
// every word.
func refusedWith(t *testing.T, err error, words ...string) {
	t.Helper()
	_ = ruleError(t, err, words...)
}

func ruleError(t *testing.T, err error, words ...string) *registry.RuleError {
	t.Helper()
	var re *registry.RuleError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *registry.RuleError", err, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	return re
}

func notFound(t *testing.T, err error, words ...string) {
	t.Helper()
	var nf *registry.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, registry.ErrNotFound) || !registry.IsNotFound(err) {
		t.Fatalf("error %v (%T), want a *registry.NotFoundError", err, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func audit(t *testing.T, r *registry.Registry, kind registry.Kind, id string) []registry.AuditRecord {
	t.Helper()
	recs, err := r.Audit(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func actions(recs []registry.AuditRecord) string {
	var a []string
	for _, r := range recs {
		a = append(a, r.Action)
	}
	return strings.Join(a, ",")
}

func TestNewOptions(t *testing.T) {
	e := newEnv(t)
	r, err := registry.New(e.store, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Environment() != registry.DefaultEnvironment || registry.DefaultEnvironment != "default" {
		t.Errorf("default environment = %q", r.Environment())
	}
	for _, bad := range []string{"Prod", "prod_eu", "1dev", "dev/x", strings.Repeat("a", 64)} {
		_, err := registry.New(e.store, registry.Options{Environment: bad})
		if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), registry.EnvironmentPattern) {
			t.Errorf("New(environment %q) = %v, want an error naming it and the pattern", bad, err)
		}
	}
	if registry.DefaultActor() == "" {
		t.Error("DefaultActor is empty")
	}
	// Without an actor, the OS user is recorded.
	ctx := context.Background()
	if _, err := r.CreateFeatureGroup(ctx, txGroup()); err != nil {
		t.Fatal(err)
	}
	recs := audit(t, r, registry.KindFeatureGroup, "transactions")
	if len(recs) != 1 || recs[0].Actor != registry.DefaultActor() || recs[0].Environment != "default" {
		t.Errorf("audit = %+v, want the default actor and environment", recs)
	}
	// Without a clock, time.Now is used.
	if at := recs[0].At; time.Since(at) > time.Minute || time.Since(at) < -time.Second {
		t.Errorf("audit time %v is not now", at)
	}
}

func TestFeatureGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")

	created := mustCreateGroup(t, r, txGroup())
	want := txGroup()
	want.CreatedAt = t0Stored
	want.Revision = 1
	if !reflect.DeepEqual(created, want) {
		t.Fatalf("created = %+v, want %+v", created, want)
	}
	got, err := r.FeatureGroup(ctx, "transactions")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read = %+v, %v; want %+v", got, err, want)
	}

	// Update the mutable fields.
	e.clock.t = t0.Add(time.Hour)
	upd := txGroup()
	upd.OnlineEnabled = true
	upd.Description = ""
	upd.Tags = map[string]string{"team": "risk", "tier": "1"}
	updated, err := r.UpdateFeatureGroup(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	want.OnlineEnabled, want.Description, want.Tags, want.Revision = true, "", upd.Tags, 2
	if !reflect.DeepEqual(updated, want) {
		t.Fatalf("updated = %+v, want %+v (created_at kept)", updated, want)
	}
	if got, _ := r.FeatureGroup(ctx, "transactions"); !reflect.DeepEqual(got, want) {
		t.Fatalf("read after update = %+v, want %+v", got, want)
	}

	// Primary key and event time never change in place; nothing is written.
	bad := upd
	bad.PrimaryKey = []string{"card_id"}
	bad.EventTime = "ts"
	bad.Description = "should not be written"
	_, err = r.UpdateFeatureGroup(ctx, bad)
	re := ruleError(t, err, "primary_key [account_id]", `event_time "event_ts"`, "needs a new feature group")
	if len(re.Problems) != 2 || !reflect.DeepEqual(re.Problems[0].Path, registry.Path{"primary_key"}) ||
		!reflect.DeepEqual(re.Problems[1].Path, registry.Path{"event_time"}) {
		t.Errorf("problems = %+v", re.Problems)
	}
	if got, _ := r.FeatureGroup(ctx, "transactions"); !reflect.DeepEqual(got, want) {
		t.Fatalf("a refused update changed the group: %+v", got)
	}
	// Invalid input is refused before the store is touched.
	invalid := upd
	invalid.PrimaryKey = nil
	if _, err := r.UpdateFeatureGroup(ctx, invalid); err == nil {
		t.Fatal("update without primary key accepted")
	} else {
		refusedWith(t, err, "at least one primary key")
	}
	if _, err := r.UpdateFeatureGroup(ctx, registry.FeatureGroup{Name: "absent", PrimaryKey: []string{"k"}}); err == nil {
		t.Fatal("update of an absent group succeeded")
	} else {
		notFound(t, err, `feature group "absent"`, `environment "dev"`)
	}

	e.clock.t = t0.Add(2 * time.Hour)
	if err := r.DeleteFeatureGroup(ctx, "transactions"); err != nil {
		t.Fatal(err)
	}
	_, err = r.FeatureGroup(ctx, "transactions")
	notFound(t, err, `feature group "transactions" does not exist in environment "dev"`)
	// Deleting an absent object succeeds and records nothing.
	if err := r.DeleteFeatureGroup(ctx, "transactions"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if err := r.DeleteFeatureGroup(ctx, "never_existed"); err != nil {
		t.Fatalf("delete of a never-created group: %v", err)
	}

	recs := audit(t, r, registry.KindFeatureGroup, "transactions")
	if actions(recs) != "create,update,delete" {
		t.Fatalf("audit actions = %q, want create,update,delete", actions(recs))
	}
	for i, at := range []time.Time{t0Stored, t0Stored.Add(time.Hour), t0Stored.Add(2 * time.Hour)} {
		rec := recs[i]
		if !rec.At.Equal(at) || rec.At.Location() != time.UTC || rec.Actor != "tester" || rec.Environment != "dev" ||
			rec.Kind != registry.KindFeatureGroup || rec.ObjectID != "transactions" {
			t.Errorf("audit row %d = %+v", i, rec)
		}
	}
	if recs[0].Before != "" || recs[0].After == "" || recs[2].Before == "" || recs[2].After != "" {
		t.Errorf("audit before/after: create %q/%q, delete %q/%q", recs[0].Before, recs[0].After, recs[2].Before, recs[2].After)
	}
	var before, after registry.FeatureGroup
	if err := json.Unmarshal([]byte(recs[1].Before), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(recs[1].After), &after); err != nil {
		t.Fatal(err)
	}
	if before.Description != "card transactions" || before.Revision != 1 || after.Description != "" || !after.OnlineEnabled || after.Revision != 2 || after.Tags["tier"] != "1" {
		t.Errorf("update audit before %+v after %+v", before, after)
	}
	if n := len(audit(t, r, registry.KindFeatureGroup, "never_existed")); n != 0 {
		t.Errorf("a delete of nothing recorded %d audit rows", n)
	}
}

func TestFeatureGroupTagsNilAndEmpty(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	a := txGroup()
	a.Name, a.Tags = "nil_tags", nil
	b := txGroup()
	b.Name, b.Tags = "empty_tags", map[string]string{}
	mustCreateGroup(t, r, a)
	mustCreateGroup(t, r, b)
	ga, _ := r.FeatureGroup(ctx, "nil_tags")
	gb, _ := r.FeatureGroup(ctx, "empty_tags")
	if ga.Tags != nil {
		t.Errorf("nil tags read back as %#v", ga.Tags)
	}
	if gb.Tags == nil || len(gb.Tags) != 0 {
		t.Errorf("empty tags read back as %#v", gb.Tags)
	}
	c := txGroup()
	c.Name, c.PrimaryKey = "multi_key", []string{"z", "a", "m"}
	mustCreateGroup(t, r, c)
	if gc, _ := r.FeatureGroup(ctx, "multi_key"); !reflect.DeepEqual(gc.PrimaryKey, []string{"z", "a", "m"}) {
		t.Errorf("primary key order lost: %v", gc.PrimaryKey)
	}
}

func TestCreateFeatureGroupRefusals(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	mustCreateGroup(t, r, txGroup())

	again := txGroup()
	again.Description = "second"
	_, err := r.CreateFeatureGroup(ctx, again)
	var ae *registry.AlreadyExistsError
	if !errors.As(err, &ae) || !errors.Is(err, registry.ErrAlreadyExists) {
		t.Fatalf("second create: %v (%T), want *AlreadyExistsError", err, err)
	}
	for _, w := range []string{`feature group "transactions" already exists in environment "dev"`, "import", "terraform import <address of this resource> transactions"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if ae.Kind != registry.KindFeatureGroup || ae.ID != "transactions" || ae.Environment != "dev" {
		t.Errorf("AlreadyExistsError = %+v", ae)
	}
	if g, _ := r.FeatureGroup(ctx, "transactions"); g.Description != "card transactions" || g.Revision != 1 {
		t.Errorf("second create changed the group: %+v", g)
	}
	if a := actions(audit(t, r, registry.KindFeatureGroup, "transactions")); a != "create" {
		t.Errorf("audit = %q, want a single create", a)
	}

	invalid := registry.FeatureGroup{Name: "Bad-Name", PrimaryKey: []string{"k", "k"}, EventTime: "Event"}
	_, err = r.CreateFeatureGroup(ctx, invalid)
	re := ruleError(t, err, `"Bad-Name"`, "Duplicate primary key feature", `"Event"`)
	if len(re.Problems) != 3 {
		t.Errorf("want 3 problems, got %+v", re.Problems)
	}
	_, err = r.FeatureGroup(ctx, "Bad-Name")
	notFound(t, err)
	if n := len(audit(t, r, registry.KindFeatureGroup, "Bad-Name")); n != 0 {
		t.Errorf("a refused create recorded %d audit rows", n)
	}
}

func TestFeatureVersionLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	mustCreateGroup(t, r, txGroup())

	v1 := txVersion(1)
	v1.Description = "first"
	created := mustCreateVersion(t, r, v1)
	if created.SchemaHash != registry.SchemaHash(txFeatures()) || created.Revision != 1 || !created.CreatedAt.Equal(t0Stored) {
		t.Fatalf("created = %+v", created)
	}
	got, err := r.FeatureVersion(ctx, "transactions", 1)
	if err != nil || !reflect.DeepEqual(got, created) {
		t.Fatalf("read = %+v, %v; want %+v", got, err, created)
	}
	_, err = r.FeatureVersion(ctx, "transactions", 2)
	notFound(t, err, `feature version "transactions/2" does not exist in environment "dev"`)

	// Append features: allowed, schema_hash follows.
	e.clock.t = t0.Add(time.Minute)
	appended := append(txFeatures(), registry.Feature{Name: "amount_7d", Type: "Decimal( 12 , 2 )"})
	upd := txVersion(1)
	upd.Features = appended
	upd.Description = "first, grown"
	out, err := r.UpdateFeatureVersion(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	if out.SchemaHash == created.SchemaHash || out.SchemaHash != registry.SchemaHash(appended) {
		t.Errorf("schema_hash after append = %q (before %q)", out.SchemaHash, created.SchemaHash)
	}
	if out.Revision != 2 || !out.CreatedAt.Equal(t0Stored) || out.Description != "first, grown" || len(out.Features) != 4 {
		t.Errorf("updated = %+v", out)
	}
	if got, _ := r.FeatureVersion(ctx, "transactions", 1); !reflect.DeepEqual(got, out) {
		t.Fatalf("read after update = %+v, want %+v", got, out)
	}

	// Respelling a type and changing descriptions is not a schema change.
	respelled := txVersion(1)
	respelled.Features = append(txFeatures(), registry.Feature{Name: "amount_7d", Type: "decimal(12,2)", Description: "new"})
	respelled.Features[0].Type = "STRING"
	respelled.Deprecated = true
	out2, err := r.UpdateFeatureVersion(ctx, respelled)
	if err != nil {
		t.Fatal(err)
	}
	if out2.SchemaHash != out.SchemaHash || !out2.Deprecated || out2.Revision != 3 {
		t.Errorf("respelled = %+v, want the same schema_hash %q, deprecated, revision 3", out2, out.SchemaHash)
	}

	// Delete; reads then fail, and deleting again succeeds.
	if err := r.DeleteFeatureVersion(ctx, "transactions", 1); err != nil {
		t.Fatal(err)
	}
	_, err = r.FeatureVersion(ctx, "transactions", 1)
	notFound(t, err)
	if err := r.DeleteFeatureVersion(ctx, "transactions", 1); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if err := r.DeleteFeatureVersion(ctx, "no_group", 9); err != nil {
		t.Fatalf("delete in an absent group: %v", err)
	}

	recs := audit(t, r, registry.KindFeatureVersion, "transactions/1")
	if actions(recs) != "create,update,update,delete" {
		t.Fatalf("audit = %q", actions(recs))
	}
	var before, after registry.FeatureVersion
	if err := json.Unmarshal([]byte(recs[1].Before), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(recs[1].After), &after); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, created) || !reflect.DeepEqual(after, out) {
		t.Errorf("update audit before = %+v\nafter = %+v", before, after)
	}
	if !recs[1].At.Equal(t0Stored.Add(time.Minute)) || recs[1].Actor != "tester" || recs[1].Environment != "dev" {
		t.Errorf("update audit row = %+v", recs[1])
	}
}

func TestCreateFeatureVersionRefusals(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "staging")

	// Missing group.
	v := txVersion(1)
	v.Group = "nope"
	_, err := r.CreateFeatureVersion(ctx, v)
	re := ruleError(t, err, `feature group "nope" does not exist in environment "staging"`, "create it first")
	if !reflect.DeepEqual(re.Problems[0].Path, registry.Path{"feature_group_id"}) {
		t.Errorf("path = %v", re.Problems[0].Path)
	}

	mustCreateGroup(t, r, txGroup())

	// F3 coverage.
	v = txVersion(1)
	v.Features = []registry.Feature{{Name: "amount", Type: "double"}}
	_, err = r.CreateFeatureVersion(ctx, v)
	re = ruleError(t, err, "[F3]", "transactions/1", `lacks "account_id"`, `lacks "event_ts"`, `add a feature named "account_id" to features`)
	if len(re.Problems) != 2 {
		t.Errorf("problems = %+v", re.Problems)
	}
	_, err = r.FeatureVersion(ctx, "transactions", 1)
	notFound(t, err)

	// F3 input checks, before the store is touched.
	v = txVersion(0)
	v.Features = append(txFeatures(), registry.Feature{Name: "amount", Type: "money"})
	_, err = r.CreateFeatureVersion(ctx, v)
	refusedWith(t, err, "version must be a whole number from 1 to", "Duplicate feature name", `unknown type name "money"`)
	v = txVersion(1)
	v.Features = nil
	_, err = r.CreateFeatureVersion(ctx, v)
	refusedWith(t, err, "[F3] No features")
	if n := len(audit(t, r, registry.KindFeatureVersion, "transactions/1")); n != 0 {
		t.Errorf("refused creates recorded %d audit rows", n)
	}

	// Twice.
	mustCreateVersion(t, r, txVersion(1))
	_, err = r.CreateFeatureVersion(ctx, txVersion(1))
	if !errors.Is(err, registry.ErrAlreadyExists) || !strings.Contains(err.Error(), "import") ||
		!strings.Contains(err.Error(), `feature version "transactions/1" already exists in environment "staging"`) {
		t.Fatalf("second create: %v", err)
	}
}

func TestUpdateFeatureVersionF1WritesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	mustCreateGroup(t, r, txGroup())
	v := txVersion(1)
	v.Features[2].Type = "Array< INT >"
	mustCreateVersion(t, r, v)
	before, err := r.FeatureVersion(ctx, "transactions", 1)
	if err != nil {
		t.Fatal(err)
	}

	base := before.Features
	cases := map[string]struct {
		features []registry.Feature
		words    []string
	}{
		"remove":  {base[:2], []string{`would lose feature "amount" (position 3)`}},
		"rename":  {[]registry.Feature{base[0], base[1], {Name: "amount_eur", Type: "array<int>"}}, []string{`has feature "amount" at position 3, the change puts "amount_eur" there`}},
		"reorder": {[]registry.Feature{base[1], base[0], base[2]}, []string{`has feature "account_id" at position 1`}},
		"retype":  {[]registry.Feature{base[0], base[1], {Name: "amount", Type: "array<double>"}}, []string{"from array<int> to array<double>"}},
		"insert":  {[]registry.Feature{base[0], {Name: "x", Type: "int"}, base[1], base[2]}, []string{`the change puts "x" there`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e.clock.t = t0.Add(time.Hour)
			upd := txVersion(1)
			upd.Features = c.features
			upd.Description = "must not be written"
			upd.Deprecated = true
			_, err := r.UpdateFeatureVersion(ctx, upd)
			re := ruleError(t, err, append(c.words, "[F1]", "transactions/1", "declare a new version instead", "version = 2")...)
			for _, p := range re.Problems {
				if p.Severity == registry.SeverityError && p.Rule != "F1" && p.Rule != "F3" {
					t.Errorf("unexpected problem %+v", p)
				}
			}
			after, err := r.FeatureVersion(ctx, "transactions", 1)
			if err != nil || !reflect.DeepEqual(after, before) {
				t.Fatalf("a refused update changed the version:\nbefore %+v\nafter  %+v", before, after)
			}
			if a := actions(audit(t, r, registry.KindFeatureVersion, "transactions/1")); a != "create" {
				t.Fatalf("audit = %q, want only the create", a)
			}
		})
	}

	// The spelling change Array< INT > -> array<int> is not a change.
	upd := txVersion(1)
	upd.Features = append([]registry.Feature{}, base...)
	upd.Features[2].Type = "array<int>"
	out, err := r.UpdateFeatureVersion(ctx, upd)
	if err != nil {
		t.Fatalf("respelling refused: %v", err)
	}
	if out.SchemaHash != before.SchemaHash {
		t.Errorf("schema_hash changed on a respelling: %q -> %q", before.SchemaHash, out.SchemaHash)
	}

	// Dropping a key feature while appending is refused by F3 too.
	upd = txVersion(1)
	upd.Features = []registry.Feature{base[0]}
	_, err = r.UpdateFeatureVersion(ctx, upd)
	refusedWith(t, err, "[F1]", "[F3]", `lacks "event_ts"`)

	// Updating an absent version is NotFound.
	_, err = r.UpdateFeatureVersion(ctx, txVersion(7))
	notFound(t, err, "transactions/7")
}

func TestDeleteFeatureGroupWithVersionsRefused(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))
	mustCreateVersion(t, r, txVersion(2))

	err := r.DeleteFeatureGroup(ctx, "transactions")
	re := ruleError(t, err, "[F2]", `feature group "transactions" in environment "dev"`,
		`feature version "transactions/1"`, `feature version "transactions/2"`, "Nothing was deleted")
	if len(re.Problems) != 1 || re.Problems[0].Rule != "F2" {
		t.Errorf("problems = %+v", re.Problems)
	}
	if _, err := r.FeatureGroup(ctx, "transactions"); err != nil {
		t.Fatalf("group deleted despite F2: %v", err)
	}
	for _, v := range []int64{1, 2} {
		if _, err := r.FeatureVersion(ctx, "transactions", v); err != nil {
			t.Fatalf("version %d deleted despite F2: %v", v, err)
		}
	}
	if a := actions(audit(t, r, registry.KindFeatureGroup, "transactions")); a != "create" {
		t.Errorf("audit = %q", a)
	}

	// Plan-time view of the same rule.
	deps, err := r.Dependents(ctx, registry.Ref{Kind: registry.KindFeatureGroup, ID: "transactions"})
	if err != nil || len(deps) != 2 || deps[0].ID != "transactions/1" || deps[1].ID != "transactions/2" {
		t.Fatalf("Dependents = %v, %v", deps, err)
	}
	ps, err := leaveWhileReadersStay(r, registry.Ref{Kind: registry.KindFeatureGroup, ID: "transactions"})
	if err != nil || len(ps) != 1 || ps[0].Rule != "F2" || !strings.Contains(ps[0].Detail, `feature version "transactions/1"`) {
		t.Fatalf("F2 at plan = %+v, %v", ps, err)
	}
	ps, err = leaveWhileReadersStay(r, registry.Ref{Kind: registry.KindFeatureVersion, ID: "transactions/1"})
	if err != nil || len(ps) != 0 {
		t.Fatalf("F2 at plan (feature version) = %+v, %v", ps, err)
	}
	ps, err = leaveWhileReadersStay(r, registry.Ref{Kind: registry.KindFeatureGroup, ID: "absent"})
	if err != nil || len(ps) != 0 {
		t.Fatalf("F2 at plan (absent group) = %+v, %v", ps, err)
	}
	if _, err := leaveWhileReadersStay(r, registry.Ref{Kind: "spaceship", ID: "x"}); err == nil || !strings.Contains(err.Error(), "spaceship") {
		t.Fatalf("unknown kind: %v", err)
	}

	for _, v := range []int64{2, 1} {
		if err := r.DeleteFeatureVersion(ctx, "transactions", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.DeleteFeatureGroup(ctx, "transactions"); err != nil {
		t.Fatalf("delete after the versions are gone: %v", err)
	}
	if a := actions(audit(t, r, registry.KindFeatureGroup, "transactions")); a != "create,delete" {
		t.Errorf("audit = %q", a)
	}
}

func TestLatestFeatureVersion(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")

	_, err := r.LatestFeatureVersion(ctx, "transactions")
	notFound(t, err, `feature group "transactions"`, `environment "dev"`)

	mustCreateGroup(t, r, txGroup())
	_, err = r.LatestFeatureVersion(ctx, "transactions")
	notFound(t, err, "transactions/", `environment "dev"`)

	// Created out of order: the highest number wins, not the newest row.
	for _, n := range []int64{2, 10, 1, 3} {
		mustCreateVersion(t, r, txVersion(n))
	}
	latest, err := r.LatestFeatureVersion(ctx, "transactions")
	if err != nil || latest.Version != 10 {
		t.Fatalf("latest = %d, %v; want 10", latest.Version, err)
	}
	deprecate := func(n int64) {
		t.Helper()
		v := txVersion(n)
		v.Deprecated = true
		if _, err := r.UpdateFeatureVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	deprecate(10)
	deprecate(2)
	latest, err = r.LatestFeatureVersion(ctx, "transactions")
	if err != nil || latest.Version != 3 {
		t.Fatalf("latest = %d, %v; want 3 (10 deprecated)", latest.Version, err)
	}
	deprecate(3)
	deprecate(1)
	_, err = r.LatestFeatureVersion(ctx, "transactions")
	notFound(t, err, "non-deprecated", `environment "dev"`)
}

func TestEnvironmentsIsolate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	dev, prod := e.registry(t, "dev"), e.registry(t, "prod")

	gd := txGroup()
	gd.Description = "dev copy"
	gp := txGroup()
	gp.PrimaryKey = []string{"account_id", "merchant_id"}
	gp.Description = "prod copy"
	mustCreateGroup(t, dev, gd)
	mustCreateGroup(t, prod, gp)

	if g, _ := dev.FeatureGroup(ctx, "transactions"); g.Description != "dev copy" || len(g.PrimaryKey) != 1 {
		t.Errorf("dev sees %+v", g)
	}
	if g, _ := prod.FeatureGroup(ctx, "transactions"); g.Description != "prod copy" || len(g.PrimaryKey) != 2 {
		t.Errorf("prod sees %+v", g)
	}

	// A version valid in dev is refused in prod, whose group has another key.
	mustCreateVersion(t, dev, txVersion(1))
	_, err := prod.CreateFeatureVersion(ctx, txVersion(1))
	refusedWith(t, err, `lacks "merchant_id"`)
	pv := txVersion(2)
	pv.Features = append(pv.Features, registry.Feature{Name: "merchant_id", Type: "string"})
	mustCreateVersion(t, prod, pv)

	_, err = dev.FeatureVersion(ctx, "transactions", 2)
	notFound(t, err, `feature version "transactions/2" does not exist in environment "dev"`)
	_, err = prod.FeatureVersion(ctx, "transactions", 1)
	notFound(t, err, `environment "prod"`)

	// Only prod has this group.
	g := txGroup()
	g.Name = "payments"
	mustCreateGroup(t, prod, g)
	_, err = dev.FeatureGroup(ctx, "payments")
	notFound(t, err, `feature group "payments" does not exist in environment "dev"`)

	// Deleting in dev leaves prod alone.
	if err := dev.DeleteFeatureVersion(ctx, "transactions", 1); err != nil {
		t.Fatal(err)
	}
	if err := dev.DeleteFeatureGroup(ctx, "transactions"); err != nil {
		t.Fatal(err)
	}
	if _, err := prod.FeatureGroup(ctx, "transactions"); err != nil {
		t.Fatalf("prod lost its group: %v", err)
	}
	if _, err := prod.FeatureVersion(ctx, "transactions", 2); err != nil {
		t.Fatalf("prod lost its version: %v", err)
	}
	// And dev's delete of prod-only objects is a no-op.
	if err := dev.DeleteFeatureGroup(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if _, err := prod.FeatureGroup(ctx, "payments"); err != nil {
		t.Fatalf("dev deleted prod's group: %v", err)
	}

	if a := actions(audit(t, dev, registry.KindFeatureGroup, "transactions")); a != "create,delete" {
		t.Errorf("dev audit = %q", a)
	}
	if a := actions(audit(t, prod, registry.KindFeatureGroup, "transactions")); a != "create" {
		t.Errorf("prod audit = %q", a)
	}
	for _, rec := range audit(t, prod, registry.KindFeatureGroup, "transactions") {
		if rec.Environment != "prod" {
			t.Errorf("prod audit row in %q", rec.Environment)
		}
	}
}

func TestCheckFeatureVersionPlan(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))

	garbage := []registry.Feature{{Name: "Bad", Type: "nope"}}
	check := func(p registry.FeatureVersionPlan) registry.Problems {
		t.Helper()
		ps, err := r.CheckFeatureVersionPlan(ctx, p)
		if err != nil {
			t.Fatalf("CheckFeatureVersionPlan(%+v): %v", p, err)
		}
		return ps
	}
	none := func(name string, p registry.FeatureVersionPlan) {
		t.Helper()
		if ps := check(p); len(ps) != 0 {
			t.Errorf("%s: want no problems, got %+v", name, ps)
		}
	}

	// Unknown group: nothing to check against the registry.
	none("group unknown", registry.FeatureVersionPlan{Features: garbage, Version: 1})
	none("group unknown, create", registry.FeatureVersionPlan{Features: garbage, Version: 1, Create: true})

	// Absent group.
	ps := check(registry.FeatureVersionPlan{Group: "nope", Version: 1, Create: true})
	if len(ps) != 1 || !reflect.DeepEqual(ps[0].Path, registry.Path{"feature_group_id"}) ||
		!strings.Contains(ps[0].Detail, `feature group "nope" does not exist in environment "dev"`) {
		t.Errorf("absent group: %+v", ps)
	}

	// Features unknown: only the existence checks.
	none("features unknown, in place", registry.FeatureVersionPlan{Group: "transactions", Version: 1})
	none("features unknown, create", registry.FeatureVersionPlan{Group: "transactions", Version: 2, Create: true})
	none("features unknown, version unknown", registry.FeatureVersionPlan{Group: "transactions"})

	// Coverage (F3) with known features.
	ps = check(registry.FeatureVersionPlan{Group: "transactions", Version: 2, Create: true, Features: []registry.Feature{{Name: "amount", Type: "double"}}})
	if len(ps) != 2 || ps[0].Rule != "F3" || !strings.Contains(ps[0].Detail, "transactions/2") {
		t.Errorf("coverage: %+v", ps)
	}
	none("covering create", registry.FeatureVersionPlan{Group: "transactions", Version: 2, Create: true, Features: txFeatures()})

	// Create of an existing version: plan leaves it to apply, which refuses
	// it with an error pointing at import (a replacement is planned without
	// its prior state, so plan cannot tell the two apart).
	none("create existing", registry.FeatureVersionPlan{Group: "transactions", Version: 1, Create: true, Features: txFeatures()})
	if _, err := r.CreateFeatureVersion(ctx, txVersion(1)); !errors.Is(err, registry.ErrAlreadyExists) || !strings.Contains(err.Error(), "import") {
		t.Errorf("apply of create existing: %v", err)
	}

	// In-place change (F1).
	reordered := txFeatures()
	reordered[0], reordered[1] = reordered[1], reordered[0]
	ps = check(registry.FeatureVersionPlan{Group: "transactions", Version: 1, Features: reordered})
	if len(ps) != 1 || ps[0].Rule != "F1" || !reflect.DeepEqual(ps[0].Path, registry.Path{"features", 0, "name"}) ||
		!strings.Contains(ps[0].Detail, "declare a new version instead") {
		t.Errorf("F1 at plan: %+v", ps)
	}
	none("append in place", registry.FeatureVersionPlan{Group: "transactions", Version: 1,
		Features: append(txFeatures(), registry.Feature{Name: "new", Type: "int"})})
	// In-place change of a version deleted behind Terraform's back: the
	// write creates it again, nothing to refuse.
	none("in place, gone", registry.FeatureVersionPlan{Group: "transactions", Version: 5, Features: reordered})
	// The same problems reach the user at plan and at write.
	upd := txVersion(1)
	upd.Features = reordered
	_, err := r.UpdateFeatureVersion(ctx, upd)
	refusedWith(t, err, ps[0].Detail)
}

func TestStaleRevisionIsAConflict(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.registry(t, "dev")
	g := mustCreateGroup(t, r, txGroup())
	mustCreateVersion(t, r, txVersion(1))

	err := e.store.Update(ctx, "dev", func(tx registry.Tx) error {
		stale := g
		stale.Revision = 5 // not prior+1
		return tx.UpdateFeatureGroup(ctx, "dev", stale)
	})
	var ce *registry.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, registry.ErrConflict) || !strings.Contains(err.Error(), `feature group "transactions"`) {
		t.Fatalf("stale update: %v", err)
	}
	err = e.store.Update(ctx, "dev", func(tx registry.Tx) error {
		return tx.DeleteFeatureVersion(ctx, "dev", "transactions", 1, 99)
	})
	if !errors.Is(err, registry.ErrConflict) || !strings.Contains(err.Error(), "transactions/1") {
		t.Fatalf("stale delete: %v", err)
	}
	if _, err := r.FeatureVersion(ctx, "transactions", 1); err != nil {
		t.Fatalf("a conflicting delete removed the version: %v", err)
	}
}
