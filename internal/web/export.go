package web

import (
	"bufio"
	"encoding/csv"
	"errors"
	"net/http"
	"strings"
)

// The CSV exports write each row as it is read from the database, through
// a buffered csv.Writer straight to the response, and send what they have
// written at the end of each batch the database gave: what the server
// holds for an export is a buffer and a batch, whatever the account's size.

// csvBufferSize is the export's write buffer: about 400 rows of a users
// list, so a batch of them goes out in a few writes.
const csvBufferSize = 32 << 10

// csvExport is the response of a CSV export.
type csvExport struct {
	csv *csv.Writer
	rc  *http.ResponseController
}

// newCSVExport sets the headers of a download named filename; nothing is
// sent before the first flush, so an error until then can still be a page.
func newCSVExport(w http.ResponseWriter, filename string) *csvExport {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	// csv.NewWriter keeps a bufio.Writer of at least its own size as it is.
	return &csvExport{csv: csv.NewWriter(bufio.NewWriterSize(w, csvBufferSize)), rc: http.NewResponseController(w)}
}

// write writes a record, its formula-like cells neutralised in place
// (csvSafe): a record the caller reuses for every row.
func (e *csvExport) write(record []string) error { return e.csv.Write(csvSafe(record...)) }

// flush sends what has been written to the client.
func (e *csvExport) flush() error {
	e.csv.Flush()
	if err := e.csv.Error(); err != nil {
		return err
	}
	if err := e.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// lowerCells keeps the lower-case form of the few words an export writes
// that way, so that a row does not allocate it again.
type lowerCells map[string]string

func (l lowerCells) of(s string) string {
	lower, ok := l[s]
	if !ok {
		lower = strings.ToLower(s)
		l[s] = lower
	}
	return lower
}
