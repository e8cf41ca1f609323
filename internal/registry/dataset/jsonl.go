package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unsafe"
)

// jsonlSource reads JSON Lines: one JSON object per line, a row per object.
// Blank lines are skipped. Keys are columns: a column is in the file when
// any row has its key, and a row without the key (or with null) has a null
// there; when a key repeats in an object the last value counts, as in
// encoding/json. Numbers keep their JSON text until they are parsed as
// float64 (json.Number semantics), integers as int64; strings, booleans and null map to their
// kinds; a nested object or array is a string holding its compact JSON
// text. An integer (no fraction, no exponent) within int64 is kept exactly.
//
// Each line is checked with json.Valid, then split into keys and values by
// a small scanner that relies on that check; only the values of the columns
// asked for are decoded, so a row costs no allocation unless a string holds
// escapes.
type jsonlSource struct {
	path    string
	f       *os.File
	r       *bufio.Reader
	index   map[string]int // column name -> position among those asked for
	present []bool
	line    int
	buf     []byte
}

func openJSONL(path string, columns []string) (*jsonlSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		if _, dup := index[c]; !dup {
			index[c] = i
		}
	}
	return &jsonlSource{path: path, f: f, r: bufio.NewReaderSize(f, 1<<20), index: index, present: make([]bool, len(columns))}, nil
}

// readLine returns the next line without its end of line; it may point
// into the reader's buffer.
func (s *jsonlSource) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.buf = append(s.buf[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.r.ReadSlice('\n')
			s.buf = append(s.buf, line...)
		}
		line = s.buf
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(line) == 0 && errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	return line, nil
}

func (s *jsonlSource) Next(dst []Value) (bool, error) {
	for {
		line, err := s.readLine()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", s.path, err)
		}
		s.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' {
			return false, fmt.Errorf("%s: line %d: not a JSON object (JSON Lines holds one object per line)", s.path, s.line)
		}
		if !json.Valid(line) {
			var v any
			err := json.Unmarshal(line, &v)
			if err == nil {
				err = errors.New("not one JSON value")
			}
			return false, fmt.Errorf("%s: line %d: invalid JSON: %w", s.path, s.line, err)
		}
		for i := range dst {
			dst[i] = Value{Kind: KindNull}
		}
		var verr error
		scanObject(line, func(key, raw []byte) {
			i, ok := s.index[string(key)]
			if !ok || verr != nil {
				return
			}
			s.present[i] = true
			if dst[i], verr = jsonValue(raw); verr != nil {
				verr = fmt.Errorf("%s: line %d: key %q: %w", s.path, s.line, key, verr)
			}
		})
		if verr != nil {
			return false, verr
		}
		return true, nil
	}
}

// scanObject calls fn with each key (unescaped) and raw value of a JSON
// object that json.Valid has accepted. The key may point into b or a
// scratch buffer: it is valid during the call.
func scanObject(b []byte, fn func(key, raw []byte)) {
	i := skipSpace(b, 1)
	if b[i] == '}' {
		return
	}
	for {
		kend := stringEnd(b, i)
		key := b[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(b[i:kend], &k) // valid JSON: cannot fail
			key = []byte(k)
		}
		i = skipSpace(b, skipSpace(b, kend)+1) // past the colon
		vend := valueEnd(b, i)
		fn(key, b[i:vend])
		i = skipSpace(b, vend)
		if b[i] != ',' {
			return // the closing brace
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd is the index after the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// valueEnd is the index after the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	default:
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
		}
		return i
	}
}

// jsonValue converts one JSON value, which encoding/json has checked.
func jsonValue(raw []byte) (Value, error) {
	switch raw[0] {
	case 'n':
		return Value{Kind: KindNull}, nil
	case 't':
		return Value{Kind: KindBool, Bool: true}, nil
	case 'f':
		return Value{Kind: KindBool, Bool: false}, nil
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			// Points into the line, which lives until the next Next.
			b := raw[1 : len(raw)-1]
			return Value{Kind: KindString, Str: unsafe.String(unsafe.SliceData(b), len(b))}, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Value{}, err
		}
		return Value{Kind: KindString, Str: s}, nil
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return Value{}, err
		}
		return Value{Kind: KindString, Str: b.String()}, nil
	default:
		if i, ok := parseInt(unsafe.String(unsafe.SliceData(raw), len(raw))); ok {
			return intValue(i), nil
		}
		n, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return Value{}, err
		}
		return Value{Kind: KindNumber, Num: n}, nil
	}
}

func (s *jsonlSource) Present(i int) bool { return s.present[i] }

func (s *jsonlSource) Close() error { return s.f.Close() }
