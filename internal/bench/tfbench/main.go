// Command tfbench measures the provider against Terraform's own floor. For
// each N it generates a configuration of N registry objects (a realistic
// mix: feature groups, feature versions of 20 features, models, model
// versions, approvals, aliases, deployments), one of N light terraform_data
// resources, and a fair one of terraform_data resources holding the same
// values as the registry objects, and times apply, plan (with refresh) and
// destroy with the terraform on PATH, recording the peak memory of the
// provider process, its CPU time and the registry queries per refreshed
// object. Then it does the same for wide objects (a feature version of
// thousands of features, a model version of a thousand inputs) beside
// terraform_data holding the same lists. It prints the machine's cores and
// load average first, and writes the results to BENCHMARKS.md. Run it with
// `make bench`.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

func main() {
	sizes := flag.String("n", "100,1000,5000", "comma-separated object counts")
	wideFeatures := flag.String("wide-features", "1000,5000", "comma-separated widths of the wide feature version (empty: none)")
	wideInputs := flag.String("wide-inputs", "1000", "comma-separated input counts of the wide model version (empty: none)")
	out := flag.String("out", "BENCHMARKS.md", "report file")
	destroyUpTo := flag.Int("destroy-up-to", 1000, "time destroy only for N up to this (terraform_data's own destroy of 5,000 takes over ten minutes)")
	emit := flag.Int("config", 0, "print the configuration of N registry objects and exit (for profiling)")
	fair := flag.Bool("fair", false, "with -config, print its terraform_data counterpart instead")
	wideKind := flag.String("wide", "", "with -config N, print the wide case of width N instead of the mix: features (a feature version) or inputs (a model version)")
	postgres := flag.Bool("postgres", true, "also measure the mix on a throwaway PostgreSQL (where PostgreSQL is installed)")
	flag.Parse()
	if *emit > 0 {
		config, err := printedConfig(*emit, *wideKind)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tfbench:", err)
			os.Exit(2)
		}
		if *fair {
			config = terraformDataFairConfig(config)
		}
		fmt.Print(config)
		return
	}
	m := machine()
	fmt.Println("tfbench: " + m)
	if err := run(*sizes, *wideFeatures, *wideInputs, *out, *destroyUpTo, *postgres, m); err != nil {
		fmt.Fprintln(os.Stderr, "tfbench:", err)
		os.Exit(1)
	}
}

// step is one timed terraform command.
type step struct {
	wall time.Duration
	// cpu is the command's CPU time, its provider processes included.
	cpu time.Duration
	// providerCPU is the CPU time of the provider processes alone.
	providerCPU time.Duration
	peakRSSKiB  int64
	skipped     bool
}

type measurement struct {
	apply, plan, destroy step
	queriesPerObject     float64
}

func (m measurement) peakRSSKiB() int64 {
	return max(m.apply.peakRSSKiB, m.plan.peakRSSKiB, m.destroy.peakRSSKiB)
}

// results are the report's table rows.
type results struct {
	rows, cpuRows, fairRows, wideRows, pgRows []string
	// noPostgres is why there is no PostgreSQL table.
	noPostgres string
}

