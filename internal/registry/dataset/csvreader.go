package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"math/bits"
	"unsafe"
)

// csvReader reads CSV records as encoding/csv's Reader does with its
// default settings (Comma ',', no Comment, FieldsPerRecord 0, neither
// LazyQuotes nor TrimLeadingSpace) and ReuseRecord: the same records, the
// same errors (*csv.ParseError with the same lines and columns, wrapping
// csv.ErrBareQuote, csv.ErrQuote or csv.ErrFieldCount), in the same order.
// It differs in one way: the fields it returns point into its buffers and
// are valid only until the next call to Read, so that reading a record
// allocates nothing. A line without a quote, the common case, is split
// where it lies in the bufio.Reader's buffer, without a copy.
//
// FuzzCSVReader and TestCSVReaderMatchesEncodingCSV hold it to
// encoding/csv.
type csvReader struct {
	r               *bufio.Reader
	numLine         int
	fieldsPerRecord int
	rawBuffer       []byte   // a line longer than the bufio.Reader's buffer
	recordBuffer    []byte   // the unescaped fields of a record with quotes
	fieldIndexes    []int    // where each field ends in recordBuffer
	record          []string // the fields returned
}

func newCSVReader(r *bufio.Reader) *csvReader { return &csvReader{r: r} }

// readLine is encoding/csv's: the next line with its end of line (\r\n
// becomes \n; a \r just before the end of the file is dropped).
func (r *csvReader) readLine() ([]byte, error) {
	line, err := r.r.ReadSlice('\n')
	if err != nil && errors.Is(err, bufio.ErrBufferFull) {
		r.rawBuffer = append(r.rawBuffer[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.r.ReadSlice('\n')
			r.rawBuffer = append(r.rawBuffer, line...)
		}
		line = r.rawBuffer
	}
	readSize := len(line)
	if readSize > 0 && err != nil && errors.Is(err, io.EOF) {
		err = nil
		if line[readSize-1] == '\r' {
			line = line[:readSize-1]
		}
	}
	r.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Read returns the next record; io.EOF at the end.
func (r *csvReader) Read() ([]string, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			line = nil
			continue // a blank line
		}
		break
	}
	if errRead != nil && errors.Is(errRead, io.EOF) {
		return nil, errRead
	}
	var err error
	recLine := r.numLine
	if !r.splitUnquoted(line) {
		err = r.parseQuoted(line, errRead, recLine)
		errRead = nil // parseQuoted returned it
		var pre int
		str := bytesString(r.recordBuffer)
		r.record = r.record[:0]
		for _, idx := range r.fieldIndexes {
			r.record = append(r.record, str[pre:idx])
			pre = idx
		}
	}
	if err == nil {
		err = errRead
	}
	if r.fieldsPerRecord > 0 {
		if len(r.record) != r.fieldsPerRecord && err == nil {
			err = &csv.ParseError{StartLine: recLine, Line: recLine, Column: 1, Err: csv.ErrFieldCount}
		}
	} else {
		r.fieldsPerRecord = len(r.record)
	}
	return r.record, err
}

// splitUnquoted splits a line without quotes at its commas into
// r.record, 8 bytes at a time; false when the line holds a quote.
func (r *csvReader) splitUnquoted(line []byte) bool {
	const (
		low7   = 0x7f7f7f7f7f7f7f7f
		commas = 0x2c2c2c2c2c2c2c2c
		quotes = 0x2222222222222222
	)
	// zeros has the high bit of each byte of v that is 0, and only those.
	zeros := func(v uint64) uint64 { return ^((v&low7 + low7) | v | low7) }
	line = line[:len(line)-lengthNL(line)]
	r.record = r.record[:0]
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64(line[i:])
		if zeros(w^quotes) != 0 {
			return false
		}
		for m := zeros(w ^ commas); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			r.record = append(r.record, bytesString(line[start:j]))
			start = j + 1
		}
	}
	for ; i < len(line); i++ {
		switch line[i] {
		case '"':
			return false
		case ',':
			r.record = append(r.record, bytesString(line[start:i]))
			start = i + 1
		}
	}
	r.record = append(r.record, bytesString(line[start:]))
	return true
}

// parseQuoted parses a record whose first line holds a quote, as
// encoding/csv's readRecord does, into recordBuffer and fieldIndexes.
func (r *csvReader) parseQuoted(line []byte, errRead error, recLine int) error {
	var err error
	r.recordBuffer = r.recordBuffer[:0]
	r.fieldIndexes = r.fieldIndexes[:0]
	posLine, posCol := r.numLine, 1
parseField:
	for {
		if len(line) == 0 || line[0] != '"' {
			// A field without quotes.
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: posCol + j, Err: csv.ErrBareQuote}
				break parseField
			}
			r.recordBuffer = append(r.recordBuffer, field...)
			r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
			if i >= 0 {
				line = line[i+1:]
				posCol += i + 1
				continue parseField
			}
			break parseField
		}
		// A quoted field.
		line = line[1:]
		posCol++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.recordBuffer = append(r.recordBuffer, line[:i]...)
				line = line[i+1:]
				posCol += i + 1
				switch {
				case len(line) > 0 && line[0] == '"': // "" is a quote
					r.recordBuffer = append(r.recordBuffer, '"')
					line = line[1:]
					posCol++
				case len(line) > 0 && line[0] == ',': // the end of the field
					line = line[1:]
					posCol++
					r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
					continue parseField
				case lengthNL(line) == len(line): // the end of the record
					r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
					break parseField
				default: // a quote followed by anything else
					err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: posCol - 1, Err: csv.ErrQuote}
					break parseField
				}
			case len(line) > 0:
				// The field goes on on the next line.
				r.recordBuffer = append(r.recordBuffer, line...)
				if errRead != nil {
					break parseField
				}
				posCol += len(line)
				line, errRead = r.readLine()
				if len(line) > 0 {
					posLine++
					posCol = 1
				}
				if errors.Is(errRead, io.EOF) {
					errRead = nil
				}
			default:
				// The end of the file inside quotes.
				if errRead == nil {
					err = &csv.ParseError{StartLine: recLine, Line: posLine, Column: posCol, Err: csv.ErrQuote}
					break parseField
				}
				r.fieldIndexes = append(r.fieldIndexes, len(r.recordBuffer))
				break parseField
			}
		}
	}
	if err == nil {
		err = errRead
	}
	return err
}
