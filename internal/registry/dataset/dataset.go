// Package dataset runs the data expectations of a validation suite on a
// local file — CSV, JSON Lines or Parquet — in one streaming pass, with the
// semantics of Great Expectations (see Evaluator for the details).
//
// Readers stream: CSV and JSON Lines are read record by record, Parquet row
// group by row group and page by page, reading only the columns the suite
// names. Memory does not grow with the number of rows, except for
// expect_column_values_to_be_unique, which keeps each distinct value (see
// Evaluator).
//
// The package knows nothing of Terraform.
package dataset

import (
	"fmt"
	"path/filepath"
	"strings"
)

// File formats.
const (
	FormatCSV     = "csv"     // a header row, then one record per row
	FormatJSONL   = "jsonl"   // JSON Lines: one JSON object per line
	FormatParquet = "parquet" // Apache Parquet
)

// Formats lists the file formats.
var Formats = []string{FormatCSV, FormatJSONL, FormatParquet}

// extensions maps file name extensions (lower case) to formats.
var extensions = map[string]string{
	".csv":     FormatCSV,
	".jsonl":   FormatJSONL,
	".ndjson":  FormatJSONL,
	".parquet": FormatParquet,
}

// DetectFormat returns the format of a file: format when it is set (it must
// be one of Formats), else the one its extension names (.csv, .jsonl or
// .ndjson, .parquet; case does not matter).
func DetectFormat(path, format string) (string, error) {
	if format != "" {
		for _, f := range Formats {
			if format == f {
				return f, nil
			}
		}
		return "", fmt.Errorf("unknown format %q: the formats are %s", format, strings.Join(Formats, ", "))
	}
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	if ext == "" {
		return "", fmt.Errorf("cannot tell the format of %q: it has no extension; set format to one of %s", path, strings.Join(Formats, ", "))
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension %q (known: .csv, .jsonl, .ndjson, .parquet); set format to one of %s",
		path, ext, strings.Join(Formats, ", "))
}

// Kind is the kind of a Value.
type Kind uint8

// Kinds of values.
const (
	KindNull   Kind = iota // missing: empty CSV field, JSON null or absent key, Parquet null, NaN
	KindNumber             // Num holds it
	KindString             // Str holds it
	KindBool               // Bool holds it
)

// Value is one cell of a row.
type Value struct {
	Kind  Kind
	IsInt bool // see Int
	Bool  bool
	Num   float64
	// Int holds a number exactly when IsInt is set: an integer of the file
	// (a CSV or JSON integer, a Parquet integer), whose value float64 may
	// not hold (beyond 2^53). Num holds it rounded.
	Int int64
	// Str is the text of a string. It may point into a reader's buffer and is
	// valid until the next call to the source's Next.
	Str string
}

// Source streams the rows of a file, delivering only the columns asked for
// when it was opened.
type Source interface {
	// Next reads the next row into dst, one value per column asked for, in
	// that order (KindNull where the row lacks the column). It returns false
	// at the end of the file.
	Next(dst []Value) (bool, error)
	// Present reports whether column i (of those asked for) is in the file.
	// For CSV and Parquet it is known once the file is open; for JSON Lines
	// a column is present once a row has had its key, so the answer is final
	// after Next has returned false.
	Present(i int) bool
	Close() error
}

// DefaultNullValues are the CSV fields read as null unless
// Options.NullValues says otherwise: pandas' default na_values
// (STR_NA_VALUES in pandas/_libs/parsers.pyx, pandas 2.x), which Great
// Expectations' pandas engine reads CSV files with.
var DefaultNullValues = []string{
	"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
	"<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
}

// Options change how a file is read.
type Options struct {
	// NullValues are the CSV fields read as null, compared exactly (case
	// and spaces count). nil means DefaultNullValues; an empty non-nil list
	// means none (then even an empty field is an empty string). Like pandas'
	// read_csv(na_values=..., keep_default_na=False).
	NullValues []string
}

// Open opens a file of the given format (see DetectFormat) and prepares to
// read the named columns.
func Open(path, format string, columns []string, opts Options) (Source, error) {
	format, err := DetectFormat(path, format)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatCSV:
		return openCSV(path, columns, opts.NullValues)
	case FormatJSONL:
		return openJSONL(path, columns)
	default:
		return openParquet(path, columns)
	}
}
