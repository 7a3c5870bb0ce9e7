// Package register writes the project's risk register and open action
// items as an Excel workbook (.xlsx), which the leadership status report
// carries so that leadership can sort, filter and file the whole register
// while the mail body shows only its top. It uses excelize, the maintained
// Go library for the OOXML spreadsheet format.
package register

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Filename is the attachment's name.
const Filename = "risk-register.xlsx"

// ContentType is the .xlsx media type.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Risk is one row of the Risks sheet.
type Risk struct {
	Ref         string
	Description string
	Likelihood  string
	Impact      string
	Severity    int // likelihood × impact, 1-9; 0 when either is unknown
	Mitigation  string
	Owner       string
	Status      string
	Escalated   bool
	Trigger     string
	Raised      string   // the day it was recorded
	Updated     string   // the day it last changed
	History     []string // its mitigation's changes, oldest first: "Tue 1 Dec 2026, Bob Okafor: weekly vendor call → …"
}

// Item is one row of the Open items sheet.
type Item struct {
	Ref         string
	Text        string
	Owner       string
	Due         string // YYYY-MM-DD, so that a spreadsheet sorts it
	DaysOverdue int
	Progress    int
	Raised      string
}

// Sheet names.
const (
	RisksSheet = "Risks"
	ItemsSheet = "Open items"
)

var (
	riskHeader = []any{"Ref", "Risk", "Likelihood", "Impact", "Likelihood × impact", "Mitigation", "Owner", "Status",
		"Escalated", "Trigger", "Raised", "Last changed", "Mitigation history"}
	itemHeader = []any{"Ref", "Action item", "Owner", "Due", "Days overdue", "Progress %", "Raised"}
)

// Workbook builds the workbook: the risks in the order given (the report's
// order: escalated first, then by likelihood × impact), then the items.
func Workbook(risks []Risk, items []Item) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	f.ZipWriter = fastZip
	if err := f.SetSheetName("Sheet1", RisksSheet); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if _, err := f.NewSheet(ItemsSheet); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	rows := make([][]any, 0, len(risks)+1)
	rows = append(rows, riskHeader)
	for _, r := range risks {
		escalated := ""
		if r.Escalated {
			escalated = "yes"
		}
		rows = append(rows, []any{r.Ref, r.Description, r.Likelihood, r.Impact, r.Severity, r.Mitigation, r.Owner, r.Status,
			escalated, r.Trigger, r.Raised, r.Updated, strings.Join(r.History, "\n")})
	}
	if err := writeSheet(f, RisksSheet, rows, []float64{7, 50, 11, 11, 10, 50, 20, 9, 10, 30, 16, 16, 60}); err != nil {
		return nil, err
	}
	rows = rows[:0]
	rows = append(rows, itemHeader)
	for _, it := range items {
		rows = append(rows, []any{it.Ref, it.Text, it.Owner, it.Due, it.DaysOverdue, it.Progress, it.Raised})
	}
	if err := writeSheet(f, ItemsSheet, rows, []float64{7, 60, 20, 12, 10, 10, 16}); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("register: write: %w", err)
	}
	return b.Bytes(), nil
}

// writeSheet writes rows with a stream writer (memory stays flat for a
// large register) as an Excel table: a header with filter buttons, banded
// rows, text wrapped in its column.
func writeSheet(f *excelize.File, sheet string, rows [][]any, widths []float64) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("register: %s: %w", sheet, err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("register: %s: %w", sheet, err)
		}
		if err := sw.SetColStyle(i+1, i+1, wrap); err != nil {
			return fmt.Errorf("register: %s: %w", sheet, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("register: %s: %w", sheet, err)
	}
	for i, row := range rows {
		for j, v := range row {
			if s, ok := v.(string); ok {
				row[j] = cellText(s)
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("register: %s row %d: %w", sheet, i+1, err)
		}
	}
	if len(rows) > 1 {
		last, err := excelize.CoordinatesToCellName(len(rows[0]), len(rows))
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		name := strings.ReplaceAll(sheet, " ", "")
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, StyleName: "TableStyleLight9"}); err != nil {
			return fmt.Errorf("register: %s: %w", sheet, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("register: %s: %w", sheet, err)
	}
	return nil
}

// fastZip compresses the workbook with flate's fastest level: the sheets
// are repetitive XML that compresses well at any level, and the default
// level took a third of the time of building a large register.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// maxCell is the most characters a spreadsheet cell holds (Excel's limit).
const maxCell = 32767

// cellText keeps text that came in by mail from being read as a formula:
// excelize writes strings as text cells, but a spreadsheet that re-reads
// the sheet (a CSV export, say) would take a leading =, +, - or @ for one,
// so such text gets a leading apostrophe. It is cut to the cell limit, on
// a rune boundary.
func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		s = "'" + s
	}
	if len(s) > maxCell {
		s = s[:maxCell]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
