package dataset

import (
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// matcher answers whether a pattern matches somewhere in a value, as
// regexp.Regexp.MatchString does.
type matcher interface {
	MatchString(s string) bool
}

// compileRegex compiles a Python pattern (registry.CompilePythonRegex). A
// pattern that is a sequence of single characters or classes, each maybe
// repeated (?, *, +, {m,n}), at most 63 of them, optionally anchored at the
// start and at the end, is matched by a seqMatcher; any other by Go's
// regexp. Both answer the same (FuzzRegexMatcher).
func compileRegex(pattern string) (matcher, error) {
	re, err := registry.CompilePythonRegex(pattern)
	if err != nil {
		return nil, err
	}
	if m := newSeqMatcher(registry.TranslatePythonRegex(pattern)); m != nil {
		return m, nil
	}
	return re, nil
}

// seqMatcher matches a sequence of character classes, each one position
// of a bit-parallel simulation of the pattern's automaton: bit k of the
// state is set when the text read so far can end just after position k
// (bit 0: before the first).
type seqMatcher struct {
	classes  []runeClass // position k+1 is classes[k]
	ascii    [utf8.RuneSelf]uint64
	optional uint64 // positions that may be skipped
	loop     uint64 // positions that may repeat
	final    uint64 // the bit of the last position
	begin    bool   // anchored at the start of the text
	// end: 0 unanchored, 1 at the very end (\z), 2 Python's $: the end or
	// before a final newline.
	end int
}

// runeClass is a set of runes as sorted ranges (lo, hi pairs).
type runeClass []rune

func (c runeClass) has(r rune) bool {
	for i := 0; i < len(c); i += 2 {
		if r < c[i] {
			return false
		}
		if r <= c[i+1] {
			return true
		}
	}
	return false
}

// newSeqMatcher returns nil when the pattern is not such a sequence.
func newSeqMatcher(pattern string) *seqMatcher {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	items := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		items = re.Sub
	}
	m := &seqMatcher{}
	if len(items) > 0 && items[0].Op == syntax.OpBeginText {
		m.begin, items = true, items[1:]
	}
	if n := len(items); n > 0 {
		switch {
		case items[n-1].Op == syntax.OpEndText:
			m.end, items = 1, items[:n-1]
		case isPythonEnd(items[n-1]):
			m.end, items = 2, items[:n-1]
		}
	}
	for _, it := range items {
		if !m.add(it) {
			return nil
		}
	}
	if len(m.classes) > 63 {
		return nil
	}
	for k, c := range m.classes {
		for r := range rune(utf8.RuneSelf) {
			if c.has(r) {
				m.ascii[r] |= 1 << (k + 1)
			}
		}
	}
	m.final = 1 << len(m.classes)
	return m
}

// isPythonEnd tells (?:$|\n\z), Python's $ as registry.TranslatePythonRegex
// writes it.
func isPythonEnd(re *syntax.Regexp) bool {
	if re.Op != syntax.OpAlternate || len(re.Sub) != 2 || re.Sub[0].Op != syntax.OpEndText {
		return false
	}
	nl := re.Sub[1]
	return nl.Op == syntax.OpConcat && len(nl.Sub) == 2 &&
		nl.Sub[0].Op == syntax.OpLiteral && len(nl.Sub[0].Rune) == 1 && nl.Sub[0].Rune[0] == '\n' && nl.Sub[0].Flags&syntax.FoldCase == 0 &&
		nl.Sub[1].Op == syntax.OpEndText
}

