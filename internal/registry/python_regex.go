package registry

import (
	"regexp"
	"strings"
)

// Great Expectations' pandas engine matches expect_column_values_to_match_regex
// with pandas' Series.str.contains, which runs Python's re.search on each
// value: a match anywhere in the value, with Unicode classes and with $
// matching at the end or before a newline that ends the value. Go's regexp
// (RE2) has ASCII classes and a $ that matches only at the end, so
// CompilePythonRegex rewrites those parts of a pattern before compiling it.
const (
	pyDigit = `\p{Nd}`                        // Python \d: Unicode decimal digits (category Nd)
	pyWord  = `\p{L}\p{N}_`                   // Python \w: str.isalnum() characters and _
	pySpace = `\t\n\v\f\r \x1c-\x1f\x85\p{Z}` // Python \s: str.isspace() characters
	pyEnd   = `(?:$|\n\z)`                    // Python $: the end, or before a final newline
	pyEndZ  = `\z`                            // Python \Z: the very end
)

// TranslatePythonRegex rewrites a pattern of Python's re syntax into RE2's
// with the same meaning where RE2 can express it: \d, \w, \s and their
// negations match Unicode as Python's do, $ (outside a class) also matches
// before a final newline, and \Z is \z. Inside a bracket class, \W and \S
// keep RE2's ASCII meaning (RE2 cannot nest a negated class in a class).
// What RE2 lacks — lookaround, backreferences, possessive quantifiers — is
// left as it is, so that compiling it fails.
func TranslatePythonRegex(pattern string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			n := pattern[i]
			switch {
			case n == 'd':
				b.WriteString(pyDigit)
			case n == 'D':
				b.WriteString(`\P{Nd}`)
			case n == 'w' && inClass:
				b.WriteString(pyWord)
			case n == 'w':
				b.WriteString("[" + pyWord + "]")
			case n == 'W' && !inClass:
				b.WriteString("[^" + pyWord + "]")
			case n == 's' && inClass:
				b.WriteString(pySpace)
			case n == 's':
				b.WriteString("[" + pySpace + "]")
			case n == 'S' && !inClass:
				b.WriteString("[^" + pySpace + "]")
			case n == 'Z' && !inClass:
				b.WriteString(pyEndZ)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case inClass:
			b.WriteByte(c)
			if c == ']' {
				inClass = false
			}
		case c == '[':
			b.WriteByte(c)
			inClass = true
			// A ] first in the class (after an optional ^) is a literal.
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				i++
				b.WriteByte('^')
			}
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				i++
				b.WriteByte(']')
			}
		case c == '$':
			b.WriteString(pyEnd)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// CompilePythonRegex compiles a pattern of Python's re syntax (see
// TranslatePythonRegex) with Go's regexp; MatchString then answers as
// Python's re.search does.
func CompilePythonRegex(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(TranslatePythonRegex(pattern))
}
