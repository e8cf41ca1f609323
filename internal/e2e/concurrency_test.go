package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/pgtest"
)

// EnvConcurrencyRounds sets the rounds of TestConcurrency, 3 or more;
// defaultConcurrencyRounds by default (both stores together take about two
// and a half minutes on a two-core machine).
const EnvConcurrencyRounds = "MLOPS_CONCURRENCY_ROUNDS"

const defaultConcurrencyRounds = 50

// applyTimeout bounds every terraform command of these tests: a command
// still running then is a hang, and fails the test.
const applyTimeout = 3 * time.Minute

// concurrencyConfig is what every writer of TestConcurrency applies, round
// after round: each round rewrites every object (the round number is in
// each description), appends a feature to shared/1, registers model version
// m/<round>, retires m/<round-3> and moves the deployment to m/<round>.
const concurrencyConfig = `
terraform {
  required_providers {
    mlops = { source = "mlops-tf/mlops" }
  }
}

variable "round" { type = number }
variable "writer" { type = string }

provider "mlops" {
  environment = terraform.workspace
  actor       = "writer-${var.writer}"
}

locals {
  note     = "round ${var.round} by ${var.writer}"
  versions = [for v in range(max(1, var.round - 2), var.round + 1) : tostring(v)]
}

resource "mlops_feature_group" "shared" {
  name        = "shared"
  primary_key = ["id"]
  event_time  = "ts"
  description = local.note
  tags        = { round = tostring(var.round), writer = var.writer }
}

resource "mlops_feature_version" "shared_v1" {
  feature_group_id = mlops_feature_group.shared.id
  version          = 1
  features = concat(
    [{ name = "id", type = "string" }, { name = "ts", type = "timestamp" }],
    [for i in range(1, var.round + 1) : { name = "f${i}", type = "double" }],
  )
  description = local.note
}

resource "mlops_model" "m" {
  name        = "m"
  description = local.note
}

resource "mlops_model_version" "m" {
  for_each            = toset(local.versions)
  model_id            = mlops_model.m.id
  version             = tonumber(each.key)
  artifact_uri        = "s3://models/m/${each.key}"
  feature_version_ids = [mlops_feature_version.shared_v1.id]
  metrics             = { auc = 0.9 }
  description         = local.note

  # The deployment moves to the new version before an old one is deleted
  # (Terraform otherwise deletes first, which rule F2 refuses while the
  # deployment still serves that version).
  lifecycle {
    create_before_destroy = true
  }
}

resource "mlops_deployment" "serve" {
  name             = "serve"
  model_version_id = mlops_model_version.m[tostring(var.round)].id
}
`

// concWriter is one working directory of TestConcurrency, with its own
// state, applying in one workspace (environment).
type concWriter struct {
	name      string // the writer variable, and the audit actor writer-<name>
	env       string
	contended bool // shares its environment with another writer
	w         *workdir
}

func (cw *concWriter) vars(round int) []string {
	return []string{"-var", "round=" + strconv.Itoa(round), "-var", "writer=" + cw.name}
}

func note(round int, writer string) string { return fmt.Sprintf("round %d by %s", round, writer) }

// concStats are the figures TestConcurrency reports for one store.
type concStats struct {
	rounds, applies, succeeded, failed, imports int
	refusals                                    map[string]int // by kind
	writes                                      int            // writes successful applies made, all found in the audit trail
}

// TestConcurrency applies, round after round, six terraform processes at
// once against one registry (a SQLite file, then a PostgreSQL database):
// four writers each in its own environment, and two writers in one more
// environment, each with its own state, managing the same objects with
// different values. It then checks from the registry that no write was lost
// or half written and that every refusal said clearly what happened.
func TestConcurrency(t *testing.T) {
	rounds := defaultConcurrencyRounds
	if s := os.Getenv(EnvConcurrencyRounds); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 3 {
			t.Fatalf("%s=%q: want a number of rounds, 3 or more", EnvConcurrencyRounds, s)
		}
		rounds = n
	}
	t.Run("sqlite", func(t *testing.T) {
		cliConfig(t)
		testConcurrency(t, "sqlite://"+filepath.Join(t.TempDir(), "registry.db"), rounds)
	})
	t.Run("postgres", func(t *testing.T) {
		cliConfig(t)
		testConcurrency(t, pgtest.URL(t), rounds)
	})
}

