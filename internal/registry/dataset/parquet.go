package dataset

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// parquetBatch is how many values of a column are decoded at a time.
const parquetBatch = 1024

// parquetSource reads a Parquet file row group by row group. Of each row
// group it reads only the column chunks of the columns asked for, page by
// page, parquetBatch values at a time, so memory holds about one page per
// column, never the file. Columns are the top-level fields of the schema;
// a nested field (group, list, map, repeated) is refused with an error.
//
// Values map by type: booleans to KindBool; integers, floats, doubles and
// decimals to KindNumber (as float64, integers also exactly as int64; NaN
// is null); strings, enums, JSON and
// other byte arrays to KindString; dates ("2006-01-02"), times and
// timestamps (RFC 3339, UTC when the timestamp is adjusted to UTC) to
// KindString.
type parquetSource struct {
	path    string
	f       *os.File
	file    *parquet.File
	groups  []parquet.RowGroup
	group   int // next row group to open
	left    int64
	leaf    []int // per column asked for: its leaf column, -1 when absent
	conv    []parquetConv
	readers []parquet.ColumnChunkValueReader
	bufs    [][]parquet.Value
	pos     []int
	n       []int
	names   []string
}

func openParquet(path string, columns []string) (*parquetSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, info.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	s := &parquetSource{
		path: path, f: f, file: pf, groups: pf.RowGroups(), names: columns,
		leaf: make([]int, len(columns)), conv: make([]parquetConv, len(columns)),
		readers: make([]parquet.ColumnChunkValueReader, len(columns)), bufs: make([][]parquet.Value, len(columns)),
		pos: make([]int, len(columns)), n: make([]int, len(columns)),
	}
	fields := map[string]parquet.Field{}
	for _, fd := range pf.Schema().Fields() {
		fields[fd.Name()] = fd
	}
	for i, c := range columns {
		s.leaf[i] = -1
		fd, ok := fields[c]
		if !ok {
			continue
		}
		if !fd.Leaf() || fd.Repeated() {
			_ = f.Close()
			return nil, fmt.Errorf("%s: column %q is a nested or repeated Parquet field (%s); only top-level primitive columns can be checked",
				path, c, fd.Type())
		}
		leaf, ok := pf.Schema().Lookup(c)
		if !ok {
			_ = f.Close()
			return nil, fmt.Errorf("%s: column %q: no leaf column in the Parquet schema", path, c)
		}
		s.leaf[i] = leaf.ColumnIndex
		s.conv[i] = parquetConvOf(fd.Type())
		s.bufs[i] = make([]parquet.Value, parquetBatch)
	}
	return s, nil
}

// nextGroup opens the column chunks of the next non-empty row group.
func (s *parquetSource) nextGroup() bool {
	s.closeReaders()
	for s.group < len(s.groups) {
		rg := s.groups[s.group]
		s.group++
		if rg.NumRows() == 0 {
			continue
		}
		chunks := rg.ColumnChunks()
		for i, l := range s.leaf {
			if l >= 0 {
				s.readers[i] = parquet.NewColumnChunkValueReader(chunks[l])
				s.pos[i], s.n[i] = 0, 0
			}
		}
		s.left = rg.NumRows()
		return true
	}
	return false
}

func (s *parquetSource) closeReaders() {
	for i, r := range s.readers {
		if r != nil {
			_ = r.Close()
			s.readers[i] = nil
		}
	}
}

func (s *parquetSource) Next(dst []Value) (bool, error) {
	if s.left == 0 && !s.nextGroup() {
		return false, nil
	}
	s.left--
	for i, r := range s.readers {
		if r == nil {
			dst[i] = Value{Kind: KindNull}
			continue
		}
		if s.pos[i] == s.n[i] {
			n, err := r.ReadValues(s.bufs[i])
			if n == 0 {
				if err == nil || errors.Is(err, io.EOF) {
					err = errors.New("fewer values than rows")
				}
				return false, fmt.Errorf("%s: row group %d, column %q: %w", s.path, s.group, s.names[i], err)
			}
			s.pos[i], s.n[i] = 0, n
		}
		dst[i] = s.conv[i].value(s.bufs[i][s.pos[i]])
		s.pos[i]++
	}
	return true, nil
}

