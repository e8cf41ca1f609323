//go:build unix

package sqlite

import (
	"os"
	"syscall"
)

// fileLock is an advisory flock on the registry file. SQLite's own locks are
// POSIX record locks, which a process loses when it closes any descriptor of
// the file: so the descriptor stays open until the store is closed, and only
// the flock is taken and released around the schema check.
type fileLock struct{ f *os.File }

func openLock(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) Lock() error { return syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX) }

func (l *fileLock) Unlock() { _ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN) }

func (l *fileLock) Close() error { return l.f.Close() }
