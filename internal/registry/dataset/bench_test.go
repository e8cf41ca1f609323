package dataset_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/dataset"
)

// Large generated files, shared by the benchmarks and the memory test of one
// process, in a directory that TestMain removes.
var (
	bigDir   string
	bigMu    sync.Mutex
	bigFiles = map[string]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		_ = os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

var countries = []string{"FR", "DE", "US", "GB", "ES"}

// benchRow is one generated row: 5 columns, amount null every 100th row.
type benchRow struct {
	ID      string   `parquet:"id"`
	Amount  *float64 `parquet:"amount,optional"`
	Country string   `parquet:"country"`
	Score   int64    `parquet:"score"`
	TS      string   `parquet:"ts"`
}

func genRow(i int) benchRow {
	r := benchRow{
		ID:      "acc-" + strconv.Itoa(1000000+i),
		Country: countries[i%len(countries)],
		Score:   int64(i % 1000),
		TS:      time.Unix(1700000000+int64(i), 0).UTC().Format(time.RFC3339),
	}
	if i%100 != 0 {
		a := float64(i%10000) / 10
		r.Amount = &a
	}
	return r
}

// bigFile returns a generated file of the format with n rows, writing it
// the first time.
func bigFile(tb testing.TB, format string, n int) string {
	tb.Helper()
	bigMu.Lock()
	defer bigMu.Unlock()
	key := fmt.Sprintf("%s-%d", format, n)
	if p, ok := bigFiles[key]; ok {
		return p
	}
	if bigDir == "" {
		d, err := os.MkdirTemp("", "mlops-dataset-bench") //nolint:usetesting // one directory for every benchmark of the run, removed by TestMain
		if err != nil {
			tb.Fatal(err)
		}
		bigDir = d
	}
	p := filepath.Join(bigDir, fmt.Sprintf("rows-%d.%s", n, format))
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	switch format {
	case dataset.FormatCSV:
		_, _ = w.WriteString("id,amount,country,score,ts\n")
		for i := 0; i < n; i++ {
			r := genRow(i)
			amount := ""
			if r.Amount != nil {
				amount = strconv.FormatFloat(*r.Amount, 'f', -1, 64)
			}
			_, _ = fmt.Fprintf(w, "%s,%s,%s,%d,%s\n", r.ID, amount, r.Country, r.Score, r.TS)
		}
	case dataset.FormatJSONL:
		for i := 0; i < n; i++ {
			r := genRow(i)
			amount := "null"
			if r.Amount != nil {
				amount = strconv.FormatFloat(*r.Amount, 'f', -1, 64)
			}
			_, _ = fmt.Fprintf(w, `{"id":%q,"amount":%s,"country":%q,"score":%d,"ts":%q}`+"\n", r.ID, amount, r.Country, r.Score, r.TS)
		}
	case dataset.FormatParquet:
		pw := parquet.NewGenericWriter[benchRow](w, parquet.MaxRowsPerRowGroup(100000))
		batch := make([]benchRow, 0, 10000)
		for i := 0; i < n; i++ {
			batch = append(batch, genRow(i))
			if len(batch) == cap(batch) || i == n-1 {
				if _, err := pw.Write(batch); err != nil {
					tb.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		if err := pw.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	bigFiles[key] = p
	return p
}

// benchSuite has every data expectation type. uniqueColumn is the column
// of the uniqueness expectation: id (a million distinct values) or country
// (five).
func benchSuite(uniqueColumn string) []registry.Expectation {
	return []registry.Expectation{
		{Type: "expect_column_to_exist", Column: "ts"},
		{Type: "expect_column_values_to_not_be_null", Column: "amount", Mostly: "0.95"},
		{Type: "expect_column_values_to_be_unique", Column: uniqueColumn},
		{Type: "expect_column_values_to_be_between", Column: "amount", MinValue: "0", MaxValue: "1000"},
		{Type: "expect_column_values_to_be_in_set", Column: "country", ValueSet: countries},
		{Type: "expect_column_values_to_match_regex", Column: "id", Regex: "^acc-[0-9]+$"},
		{Type: "expect_column_mean_to_be_between", Column: "amount", MinValue: "0", MaxValue: "1000"},
		{Type: "expect_table_row_count_to_be_between", MinValue: "1"},
		{Type: "expect_column_values_to_be_between", Column: "score", MinValue: "0", MaxValue: "999"},
	}
}

var benchFV = &registry.FeatureVersion{Features: []registry.Feature{
	{Name: "id", Type: "string"}, {Name: "amount", Type: "double"}, {Name: "country", Type: "string"},
	{Name: "score", Type: "bigint"}, {Name: "ts", Type: "timestamp"},
}}

// heapSampler samples, every millisecond, the bytes of heap objects (live
// and not yet swept garbage) and the live heap as of the last GC, keeping
// the peaks. It reads runtime/metrics, which does not stop the world.
type heapSampler struct {
	stop             chan struct{}
	done             chan struct{}
	peakObjs, peakLv uint64
	baseObjs, baseLv uint64
}

func readHeap() (objects, live uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	h.baseObjs, h.baseLv = readHeap()
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			o, l := readHeap()
			h.peakObjs, h.peakLv = max(h.peakObjs, o), max(h.peakLv, l)
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// finish returns the peaks above the baseline, in MiB: heap objects, and
// live heap (what a GC found reachable).
func (h *heapSampler) finish() (objectsMiB, liveMiB float64) {
	close(h.stop)
	<-h.done
	runtime.GC() // a last GC records the live heap at the end
	o, l := readHeap()
	h.peakObjs, h.peakLv = max(h.peakObjs, o), max(h.peakLv, l)
	mib := func(peak, base uint64) float64 {
		if peak < base {
			return 0
		}
		return float64(peak-base) / (1 << 20)
	}
	return mib(h.peakObjs, h.baseObjs), mib(h.peakLv, h.baseLv)
}

func benchValidate(b *testing.B, format string) {
	const rows = 1000000
	path := bigFile(b, format, rows)
	exps := benchSuite("id")
	b.ReportAllocs()
	h := startHeapSampler()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rep, err := dataset.Validate(context.Background(), path, "", exps, benchFV)
		if err != nil {
			b.Fatal(err)
		}
		if rep.RowCount != rows || !rep.Success {
			b.Fatalf("unexpected report: %+v", rep)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	objs, live := h.finish()
	b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(objs, "peak-heap-MiB")
	b.ReportMetric(live, "peak-live-MiB")
}

// The benchmarks run a suite of every data expectation type, uniqueness on
// a column of a million distinct values, over a million rows of 5 columns.
func BenchmarkValidateCSV1M(b *testing.B)     { benchValidate(b, dataset.FormatCSV) }
func BenchmarkValidateJSONL1M(b *testing.B)   { benchValidate(b, dataset.FormatJSONL) }
func BenchmarkValidateParquet1M(b *testing.B) { benchValidate(b, dataset.FormatParquet) }

// BenchmarkReadCSV1MFloor is the floor under BenchmarkValidateCSV1M: a bare
// encoding/csv read of the same file, every field of every row, checking
// nothing. Validation's target is within 2x of it.
func BenchmarkReadCSV1MFloor(b *testing.B) {
	const rows = 1000000
	path := bigFile(b, dataset.FormatCSV, rows)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		n, err := readCSVRows(path)
		if err != nil {
			b.Fatal(err)
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

// readCSVRows reads every record of a CSV file with a header and returns
// the number of data rows.
func readCSVRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	n := -1 // the header
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}

// TestStreamingMemory shows that memory does not grow with the number of
// rows: the same suite (uniqueness on a column of five values) over 50,000
// and 500,000 rows peaks within a small bound. Uniqueness over a column of
// distinct values grows with them: the benchmarks above report its peak
// (peak-live-MiB) over a million rows.
func TestStreamingMemory(t *testing.T) {
	const bound = 4.0 // MiB of extra live heap allowed for 10x the rows
	for _, format := range dataset.Formats {
		var live [2]float64
		for i, n := range []int{50000, 500000} {
			path := bigFile(t, format, n)
			h := startHeapSampler()
			rep, err := dataset.Validate(context.Background(), path, "", benchSuite("country"), benchFV)
			objs, lv := h.finish()
			if err != nil {
				t.Fatal(err)
			}
			if rep.RowCount != int64(n) {
				t.Fatalf("%s: %d rows, want %d", format, rep.RowCount, n)
			}
			live[i] = lv
			t.Logf("%-7s %7d rows: peak heap objects %6.2f MiB, peak live heap %6.2f MiB (uniqueness on a 5-value column)",
				format, n, objs, lv)
		}
		if live[1] > live[0]+bound {
			t.Errorf("%s: peak live heap grew from %.2f MiB (%d rows) to %.2f MiB (%d rows), more than %.0f MiB",
				format, live[0], 50000, live[1], 500000, bound)
		}
	}
}