func testConcurrency(t *testing.T, registryURL string, rounds int) {
	start := time.Now()
	var writers []*concWriter
	for _, spec := range []struct {
		name, env string
		contended bool
	}{
		{"a", "env-a", false}, {"b", "env-b", false}, {"c", "env-c", false}, {"d", "env-d", false},
		{"x", "contended", true}, {"y", "contended", true},
	} {
		cw := &concWriter{name: spec.name, env: spec.env, contended: spec.contended, w: newWorkdir(t)}
		cw.w.writeFile("main.tf", concurrencyConfig)
		cw.w.setenv("MLOPS_REGISTRY", registryURL)
		cw.w.workspace(spec.env)
		writers = append(writers, cw)
	}

	stats := concStats{rounds: rounds, refusals: map[string]int{}}
	// written[writer][object] is the last round whose value the writer's
	// applies wrote to the object, as their states show.
	written := map[string]map[objKey]int{}
	var expected []expectedWrite
	for round := 1; round <= rounds; round++ {
		results := make([]result, len(writers))
		errs := make([]error, len(writers))
		var wg sync.WaitGroup
		for i, cw := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
				defer cancel()
				results[i], errs[i] = runTF(ctx, cw.w, nil, append([]string{"apply", "-auto-approve", "-no-color"}, cw.vars(round)...)...)
			}()
		}
		wg.Wait()
		for i, cw := range writers {
			r := results[i]
			if errs[i] != nil {
				t.Fatalf("round %d, writer %s: %v\n%s", round, cw.name, errs[i], r)
			}
			stats.applies++
			if r.code == 0 {
				stats.succeeded++
			} else {
				stats.failed++
			}
			if !cw.contended && r.code != 0 {
				t.Fatalf("round %d: writer %s, alone in environment %s, failed: %s", round, cw.name, cw.env, r)
			}
			if r.code != 0 && r.code != 1 {
				t.Fatalf("round %d, writer %s: unexpected exit code: %s", round, cw.name, r)
			}
			refusals := parseRefusals(r.stderr)
			if r.code == 1 && len(refusals) == 0 {
				t.Fatalf("round %d, writer %s: apply failed without an error diagnostic: %s", round, cw.name, r)
			}
			for _, ref := range refusals {
				kind := ref.kind()
				if kind == "" {
					t.Fatalf("round %d, writer %s: an error that is not one of the clear refusals:\n%s\n\n%s", round, cw.name, ref, r)
				}
				if stats.refusals[kind] == 0 {
					t.Logf("first %q refusal (writer %s, round %d): %s", kind, cw.name, round, ref)
				}
				stats.refusals[kind]++
			}
			// The writes this apply made: the objects its state holds with
			// this round's value.
			for key, desc := range stateDescriptions(t, cw.w, cw.env) {
				if desc == note(round, cw.name) {
					expected = append(expected, expectedWrite{key: key, writer: cw.name, round: round})
					if written[cw.name] == nil {
						written[cw.name] = map[objKey]int{}
					}
					written[cw.name][key] = round
				}
			}
			// What a user does with "already exists ... import it": import.
			for _, ref := range refusals {
				if ref.kind() != "already exists" {
					continue
				}
				id := importIDRE.FindStringSubmatch(ref.detail)
				if id == nil || ref.address == "" {
					t.Fatalf("round %d, writer %s: no address or import id in the refusal:\n%s", round, cw.name, ref)
				}
				cw.w.must(append([]string{"import", "-no-color"}, append(cw.vars(round), ref.address, id[1])...)...)
				stats.imports++
			}
		}
		t.Logf("round %d: %s", round, roundSummary(writers, results))
	}
	stats.writes = len(expected)

	// The registry, read directly.
	rc := checkRegistry(t, registryURL)
	for _, p := range rc.problems {
		t.Errorf("registry: %s", p)
	}
	// Every write a successful apply made is in the audit trail, by its
	// writer, with the value written.
	lost := 0
	for _, e := range expected {
		if !rc.hasWrite(e.key, "writer-"+e.writer, note(e.round, e.writer)) {
			lost++
			t.Errorf("lost write: %s %q in %s, %q: in writer %s's state but not in the audit trail", e.key.kind, e.key.id, e.key.env, note(e.round, e.writer), e.writer)
		}
	}
	// Each environment with one writer holds exactly what its last apply
	// wrote.
	for _, cw := range writers {
		states := stateDescriptions(t, cw.w, cw.env)
		if cw.contended {
			continue
		}
		want := map[objKey]bool{}
		for key := range states {
			want[key] = true
		}
		got := map[objKey]bool{}
		for key, obj := range rc.objects {
			if key.env != cw.env {
				continue
			}
			got[key] = true
			if d, _ := obj["description"].(string); d != states[key] && states[key] != "" {
				t.Errorf("%s %q in %s: registry has description %q, the last apply wrote %q", key.kind, key.id, key.env, d, states[key])
			}
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("environment %s: registry holds %v, the state %v", cw.env, keys(got), keys(want))
		}
		g := rc.objects[objKey{cw.env, registry.KindFeatureGroup, "shared"}]
		if d, _ := g["description"].(string); d != note(rounds, cw.name) {
			t.Errorf("environment %s: feature group description %q, want %q", cw.env, d, note(rounds, cw.name))
		}
		if fs, _ := rc.objects[objKey{cw.env, registry.KindFeatureVersion, "shared/1"}]["features"].([]any); len(fs) != rounds+2 {
			t.Errorf("environment %s: shared/1 has %d features, want %d", cw.env, len(fs), rounds+2)
		}
		if mv, _ := rc.objects[objKey{cw.env, registry.KindDeployment, "serve"}]["model_version_id"].(string); mv != fmt.Sprintf("m/%d", rounds) {
			t.Errorf("environment %s: deployment serves %q, want m/%d", cw.env, mv, rounds)
		}
	}
	// The contended environment holds, for each object, the last value one
	// of its two writers wrote; an object in either state is in the
	// registry, or its last audit row is its delete.
	contended := writers[4].env
	for key, obj := range rc.objects {
		if key.env != contended {
			continue
		}
		d, ok := obj["description"].(string)
		if !ok {
			continue // the deployment has no description
		}
		var round int
		var w string
		if _, err := fmt.Sscanf(d, "round %d by %s", &round, &w); err != nil {
			t.Errorf("%s %q in %s: unexpected description %q", key.kind, key.id, key.env, d)
			continue
		}
		if last := written[w][key]; last != round {
			t.Errorf("%s %q in %s: registry has %q, but writer %s last wrote round %d", key.kind, key.id, key.env, d, w, last)
		}
	}
	for _, cw := range writers[4:] {
		for key := range stateDescriptions(t, cw.w, cw.env) {
			if _, ok := rc.objects[key]; !ok && rc.lastAction(key) != "delete" {
				t.Errorf("%s %q in %s: in writer %s's state, not in the registry, and never deleted", key.kind, key.id, key.env, cw.name)
			}
		}
	}
	// The writers alone in their environments have nothing left to do.
	var wg sync.WaitGroup
	plans := make([]result, 4)
	for i, cw := range writers[:4] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
			defer cancel()
			var err error
			if plans[i], err = runTF(ctx, cw.w, nil, append([]string{"plan", "-detailed-exitcode", "-no-color"}, cw.vars(rounds)...)...); err != nil {
				plans[i].code = -1
				plans[i].stderr += err.Error()
			}
		}()
	}
	wg.Wait()
	for _, r := range plans {
		if r.code != 0 {
			t.Errorf("expected an empty plan: %s", r)
		}
	}

	kinds := make([]string, 0, len(stats.refusals))
	for k, n := range stats.refusals {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	store, _ := registry.ParseRegistryURL(registryURL)
	t.Logf("RESULT store=%s rounds=%d applies=%d succeeded=%d failed=%d refusals{%s} imports=%d writes=%d lost=%d overwritten=%d half-written=%d duplicates=%d registry-objects=%d audit-rows=%d wall=%s",
		store.Scheme, stats.rounds, stats.applies, stats.succeeded, stats.failed, strings.Join(kinds, " "), stats.imports,
		stats.writes, lost, rc.overwritten, rc.halfWritten, rc.duplicates, len(rc.objects), rc.auditRows, time.Since(start).Round(time.Second))
}

