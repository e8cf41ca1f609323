//go:build !unix

package sqlite

// lockDir is a no-op where flock is not available: concurrent first opens
// of a new registry are then serialised by SQLite alone.
func lockDir(string) (func(), error) { return func() {}, nil }
