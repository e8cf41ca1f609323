// Command testprogress runs `go test -json` with the given arguments and
// prints, as the run goes: one line per finished top-level test and per
// package, each with its time; go test's own closing lines (ok, FAIL, "no
// test files") unchanged; the whole output of every failed test and package;
// a line now and then naming what is still running when nothing else was
// printed; and at the end a summary with the slowest tests. It exits with go
// test's exit status.
//
//	go run ./internal/tools/testprogress [-heartbeat 1m] [-slowest 8] [--] ./... -count=1
//
// go test's standard error (build errors, "go: downloading ...") passes
// through unchanged.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

func main() {
	heartbeat := flag.Duration("heartbeat", time.Minute, "print what is still running after this long without output (0: never)")
	slowest := flag.Int("slowest", 8, "how many of the slowest tests the summary lists")
	flag.Usage = func() {
		_, _ = fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] [--] GO_TEST_ARGS...\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	os.Exit(run(flag.Args(), os.Stdout, *heartbeat, *slowest))
}

// run runs go test -json args, reports on out and returns the exit status.
func run(args []string, out io.Writer, heartbeat time.Duration, slowest int) int {
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stdin = os.Stdin
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		return 2
	}
	_, _ = fmt.Fprintf(out, "    go test -json %s\n", strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		return 2
	}
	// Interrupts reach go test (same process group); keep reading until it
	// stops, so that its last output is shown.
	signal.Ignore(syscall.SIGINT)

	r := newReport(out, time.Now())
	lines := make(chan []byte)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "testprogress: reading go test's output:", err)
			_, _ = io.Copy(io.Discard, stdout)
		}
		close(lines)
	}()
	var tick <-chan time.Time
	if heartbeat > 0 {
		t := time.NewTicker(heartbeat / 4)
		defer t.Stop()
		tick = t.C
	}
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				done = true
				break
			}
			r.line(line)
		case now := <-tick:
			if now.Sub(r.lastPrint) >= heartbeat {
				r.stillRunning(now)
			}
		}
	}

	status := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			fmt.Fprintln(os.Stderr, "testprogress:", err)
			return 2
		}
		status = exitErr.ExitCode()
		if status < 0 { // killed by a signal
			status = 1
		}
	}
	if status == 0 && r.failed() {
		status = 1
	}
	r.summary(time.Now(), slowest, status)
	return status
}

// test is a top-level test that has started.
type test struct {
	pkg, name string
	started   time.Time
	output    strings.Builder // its output and its subtests'
}

// finished is a top-level test's result.
type finished struct {
	pkg, name, action string
	elapsed           time.Duration
}

// report keeps the state of the run and prints it.
type report struct {
	out       io.Writer
	start     time.Time
	lastPrint time.Time

	running map[string]*test            // by pkg + "\x00" + name
	pkgOut  map[string]*strings.Builder // package-level output, by package

	tests     []finished
	pkgPassed int
	pkgFailed []string
	pkgSkip   int
}

func newReport(out io.Writer, start time.Time) *report {
	return &report{
		out: out, start: start, lastPrint: start,
		running: map[string]*test{},
		pkgOut:  map[string]*strings.Builder{},
	}
}

func (r *report) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(r.out, format, args...)
	r.lastPrint = time.Now()
}

// line handles one line of go test's standard output.
func (r *report) line(b []byte) {
	var e event
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &e) != nil {
		r.printf("%s\n", b) // not an event: show it as is
		return
	}
	root, _, sub := strings.Cut(e.Test, "/")
	key := e.Package + "\x00" + root
	switch e.Action {
	case "build-output":
		r.printf("%s", e.Output)
	case "run":
		if !sub {
			r.running[key] = &test{pkg: e.Package, name: root, started: e.Time}
		}
	case "output":
		if e.Test == "" {
			r.pkgBuffer(e.Package).WriteString(e.Output)
		} else if t := r.running[key]; t != nil {
			t.output.WriteString(e.Output)
		}
	case "pass", "fail", "skip":
		if e.Test == "" {
			r.packageDone(e)
		} else if !sub {
			r.testDone(e, key)
		}
	}
}

func (r *report) pkgBuffer(pkg string) *strings.Builder {
	b := r.pkgOut[pkg]
	if b == nil {
		b = &strings.Builder{}
		r.pkgOut[pkg] = b
	}
	return b
}

