package registry

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// DefaultRegistryFile is the embedded registry used when none is configured:
// a SQLite file in the working directory.
const DefaultRegistryFile = "mlops-registry.db"

// Location is a parsed registry URL.
type Location struct {
	Scheme string // "sqlite" or "postgres"
	Path   string // sqlite: the file path (relative to the working directory or absolute)
	URL    string // postgres: the connection URL as given
}

// ParseRegistryURL parses a registry URL: sqlite://relative/path.db,
// sqlite:///absolute/path.db, postgres://… or postgresql://…. An empty URL
// means the embedded default.
func ParseRegistryURL(raw string) (Location, error) {
	if raw == "" {
		return Location{Scheme: "sqlite", Path: DefaultRegistryFile}, nil
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Location{}, fmt.Errorf("registry %q is not a URL: use sqlite://relative/path.db, sqlite:///absolute/path.db or postgres://user@host:5432/db", RedactURL(raw))
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		if rest == "" || rest == "/" {
			return Location{}, fmt.Errorf("registry %q names no file: use sqlite://relative/path.db or sqlite:///absolute/path.db", RedactURL(raw))
		}
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			return Location{}, fmt.Errorf("registry %q: a sqlite URL takes no query options", RedactURL(raw))
		}
		return Location{Scheme: "sqlite", Path: filepath.FromSlash(rest)}, nil
	case "postgres", "postgresql":
		if _, err := url.Parse(raw); err != nil {
			return Location{}, fmt.Errorf("registry %q is not a valid PostgreSQL URL", RedactURL(raw))
		}
		return Location{Scheme: "postgres", URL: raw}, nil
	default:
		return Location{}, fmt.Errorf("registry %q has an unsupported scheme %q: use sqlite:// or postgres://", RedactURL(raw), scheme)
	}
}

// passwordParamRE matches a password option, in a URL query
// (password=secret) or a libpq key/value string (password='my secret').
var passwordParamRE = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^&\s]*)`)

// RedactURL hides the password of a URL, for logs and diagnostics: the
// user-info password, a password query option, and a password=… option of a
// string that is not a URL at all.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// Unparsable or not a URL: hide everything between "://" and "@".
		out := raw
		if i := strings.Index(raw, "://"); i >= 0 {
			if j := strings.LastIndexByte(raw, '@'); j > i {
				out = raw[:i+3] + "xxxxx" + raw[j:]
			}
		}
		return redactPasswordParams(out)
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return redactPasswordParams(u.Redacted())
}

func redactPasswordParams(s string) string {
	return passwordParamRE.ReplaceAllString(s, "${1}xxxxx")
}
