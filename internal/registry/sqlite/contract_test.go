package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/storetest"
)

// TestContract runs the store contract on SQLite: each test has a registry
// file of its own, and each store of a test opens that file anew.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string { return filepath.Join(t.TempDir(), "registry.db") },
		func(t *testing.T, path string) registry.Store {
			t.Helper()
			s, err := sqlite.Open(t.Context(), path, nil)
			if err != nil {
				t.Fatalf("sqlite.Open(%s): %v", path, err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}))
}
