package dataset

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestValueSet: the set counts distinct and duplicated values exactly as a
// map of the values does, over enough values to double its table many
// times, whether doubling reads the tags or the values again. Numbers
// compare by value (1 and 1.0, -0 and 0), never equal strings or booleans.
func TestValueSet(t *testing.T) {
	type key struct {
		kind Kind
		s    string
		i    int64
		f    float64
		isI  bool
		b    bool
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var vals []Value
	for range 300000 {
		switch rng.IntN(6) {
		case 0:
			vals = append(vals, intValue(rng.Int64N(50000)-25000))
		case 1:
			vals = append(vals, Value{Kind: KindNumber, Num: float64(rng.IntN(50000)-25000) / 4})
		case 2:
			vals = append(vals, Value{Kind: KindBool, Bool: rng.IntN(2) == 0})
		default:
			vals = append(vals, Value{Kind: KindString, Str: strconv.Itoa(rng.IntN(150000)) + "abcdefghijklmnopqrstuvwxyz"[:rng.IntN(27)]})
		}
	}
	vals = append(vals,
		Value{Kind: KindString, Str: ""}, Value{Kind: KindString, Str: "1"}, intValue(1),
		Value{Kind: KindNumber, Num: 1}, Value{Kind: KindNumber, Num: math.Copysign(0, -1)}, intValue(0),
		intValue(1<<53), intValue(1<<53+1), Value{Kind: KindNumber, Num: 1 << 53})
	// The reference: numbers that are integers compare as int64.
	norm := func(v Value) key {
		switch v.Kind {
		case KindNumber:
			if v.IsInt {
				return key{kind: KindNumber, i: v.Int, isI: true}
			}
			if i, ok := floatInt(v.Num); ok {
				return key{kind: KindNumber, i: i, isI: true}
			}
			return key{kind: KindNumber, f: v.Num}
		case KindBool:
			return key{kind: KindBool, b: v.Bool}
		default:
			return key{kind: v.Kind, s: v.Str}
		}
	}
	counts := map[key]int{}
	for _, v := range vals {
		counts[norm(v)]++
	}
	dups := 0
	for _, c := range counts {
		if c > 1 {
			dups++
		}
	}
	for _, tagShift := range []uint{setRefBits, 64} {
		s := newValueSet()
		s.tagShift = tagShift
		for i := range vals {
			v := vals[i]
			if v.Kind == KindString {
				v.Str = string([]byte(v.Str)) // a fresh copy, as a reader's buffer would be
			}
			s.add(&v)
		}
		if n, d := s.counts(); n != len(counts) || d != dups {
			t.Errorf("tag shift %d: %d distinct values, %d duplicated; want %d, %d", tagShift, n, d, len(counts), dups)
		}
		if len(s.slots) < 1<<19 {
			t.Errorf("tag shift %d: the table has %d slots: it did not grow as expected", tagShift, len(s.slots))
		}
	}
}
