package registry

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FeatureType is a parsed feature type of the feature type language:
//
//	boolean int bigint float double string binary date timestamp
//	decimal(p,s)  array<T>  map<K,V>
//
// Case and spaces are not significant: "Array< INT >" and "array<int>" are the
// same type. String returns the canonical spelling.
type FeatureType struct {
	Kind      string       // one of the primitive names, "decimal", "array" or "map"
	Precision int          // decimal only
	Scale     int          // decimal only
	Elem      *FeatureType // array element, map value
	Key       *FeatureType // map key
}

// PrimitiveTypes lists the primitive feature types in the order the
// documentation shows them.
var PrimitiveTypes = []string{"boolean", "int", "bigint", "float", "double", "string", "binary", "date", "timestamp"}

// FeatureTypeSyntax describes the feature type language in one line, for
// schema descriptions and diagnostics.
const FeatureTypeSyntax = "one of boolean, int, bigint, float, double, string, binary, date, timestamp, " +
	"decimal(p,s) (1 <= p <= 38, 0 <= s <= p), array<T> or map<K,V> (K a primitive type); case and spaces are not significant"

const maxTypeDepth = 32

var numericKinds = map[string]bool{"int": true, "bigint": true, "float": true, "double": true, "decimal": true}

// ParseFeatureType parses a feature type. The error explains what is wrong
// and where.
func ParseFeatureType(s string) (FeatureType, error) {
	p := typeParser{src: s}
	t, err := p.parse(0)
	if err != nil {
		return FeatureType{}, fmt.Errorf("invalid feature type %q: %w; a type is %s", s, err, FeatureTypeSyntax)
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return FeatureType{}, fmt.Errorf("invalid feature type %q: unexpected %q at position %d; a type is %s", s, p.src[p.pos:], p.pos+1, FeatureTypeSyntax)
	}
	return t, nil
}

// CanonicalFeatureType returns the canonical spelling of a feature type.
func CanonicalFeatureType(s string) (string, error) {
	t, err := ParseFeatureType(s)
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

// FeatureTypesEqual reports whether two spellings name the same feature type.
// A spelling that does not parse equals only itself.
func FeatureTypesEqual(a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := CanonicalFeatureType(a)
	cb, errB := CanonicalFeatureType(b)
	return errA == nil && errB == nil && ca == cb
}

// String returns the canonical spelling.
func (t FeatureType) String() string {
	switch t.Kind {
	case "decimal":
		return "decimal(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case "array":
		return "array<" + t.Elem.String() + ">"
	case "map":
		return "map<" + t.Key.String() + "," + t.Elem.String() + ">"
	default:
		return t.Kind
	}
}

// IsNumeric reports whether values of the type are numbers, so that numeric
// bounds apply to it.
func (t FeatureType) IsNumeric() bool { return numericKinds[t.Kind] }

type typeParser struct {
	src string
	pos int
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *typeParser) word() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' {
			p.pos++
			continue
		}
		break
	}
	return strings.ToLower(p.src[start:p.pos])
}

func (p *typeParser) expect(c byte) error {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return fmt.Errorf("expected %q at the end", c)
	}
	if p.src[p.pos] != c {
		return fmt.Errorf("expected %q at position %d, found %s", c, p.pos+1, p.found())
	}
	p.pos++
	return nil
}

// found quotes the character at the current position: the whole character,
// not its first byte, so that a non-ASCII character is shown as typed.
func (p *typeParser) found() string {
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	if r == utf8.RuneError && size <= 1 {
		return strconv.Quote(p.src[p.pos : p.pos+1])
	}
	return strconv.QuoteRune(r)
}

func (p *typeParser) number() (int, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if start == p.pos {
		return 0, fmt.Errorf("expected a number at position %d", start+1)
	}
	if p.pos-start > 3 {
		return 0, fmt.Errorf("number %s at position %d is too large", p.src[start:p.pos], start+1)
	}
	n, _ := strconv.Atoi(p.src[start:p.pos])
	return n, nil
}

