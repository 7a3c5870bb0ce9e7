package chart

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var pngDir = flag.String("png", "", "write the sample charts as PNG files to this directory, to look at them")

func sampleWeeks() []Week {
	start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	open := []int{12, 15, 19, 18, 22, 17, 14, 11}
	closed := []int{3, 4, 2, 6, 5, 9, 7, 6}
	var ws []Week
	for i := range open {
		ws = append(ws, Week{Start: start.AddDate(0, 0, 7*i), Open: open[i], Closed: closed[i]})
	}
	return ws
}

func write(t *testing.T, name string, b []byte) {
	t.Helper()
	if *pngDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*pngDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{Width * Scale, Height * Scale}) {
		t.Fatalf("PNG is %v, want %dx%d", got, Width*Scale, Height*Scale)
	}
	return img
}

func has(img image.Image, want color.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(bl>>8) == want.B {
				return true
			}
		}
	}
	return false
}

func TestWeeklyItems(t *testing.T) {
	for name, weeks := range map[string][]Week{
		"weekly.png": sampleWeeks(),
		"zeros.png":  {{Label: "this week"}},
		"big.png": func() []Week {
			ws := sampleWeeks()
			for i := range ws {
				ws[i].Open *= 97
				ws[i].Closed *= 41
			}
			return ws
		}(),
		"many.png": func() []Week {
			var ws []Week
			for i := 0; i < 30; i++ {
				ws = append(ws, Week{Start: time.Date(2026, 1, 5+7*i, 0, 0, 0, 0, time.UTC), Open: 10 + i%7, Closed: i % 5})
			}
			return ws
		}(),
	} {
		b, err := WeeklyItems(weeks)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		write(t, name, b)
		img := decode(t, b)
		if !has(img, colOpen) || !has(img, colClosed) {
			t.Errorf("%s: the legend or bars are missing a series colour", name)
		}
		if len(b) > 60_000 {
			t.Errorf("%s: PNG of %d bytes; keep mail small", name, len(b))
		}
	}
}

func TestWeeklyItemsErrors(t *testing.T) {
	if _, err := WeeklyItems(nil); err != ErrNoWeeks {
		t.Errorf("WeeklyItems(nil) = %v, want ErrNoWeeks", err)
	}
	if _, err := WeeklyItems([]Week{{Open: -1}}); err == nil {
		t.Error("a negative count was drawn")
	}
}

func TestAxis(t *testing.T) {
	for _, tc := range []struct{ top, step, ticks int }{
		{0, 1, 4}, {1, 1, 1}, {4, 1, 4}, {5, 2, 3}, {8, 2, 4}, {9, 5, 2}, {22, 10, 3}, {41, 20, 3}, {2134, 1000, 3},
	} {
		step, ticks := axis(tc.top)
		if step != tc.step || ticks != tc.ticks {
			t.Errorf("axis(%d) = %d × %d, want %d × %d", tc.top, step, ticks, tc.step, tc.ticks)
		}
		if step*ticks < tc.top {
			t.Errorf("axis(%d) stops at %d", tc.top, step*ticks)
		}
	}
}

func TestDescribe(t *testing.T) {
	got := Describe(sampleWeeks())
	want := "Action items per week over the 8 weeks from 5 Oct to 23 Nov: open items went from 12 to 11; 42 closed in all, 6 in the last week."
	if got != want {
		t.Errorf("Describe = %q\nwant      %q", got, want)
	}
	if !strings.Contains(Describe([]Week{{Label: "this week", Open: 3}}), "the week of this week") {
		t.Error(Describe([]Week{{Label: "this week", Open: 3}}))
	}
}

func TestTally(t *testing.T) {
	loc := time.FixedZone("EST", -5*3600)
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, loc) }
	now := at(11, 30, 8) // Monday 30 Nov 2026
	spans := []Span{
		{Opened: at(11, 10, 9)}, // open throughout
		{Opened: at(11, 10, 9), Ended: at(11, 18, 12), Done: true},  // closed in the week of 16 Nov
		{Opened: at(11, 17, 9), Ended: at(11, 24, 12), Done: false}, // cancelled in the week of 23 Nov
		{Opened: at(11, 24, 9), Ended: at(11, 30, 7), Done: true},   // closed this morning
		{Opened: at(11, 30, 10)},                                    // opened after now: not yet
		{Opened: at(11, 22, 23), Ended: at(11, 23, 0), Done: true},  // closed at the very start of 23 Nov
	}
	got := Tally(spans, now, 3, loc)
	want := []Week{
		{Start: at(11, 16, 0), Open: 3, Closed: 1}, // end 23 Nov 00:00: 1st, 3rd, and the 6th (ends exactly at the boundary)
		{Start: at(11, 23, 0), Open: 2, Closed: 1},
		{Start: at(11, 30, 0), Open: 1, Closed: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Tally = %d weeks, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || got[i].Open != want[i].Open || got[i].Closed != want[i].Closed {
			t.Errorf("week %d = %v open %d closed %d, want %v open %d closed %d", i,
				got[i].Start, got[i].Open, got[i].Closed, want[i].Start, want[i].Open, want[i].Closed)
		}
	}
}

func BenchmarkWeeklyItems(b *testing.B) {
	ws := sampleWeeks()
	for b.Loop() {
		if _, err := WeeklyItems(ws); err != nil {
			b.Fatal(err)
		}
	}
}

// On a phone a mail is 375 px wide and the chart shrinks to fit: its
// smallest text must still render at 11 px or more (the report's HTML
// shows it at Width, at most 100 % of the screen).
func TestReadableOnAPhone(t *testing.T) {
	const phone, minPx = 375.0, 11.0
	scale := min(1, phone/float64(Width))
	if got := MinTextSize * scale; got < minPx {
		t.Errorf("at %g px the smallest chart text renders at %.1f px, want at least %g", phone, got, minPx)
	}
	// 26 weeks still draw at that width, their labels thinned out.
	var weeks []Week
	for i := range MaxWeeks {
		weeks = append(weeks, Week{Label: fmt.Sprintf("%d Nov", i+1), Open: 10 + i, Closed: i % 4})
	}
	if _, err := WeeklyItems(weeks); err != nil {
		t.Fatal(err)
	}
}
