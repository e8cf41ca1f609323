package e2e

import (
	"strings"
	"testing"
)

// TestQuickstart applies examples/quickstart with the built provider, plans
// again (empty), removes every resource from state and imports it again
// with import blocks (one apply, then an empty plan), and destroys.
func TestQuickstart(t *testing.T) {
	w := newWorkdir(t, "examples/quickstart")
	out := w.apply().stdout
	if !strings.Contains(out, "Apply complete! Resources: 6 added") {
		t.Fatalf("unexpected apply output:\n%s", out)
	}
	w.expectEmptyPlan()
	w.importRoundTrip()
	w.must("destroy", "-auto-approve", "-no-color")
	if got := w.stateList(); len(got) != 0 {
		t.Fatalf("state after destroy: %v", got)
	}
}