func (s *parquetSource) Present(i int) bool { return s.leaf[i] >= 0 }

func (s *parquetSource) Close() error {
	s.closeReaders()
	return s.f.Close()
}

// parquetConv converts the values of one column.
type parquetConv struct {
	kind     parquet.Kind
	unsigned bool
	date     bool
	time     time.Duration // the unit of a time of day, 0 when not one
	stamp    time.Duration // the unit of a timestamp, 0 when not one
	utc      bool
	decimal  bool
	scale    int32
}

func parquetConvOf(t parquet.Type) parquetConv {
	c := parquetConv{kind: t.Kind()}
	lt := t.LogicalType()
	if lt == nil {
		return c
	}
	switch v := lt.Value.(type) {
	case *format.IntType:
		c.unsigned = !v.IsSigned
	case *format.DateType:
		c.date = true
	case *format.TimeType:
		c.time = unitOf(v.Unit)
	case *format.TimestampType:
		c.stamp, c.utc = unitOf(v.Unit), v.IsAdjustedToUTC
	case *format.DecimalType:
		c.decimal, c.scale = true, v.Scale
	}
	return c
}

func unitOf(u format.TimeUnit) time.Duration {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return time.Millisecond
	case *format.NanoSeconds:
		return time.Nanosecond
	default:
		return time.Microsecond
	}
}

func (c parquetConv) value(v parquet.Value) Value {
	if v.IsNull() {
		return Value{Kind: KindNull}
	}
	switch c.kind {
	case parquet.Boolean:
		return Value{Kind: KindBool, Bool: v.Boolean()}
	case parquet.Int32, parquet.Int64:
		var i int64
		if c.kind == parquet.Int32 {
			i = int64(v.Int32())
		} else {
			i = v.Int64()
		}
		switch {
		case c.date:
			return Value{Kind: KindString, Str: time.Unix(i*86400, 0).UTC().Format(time.DateOnly)}
		case c.stamp != 0:
			t := unixTime(i, c.stamp)
			if c.utc {
				return Value{Kind: KindString, Str: t.Format(time.RFC3339Nano)}
			}
			return Value{Kind: KindString, Str: t.Format("2006-01-02T15:04:05.999999999")}
		case c.time != 0:
			t := unixTime(i, c.time)
			return Value{Kind: KindString, Str: t.Format("15:04:05.999999999")}
		case c.decimal:
			return number(float64(i) / math.Pow10(int(c.scale)))
		case c.unsigned && c.kind == parquet.Int32:
			return intValue(int64(uint32(i)))
		case c.unsigned && i < 0: // beyond int64
			return number(float64(uint64(i)))
		default:
			return intValue(i)
		}
	case parquet.Float:
		return number(float64(v.Float()))
	case parquet.Double:
		return number(v.Double())
	case parquet.Int96:
		return Value{Kind: KindString, Str: int96Time(v.Int96())}
	default: // byte arrays
		b := v.ByteArray()
		if c.decimal {
			n := new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 { // two's complement
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
			f, _ := new(big.Float).Quo(new(big.Float).SetInt(n), new(big.Float).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.scale)), nil))).Float64()
			return number(f)
		}
		// The bytes stay valid until the page is released, which happens in
		// a later call to Next: Value.Str is documented to live that long.
		return Value{Kind: KindString, Str: unsafe.String(unsafe.SliceData(b), len(b))}
	}
}

func number(f float64) Value {
	if math.IsNaN(f) {
		return Value{Kind: KindNull}
	}
	return Value{Kind: KindNumber, Num: f}
}

// int96Time reads a legacy INT96 timestamp: nanoseconds of the day, then
// the Julian day.
func int96Time(i deprecated.Int96) string {
	const unixEpochJulianDay = 2440588
	nanos := int64(i[1])<<32 | int64(i[0])
	days := int64(i[2]) - unixEpochJulianDay
	return time.Unix(days*86400, nanos).UTC().Format(time.RFC3339Nano)
}

// unixTime is i units after the Unix epoch, in UTC.
func unixTime(i int64, unit time.Duration) time.Time {
	switch unit {
	case time.Millisecond:
		return time.UnixMilli(i).UTC()
	case time.Microsecond:
		return time.UnixMicro(i).UTC()
	default:
		return time.Unix(0, i).UTC()
	}
}
