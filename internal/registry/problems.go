package registry

import (
	"errors"
	"fmt"
	"strings"
)

// Severity says whether a problem blocks a change.
type Severity int

const (
	// SeverityError refuses the change.
	SeverityError Severity = iota
	// SeverityWarning is reported but does not block.
	SeverityWarning
)

// Path locates a problem inside an object: attribute names (string) and list
// indexes (int), in the names the configuration uses.
type Path []any

// Problem is the outcome of a rule: what is wrong in the user's terms and how
// to fix it. The same Problem reaches the user at plan time and at write time.
type Problem struct {
	Rule     string // the rule's number, such as "F1"; empty for plain input checks
	Severity Severity
	Path     Path
	Summary  string
	Detail   string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Rule != "" {
		b.WriteString("[" + p.Rule + "] ")
	}
	b.WriteString(p.Summary)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	return b.String()
}

// Problems is a list of rule outcomes.
type Problems []Problem

// HasErrors reports whether any problem blocks the change.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Err returns a *RuleError holding the problems when any of them blocks the
// change, and nil otherwise.
func (ps Problems) Err() error {
	if !ps.HasErrors() {
		return nil
	}
	return &RuleError{Problems: ps}
}

func (ps *Problems) add(p Problem) { *ps = append(*ps, p) }

func (ps *Problems) errorf(rule string, path Path, summary, detail string, args ...any) {
	ps.add(Problem{Rule: rule, Severity: SeverityError, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)})
}

func (ps *Problems) warnf(rule string, path Path, summary, detail string, args ...any) {
	ps.add(Problem{Rule: rule, Severity: SeverityWarning, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)})
}

// RuleError is returned by a write that a rule refuses. Nothing was written.
type RuleError struct {
	Problems Problems
}

func (e *RuleError) Error() string {
	msgs := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.Severity == SeverityError {
			msgs = append(msgs, p.String())
		}
	}
	return strings.Join(msgs, "; ")
}

// ErrNotFound is matched (errors.Is) by every NotFoundError.
var ErrNotFound = errors.New("not found")

// ErrAlreadyExists is matched (errors.Is) by every AlreadyExistsError.
var ErrAlreadyExists = errors.New("already exists")

// ErrConflict is matched (errors.Is) by every ConflictError.
var ErrConflict = errors.New("conflict")

// NotFoundError says that an object does not exist in an environment.
type NotFoundError struct {
	Kind        Kind
	ID          string
	Environment string
}

func (e *NotFoundError) Error() string {
	if e.Kind == KindEnvironment {
		return fmt.Sprintf("environment %q has no policy in the registry", e.ID)
	}
	return fmt.Sprintf("%s %q does not exist in environment %q", e.Kind, e.ID, e.Environment)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// AlreadyExistsError says that a create found the object already there.
type AlreadyExistsError struct {
	Kind        Kind
	ID          string
	Environment string
}

// Error says how to import the object, with a placeholder for the
// resource's address: only Terraform knows it (mlops_feature_group.g["126"],
// a module's resource), and a guessed address would import into the wrong
// place or fail. Terraform keeps the indented lines as they are.
func (e *AlreadyExistsError) Error() string {
	return fmt.Sprintf("%s %q already exists in environment %q. To manage it with this configuration, import it instead of creating it: "+
		"add an import block to the root module,\n\n"+
		"  import {\n"+
		"    to = <address of this resource>\n"+
		"    id = %q\n"+
		"  }\n\n"+
		"or run: terraform import <address of this resource> %s",
		e.Kind, e.ID, e.Environment, e.ID, e.ID)
}

// Is makes errors.Is(err, ErrAlreadyExists) true.
func (e *AlreadyExistsError) Is(target error) bool { return target == ErrAlreadyExists }

// ConflictError says that an object changed between reading and writing it:
// another writer got there first. Nothing was written.
type ConflictError struct {
	Kind        Kind
	ID          string
	Environment string
	// Read and Now are the revision the writer read and the one the
	// registry holds, when known.
	Read, Now int64
}

func (e *ConflictError) Error() string {
	what := "at the same time"
	if e.Read != 0 {
		what = fmt.Sprintf("since this run read it (revision %d, now %d)", e.Read, e.Now)
	}
	return fmt.Sprintf("%s %q in environment %q was changed by another writer %s; nothing was written: run plan again to see the other change", e.Kind, e.ID, e.Environment, what)
}

// checkRevision refuses a write based on a stale read: read is the revision
// the writer last read (0 when it read none: no check), now the registry's.
func checkRevision(kind Kind, id, env string, read, now int64) error {
	if read != 0 && read != now {
		return &ConflictError{Kind: kind, ID: id, Environment: env, Read: read, Now: now}
	}
	return nil
}

// WriteOption qualifies a delete.
type WriteOption func(*writeOptions)

type writeOptions struct{ revision int64 }

// IfRevision makes a delete refuse, with a *ConflictError, an object whose
// revision is no longer the one the caller read.
func IfRevision(revision int64) WriteOption {
	return func(o *writeOptions) { o.revision = revision }
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// IsNotFound reports whether err says that an object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
