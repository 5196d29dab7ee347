package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The lists of organizations and documents write their rows in Go rather
// than in their templates. In html/template every action is a reflective
// call or two (the value's, then its escaper's), and the 20 to 50 rows of a
// list were half of its page's CPU. A row holds only links made of ids,
// text and dates: template.HTMLEscapeString makes the text safe between
// tags and in a quoted attribute alike.

// rowFuncs are the template functions that write list rows, drawing their
// icons from a.
func rowFuncs(a *Assets) template.FuncMap {
	building, document := a.Icon("building"), a.Icon("file-earmark-text")
	return template.FuncMap{
		// organizationRows are the rows of Organizations: name, added.
		"organizationRows": func(orgs []*padlock.Organization) template.HTML {
			var w rowWriter
			w.b.Grow(len(orgs) * 300)
			for _, o := range orgs {
				w.link("/organizations/", o.ID, building, o.Name)
				w.date(o.CreatedAt)
				w.end()
			}
			return w.html()
		},
		// documentRows are the rows of an organization's documents:
		// title, updated, by whom.
		"documentRows": func(docs []*padlock.Document) template.HTML {
			return documentRows(docs, document, func(d *padlock.Document) string {
				return "/organizations/" + strconv.FormatInt(d.OrganizationID, 10) + "/documents/"
			})
		},
		// portalDocumentRows are the same rows on a client portal.
		"portalDocumentRows": func(docs []*padlock.Document) template.HTML {
			return documentRows(docs, document, func(*padlock.Document) string { return "/portal/documents/" })
		},
	}
}

// documentRows writes a row for each document, its link under the path
// that under gives.
func documentRows(docs []*padlock.Document, icon template.HTML, under func(*padlock.Document) string) template.HTML {
	var w rowWriter
	w.b.Grow(len(docs) * 400)
	for _, d := range docs {
		w.link(under(d), d.ID, icon, d.Title)
		w.date(d.UpdatedAt)
		w.text(d.UpdatedBy)
		w.end()
	}
	return w.html()
}

// rowWriter writes table rows: a row's cells one after the other, then
// end.
type rowWriter struct {
	b     strings.Builder
	inRow bool
}

// open starts a cell, and the row with its first cell.
func (w *rowWriter) open() {
	if !w.inRow {
		w.b.WriteString("<tr>")
		w.inRow = true
	}
	w.b.WriteString("<td>")
}

// link is a cell with a link to prefix followed by id, an icon and text.
func (w *rowWriter) link(prefix string, id int64, icon template.HTML, text string) {
	w.open()
	w.b.WriteString(`<a href="`)
	w.b.WriteString(prefix)
	w.b.WriteString(strconv.FormatInt(id, 10))
	w.b.WriteString(`">`)
	w.b.WriteString(string(icon))
	w.b.WriteByte(' ')
	w.b.WriteString(template.HTMLEscapeString(text))
	w.b.WriteString("</a></td>")
}

// date is a cell with a date, as the templates' date function writes it.
func (w *rowWriter) date(t time.Time) { w.text(formatDate(t)) }

// text is a cell of text.
func (w *rowWriter) text(s string) {
	w.open()
	w.b.WriteString(template.HTMLEscapeString(s))
	w.b.WriteString("</td>")
}

// end ends the row whose cells were just written.
func (w *rowWriter) end() {
	w.b.WriteString("</tr>")
	w.inRow = false
}

func (w *rowWriter) html() template.HTML { return template.HTML(w.b.String()) }

// formatDate is how pages show a time: in UTC to the minute, "never" for
// none.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}
