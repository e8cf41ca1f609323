package sqlstore_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlstore"
)

// TestRetriesBoundedByTime: a write that fails with a retryable error each
// time runs again until the retry budget (time, not a count) runs out, and
// then says in words what happened and that applying again is safe.
func TestRetriesBoundedByTime(t *testing.T) {
	ctx := t.Context()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	const budget = 300 * time.Millisecond
	sqlstore.SetRetryBudget(s, budget)

	runs := 0
	lost := fmt.Errorf("reading: %w", driver.ErrBadConn)
	start := time.Now()
	err = s.Update(ctx, "dev", func(registry.Tx) error { runs++; return lost })
	elapsed := time.Since(start)
	var exhausted *sqlstore.RetriesExhaustedError
	if !errors.As(err, &exhausted) || !errors.Is(err, driver.ErrBadConn) {
		t.Fatalf("Update = %v, want a RetriesExhaustedError that wraps the last error", err)
	}
	for _, w := range []string{"nothing was written", "running terraform apply again is safe", "concurrent writes kept conflicting"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if elapsed < budget || runs < 2 || exhausted.Attempts != runs {
		t.Errorf("gave up after %s and %d runs (error says %d), want at least %s and several runs", elapsed, runs, exhausted.Attempts, budget)
	}

	// Cancelled while waiting to run again, the write stops at once.
	cctx, cancel := context.WithCancel(ctx)
	sqlstore.SetRetryBudget(s, time.Hour)
	runs = 0
	err = s.Update(cctx, "dev", func(registry.Tx) error {
		runs++
		if runs == 3 {
			cancel()
		}
		return lost
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("cancelled Update = %v, want the cancellation, saying nothing was written", err)
	}
}
