// Package stores opens the registry store a registry URL names: the SQLite
// file or the PostgreSQL database.
package stores

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-hclog"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/postgres"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/sqlite"
)

// Open opens the store at loc. Opening reads and never writes: a registry
// that does not exist yet reads as empty until the store's first write
// creates it, and a database that is not a registry is refused.
func Open(ctx context.Context, loc registry.Location, log hclog.Logger) (registry.Store, error) {
	switch loc.Scheme {
	case "sqlite":
		return sqlite.Open(ctx, loc.Path, log)
	case "postgres":
		return postgres.Open(ctx, loc.URL, log)
	default:
		return nil, fmt.Errorf("registry scheme %q is not supported: use sqlite:// or postgres://", loc.Scheme)
	}
}