func run(sizes, wideFeatures, wideInputs, out string, destroyUpTo int, postgres bool, machine string) (err error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("terraform not found on PATH: %w", err)
	}
	root, err := os.MkdirTemp("", "mlops-bench")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(root) }()
	env, err := setup(root)
	if err != nil {
		return err
	}
	var res results
	ns, err := parseSizes(sizes, 10)
	if err != nil {
		return err
	}
	var pg *postgresCluster
	if postgres {
		if pg, res.noPostgres, err = startPostgres(); err != nil {
			return fmt.Errorf("starting PostgreSQL: %w", err)
		}
		defer func() { err = errors.Join(err, pg.stop()) }()
	} else {
		res.noPostgres = "not measured in this run (`-postgres=false`)"
	}
	for _, n := range ns {
		destroy := n <= destroyUpTo
		floor, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("data-%d", n)), terraformDataConfig(n), false, destroy)
		if err != nil {
			return fmt.Errorf("terraform_data, N=%d: %w", n, err)
		}
		config := mlopsConfig(n)
		fair, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("fair-%d", n)), terraformDataFairConfig(config), false, false)
		if err != nil {
			return fmt.Errorf("terraform_data of the same values, N=%d: %w", n, err)
		}
		ours, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("mlops-%d", n)), config, true, destroy)
		if err != nil {
			return fmt.Errorf("mlops, N=%d: %w", n, err)
		}
		row := fmt.Sprintf("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f |",
			n, secs(ours.apply), secs(floor.apply), ratio(ours.apply, floor.apply),
			secs(ours.plan), secs(floor.plan), ratio(ours.plan, floor.plan),
			secs(ours.destroy), secs(floor.destroy), ratio(ours.destroy, floor.destroy),
			float64(ours.peakRSSKiB())/1024, ours.queriesPerObject)
		fairRow := fmt.Sprintf("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", n,
			secs(ours.apply), secs(fair.apply), ratio(ours.apply, fair.apply), secs(floor.apply), ratio(ours.apply, floor.apply),
			secs(ours.plan), secs(fair.plan), ratio(ours.plan, fair.plan), secs(floor.plan), ratio(ours.plan, floor.plan))
		cpuRow := fmt.Sprintf("| %d | %s | %s | %s | %s | %s | %s | %s | %s |", n,
			cpuSecs(ours.apply.cpu-ours.apply.providerCPU), cpuSecs(ours.apply.providerCPU), cpuSecs(floor.apply.cpu), cpuSecs(fair.apply.cpu),
			cpuSecs(ours.plan.cpu-ours.plan.providerCPU), cpuSecs(ours.plan.providerCPU), cpuSecs(floor.plan.cpu), cpuSecs(fair.plan.cpu))
		for _, r := range []string{row, fairRow, cpuRow} {
			fmt.Println(r)
		}
		res.rows, res.cpuRows, res.fairRows = append(res.rows, row), append(res.cpuRows, cpuRow), append(res.fairRows, fairRow)
		if pg == nil {
			continue
		}
		dbURL, err := pg.createDatabase(fmt.Sprintf("bench_%d", n))
		if err != nil {
			return err
		}
		pgDir := filepath.Join(root, fmt.Sprintf("postgres-%d", n))
		onPG, err := measure(tf, append(env, "MLOPS_REGISTRY="+dbURL), pgDir, config, true, false)
		if err != nil {
			return fmt.Errorf("mlops on PostgreSQL, N=%d: %w", n, err)
		}
		if _, err := os.Stat(filepath.Join(pgDir, registry.DefaultRegistryFile)); err == nil {
			return fmt.Errorf("mlops on PostgreSQL, N=%d: the provider wrote a SQLite registry instead", n)
		}
		pgRow := fmt.Sprintf("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f |", n,
			secs(ours.apply), secs(onPG.apply), ratio(onPG.apply, ours.apply),
			secs(ours.plan), secs(onPG.plan), ratio(onPG.plan, ours.plan),
			cpuSecs(ours.plan.providerCPU), cpuSecs(onPG.plan.providerCPU),
			float64(onPG.peakRSSKiB())/1024, onPG.queriesPerObject)
		fmt.Println(pgRow)
		res.pgRows = append(res.pgRows, pgRow)
	}
	var wide []wideCase
	for _, w := range []struct {
		flag, name string
		config     func(int) string
	}{
		{wideFeatures, "feature version of %d features", wideFeatureVersionConfig},
		{wideInputs, "model version with %d inputs", wideInputsConfig},
	} {
		widths, err := parseSizes(w.flag, 3)
		if err != nil {
			return err
		}
		for _, n := range widths {
			wide = append(wide, wideCase{fmt.Sprintf(w.name, n), w.config(n)})
		}
	}
	for i, c := range wide {
		fair, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("wide-data-%d", i)), terraformDataFairConfig(c.config), false, false)
		if err != nil {
			return fmt.Errorf("terraform_data, %s: %w", c.name, err)
		}
		ours, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("wide-mlops-%d", i)), c.config, true, false)
		if err != nil {
			return fmt.Errorf("mlops, %s: %w", c.name, err)
		}
		row := fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", c.name,
			secs(ours.apply), secs(fair.apply), ratio(ours.apply, fair.apply),
			secs(ours.plan), secs(fair.plan), ratio(ours.plan, fair.plan),
			cpuSecs(ours.apply.cpu-ours.apply.providerCPU), cpuSecs(ours.apply.providerCPU), cpuSecs(fair.apply.cpu),
			cpuSecs(ours.plan.cpu-ours.plan.providerCPU), cpuSecs(ours.plan.providerCPU), cpuSecs(fair.plan.cpu))
		fmt.Println(row)
		res.wideRows = append(res.wideRows, row)
	}
	return writeReport(out, report(tf, machine, res, destroyUpTo))
}

