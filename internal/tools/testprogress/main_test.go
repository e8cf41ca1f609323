package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// feed passes events to a report, as go test -json prints them.
func feed(t *testing.T, events ...event) (*report, string) {
	t.Helper()
	var out bytes.Buffer
	r := newReport(&out, time.Now())
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		r.line(b)
	}
	return r, out.String()
}

func TestReportKeepsGoTestClosingLinesAndFailures(t *testing.T) {
	const pkg = "example.com/m/a"
	r, out := feed(t,
		event{Action: "start", Package: pkg},
		event{Action: "run", Package: pkg, Test: "TestOK"},
		event{Action: "output", Package: pkg, Test: "TestOK", Output: "=== RUN   TestOK\n"},
		event{Action: "output", Package: pkg, Test: "TestOK", Output: "--- PASS: TestOK (1.50s)\n"},
		event{Action: "pass", Package: pkg, Test: "TestOK", Elapsed: 1.5},
		event{Action: "run", Package: pkg, Test: "TestBad"},
		event{Action: "run", Package: pkg, Test: "TestBad/sub"},
		event{Action: "output", Package: pkg, Test: "TestBad/sub", Output: "    bad_test.go:9: want 1, got 2\n"},
		event{Action: "fail", Package: pkg, Test: "TestBad/sub", Elapsed: 0.2},
		event{Action: "output", Package: pkg, Test: "TestBad", Output: "--- FAIL: TestBad (0.20s)\n"},
		event{Action: "fail", Package: pkg, Test: "TestBad", Elapsed: 0.2},
		event{Action: "run", Package: pkg, Test: "TestSkipped"},
		event{Action: "output", Package: pkg, Test: "TestSkipped", Output: "    x_test.go:3: PostgreSQL not installed\n"},
		event{Action: "output", Package: pkg, Test: "TestSkipped", Output: "--- SKIP: TestSkipped (0.00s)\n"},
		event{Action: "skip", Package: pkg, Test: "TestSkipped"},
		event{Action: "output", Package: pkg, Output: "FAIL\n"},
		event{Action: "output", Package: pkg, Output: "FAIL\texample.com/m/a\t1.712s\n"},
		event{Action: "fail", Package: pkg, Elapsed: 1.712},
		event{Action: "output", Package: "example.com/m/b", Output: "PASS\n"},
		event{Action: "output", Package: "example.com/m/b", Output: "ok  \texample.com/m/b\t0.01s\n"},
		event{Action: "pass", Package: "example.com/m/b", Elapsed: 0.01},
		event{Action: "output", Package: "example.com/m/c", Output: "?   \texample.com/m/c\t[no test files]\n"},
		event{Action: "skip", Package: "example.com/m/c"},
	)
	for _, want := range []string{
		"PASS TestOK",
		"FAIL TestBad",
		"    bad_test.go:9: want 1, got 2\n--- FAIL: TestBad (0.20s)\n",
		"SKIP TestSkipped",
		"x_test.go:3: PostgreSQL not installed",
		"FAIL\texample.com/m/a\t1.712s\n",
		"ok  \texample.com/m/b\t0.01s\n",
		"?   \texample.com/m/c\t[no test files]\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "=== RUN   TestOK") || strings.Contains(out, "\nPASS\n") {
		t.Errorf("output of a passing test or a bare PASS printed:\n%s", out)
	}
	if !r.failed() {
		t.Error("failed() = false after a failed test")
	}

	var sum bytes.Buffer
	r.out = &sum
	r.summary(time.Now(), 1, 1)
	for _, want := range []string{
		"tests: 1 passed, 1 failed, 1 skipped; packages: 1 ok, 1 failed, 1 without tests",
		"1.5s  TestOK  example.com/m/a", // the slowest
		"FAILED: TestBad  example.com/m/a",
		"go test exit status 1",
	} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}
}

// A package that dies (panic, timeout) shows the output of the tests it
// was running.
func TestReportPrintsRunningTestsOfFailedPackage(t *testing.T) {
	const pkg = "example.com/m/a"
	_, out := feed(t,
		event{Action: "run", Package: pkg, Test: "TestHangs"},
		event{Action: "output", Package: pkg, Test: "TestHangs", Output: "    step 3 of 5\n"},
		event{Action: "output", Package: pkg, Output: "panic: test timed out after 30m0s\n"},
		event{Action: "output", Package: pkg, Output: "FAIL\texample.com/m/a\t1800.1s\n"},
		event{Action: "fail", Package: pkg, Elapsed: 1800.1},
	)
	for _, want := range []string{"    step 3 of 5\n", "panic: test timed out after 30m0s\n", "FAIL\texample.com/m/a\t1800.1s\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Exit status and output of a real go test run.
func TestRunExitsWithGoTestStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.22\n")
	write("m_test.go", `package m

import "testing"

func TestPasses(t *testing.T) {}

func TestFails(t *testing.T) { t.Error("failing on purpose") }
`)
	t.Chdir(dir)
	var out bytes.Buffer
	if got := run([]string{"-run", "TestPasses", "."}, &out, 0, 3); got != 0 {
		t.Errorf("run(TestPasses) = %d, want 0:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "ok  \texample.com/m\t") {
		t.Errorf("no ok line:\n%s", out.String())
	}
	out.Reset()
	if got := run([]string{"."}, &out, 0, 3); got != 1 {
		t.Errorf("run(all) = %d, want 1:\n%s", got, out.String())
	}
	for _, want := range []string{"failing on purpose", "--- FAIL: TestFails", "FAIL\texample.com/m\t"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
