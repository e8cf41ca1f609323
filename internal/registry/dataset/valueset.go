package dataset

import (
	"encoding/binary"
	"hash/maphash"
	"math"
)

// valueSet is the exact set of the distinct values of a column that
// expect_column_values_to_be_unique keeps: it compares the values
// themselves, so two different values never count as duplicates, whatever
// their hashes. Each distinct value is copied once into chunks of bytes (its
// length, its kind with a bit that says whether it has occurred more than
// once, its bytes: the text of a string, 9 bytes of a number); an
// open-addressing table of 8-byte slots (the top 28 bits of the value's hash
// and its place in the chunks) finds them; a value's first slot is given by
// the top bits of its hash, so that doubling the table moves the slots in
// order, without reading the values again (up to 2^28 slots). Neither
// holds a pointer, so the garbage collector does not scan them. Memory: 8
// bytes per slot of the table (at most 3/4 full, so 11 to 21 bytes per
// distinct value) plus the values' bytes and 2 bytes each.
//
// Values are added in batches of setBatch: the batch first loads the first
// slot of each of its values, so that the memory fetches of a large table
// overlap, then puts them in one by one.
type valueSet struct {
	seed  maphash.Seed
	slots []uint64 // 0 when free, else tag<<setRefBits | (ref+1)
	mask  uint64
	shift uint // 64 - log2(len(slots)): the first slot of hash h is h>>shift
	// tagShift is the least shift at which a slot's tag gives its first
	// slot (setRefBits; tests raise it to read the values again).
	tagShift uint
	n        int // distinct values
	dups     int // distinct values that have occurred more than once
	chunks   [][]byte
	key      [9]byte
	batch    [setBatch]pendingValue
	pending  int    // values in batch
	batchBuf []byte // their bytes
	touched  uint64 // the sum of the slots loaded ahead, so that the loads stay
}

// pendingValue is a value of the batch: its bytes are batchBuf[off:end].
type pendingValue struct {
	hash     uint64
	kind     Kind
	off, end int
}

const (
	setRefBits    = 36 // a place in the chunks: chunk<<setChunkBits | offset
	setTagBits    = 64 - setRefBits
	setChunkBits  = 20
	setChunkSize  = 1 << setChunkBits
	setDupKindBit = 0x80 // in the kind byte: the value has occurred more than once
	setBatch      = 32
)

func newValueSet() *valueSet {
	s := &valueSet{seed: maphash.MakeSeed(), tagShift: setRefBits}
	s.slots = make([]uint64, 1024)
	s.mask, s.shift = uint64(len(s.slots)-1), 64-10
	return s
}

func (s *valueSet) hash(kind Kind, payload string) uint64 {
	return maphash.String(s.seed, payload) ^ uint64(kind)*0x9e3779b97f4a7c15
}

// add records one occurrence of a non-null value.
func (s *valueSet) add(v *Value) {
	kind, payload := s.keyOf(v)
	off := len(s.batchBuf)
	s.batchBuf = append(s.batchBuf, payload...)
	s.batch[s.pending] = pendingValue{hash: s.hash(kind, payload), kind: kind, off: off, end: len(s.batchBuf)}
	s.pending++
	if s.pending == setBatch {
		s.flush()
	}
}

// counts returns the number of distinct values and of those that have
// occurred more than once.
func (s *valueSet) counts() (distinct, duplicated int) {
	s.flush()
	return s.n, s.dups
}

// flush puts the values of the batch in the set.
func (s *valueSet) flush() {
	var t uint64
	for _, p := range s.batch[:s.pending] {
		t += s.slots[p.hash>>s.shift]
	}
	s.touched += t
	for _, p := range s.batch[:s.pending] {
		s.insert(p.hash, p.kind, bytesString(s.batchBuf[p.off:p.end]))
	}
	s.pending, s.batchBuf = 0, s.batchBuf[:0]
}

// insert puts one occurrence of a value, of hash h, in the set.
func (s *valueSet) insert(h uint64, kind Kind, payload string) {
	tag := h >> setRefBits
	for i := h >> s.shift; ; i = (i + 1) & s.mask {
		sl := s.slots[i]
		if sl == 0 {
			s.slots[i] = tag<<setRefBits | (s.store(kind, payload) + 1)
			s.n++
			if s.n*4 > len(s.slots)*3 {
				s.grow()
			}
			return
		}
		if sl>>setRefBits != tag {
			continue
		}
		ref := sl&(1<<setRefBits-1) - 1
		c := s.chunks[ref>>setChunkBits][ref&(setChunkSize-1):]
		n, w := binary.Uvarint(c)
		if int(n) != len(payload) || Kind(c[w]&^setDupKindBit) != kind || bytesString(c[w+1:w+1+len(payload)]) != payload {
			continue
		}
		if c[w]&setDupKindBit == 0 {
			c[w] |= setDupKindBit
			s.dups++
		}
		return
	}
}

// keyOf is what a value is compared by: its kind and bytes. An integer,
// exact or float, is an int64 with a marker byte, so that 1 and 1.0 are
// equal and 2^53 and 2^53+1 are not; -0 equals 0.
func (s *valueSet) keyOf(v *Value) (Kind, string) {
	switch v.Kind {
	case KindNumber:
		i, isInt := v.Int, v.IsInt
		if !isInt {
			i, isInt = floatInt(v.Num)
		}
		if isInt {
			s.key[8] = 1
			binary.LittleEndian.PutUint64(s.key[:8], uint64(i))
		} else {
			s.key[8] = 0
			binary.LittleEndian.PutUint64(s.key[:8], math.Float64bits(v.Num))
		}
		return KindNumber, bytesString(s.key[:])
	case KindBool:
		if v.Bool {
			return KindBool, "t"
		}
		return KindBool, "f"
	default:
		return v.Kind, v.Str
	}
}

// store copies a value into the chunks and returns its place. A value
// longer than a chunk gets a chunk of its own. (Places have 40 bits: the
// chunks hold up to 2^16 MiB.)
func (s *valueSet) store(kind Kind, payload string) uint64 {
	need := binary.MaxVarintLen64 + 1 + len(payload)
	last := len(s.chunks) - 1
	if last < 0 || cap(s.chunks[last])-len(s.chunks[last]) < need {
		if last+1 == 1<<(setRefBits-setChunkBits) {
			panic("expect_column_values_to_be_unique: more than 64 GiB of distinct values")
		}
		s.chunks = append(s.chunks, make([]byte, 0, max(setChunkSize, need)))
		last++
	}
	c := s.chunks[last]
	ref := uint64(last)<<setChunkBits | uint64(len(c))
	c = binary.AppendUvarint(c, uint64(len(payload)))
	c = append(c, byte(kind))
	s.chunks[last] = append(c, payload...)
	return ref
}

// grow doubles the table. Up to 2^28 slots, a slot's tag holds the bits
// of the hash that give its first slot; beyond, the value is read again.
func (s *valueSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	s.mask, s.shift = uint64(len(s.slots)-1), s.shift-1
	for _, sl := range old {
		if sl == 0 {
			continue
		}
		var i uint64
		if s.shift >= s.tagShift {
			i = sl >> s.shift
		} else {
			ref := sl&(1<<setRefBits-1) - 1
			c := s.chunks[ref>>setChunkBits][ref&(setChunkSize-1):]
			n, w := binary.Uvarint(c)
			i = s.hash(Kind(c[w]&^setDupKindBit), bytesString(c[w+1:w+1+int(n)])) >> s.shift
		}
		for s.slots[i] != 0 {
			i = (i + 1) & s.mask
		}
		s.slots[i] = sl
	}
}
