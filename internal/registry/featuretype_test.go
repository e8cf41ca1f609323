package registry

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFeatureTypePrimitives(t *testing.T) {
	want := []string{"boolean", "int", "bigint", "float", "double", "string", "binary", "date", "timestamp"}
	if strings.Join(PrimitiveTypes, " ") != strings.Join(want, " ") {
		t.Fatalf("PrimitiveTypes = %v, want %v", PrimitiveTypes, want)
	}
	for _, p := range want {
		for _, spelling := range []string{p, strings.ToUpper(p), "  " + p + "\t", strings.ToUpper(p[:1]) + p[1:], "\n" + p + "\r\n"} {
			ft, err := ParseFeatureType(spelling)
			if err != nil {
				t.Errorf("ParseFeatureType(%q): %v", spelling, err)
				continue
			}
			if ft.Kind != p || ft.Elem != nil || ft.Key != nil || ft.Precision != 0 || ft.Scale != 0 {
				t.Errorf("ParseFeatureType(%q) = %+v, want the primitive %s", spelling, ft, p)
			}
			if ft.String() != p {
				t.Errorf("ParseFeatureType(%q).String() = %q, want %q", spelling, ft.String(), p)
			}
		}
	}
}

func TestCanonicalFeatureType(t *testing.T) {
	cases := []struct{ in, want string }{
		{"int", "int"},
		{"Array< INT >", "array<int>"},
		{"array<int>", "array<int>"},
		{" MAP < String , ARRAY<Double> > ", "map<string,array<double>>"},
		{"map<string,array<double>>", "map<string,array<double>>"},
		{"DECIMAL ( 10 , 2 )", "decimal(10,2)"},
		{"decimal(38,38)", "decimal(38,38)"},
		{"decimal(1,0)", "decimal(1,0)"},
		{"decimal(010,002)", "decimal(10,2)"},
		{"array<array<array<bigint>>>", "array<array<array<bigint>>>"},
		{"map<decimal(10,2),timestamp>", "map<decimal(10,2),timestamp>"},
		{"map<date, map<string, binary>>", "map<date,map<string,binary>>"},
		{"array<map<int,boolean>>", "array<map<int,boolean>>"},
		{"\tarray\n<\r\nfloat\t>\n", "array<float>"},
	}
	for _, c := range cases {
		got, err := CanonicalFeatureType(c.in)
		if err != nil {
			t.Errorf("CanonicalFeatureType(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("CanonicalFeatureType(%q) = %q, want %q", c.in, got, c.want)
		}
		again, err := CanonicalFeatureType(got)
		if err != nil || again != got {
			t.Errorf("CanonicalFeatureType(%q) = %q, %v: the canonical spelling is not a fixed point", got, again, err)
		}
	}
}

func TestParseFeatureTypeStructure(t *testing.T) {
	ft, err := ParseFeatureType(" MAP < String , ARRAY<Decimal(12, 3)> > ")
	if err != nil {
		t.Fatal(err)
	}
	if ft.Kind != "map" || ft.Key == nil || ft.Key.Kind != "string" || ft.Elem == nil || ft.Elem.Kind != "array" {
		t.Fatalf("unexpected structure %+v", ft)
	}
	d := ft.Elem.Elem
	if d == nil || d.Kind != "decimal" || d.Precision != 12 || d.Scale != 3 {
		t.Fatalf("unexpected decimal %+v", d)
	}
}

func TestFeatureTypesEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"Array< INT >", "array<int>", true},
		{"array<int>", "array<int>", true},
		{" MAP < String , ARRAY<Double> > ", "map<string,array<double>>", true},
		{"INT", "int", true},
		{"decimal(10,2)", "DECIMAL( 10 ,2 )", true},
		{"decimal(10,2)", "decimal(010,2)", true},
		{"int", "bigint", false},
		{"float", "double", false},
		{"array<int>", "array<bigint>", false},
		{"array<int>", "int", false},
		{"map<string,int>", "map<int,string>", false},
		{"decimal(10,2)", "decimal(10,3)", false},
		{"decimal(10,2)", "decimal(11,2)", false},
		{"array<array<int>>", "array<int>", false},
		// Spellings that do not parse equal only themselves.
		{"nonsense", "nonsense", true},
		{"nonsense", "NONSENSE", false},
		{"array<>", "array<>", true},
		{"int", "int>", false},
		{"", "", true},
		{"", "int", false},
	}
	for _, c := range cases {
		if got := FeatureTypesEqual(c.a, c.b); got != c.want {
			t.Errorf("FeatureTypesEqual(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := FeatureTypesEqual(c.b, c.a); got != c.want {
			t.Errorf("FeatureTypesEqual(%q, %q) = %v, want %v (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestIsNumeric(t *testing.T) {
	cases := map[string]bool{
		"int": true, "BIGINT": true, "float": true, "double": true, "decimal(10,2)": true,
		"boolean": false, "string": false, "binary": false, "date": false, "timestamp": false,
		"array<int>": false, "map<string,double>": false, "array<decimal(5,1)>": false,
	}
	for s, want := range cases {
		ft, err := ParseFeatureType(s)
		if err != nil {
			t.Errorf("ParseFeatureType(%q): %v", s, err)
			continue
		}
		if got := ft.IsNumeric(); got != want {
			t.Errorf("ParseFeatureType(%q).IsNumeric() = %v, want %v", s, got, want)
		}
	}
	if (FeatureType{}).IsNumeric() {
		t.Error("the zero FeatureType is numeric")
	}
}

func TestParseFeatureTypeDecimalBounds(t *testing.T) {
	ok := []string{"decimal(1,0)", "decimal(1,1)", "decimal(38,0)", "decimal(38,38)", "decimal(10,2)", "decimal(10,10)"}
	for _, s := range ok {
		if _, err := ParseFeatureType(s); err != nil {
			t.Errorf("ParseFeatureType(%q): %v, want ok", s, err)
		}
	}
	bad := map[string]string{
		"decimal(0,0)":     "out of range",
		"decimal(39,1)":    "out of range",
		"decimal(10,11)":   "out of range",
		"decimal(38,39)":   "out of range",
		"decimal(999,1)":   "out of range",
		"decimal(1000,1)":  "too large",
		"decimal(1,0001)":  "too large",
		"decimal(-1,0)":    "expected a number",
		"decimal(10,-1)":   "expected a number",
		"decimal(1,)":      "expected a number",
		"decimal(,1)":      "expected a number",
		"decimal(10)":      `expected ','`,
		"decimal(10 2)":    `expected ','`,
		"decimal":          `expected '('`,
		"decimal()":        "expected a number",
		"decimal(10,2":     `expected ')' at the end`,
		"decimal(10,2,3)":  `expected ')'`,
		"decimal<10,2>":    `expected '('`,
		"decimal(1.5,0)":   `expected ','`,
		"decimal(10,2)(1)": "unexpected",
	}
	for s, want := range bad {
		_, err := ParseFeatureType(s)
		if err == nil {
			t.Errorf("ParseFeatureType(%q) succeeded, want an error", s)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFeatureType(%q) error %q does not say %q", s, err, want)
		}
	}
	_, err := ParseFeatureType("decimal(39,1)")
	if err == nil || !strings.Contains(err.Error(), "precision must be 1..38 and scale 0..precision") {
		t.Errorf("decimal(39,1): error %v does not state the bounds", err)
	}
}

func TestParseFeatureTypeMapKeys(t *testing.T) {
	for _, key := range append(append([]string{}, PrimitiveTypes...), "decimal(5,2)") {
		s := "map<" + key + ",int>"
		if _, err := ParseFeatureType(s); err != nil {
			t.Errorf("ParseFeatureType(%q): %v, want ok", s, err)
		}
	}
	bad := []string{"map<array<int>,int>", "MAP< Map<string,int> , int>", "map<array<map<int,int>>,string>"}
	for _, s := range bad {
		_, err := ParseFeatureType(s)
		if err == nil {
			t.Errorf("ParseFeatureType(%q) succeeded, want an error", s)
			continue
		}
		if !strings.Contains(err.Error(), "map key") || !strings.Contains(err.Error(), "must be a primitive type") {
			t.Errorf("ParseFeatureType(%q) error %q does not say the map key must be primitive", s, err)
		}
	}
	_, err := ParseFeatureType("map<array<int>,int>")
	if err == nil || !strings.Contains(err.Error(), "position 5") || !strings.Contains(err.Error(), "not array<int>") {
		t.Errorf("map key error %v does not locate and name the key type", err)
	}
}

func nested(n int, inner string) string {
	return strings.Repeat("array<", n) + inner + strings.Repeat(">", n)
}

func TestParseFeatureTypeDepth(t *testing.T) {
	if _, err := ParseFeatureType(nested(maxTypeDepth, "int")); err != nil {
		t.Errorf("%d nested arrays: %v, want ok", maxTypeDepth, err)
	}
	canon, err := CanonicalFeatureType(nested(maxTypeDepth, " INT "))
	if err != nil || canon != nested(maxTypeDepth, "int") {
		t.Errorf("canonical of %d nested arrays = %q, %v", maxTypeDepth, canon, err)
	}
	for _, n := range []int{maxTypeDepth + 1, 100, 100000} {
		_, err := ParseFeatureType(nested(n, "int"))
		if err == nil {
			t.Errorf("%d nested arrays accepted", n)
			continue
		}
		if !strings.Contains(err.Error(), "nest deeper than 32 levels") {
			t.Errorf("%d nested arrays: error %q does not name the depth limit", n, err)
		}
	}
	// Maps count towards the depth too.
	deepMap := strings.Repeat("map<int,", maxTypeDepth+1) + "int" + strings.Repeat(">", maxTypeDepth+1)
	if _, err := ParseFeatureType(deepMap); err == nil || !strings.Contains(err.Error(), "nest deeper") {
		t.Errorf("%d nested maps: error %v, want the depth limit", maxTypeDepth+1, err)
	}
	// Unbalanced deep input must not blow the stack either.
	if _, err := ParseFeatureType(strings.Repeat("array<", 1_000_000)); err == nil {
		t.Error("a million open brackets accepted")
	}
}

func TestParseFeatureTypeGarbage(t *testing.T) {
	cases := map[string]string{
		"":                      "expected a type name at the end",
		"   ":                   "expected a type name at the end",
		"arr":                   `unknown type name "arr" at position 1`,
		"  integer":             `unknown type name "integer" at position 3`,
		"varchar(10)":           `unknown type name "varchar"`,
		"array<>":               `expected a type name at position 7, found '>'`,
		"array<int":             `expected '>' at the end`,
		"array int":             `expected '<' at position 7`,
		"array":                 `expected '<' at the end`,
		"array<int,int>":        `expected '>' at position 10`,
		"array<int>>":           `unexpected ">" at position 11`,
		"int>":                  `unexpected ">" at position 4`,
		"int int":               `unexpected "int" at position 5`,
		"map<int>":              `expected ',' at position 8`,
		"map<int,>":             `expected a type name at position 9`,
		"map<,int>":             `expected a type name at position 5`,
		"map<string,int":        `expected '>' at the end`,
		"map<string,int,int>":   `expected '>' at position 15`,
		"map":                   `expected '<' at the end`,
		"decimal(1,)":           `expected a number at position 11`,
		"<int>":                 `expected a type name at position 1`,
		"array<in t>":           `unknown type name "in"`,
		"int;drop table x":      `unexpected ";drop table x" at position 4`,
		"arr\u00e4y<int>":       `unknown type name "arr" at position 1`,
		"\u00efnt":              "expected a type name at position 1, found '\u00ef'",
		"int\u00a0":             "unexpected",
		"array<\u6574\u6570>":   "expected a type name at position 7, found '\u6574'",
		"array<\xff>":           `expected a type name at position 7, found "\xff"`,
		"map<int\u00a0,int>":    `expected ',' at position 8, found '\u00a0'`,
		"\x00":                  "expected a type name at position 1",
		"array<int>\x00":        "unexpected",
		"Ａrray<int>":            "expected a type name at position 1, found 'Ａ'",
		"timestamp with tz":     `unexpected "with tz"`,
		"array<int>[]":          `unexpected "[]"`,
		"array<\"int\">":        `expected a type name at position 7`,
		"map<string,array<int>": `expected '>' at the end`,
	}
	for s, want := range cases {
		ft, err := ParseFeatureType(s)
		if err == nil {
			t.Errorf("ParseFeatureType(%q) = %v, want an error", s, ft)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) {
			t.Errorf("ParseFeatureType(%q) error %q does not say %q", s, msg, want)
		}
		if !strings.HasPrefix(msg, "invalid feature type ") || !strings.Contains(msg, FeatureTypeSyntax) {
			t.Errorf("ParseFeatureType(%q) error %q does not quote the input and the syntax", s, msg)
		}
		if ft != (FeatureType{}) {
			t.Errorf("ParseFeatureType(%q) returned %+v with its error, want the zero value", s, ft)
		}
		if _, err := CanonicalFeatureType(s); err == nil {
			t.Errorf("CanonicalFeatureType(%q) succeeded", s)
		}
	}
}

func FuzzParseFeatureType(f *testing.F) {
	seeds := []string{
		"int", "Array< INT >", " MAP < String , ARRAY<Double> > ", "decimal(38,38)", "decimal(0,0)",
		"decimal(10,11)", "decimal(1,)", "array<>", "array<int", "int>", "map<int>", "",
		"map<array<int>,int>", nested(maxTypeDepth, "int"), nested(maxTypeDepth+1, "int"), "\u00efnt",
		"map<decimal(10,2),array<map<string,timestamp>>>",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ft, err := ParseFeatureType(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseFeatureType(%q): empty error message", s)
			}
			if FeatureTypesEqual(s, "int") {
				t.Fatalf("unparsable %q equals int", s)
			}
			return
		}
		canon := ft.String()
		if !utf8.ValidString(canon) || strings.ContainsAny(canon, " \t\r\n") || canon != strings.ToLower(canon) {
			t.Fatalf("canonical %q of %q is not lower-case without spaces", canon, s)
		}
		c1, err := CanonicalFeatureType(s)
		if err != nil || c1 != canon {
			t.Fatalf("CanonicalFeatureType(%q) = %q, %v; want %q", s, c1, err, canon)
		}
		ft2, err := ParseFeatureType(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canon, s, err)
		}
		if c2 := ft2.String(); c2 != canon {
			t.Fatalf("canonical not idempotent: %q -> %q -> %q", s, canon, c2)
		}
		if !FeatureTypesEqual(s, canon) || !FeatureTypesEqual(canon, s) {
			t.Fatalf("FeatureTypesEqual(%q, %q) is false", s, canon)
		}
		if ft.IsNumeric() != ft2.IsNumeric() {
			t.Fatalf("IsNumeric differs between %q and %q", s, canon)
		}
		if ft.Kind == "map" && (ft.Key.Kind == "array" || ft.Key.Kind == "map") {
			t.Fatalf("%q parsed with a non-primitive map key", s)
		}
		if ft.Kind == "decimal" && (ft.Precision < 1 || ft.Precision > 38 || ft.Scale < 0 || ft.Scale > ft.Precision) {
			t.Fatalf("%q parsed with decimal bounds out of range", s)
		}
	})
}
