//go:build !unix

package sqlite

// fileLock is a no-op where flock is not available: concurrent first opens
// of a new registry are then serialised by SQLite alone.
type fileLock struct{}

func openLock(string) (*fileLock, error) { return &fileLock{}, nil }

func (*fileLock) Lock() error { return nil }

func (*fileLock) Unlock() {}

func (*fileLock) Close() error { return nil }