func (p *typeParser) parse(depth int) (FeatureType, error) {
	if depth > maxTypeDepth {
		return FeatureType{}, fmt.Errorf("types nest deeper than %d levels", maxTypeDepth)
	}
	p.skipSpace()
	start := p.pos
	name := p.word()
	switch name {
	case "":
		p.skipSpace()
		if p.pos >= len(p.src) {
			return FeatureType{}, fmt.Errorf("expected a type name at the end")
		}
		return FeatureType{}, fmt.Errorf("expected a type name at position %d, found %s", p.pos+1, p.found())
	case "decimal":
		if err := p.expect('('); err != nil {
			return FeatureType{}, err
		}
		prec, err := p.number()
		if err != nil {
			return FeatureType{}, err
		}
		if err := p.expect(','); err != nil {
			return FeatureType{}, err
		}
		scale, err := p.number()
		if err != nil {
			return FeatureType{}, err
		}
		if err := p.expect(')'); err != nil {
			return FeatureType{}, err
		}
		if prec < 1 || prec > 38 || scale > prec {
			return FeatureType{}, fmt.Errorf("decimal(%d,%d) is out of range: precision must be 1..38 and scale 0..precision", prec, scale)
		}
		return FeatureType{Kind: "decimal", Precision: prec, Scale: scale}, nil
	case "array":
		if err := p.expect('<'); err != nil {
			return FeatureType{}, err
		}
		elem, err := p.parse(depth + 1)
		if err != nil {
			return FeatureType{}, err
		}
		if err := p.expect('>'); err != nil {
			return FeatureType{}, err
		}
		return FeatureType{Kind: "array", Elem: &elem}, nil
	case "map":
		if err := p.expect('<'); err != nil {
			return FeatureType{}, err
		}
		keyStart := p.pos
		key, err := p.parse(depth + 1)
		if err != nil {
			return FeatureType{}, err
		}
		if key.Kind == "array" || key.Kind == "map" {
			return FeatureType{}, fmt.Errorf("map key at position %d must be a primitive type, not %s", keyStart+1, key)
		}
		if err := p.expect(','); err != nil {
			return FeatureType{}, err
		}
		val, err := p.parse(depth + 1)
		if err != nil {
			return FeatureType{}, err
		}
		if err := p.expect('>'); err != nil {
			return FeatureType{}, err
		}
		return FeatureType{Kind: "map", Key: &key, Elem: &val}, nil
	}
	for _, prim := range PrimitiveTypes {
		if name == prim {
			return FeatureType{Kind: name}, nil
		}
	}
	return FeatureType{}, fmt.Errorf("unknown type name %q at position %d", name, start+1)
}

// FeaturesEquivalent reports whether two feature lists differ at most in
// the spelling of their types: the same names, descriptions and types under
// the type language, in the same order.
func FeaturesEquivalent(a, b []Feature) bool {
	if !SameSchema(a, b) {
		return false
	}
	for i := range a {
		if a[i].Description != b[i].Description {
			return false
		}
	}
	return true
}

// SameSchema reports whether two feature lists have the same schema: the
// same names and types under the type language, in the same order.
// Descriptions are not part of a schema, as they are not of SchemaHash.
func SameSchema(a, b []Feature) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !FeatureTypesEqual(a[i].Type, b[i].Type) {
			return false
		}
	}
	return true
}

// canonicalFeatures returns the features with their types in canonical
// form, as the registry keeps them; a type that does not parse (refused by
// F3) is kept as written.
func canonicalFeatures(fs []Feature) []Feature {
	if fs == nil {
		return nil
	}
	out := make([]Feature, len(fs))
	for i, f := range fs {
		f.Type = canonicalOrRaw(f.Type)
		out[i] = f
	}
	return out
}

// canonicalInputs returns the inputs with their types, where set, in
// canonical form.
func canonicalInputs(in []Input) []Input {
	if in == nil {
		return nil
	}
	out := make([]Input, len(in))
	for i, x := range in {
		if x.Type != "" {
			x.Type = canonicalOrRaw(x.Type)
		}
		out[i] = x
	}
	return out
}
