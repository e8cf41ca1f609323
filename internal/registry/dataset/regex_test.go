package dataset

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// regexSeeds are Python patterns, most of them sequences the fast matcher
// takes, some not.
var regexSeeds = []string{
	`^acc-[0-9]+$`, `^[A-Z]{2}$`, `^[a-z]{2,4}-?\d*$`, `ab?c*d+`, `^$`, ``, `$`, `^`, `a$`, `^a`,
	`(?i)^k[a-c]+$`, `(?i)s`, `^.{3}$`, `(?s)^.+$`, `x{0}`, `x{0,}y{1,}z{3,}`, `^\w+@\w+\.com$`,
	`^\s*$`, `[^a-c]`, `^é+$`, `^[\x{FFFD}]$`, `\Z`, `^a\Z`, `^(ab)$`, `^(?:a|b)+$`, `a|bc`,
	`^a{63}$`, `^a{64}$`, `(a)(b)?`, `^\d{4}-\d{2}-\d{2}T`,
}

var regexInputs = []string{
	"", "\n", "acc-1", "acc-1000000", "acc-", "acc-12a", "acc-12\n", "acc-12\n\n", "xacc-1", "FR", "fr", "F", "FRA",
	"ab-12", "abcd-", "abcde", "abccd", "ad", "KABC", "\u212aab", "ſ", "S", "abc", "a\nb", "éé", "\xff", "\xe9",
	"a@b.com", "  \t", "x", "xyzzz", "2024-01-01T00:00:00Z", strings.Repeat("a", 63), strings.Repeat("a", 64), "ab", "b",
}

// checkRegex compares the matcher of a pattern with Go's regexp of its
// translation on inputs.
func checkRegex(t *testing.T, pattern string, inputs ...string) {
	t.Helper()
	re, err := regexp.Compile(registry.TranslatePythonRegex(pattern))
	if err != nil {
		return
	}
	m := newSeqMatcher(registry.TranslatePythonRegex(pattern))
	if m == nil {
		return
	}
	for _, in := range inputs {
		if got, want := m.MatchString(in), re.MatchString(in); got != want {
			t.Fatalf("pattern %q on %q: %v, regexp says %v", pattern, in, got, want)
		}
	}
}

// TestRegexMatcher: the fast matcher takes the sequences it should, and
// answers as Go's regexp on the seed inputs and on random ones.
func TestRegexMatcher(t *testing.T) {
	for _, p := range []string{`^acc-[0-9]+$`, `^[a-z]{2,4}-?\d*$`, `(?i)s`, `^é+$`, `^a{63}$`, `^(ab)$`, ``} {
		if newSeqMatcher(registry.TranslatePythonRegex(p)) == nil {
			t.Errorf("%q: not taken by the fast matcher", p)
		}
	}
	for _, p := range []string{`^(?:ab|c)+$`, `a|bc`, `^a{64}$`, `a$b`, `(?m)^a$`, `\bx`} {
		if newSeqMatcher(registry.TranslatePythonRegex(p)) != nil {
			t.Errorf("%q: taken by the fast matcher", p)
		}
	}
	alphabet := []string{"a", "b", "c", "d", "-", "1", "9", "A", "K", "\u212a", "é", "\n", " ", "\xff", "x", "y", "z"}
	rng := rand.New(rand.NewPCG(5, 6))
	inputs := regexInputs
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	for _, p := range regexSeeds {
		checkRegex(t, p, inputs...)
	}
}

// FuzzRegexMatcher holds the fast matcher to Go's regexp on any pattern it
// takes and any input.
func FuzzRegexMatcher(f *testing.F) {
	for i, p := range regexSeeds {
		f.Add(p, regexInputs[i%len(regexInputs)])
	}
	f.Fuzz(func(t *testing.T, pattern, input string) { checkRegex(t, pattern, input) })
}
