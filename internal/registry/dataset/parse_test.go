package dataset

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestParseShortDecimal: the fast path reads decimals to the same float64
// as strconv.ParseFloat, and leaves what it does not take to it.
func TestParseShortDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []string{"0.1", "-0.0", "123.4", "999999999999.999", "0.000000000000001", "1.5", "-3.25", "9007199254740.993"}
	for range 200000 {
		digits := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('0' + rng.IntN(10))
			}
			return string(b)
		}
		s := digits(1+rng.IntN(12)) + "." + digits(1+rng.IntN(15))
		if rng.IntN(2) == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseShortDecimal(s)
		if !ok {
			if len(strings.ReplaceAll(strings.Trim(s, "-"), ".", "")) <= 15 {
				t.Errorf("%q: not taken", s)
			}
			continue
		}
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%q: %v, strconv says %v (%v)", s, got, want, err)
		}
	}
	for _, s := range []string{"", "-", ".", "1.", ".5", "1e5", "1.2.3", "+1.5", "1_0.5", "0x1.8", "1234567890.1234567", "12"} {
		if _, ok := parseShortDecimal(s); ok {
			t.Errorf("%q: taken", s)
		}
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