func (r *report) testDone(e event, key string) {
	t := r.running[key]
	delete(r.running, key)
	elapsed := seconds(e.Elapsed)
	r.tests = append(r.tests, finished{pkg: e.Package, name: e.Test, action: e.Action, elapsed: elapsed})
	r.printf("%s %-4s %-60s %8s  %s\n", r.clock(), strings.ToUpper(e.Action), e.Test, elapsed, e.Package)
	if t == nil {
		return
	}
	switch e.Action {
	case "fail":
		r.printf("%s", t.output.String())
	case "skip":
		if reason := skipReason(t.output.String()); reason != "" {
			r.printf("%s      %s\n", r.clock(), reason)
		}
	}
}

// packageDone prints go test's own closing lines for the package: all of
// its output when it failed (a panic, a timeout, TestMain's messages) with
// that of its tests still running, else the lines other than a bare PASS.
func (r *report) packageDone(e event) {
	out := ""
	if b := r.pkgOut[e.Package]; b != nil {
		out = b.String()
		delete(r.pkgOut, e.Package)
	}
	switch e.Action {
	case "fail":
		r.pkgFailed = append(r.pkgFailed, e.Package)
		for key, t := range r.running {
			if t.pkg == e.Package {
				r.printf("%s", t.output.String())
				delete(r.running, key)
			}
		}
		r.printf("%s", out)
		if e.FailedBuild != "" && out == "" {
			r.printf("FAIL\t%s [build failed]\n", e.Package)
		}
	case "skip":
		r.pkgSkip++
		r.printf("%s", out)
	default:
		r.pkgPassed++
		for _, l := range strings.SplitAfter(out, "\n") {
			if l != "" && strings.TrimSpace(l) != "PASS" {
				r.printf("%s", l)
			}
		}
	}
}

func (r *report) failed() bool {
	if len(r.pkgFailed) > 0 {
		return true
	}
	for _, t := range r.tests {
		if t.action == "fail" {
			return true
		}
	}
	return false
}

// stillRunning names the tests running now, longest first, or the packages
// being built when none is.
func (r *report) stillRunning(now time.Time) {
	if len(r.running) == 0 {
		r.printf("%s ...  building and starting test binaries\n", r.clock())
		return
	}
	ts := make([]*test, 0, len(r.running))
	for _, t := range r.running {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].started.Before(ts[j].started) })
	names := make([]string, 0, len(ts))
	for i, t := range ts {
		if i == 4 {
			names = append(names, fmt.Sprintf("and %d more", len(ts)-i))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", t.name, now.Sub(t.started).Round(time.Second)))
	}
	r.printf("%s ...  running: %s\n", r.clock(), strings.Join(names, ", "))
}

func (r *report) summary(now time.Time, slowest, status int) {
	var passed, failed, skipped int
	for _, t := range r.tests {
		switch t.action {
		case "pass":
			passed++
		case "fail":
			failed++
		default:
			skipped++
		}
	}
	r.printf("\n==> tests: %d passed, %d failed, %d skipped; packages: %d ok, %d failed, %d without tests; %s\n",
		passed, failed, skipped, r.pkgPassed, len(r.pkgFailed), r.pkgSkip, now.Sub(r.start).Round(time.Second))
	if slowest > 0 && len(r.tests) > 0 {
		ts := append([]finished(nil), r.tests...)
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].elapsed > ts[j].elapsed })
		r.printf("    slowest:\n")
		for _, t := range ts[:min(slowest, len(ts))] {
			r.printf("    %8s  %s  %s\n", t.elapsed, t.name, t.pkg)
		}
	}
	for _, t := range r.tests {
		if t.action == "fail" {
			r.printf("    FAILED: %s  %s\n", t.name, t.pkg)
		}
	}
	for _, p := range r.pkgFailed {
		r.printf("    FAILED package: %s\n", p)
	}
	if status != 0 {
		r.printf("    go test exit status %d\n", status)
	}
}

// clock is the time since the start of the run, as [mm:ss].
func (r *report) clock() string {
	d := time.Since(r.start).Round(time.Second)
	return fmt.Sprintf("[%02d:%02d]", int(d.Minutes()), int(d.Seconds())%60)
}

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond)
}

// skipReason is the message of a skipped test: its output without go
// test's own "=== RUN" and "--- SKIP" lines, on one line.
func skipReason(output string) string {
	var parts []string
	for _, l := range strings.Split(output, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " ")
}