// wideCase is one configuration of a few wide objects.
type wideCase struct{ name, config string }

// parseSizes parses a comma-separated list of numbers of at least least;
// an empty list is none.
func parseSizes(list string, least int) ([]int, error) {
	var ns []int
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < least {
			return nil, fmt.Errorf("bad size %q: want a number of at least %d", s, least)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// The results go between these markers, so that the prose around them (the
// analysis of a run) survives the next run.
const (
	startMarker = "<!-- results: start -->"
	endMarker   = "<!-- results: end -->"
)

func writeReport(path, results string) error {
	block := startMarker + "\n" + results + endMarker + "\n"
	old, err := os.ReadFile(path)
	if err == nil {
		s := string(old)
		i, j := strings.Index(s, startMarker), strings.Index(s, endMarker)
		if i >= 0 && j > i {
			return os.WriteFile(path, []byte(s[:i]+block+strings.TrimPrefix(s[j+len(endMarker):], "\n")), 0o644)
		}
	}
	return os.WriteFile(path, []byte("# Benchmarks\n\n"+block), 0o644)
}

// setup builds the provider and the RSS wrapper, and writes the CLI config
// that makes Terraform run the wrapper as the provider.
func setup(root string) ([]string, error) {
	bin := filepath.Join(root, "bin")
	plugin := filepath.Join(root, "plugin")
	for _, d := range []string{bin, plugin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	provider := filepath.Join(bin, "terraform-provider-mlops")
	for _, b := range []struct{ out, pkg string }{
		{provider, "."},
		{filepath.Join(plugin, "terraform-provider-mlops"), "./internal/bench/rsswrap"},
	} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}
	rc := filepath.Join(root, "terraformrc")
	// Both keys: Terraform and OpenTofu each read their own.
	cfg := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    \"registry.terraform.io/mlops-tf/mlops\" = %q\n    \"registry.opentofu.org/mlops-tf/mlops\" = %q\n  }\n  direct {}\n}\n", plugin, plugin)
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"MLOPS_BENCH_PROVIDER="+provider, "MLOPS_REGISTRY=", "MLOPS_ENVIRONMENT=", "TF_LOG=", "TF_LOG_PROVIDER="), nil
}

func measure(tf string, env []string, dir, config string, provider, destroy bool) (measurement, error) {
	var m measurement
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return m, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return m, err
	}
	var err error
	if m.apply, err = timed(tf, env, dir, provider, "apply", "-auto-approve", "-input=false"); err != nil {
		return m, err
	}
	if m.plan, err = timed(tf, env, dir, provider, "plan", "-input=false", "-detailed-exitcode"); err != nil {
		return m, err
	}
	if provider {
		if m.queriesPerObject, err = queriesPerObject(tf, env, dir); err != nil {
			return m, err
		}
	}
	if !destroy {
		m.destroy.skipped = true
		return m, nil
	}
	m.destroy, err = timed(tf, env, dir, provider, "destroy", "-auto-approve", "-input=false")
	return m, err
}