func roundSummary(writers []*concWriter, results []result) string {
	var parts []string
	for i, cw := range writers {
		s := fmt.Sprintf("%s:%d", cw.name, results[i].code)
		if results[i].code != 0 {
			var kinds []string
			for _, ref := range parseRefusals(results[i].stderr) {
				kinds = append(kinds, ref.kind())
			}
			s += "(" + strings.Join(kinds, ",") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func keys(m map[objKey]bool) []string {
	var out []string
	for k := range m {
		out = append(out, string(k.kind)+" "+k.id)
	}
	sort.Strings(out)
	return out
}

// expectedWrite is a value a successful apply wrote, as its state shows.
type expectedWrite struct {
	key    objKey
	writer string
	round  int
}

// writeFile writes a file into the working directory.
func (w *workdir) writeFile(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// runTF runs terraform in the working directory, bounded by ctx, in a
// process group of its own: when ctx ends, terraform and the provider
// processes it started are killed together. onLine, when set, sees each
// line of standard output as it comes. It calls no t.Fatal, so that
// goroutines may use it; the error is for a run that did not end by itself.
func runTF(ctx context.Context, w *workdir, onLine func(string), args ...string) (result, error) {
	cmd := exec.Command(terraformBin, args...)
	cmd.Dir = w.dir
	cmd.Env = w.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	var stdout lineBuffer
	var stderr bytes.Buffer
	stdout.onLine = onLine
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := result{args: args}
	if err := cmd.Start(); err != nil {
		return r, err
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err, runErr error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		err = <-done
		runErr = fmt.Errorf("terraform %s did not finish within its time limit: killed", strings.Join(args, " "))
	}
	// Provider processes left behind by a terraform that died.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	r.stdout, r.stderr = stdout.String(), stderr.String()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	default:
		if runErr == nil {
			runErr = err
		}
	}
	return r, runErr
}

// lineBuffer keeps what is written to it and hands each complete line to
// onLine.
type lineBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
	onLine  func(string)
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.onLine == nil {
		return len(p), nil
	}
	b.partial = append(b.partial, p...)
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		b.onLine(string(b.partial[:i]))
		b.partial = b.partial[i+1:]
	}
	return len(p), nil
}

func (b *lineBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// refusal is one error diagnostic terraform printed.
type refusal struct {
	summary string
	address string // the resource it is attached to, when any
	detail  string // the rest of the diagnostic, white space squashed
}

func (r refusal) String() string {
	return fmt.Sprintf("Error: %s\n  with %s\n  %s", r.summary, r.address, r.detail)
}

var (
	importIDRE = regexp.MustCompile(`terraform import <address of this resource> (\S+)`)
	withRE     = regexp.MustCompile(`^\s*with (\S+),$`)
)

// kind classifies a refusal among the clear messages a concurrent writer
// may get, "" when it is none of them: a raw database error, say.
func (r refusal) kind() string {
	text := r.summary + " " + r.detail
	for _, raw := range []string{"SQLSTATE", "database is locked", "could not serialize", "deadlock", "duplicate key", "UNIQUE constraint", "The registry returned an error"} {
		if strings.Contains(text, raw) {
			return ""
		}
	}
	switch {
	case strings.HasSuffix(r.summary, ": it already exists") &&
		strings.Contains(r.detail, "already exists in environment") && strings.Contains(r.detail, "terraform import"):
		return "already exists"
	case strings.HasSuffix(r.summary, ": concurrent change") &&
		strings.Contains(r.detail, "was changed by another writer") && strings.Contains(r.detail, "run plan again"):
		return "conflict"
	case strings.Contains(r.summary, "(rule F1)"):
		return "F1"
	case strings.Contains(r.summary, "(rule F2)"):
		return "F2"
	case strings.HasSuffix(r.summary, ": not found") && strings.Contains(r.detail, "does not exist in environment"):
		return "not found"
	}
	return ""
}

// parseRefusals parses the error diagnostics of terraform's standard error:
// each starts with a line "Error: <summary>" (with -no-color, as here; a
// box drawn with ╷ │ ╵ otherwise), then "with <address>," when it is
// attached to a resource, then the detail.
func parseRefusals(stderr string) []refusal {
	var out []refusal
	var cur *refusal
	var detail []string
	flush := func() {
		if cur != nil {
			cur.detail = squash(strings.Join(detail, " "))
			out = append(out, *cur)
		}
		cur, detail = nil, nil
	}
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "╷│╵"))
		switch {
		case strings.HasPrefix(l, "Error: "):
			flush()
			cur = &refusal{summary: strings.TrimPrefix(l, "Error: ")}
		case strings.HasPrefix(l, "Warning: "):
			flush()
		case cur == nil || l == "":
		case cur.address == "" && len(detail) == 0 && withRE.MatchString(l):
			cur.address = withRE.FindStringSubmatch(l)[1]
		default:
			detail = append(detail, l)
		}
	}
	flush()
	return out
}