// add appends the positions of one item; false when it is not a class,
// a literal or a repeat of one character.
func (m *seqMatcher) add(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpCapture:
		return m.add(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !m.add(s) {
				return false
			}
		}
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			m.push(literalClass(r, re.Flags&syntax.FoldCase != 0), false, false)
		}
		return len(m.classes) <= 63
	}
	if c, ok := singleClass(re); ok {
		m.push(c, false, false)
		return true
	}
	if len(re.Sub) != 1 {
		return false
	}
	c, ok := singleClass(re.Sub[0])
	if !ok {
		return false
	}
	switch re.Op {
	case syntax.OpQuest:
		m.push(c, true, false)
	case syntax.OpStar:
		m.push(c, true, true)
	case syntax.OpPlus:
		m.push(c, false, true)
	case syntax.OpRepeat:
		if re.Min > 63 || re.Max > 63 {
			return false
		}
		if re.Max == -1 { // x{n,}: n-1 times x, then x+ (or x* for n = 0)
			for range re.Min - 1 {
				m.push(c, false, false)
			}
			m.push(c, re.Min == 0, true)
			return len(m.classes) <= 63
		}
		for i := range re.Max {
			m.push(c, i >= re.Min, false)
		}
	default:
		return false
	}
	return len(m.classes) <= 63
}

func (m *seqMatcher) push(c runeClass, optional, loop bool) {
	if len(m.classes) >= 64 {
		m.classes = append(m.classes, c) // too long: newSeqMatcher gives up
		return
	}
	bit := uint64(1) << (len(m.classes) + 1)
	if optional {
		m.optional |= bit
	}
	if loop {
		m.loop |= bit
	}
	m.classes = append(m.classes, c)
}

// singleClass is the class of an item that matches one character.
func singleClass(re *syntax.Regexp) (runeClass, bool) {
	switch re.Op {
	case syntax.OpCharClass:
		return runeClass(re.Rune), true
	case syntax.OpAnyChar:
		return runeClass{0, unicode.MaxRune}, true
	case syntax.OpAnyCharNotNL:
		return runeClass{0, '\n' - 1, '\n' + 1, unicode.MaxRune}, true
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return literalClass(re.Rune[0], re.Flags&syntax.FoldCase != 0), true
		}
	}
	return nil, false
}

// literalClass is the class of one literal rune: with its simple case
// folds when the pattern ignores case, as Go's regexp matches it.
func literalClass(r rune, fold bool) runeClass {
	runes := []rune{r}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			runes = append(runes, f)
		}
	}
	// Sort (a handful of runes) and make single-rune ranges.
	for i := 1; i < len(runes); i++ {
		for j := i; j > 0 && runes[j] < runes[j-1]; j-- {
			runes[j], runes[j-1] = runes[j-1], runes[j]
		}
	}
	c := make(runeClass, 0, 2*len(runes))
	for _, x := range runes {
		c = append(c, x, x)
	}
	return c
}

// closure adds the positions reached by skipping optional ones.
func (m *seqMatcher) closure(d uint64) uint64 {
	if d&(m.optional>>1) == 0 {
		return d
	}
	for {
		n := d | (d<<1)&m.optional
		if n == d {
			return d
		}
		d = n
	}
}

func (m *seqMatcher) MatchString(s string) bool {
	if m.end == 2 && len(s) > 0 && s[len(s)-1] == '\n' && m.match(s[:len(s)-1], true) {
		return true
	}
	return m.match(s, m.end != 0)
}

// match runs the automaton over s; atEnd: the match must end at the end
// of s.
func (m *seqMatcher) match(s string, atEnd bool) bool {
	ascii, loop, skip, final := &m.ascii, m.loop, m.optional>>1, m.final
	var restart uint64 // unanchored: a match may start at every character
	if !m.begin {
		restart = 1
	}
	d := m.closure(1)
	for i := 0; i < len(s); {
		if d&final != 0 && !atEnd {
			return true
		}
		if d == 0 && restart == 0 {
			return false
		}
		var set uint64
		if c := s[i]; c < utf8.RuneSelf {
			set = ascii[c]
			i++
		} else {
			r, w := utf8.DecodeRuneInString(s[i:])
			for k, cl := range m.classes {
				if cl.has(r) {
					set |= 1 << (k + 1)
				}
			}
			i += w
		}
		d = (d<<1|d&loop)&set | restart
		if d&skip != 0 {
			d = m.closure(d)
		}
	}
	return d&final != 0
}

var _ matcher = (*regexp.Regexp)(nil)
