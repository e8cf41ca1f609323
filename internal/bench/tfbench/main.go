// Command tfbench measures the provider against Terraform's own floor: the
// same number of terraform_data resources. For each N it generates a
// configuration of N registry objects (a realistic mix: feature groups,
// feature versions of 20 features, models, model versions, deployments) and
// one of N terraform_data resources, and times apply, plan (with refresh)
// and destroy of each with the terraform on PATH, recording the peak memory
// of the provider process and the registry queries per refreshed object.
// It writes the results to BENCHMARKS.md. Run it with `make bench`.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	sizes := flag.String("n", "100,1000,5000", "comma-separated object counts")
	out := flag.String("out", "BENCHMARKS.md", "report file")
	emit := flag.Int("config", 0, "print the configuration of N registry objects and exit (for profiling)")
	flag.Parse()
	if *emit > 0 {
		fmt.Print(mlopsConfig(*emit))
		return
	}
	if err := run(*sizes, *out); err != nil {
		fmt.Fprintln(os.Stderr, "tfbench:", err)
		os.Exit(1)
	}
}

type measurement struct {
	apply, plan, destroy time.Duration
	peakRSSKiB           int64
	queriesPerObject     float64
}

func run(sizes, out string) error {
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
	var rows []string
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			return fmt.Errorf("bad size %q: want a number of at least 10", s)
		}
		floor, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("data-%d", n)), terraformDataConfig(n), false)
		if err != nil {
			return fmt.Errorf("terraform_data, N=%d: %w", n, err)
		}
		ours, err := measure(tf, env, filepath.Join(root, fmt.Sprintf("mlops-%d", n)), mlopsConfig(n), true)
		if err != nil {
			return fmt.Errorf("mlops, N=%d: %w", n, err)
		}
		row := fmt.Sprintf("| %d | %s | %s | %.2f× | %s | %s | %.2f× | %s | %s | %.2f× | %.1f | %.1f |",
			n, secs(ours.apply), secs(floor.apply), ratio(ours.apply, floor.apply),
			secs(ours.plan), secs(floor.plan), ratio(ours.plan, floor.plan),
			secs(ours.destroy), secs(floor.destroy), ratio(ours.destroy, floor.destroy),
			float64(ours.peakRSSKiB)/1024, ours.queriesPerObject)
		fmt.Println(row)
		rows = append(rows, row)
	}
	return writeReport(out, report(tf, rows))
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
	cfg := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    \"registry.terraform.io/mlops-tf/mlops\" = %q\n  }\n  direct {}\n}\n", plugin)
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"MLOPS_BENCH_PROVIDER="+provider, "MLOPS_REGISTRY=", "MLOPS_ENVIRONMENT=", "TF_LOG=", "TF_LOG_PROVIDER="), nil
}

func measure(tf string, env []string, dir, config string, provider bool) (measurement, error) {
	var m measurement
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return m, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return m, err
	}
	rss := filepath.Join(dir, "rss.txt")
	env = append(env, "MLOPS_BENCH_RSS_FILE="+rss)
	steps := []struct {
		into *time.Duration
		args []string
	}{
		{&m.apply, []string{"apply", "-auto-approve", "-input=false"}},
		{&m.plan, []string{"plan", "-input=false", "-detailed-exitcode"}},
		{nil, nil}, // round-trip count, below
		{&m.destroy, []string{"destroy", "-auto-approve", "-input=false"}},
	}
	for _, s := range steps {
		if s.args == nil {
			if provider {
				q, err := queriesPerObject(tf, env, dir)
				if err != nil {
					return m, err
				}
				m.queriesPerObject = q
			}
			continue
		}
		start := time.Now()
		cmd := exec.Command(tf, s.args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = nil, &stderr
		if err := cmd.Run(); err != nil {
			return m, fmt.Errorf("terraform %s: %w\n%s", strings.Join(s.args, " "), err, stderr.String())
		}
		*s.into = time.Since(start)
	}
	peak, err := maxLine(rss)
	if provider && err != nil {
		return m, err
	}
	m.peakRSSKiB = peak
	return m, nil
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

func maxLine(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("no provider memory recorded: %w", err)
	}
	var peak int64
	for _, l := range strings.Fields(string(b)) {
		if v, err := strconv.ParseInt(l, 10, 64); err == nil && v > peak {
			peak = v
		}
	}
	return peak, nil
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

func report(tf string, rows []string) string {
	tfVersion, _ := exec.Command(tf, "version").Output()
	goVersion := runtime.Version()
	var b strings.Builder
	b.WriteString("Generated by `make bench` (internal/bench/tfbench). Each row applies, plans (with refresh) and destroys N registry\n")
	b.WriteString("objects with the mlops provider and, on the same machine in the same run, N `terraform_data` resources: the\n")
	b.WriteString("cost of Terraform itself. The mix per 10 objects: 1 feature group, 4 feature versions of 20 features, 1 model,\n")
	b.WriteString("3 model versions, 1 deployment, in the embedded SQLite registry. Peak RSS is the provider process's\n")
	b.WriteString("(the largest of the processes of the three commands); queries per object are the registry queries the store\n")
	b.WriteString("logged during a refreshing plan, divided by the objects in state.\n\n")
	b.WriteString("Machine: " + machine() + "; " + goVersion + "; " + firstLine(string(tfVersion)) + ".\n\n")
	b.WriteString("| N | apply | apply (terraform_data) | ratio | plan | plan (terraform_data) | ratio | destroy | destroy (terraform_data) | ratio | provider peak RSS (MB) | queries per refreshed object |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	return b.String()
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
	return fmt.Sprintf("%s, %d cores%s, %s/%s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}