// timed runs one terraform command and measures it; the RSS wrapper
// reports each provider process's peak memory and CPU time to a file of
// the command's own.
func timed(tf string, env []string, dir string, provider bool, args ...string) (step, error) {
	var st step
	usage := filepath.Join(dir, args[0]+".usage")
	cmd := exec.Command(tf, args...)
	cmd.Dir, cmd.Env = dir, append(env, "MLOPS_BENCH_RSS_FILE="+usage)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return st, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	st.wall = time.Since(start)
	st.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	peak, cpu, err := readUsage(usage)
	if provider && err != nil {
		return st, err
	}
	st.peakRSSKiB, st.providerCPU = peak, cpu
	return st, nil
}

// queriesPerObject runs a refreshing plan with the registry's trace log on
// and counts the queries the store logged, per managed object.
func queriesPerObject(tf string, env []string, dir string) (float64, error) {
	logFile := filepath.Join(dir, "trace.log")
	cmd := exec.Command(tf, "plan", "-input=false", "-detailed-exitcode")
	cmd.Dir = dir
	cmd.Env = append(env, "TF_LOG_PROVIDER=trace", "TF_LOG_PATH="+logFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("traced plan: %w\n%s", err, out)
	}
	queries, err := countLines(logFile, "registry query: ")
	if err != nil {
		return 0, err
	}
	state := exec.Command(tf, "state", "list")
	state.Dir, state.Env = dir, env
	list, err := state.Output()
	if err != nil {
		return 0, err
	}
	objects := strings.Count(string(list), "\n")
	if objects == 0 {
		return 0, fmt.Errorf("no objects in state")
	}
	return float64(queries) / float64(objects), nil
}

func countLines(path, substr string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n, sc.Err()
}

// readUsage reads the RSS wrapper's lines, "<peak RSS KiB> <CPU µs>" per
// provider process, and returns the largest peak and the summed CPU time.
func readUsage(path string) (int64, time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("no provider usage recorded: %w", err)
	}
	var peak int64
	var cpu time.Duration
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rss, us int64
		if _, err := fmt.Sscan(l, &rss, &us); err == nil {
			peak = max(peak, rss)
			cpu += time.Duration(us) * time.Microsecond
		}
	}
	return peak, cpu, nil
}

func secs(s step) string {
	if s.skipped {
		return "—"
	}
	return fmt.Sprintf("%.1f s", s.wall.Seconds())
}

func cpuSecs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func ratio(a, b step) string {
	if a.skipped || b.skipped || b.wall == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a.wall.Seconds()/b.wall.Seconds())
}