// objKey names one registry object.
type objKey struct {
	env  string
	kind registry.Kind
	id   string
}

// resourceKinds maps resource types to registry kinds.
var resourceKinds = map[string]registry.Kind{
	"mlops_feature_group":    registry.KindFeatureGroup,
	"mlops_feature_version":  registry.KindFeatureVersion,
	"mlops_model":            registry.KindModel,
	"mlops_model_version":    registry.KindModelVersion,
	"mlops_deployment":       registry.KindDeployment,
	"mlops_validation_suite": registry.KindSuite,
}

// stateDescriptions reads the working directory's state of workspace ws
// (its file, without running terraform): the description of each managed
// object ("" for one without).
func stateDescriptions(t *testing.T, w *workdir, ws string) map[objKey]string {
	t.Helper()
	file := filepath.Join(w.dir, "terraform.tfstate.d", ws, "terraform.tfstate")
	if ws == "default" {
		file = filepath.Join(w.dir, "terraform.tfstate")
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[objKey]string{}
	for _, r := range st.Resources {
		kind, ok := resourceKinds[r.Type]
		if r.Mode != "managed" || !ok {
			continue
		}
		for _, in := range r.Instances {
			id, _ := in.Attributes["id"].(string)
			desc, _ := in.Attributes["description"].(string)
			out[objKey{ws, kind, id}] = desc
		}
	}
	return out
}

// auditRow is one row of the registry's audit trail, its before and after
// decoded.
type auditRow struct {
	id            int64
	action, actor string
	before, after map[string]any
}

// registryCheck is what checkRegistry found.
type registryCheck struct {
	objects     map[objKey]map[string]any // each object as the registry reads it, in its audit JSON form
	audit       map[objKey][]auditRow
	auditRows   int
	halfWritten int
	overwritten int // updates and deletes based on a stale read
	duplicates  int
	problems    []string
}

func (rc *registryCheck) problem(format string, args ...any) {
	rc.problems = append(rc.problems, fmt.Sprintf(format, args...))
}

// hasWrite reports whether the audit trail has a create or update of key
// by actor that left description desc.
func (rc *registryCheck) hasWrite(key objKey, actor, desc string) bool {
	for _, a := range rc.audit[key] {
		if a.action != "delete" && a.actor == actor && a.after["description"] == desc {
			return true
		}
	}
	return false
}

func (rc *registryCheck) lastAction(key objKey) string {
	rows := rc.audit[key]
	if len(rows) == 0 {
		return ""
	}
	return rows[len(rows)-1].action
}

// checkRegistry opens the registry at url, as the provider does, and checks
// its invariants:
//   - the audit trail of each object is one unbroken chain: created at
//     revision 1, each update based on the revision before it (its before
//     equals the previous row's after: no update silently overwrote
//     another), a delete only of what exists, no create of what exists (no
//     duplicate);
//   - each object in the registry is whole: it reads back (with its lineage)
//     exactly as its last audit row wrote it, and its revision is the
//     number of its creates and updates since it was last created;
//   - an object whose last audit row is not a delete exists;
//   - no feature version without its group, no model version without its
//     model, no lineage row without both ends, no model version without
//     lineage, no duplicate key.
func checkRegistry(t *testing.T, url string) *registryCheck {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loc, err := registry.ParseRegistryURL(url)
	if err != nil {
		t.Fatal(err)
	}
	store, err := stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatalf("opening the registry: %v", err)
	}
	defer func() { _ = store.Close() }()
	db := storeDB(t, store)
	rc := &registryCheck{objects: map[objKey]map[string]any{}, audit: map[objKey][]auditRow{}}

	query := func(q string, scan func(*sql.Rows) error) {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	decode := func(s string) map[string]any {
		if s == "" {
			return nil
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("audit JSON %q: %v", s, err)
		}
		return m
	}

	query(`SELECT id, environment, object_kind, object_id, action, before, after, actor FROM audit ORDER BY id`, func(rows *sql.Rows) error {
		var a auditRow
		var key objKey
		var kind, before, after string
		if err := rows.Scan(&a.id, &key.env, &kind, &key.id, &a.action, &before, &after, &a.actor); err != nil {
			return err
		}
		key.kind = registry.Kind(kind)
		a.before, a.after = decode(before), decode(after)
		rc.audit[key] = append(rc.audit[key], a)
		rc.auditRows++
		return nil
	})

	// The objects, read through the registry as the provider reads them.
	regs := map[string]*registry.Registry{}
	reg := func(env string) *registry.Registry {
		if regs[env] == nil {
			r, err := registry.New(store, registry.Options{Environment: env})
			if err != nil {
				t.Fatal(err)
			}
			regs[env] = r
		}
		return regs[env]
	}
	read := func(key objKey) (any, error) {
		r := reg(key.env)
		switch key.kind {
		case registry.KindFeatureGroup:
			return r.FeatureGroup(ctx, key.id)
		case registry.KindFeatureVersion:
			g, v, _ := registry.ParseFeatureVersionID(key.id)
			return r.FeatureVersion(ctx, g, v)
		case registry.KindModel:
			return r.Model(ctx, key.id)
		case registry.KindModelVersion:
			m, v, _ := registry.ParseModelVersionID(key.id)
			return r.ModelVersion(ctx, m, v)
		case registry.KindDeployment:
			return r.Deployment(ctx, key.id)
		case registry.KindSuite:
			return r.Suite(ctx, key.id)
		}
		return nil, fmt.Errorf("unknown kind %q", key.kind)
	}
	var keys []objKey
	for _, tbl := range []struct {
		kind registry.Kind
		sql  string
	}{
		{registry.KindFeatureGroup, `SELECT environment, name FROM feature_groups`},
		{registry.KindFeatureVersion, `SELECT environment, feature_group || '/' || CAST(version AS TEXT) FROM feature_versions`},
		{registry.KindModel, `SELECT environment, name FROM models`},
		{registry.KindModelVersion, `SELECT environment, model || '/' || CAST(version AS TEXT) FROM model_versions`},
		{registry.KindDeployment, `SELECT environment, name FROM deployments`},
		{registry.KindSuite, `SELECT environment, name FROM validation_suites`},
	} {
		query(tbl.sql, func(rows *sql.Rows) error {
			key := objKey{kind: tbl.kind}
			if err := rows.Scan(&key.env, &key.id); err != nil {
				return err
			}
			keys = append(keys, key)
			return nil
		})
	}
	seen := map[objKey]bool{}
	for _, key := range keys {
		if seen[key] {
			rc.duplicates++
			rc.problem("duplicate: %s %q in %s twice", key.kind, key.id, key.env)
			continue
		}
		seen[key] = true
		obj, err := read(key)
		if err != nil {
			rc.halfWritten++
			rc.problem("%s %q in %s does not read back: %v", key.kind, key.id, key.env, err)
			continue
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		rc.objects[key] = m
	}

	// The audit chains, and each object against its chain.
	for key, rows := range rc.audit {
		var cur map[string]any // the object as the chain has it; nil: absent
		var sinceCreate int64
		for _, a := range rows {
			rev, _ := a.after["revision"].(float64)
			switch a.action {
			case "create":
				if cur != nil {
					rc.duplicates++
					rc.problem("audit %d: %s %q in %s created again while it existed", a.id, key.kind, key.id, key.env)
				}
				if rev != 1 {
					rc.problem("audit %d: %s %q in %s created at revision %v", a.id, key.kind, key.id, key.env, rev)
				}
				sinceCreate = 1
				cur = a.after
			case "update":
				if cur == nil {
					rc.problem("audit %d: %s %q in %s updated while absent", a.id, key.kind, key.id, key.env)
				} else if !reflect.DeepEqual(a.before, cur) {
					rc.overwritten++
					rc.problem("audit %d: %s %q in %s: an update based on a stale read (silent overwrite): before %v, but the previous write left %v", a.id, key.kind, key.id, key.env, a.before, cur)
				}
				if prev, _ := a.before["revision"].(float64); rev != prev+1 {
					rc.problem("audit %d: %s %q in %s: update from revision %v to %v", a.id, key.kind, key.id, key.env, prev, rev)
				}
				sinceCreate++
				cur = a.after
			case "delete":
				if cur == nil {
					rc.problem("audit %d: %s %q in %s deleted while absent", a.id, key.kind, key.id, key.env)
				} else if !reflect.DeepEqual(a.before, cur) {
					rc.overwritten++
					rc.problem("audit %d: %s %q in %s: a delete based on a stale read: before %v, but the previous write left %v", a.id, key.kind, key.id, key.env, a.before, cur)
				}
				cur = nil
			default:
				rc.problem("audit %d: unknown action %q", a.id, a.action)
			}
		}
		obj, exists := rc.objects[key]
		switch {
		case cur == nil && exists:
			rc.problem("%s %q in %s exists, but its audit trail ends with its delete", key.kind, key.id, key.env)
		case cur != nil && !exists:
			rc.halfWritten++
			rc.problem("%s %q in %s is missing, but its audit trail says it exists", key.kind, key.id, key.env)
		case cur != nil:
			if !reflect.DeepEqual(obj, cur) {
				rc.halfWritten++
				rc.problem("%s %q in %s reads back as %v, but its last write left %v", key.kind, key.id, key.env, obj, cur)
			}
			if rev, _ := obj["revision"].(float64); int64(rev) != sinceCreate {
				rc.problem("%s %q in %s has revision %v, but %d creates and updates since it was created", key.kind, key.id, key.env, rev, sinceCreate)
			}
		}
	}
	for key := range rc.objects {
		if len(rc.audit[key]) == 0 {
			rc.problem("%s %q in %s has no audit row", key.kind, key.id, key.env)
		}
	}

	// Orphans, by SQL.
	for _, q := range []struct{ what, sql string }{
		{"feature versions without their group", `SELECT COUNT(*) FROM feature_versions v WHERE NOT EXISTS (SELECT 1 FROM feature_groups g WHERE g.environment = v.environment AND g.name = v.feature_group)`},
		{"model versions without their model", `SELECT COUNT(*) FROM model_versions v WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.environment = v.environment AND m.name = v.model)`},
		{"model versions without lineage", `SELECT COUNT(*) FROM model_versions v WHERE NOT EXISTS (SELECT 1 FROM model_version_features f WHERE f.environment = v.environment AND f.model = v.model AND f.version = v.version)`},
		{"lineage rows without their model version", `SELECT COUNT(*) FROM model_version_features f WHERE NOT EXISTS (SELECT 1 FROM model_versions v WHERE f.environment = v.environment AND f.model = v.model AND f.version = v.version)`},
		{"lineage rows without their feature version", `SELECT COUNT(*) FROM model_version_features f WHERE NOT EXISTS (SELECT 1 FROM feature_versions v WHERE f.environment = v.environment AND f.feature_group = v.feature_group AND f.feature_version = v.version)`},
	} {
		var n int
		if err := db.QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		if n != 0 {
			rc.halfWritten += n
			rc.problem("%d %s", n, q.what)
		}
	}
	return rc
}

// storeDB is the database handle behind a registry store.
func storeDB(t *testing.T, store registry.Store) *sql.DB {
	t.Helper()
	s, ok := store.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("the registry store %T has no database handle", store)
	}
	return s.DB()
}
