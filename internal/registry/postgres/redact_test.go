package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRedactErrKeepsTheWrappedError: the password is masked in the
// message, and errors.Is and errors.As still reach the error underneath.
func TestRedactErrKeepsTheWrappedError(t *testing.T) {
	const u = "postgres://owner:s3cret-pw@db.example:5432/registry"
	cause := fmt.Errorf("cannot reach %s: %w", u, context.DeadlineExceeded)
	err := redactErr(cause, u)
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("the password shows: %v", err)
	}
	if !strings.Contains(err.Error(), "postgres://owner:xxxxx@db.example:5432/registry") {
		t.Errorf("the redacted URL is missing: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is no longer sees the cause through %v", err)
	}
	if got := redactErr(context.Canceled, u); !errors.Is(got, context.Canceled) || got.Error() != context.Canceled.Error() {
		t.Errorf("an error without the URL was changed: %v", got)
	}
}