func report(tf, machine string, res results, destroyUpTo int) string {
	tfVersion, _ := exec.Command(tf, "version").Output()
	goVersion := runtime.Version()
	var b strings.Builder
	b.WriteString("Generated by `make bench` (internal/bench/tfbench). Each row applies, plans (with refresh) and destroys N registry\n")
	b.WriteString("objects with the mlops provider and, on the same machine in the same run, N `terraform_data` resources: the\n")
	b.WriteString("cost of Terraform itself. The mix per 13 objects: 1 feature group, 2 feature versions of 20 features, 1 feature\n")
	b.WriteString("pipeline writing both, 1 feature view, 1 model, 1 training pipeline, 2 model versions (one reading the view),\n")
	b.WriteString("2 approvals, 1 alias, 1 deployment serving the alias with a canary, in an environment that requires approval,\n")
	b.WriteString("in the embedded SQLite registry. Peak RSS is the provider process's\n")
	b.WriteString("(the largest of the processes of the three commands); queries per object are the registry queries the store\n")
	fmt.Fprintf(&b, "logged during a refreshing plan, divided by the objects in state. Destroy is timed up to N = %d\n", destroyUpTo)
	b.WriteString("(`-destroy-up-to`): `terraform_data`'s own destroy of 5,000 resources takes over ten minutes here.\n\n")
	b.WriteString("Machine: " + machine + "; " + goVersion + "; " + firstLine(string(tfVersion)) + ".\n\n")
	b.WriteString("| N | apply | apply (terraform_data) | ratio | plan | plan (terraform_data) | ratio | destroy | destroy (terraform_data) | ratio | provider peak RSS (MB) | queries per refreshed object |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	writeRows(&b, res.rows)
	b.WriteString("\nAgainst a fair baseline: `terraform_data` resources holding the same values as the registry objects\n")
	b.WriteString("(each object's arguments in its `input`: the same feature lists, metrics, maps and references), generated\n")
	b.WriteString("from the mlops configuration itself (`tfbench -config N -fair` prints it); the light baseline above is\n")
	b.WriteString("repeated for comparison.\n\n")
	b.WriteString("| N | apply | apply (fair) | ratio | apply (light) | ratio | plan | plan (fair) | ratio | plan (light) | ratio |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	writeRows(&b, res.fairRows)
	b.WriteString("\nWhere the time goes: the CPU time of Terraform itself and of the provider processes (from their\n")
	b.WriteString("resource usage) in the runs above, against the whole CPU time of the same command on `terraform_data`.\n\n")
	b.WriteString("| N | apply: Terraform CPU | apply: provider CPU | apply (terraform_data): CPU | apply (fair): CPU | plan: Terraform CPU | plan: provider CPU | plan (terraform_data): CPU | plan (fair): CPU |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	writeRows(&b, res.cpuRows)
	b.WriteString("\nOn PostgreSQL: the same mix in a throwaway PostgreSQL cluster on this machine (durable: fsync on;\n")
	b.WriteString("over a unix socket), one new database per N, against the SQLite rows above. Ratios are PostgreSQL's time\n")
	b.WriteString("over SQLite's.\n\n")
	if res.noPostgres != "" {
		b.WriteString("PostgreSQL: " + res.noPostgres + ".\n")
	} else {
		b.WriteString("| N | apply (SQLite) | apply (PostgreSQL) | ratio | plan (SQLite) | plan (PostgreSQL) | ratio | plan: provider CPU (SQLite) | plan: provider CPU (PostgreSQL) | provider peak RSS (MB) | queries per refreshed object |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
		writeRows(&b, res.pgRows)
	}
	if len(res.wideRows) > 0 {
		b.WriteString("\nWide objects: a feature group with one feature version of that many features (the two keys\n")
		b.WriteString("included), and a model version with that many inputs reading a feature version that has them (the\n")
		b.WriteString("configuration also holds that feature version, its group and the model), each beside `terraform_data`\n")
		b.WriteString("resources holding the same values. Apply creates them; plan refreshes them, unchanged.\n\n")
		b.WriteString("| objects | apply | apply (terraform_data) | ratio | plan | plan (terraform_data) | ratio | apply: Terraform CPU | apply: provider CPU | apply (terraform_data): CPU | plan: Terraform CPU | plan: provider CPU | plan (terraform_data): CPU |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		writeRows(&b, res.wideRows)
	}
	return b.String()
}

func writeRows(b *strings.Builder, rows []string) {
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if _, v, ok := strings.Cut(l, ":"); ok {
					model = strings.TrimSpace(v)
				}
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(firstLine(string(b)))
		if len(f) >= 2 {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				mem = fmt.Sprintf(", %.0f GiB", kb/1024/1024)
			}
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s, load average %s at start", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, loadAverage())
}

// loadAverage is the 1, 5 and 15 minute load averages, so that a table from a
// loaded machine is recognisable.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}
