package dataset

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// csvReaderSeeds are inputs that exercise every branch of the CSV reader:
// quotes, "" escapes, embedded newlines, \r\n, bare quotes, a byte order
// mark, wrong field counts, blank lines, the end of the file inside quotes.
var csvReaderSeeds = []string{
	"",
	"\n",
	"\n\n\r\n",
	"a,b,c\n1,2,3\n",
	"a,b,c\n1,2,3",
	"a,b\r\n1,2\r\n",
	"a,b\r\n1,2\r",
	"a,b\n1,2\r",
	"a\r\n\r\n\r\nb\r\n",
	"a,b\n\n1,2\n\n\n3,4\n",
	"\ufeffid,v\n1,2\n",
	"\ufeff\"id\",v\n1,2\n",
	"a,b\n\"x\",\"y\"\n",
	"a,b\n\"x\"\"y\",z\n",
	"a,b\n\"\",\"\"\n",
	"a\n\"\"\n",
	"a,b\n\"line\nbreak\",z\n",
	"a,b\n\"line\r\nbreak\",z\r\n",
	"a,b\n\"l1\n\nl3\",z\n",
	"a,b\nx\"y,z\n",
	"a,b\nxy,\"z\"w\n",
	"a,b\n\"x\" ,y\n",
	"a,b\n\"x\ny\" z,w\n",
	"a,b\n\"unterminated\n",
	"a,b\n\"unterminated",
	"a,b\n\"unterminated\n\n",
	"a,b\nx,\"\n",
	"a,b\n1\n",
	"a,b\n1,2,3\n",
	"a,b\n1\n2,3\n4,5,6\n",
	"a,b\n\"1\"\n",
	"a,,b\n,,\n",
	"a,b\n1,\"2\nx\"\"y\",3\n",
	"a\r\"b\n",
	"a\rb,c\n1,2\n",
	" a , b \n 1 , 2 \n",
	"a,b\n\xff\xfe,\x80\n",
	"a,b\n\"x\"\"\",y\n",
	"a,b\n\"\"\"\",y\n",
	"a,b\nx,y\"\n\"z\",w\n",
	"a\n\"x\"\r\n",
	"a\n\"x\r\"\n",
	"a\n\"x\"\r",
}

// readAll reads every record (going on after errors, as encoding/csv
// allows) and returns them with their errors.
func readAll(read func() ([]string, error)) (recs [][]string, errs []error) {
	for range 10000 {
		rec, err := read()
		if errors.Is(err, io.EOF) {
			return recs, errs
		}
		own := make([]string, len(rec)) // csvReader's fields live until the next Read
		for i, f := range rec {
			own[i] = strings.Clone(f)
		}
		recs, errs = append(recs, own), append(errs, err)
	}
	return recs, errs
}

// checkCSVReader compares csvReader with encoding/csv on one input, with a
// large and with the smallest bufio buffer (lines longer than the buffer).
func checkCSVReader(t *testing.T, input string) {
	t.Helper()
	std := csv.NewReader(strings.NewReader(input))
	std.ReuseRecord = true
	wantRecs, wantErrs := readAll(std.Read)
	for _, size := range []int{4096, 16} {
		ours := newCSVReader(bufio.NewReaderSize(strings.NewReader(input), size))
		recs, errs := readAll(ours.Read)
		if !reflect.DeepEqual(recs, wantRecs) {
			t.Fatalf("input %q (buffer %d): records\n%q\nwant (encoding/csv)\n%q", input, size, recs, wantRecs)
		}
		if !reflect.DeepEqual(errs, wantErrs) {
			t.Fatalf("input %q (buffer %d): errors\n%v\nwant (encoding/csv)\n%v", input, size, errs, wantErrs)
		}
	}
}

// TestCSVReaderMatchesEncodingCSV: on the seed inputs and on thirty
// thousand random ones over the bytes that matter, csvReader returns the
// records and errors (with lines and columns) of encoding/csv.
func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	for _, in := range csvReaderSeeds {
		checkCSVReader(t, in)
	}
	alphabet := []string{"a", "b", ",", ",", "\"", "\"", "\"\"", "\n", "\n", "\r", "\r\n", " ", "\ufeff", "\xff"}
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 30000 {
		b.Reset()
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		checkCSVReader(t, b.String())
	}
}

// FuzzCSVReader holds csvReader to encoding/csv on any input.
func FuzzCSVReader(f *testing.F) {
	for _, in := range csvReaderSeeds {
		f.Add(in)
	}
	f.Fuzz(checkCSVReader)
}
