package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// csvSource reads a CSV file: a header row naming the columns, then one
// record per row, every record with as many fields as the header. A field
// that is one of the null values (by default pandas' na_values: empty, NA,
// N/A, NULL, null, NaN, nan, None, #N/A, <NA>, ...) is null; every other
// field is a string (the evaluator parses the
// fields of numeric columns). A file without any line has no columns and no
// rows. Blank lines are skipped (as pandas does), so in a file of one
// column a null is written "". A UTF-8 byte order mark before the header is
// ignored. When two
// header fields have the same name, the first one is the column. Records
// are read by csvReader, which reads as encoding/csv does.
type csvSource struct {
	path  string
	f     *os.File
	r     *csvReader
	index []int // per column asked for: its field, -1 when absent
	nulls nullSet
}

// nullSet tells the null markers of CSV fields quickly: most fields are
// longer than every marker or start with a byte none starts with.
type nullSet struct {
	set    map[string]struct{}
	first  [256]bool
	maxLen int
	empty  bool
}

func newNullSet(values []string) nullSet {
	if values == nil {
		values = DefaultNullValues
	}
	n := nullSet{set: make(map[string]struct{}, len(values))}
	for _, v := range values {
		if v == "" {
			n.empty = true
			continue
		}
		n.set[v] = struct{}{}
		n.first[v[0]] = true
		n.maxLen = max(n.maxLen, len(v))
	}
	return n
}

func (n *nullSet) has(s string) bool {
	if s == "" {
		return n.empty
	}
	if len(s) > n.maxLen || !n.first[s[0]] {
		return false
	}
	_, ok := n.set[s]
	return ok
}

func openCSV(path string, columns, nullValues []string) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := newCSVReader(bufio.NewReaderSize(f, 1<<20))
	s := &csvSource{path: path, f: f, r: r, index: make([]int, len(columns)), nulls: newNullSet(nullValues)}
	for i := range s.index {
		s.index[i] = -1
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return s, nil // an empty file: no columns, no rows
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: reading the CSV header: %w", path, err)
	}
	pos := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.Clone(name) // the record's fields live until the next Read
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		if _, dup := pos[name]; !dup {
			pos[name] = i
		}
	}
	for i, c := range columns {
		if p, ok := pos[c]; ok {
			s.index[i] = p
		}
	}
	return s, nil
}

func (s *csvSource) Next(dst []Value) (bool, error) {
	rec, err := s.r.Read()
	if err != nil && errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", s.path, err)
	}
	for i, p := range s.index {
		if p < 0 || s.nulls.has(rec[p]) {
			dst[i] = Value{Kind: KindNull}
			continue
		}
		dst[i] = Value{Kind: KindString, Str: rec[p]}
	}
	return true, nil
}

func (s *csvSource) Present(i int) bool { return s.index[i] >= 0 }

func (s *csvSource) Close() error { return s.f.Close() }
