package dataset

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// parseNumberReference is parseNumber without its fast path.
func parseNumberReference(v Value) Value {
	s := strings.TrimSpace(v.Str)
	if i, ok := parseInt(s); ok {
		return intValue(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return Value{Kind: KindNumber, Num: f}
	}
	return v
}

// TestParseNumberFastPath: numbers read to the same values with and
// without the fast path (integers exact, decimals to strconv's float64),
// over random integers and decimals and odd text.
func TestParseNumberFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	cases := []string{"0.1", "-0.0", "-0", "123.4", "999999999999.999", "0.000000000000001", "9007199254740.993",
		"", "-", ".", "1.", ".5", "1e5", "1.2.3", "+1.5", "1_0.5", "0x1.8", " 12", "12 ", "-.5", "--1", "NaN", "inf",
		"999999999999999999", "9999999999999999999", "1234567890.1234567", "12345678901234567.8", "0.1234567890123456"}
	for range 300000 {
		var s string
		switch rng.IntN(3) {
		case 0:
			s = digits(1 + rng.IntN(20))
		default:
			s = digits(1+rng.IntN(12)) + "." + digits(1+rng.IntN(8))
		}
		if rng.IntN(2) == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	var fast int
	for _, s := range cases {
		in := Value{Kind: KindString, Str: s}
		got, want := parseNumber(in), parseNumberReference(in)
		if got.Kind != want.Kind || got.IsInt != want.IsInt || got.Int != want.Int ||
			math.Float64bits(got.Num) != math.Float64bits(want.Num) || got.Str != want.Str {
			t.Errorf("%q: %+v, without the fast path %+v", s, got, want)
		}
		var v Value
		if fastNumber(s, &v) {
			fast++
		}
	}
	if fast < len(cases)/2 {
		t.Errorf("the fast path took %d of %d numbers", fast, len(cases))
	}
}

// TestParseInt: integers of at most 19 digits read as strconv.ParseInt
// reads them, within int64; anything else is not an integer.
func TestParseInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []string{"0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"999999999999999999", "1000000000000000000", "-1000000000000000000", "", "-", "+1", "1.0", "00012", "1 "}
	for range 100000 {
		b := make([]byte, 1+rng.IntN(20))
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(2) == 0 {
			b = append([]byte{'-'}, b...)
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt(s)
		wantOK := err == nil && !strings.HasPrefix(s, "+") && len(strings.TrimPrefix(s, "-")) <= 19
		if ok != wantOK || (ok && got != want) {
			t.Errorf("%q: %d, %v; strconv says %d, %v", s, got, ok, want, err)
		}
	}
}
