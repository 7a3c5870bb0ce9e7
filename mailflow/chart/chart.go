// Package chart draws the one picture mailflow sends: open and closed
// action items per week, for the leadership status report. It is a PNG
// because that is what every mail client shows inline; it carries its own
// white background and dark text, so it reads the same in light and dark
// mode.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The chart's size in CSS pixels, as the HTML should show it. The PNG has
// Scale times as many pixels each way, so it stays sharp on high-density
// screens: show it with width="400" (and max-width:100%). It is drawn
// narrow so that on a phone, where a mail is 375 px wide, it shrinks
// little and its smallest text still renders at 11 px or more.
const (
	Width  = 400
	Height = 240
	Scale  = 2
)

// Text sizes, in CSS pixels at Width.
const (
	titleSize = 16.0
	textSize  = 13.0
	valueSize = 12.5
	// MinTextSize is the smallest text the chart draws.
	MinTextSize = valueSize
)

// MaxWeeks is the most weeks one chart shows; more would make bars too thin
// to read.
const MaxWeeks = 26

// ErrNoWeeks is returned for a chart with no weeks to show.
var ErrNoWeeks = errors.New("chart: no weeks")

// Week is one bar group: the items open at the end of the week and those
// closed during it.
type Week struct {
	Start  time.Time // first day of the week; labels the group "23 Nov"
	Label  string    // shown instead of Start when set
	Open   int       // items open at the end of the week
	Closed int       // items closed (done) during the week
}

func (w Week) label() string {
	if w.Label != "" {
		return w.Label
	}
	if w.Start.IsZero() {
		return ""
	}
	return w.Start.Format("2 Jan")
}

// Colours. The two series differ in hue and lightness, so they stay apart
// for readers with red-green colour blindness too.
var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colTitle      = color.RGBA{0x10, 0x18, 0x28, 0xff}
	colText       = color.RGBA{0x47, 0x54, 0x67, 0xff}
	colValue      = color.RGBA{0x34, 0x40, 0x54, 0xff}
	colGrid       = color.RGBA{0xea, 0xec, 0xf0, 0xff}
	colAxis       = color.RGBA{0x98, 0xa2, 0xb3, 0xff}
	colOpen       = color.RGBA{0x2e, 0x6b, 0xd0, 0xff}
	colClosed     = color.RGBA{0x1f, 0x9d, 0x55, 0xff}
)

// Series names, as the legend shows them.
const (
	LegendOpen   = "Open at week end"
	LegendClosed = "Closed in week"
	title        = "Action items per week"
)

var fonts = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return [2]*sfnt.Font{}, err
	}
	bold, err := opentype.Parse(gobold.TTF)
	return [2]*sfnt.Font{reg, bold}, err
})

// canvas draws in CSS pixels onto an image Scale times larger.
type canvas struct {
	img   *image.RGBA
	faces map[faceKey]font.Face
	fonts [2]*sfnt.Font
}

type faceKey struct {
	size float64
	bold bool
}

func (c *canvas) face(size float64, bold bool) (font.Face, error) {
	k := faceKey{size, bold}
	if f, ok := c.faces[k]; ok {
		return f, nil
	}
	fnt := c.fonts[0]
	if bold {
		fnt = c.fonts[1]
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size * Scale, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	c.faces[k] = f
	return f, nil
}

// rect fills a rectangle; edges fall on whole pixels, so bars are crisp.
func (c *canvas) rect(x0, y0, x1, y1 float64, col color.Color) {
	r := image.Rect(int(math.Round(x0*Scale)), int(math.Round(y0*Scale)), int(math.Round(x1*Scale)), int(math.Round(y1*Scale)))
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

// line draws a horizontal rule of the given thickness.
func (c *canvas) hline(x0, x1, y, thick float64, col color.Color) {
	r := image.Rect(int(x0*Scale), int(math.Round((y-thick/2)*Scale)), int(x1*Scale), int(math.Round((y+thick/2)*Scale)))
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// text draws s with its baseline at y; x is its left edge, centre or
// right edge as a says. It returns the width in CSS pixels.
func (c *canvas) text(s string, x, y, size float64, bold bool, a align, col color.Color) (float64, error) {
	f, err := c.face(size, bold)
	if err != nil {
		return 0, err
	}
	w := float64(font.MeasureString(f, s)) / 64 / Scale
	switch a {
	case alignCenter:
		x -= w / 2
	case alignRight:
		x -= w
	}
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * Scale * 64), Y: fixed.Int26_6(y * Scale * 64)}}
	d.DrawString(s)
	return w, nil
}

func (c *canvas) measure(s string, size float64, bold bool) (float64, error) {
	f, err := c.face(size, bold)
	if err != nil {
		return 0, err
	}
	return float64(font.MeasureString(f, s)) / 64 / Scale, nil
}

// WeeklyItems draws open and closed items per week as grouped bars, oldest
// week on the left, with the count above each bar, and returns the PNG.
func WeeklyItems(weeks []Week) ([]byte, error) {
	if len(weeks) == 0 {
		return nil, ErrNoWeeks
	}
	if len(weeks) > MaxWeeks {
		weeks = weeks[len(weeks)-MaxWeeks:]
	}
	top := 0
	for _, w := range weeks {
		if w.Open < 0 || w.Closed < 0 {
			return nil, fmt.Errorf("chart: week %q has a negative count", w.label())
		}
		top = max(top, w.Open, w.Closed)
	}
	fs, err := fonts()
	if err != nil {
		return nil, fmt.Errorf("chart: font: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, Width*Scale, Height*Scale))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)
	c := &canvas{img: img, faces: map[faceKey]font.Face{}, fonts: fs}
	defer func() {
		for _, f := range c.faces {
			f.Close()
		}
	}()

	const pad = 16.0
	// Title, and the legend on the line below it: at Width the two do not
	// fit side by side.
	if _, err := c.text(title, pad, 26, titleSize, true, alignLeft, colTitle); err != nil {
		return nil, err
	}
	x := pad
	for _, s := range []struct {
		name string
		col  color.Color
	}{{LegendOpen, colOpen}, {LegendClosed, colClosed}} {
		c.rect(x, 38, x+11, 49, s.col)
		w, err := c.text(s.name, x+17, 48, textSize, false, alignLeft, colText)
		if err != nil {
			return nil, err
		}
		x += 17 + w + 16
	}

	// The y axis: three or four round steps up to at least the top value.
	step, ticks := axis(top)
	labelW := 0.0
	for i := 0; i <= ticks; i++ {
		w, err := c.measure(strconv.Itoa(i*step), textSize, false)
		if err != nil {
			return nil, err
		}
		labelW = max(labelW, w)
	}
	plotL, plotR := pad+labelW+8, float64(Width)-pad
	plotT, plotB := 72.0, float64(Height)-32
	yOf := func(v int) float64 { return plotB - float64(v)/float64(step*ticks)*(plotB-plotT) }
	for i := 0; i <= ticks; i++ {
		y := yOf(i * step)
		if i > 0 {
			c.hline(plotL, plotR, y, 1, colGrid)
		}
		if _, err := c.text(strconv.Itoa(i*step), plotL-8, y+4, textSize, false, alignRight, colText); err != nil {
			return nil, err
		}
	}

	// Bars: a pair per week, centred in the week's slot.
	n := len(weeks)
	slot := (plotR - plotL) / float64(n)
	barW := math.Min(slot*0.34, 30)
	gap := math.Min(slot*0.06, 4)
	// Counts go above the bars when the widest fits over its bar.
	widest, err := c.measure(strconv.Itoa(top), valueSize, false)
	if err != nil {
		return nil, err
	}
	showValues := widest <= barW+gap-1
	// Label every week if the labels fit, else every k-th, always the last.
	labelEvery := 1
	for labelEvery < n {
		w, err := c.measure("30 Sep", textSize, false)
		if err != nil {
			return nil, err
		}
		if slot*float64(labelEvery) >= w+10 {
			break
		}
		labelEvery++
	}
	for i, w := range weeks {
		cx := plotL + slot*(float64(i)+0.5)
		for j, bar := range []struct {
			v   int
			col color.Color
		}{{w.Open, colOpen}, {w.Closed, colClosed}} {
			x0 := cx - gap/2 - barW
			if j == 1 {
				x0 = cx + gap/2
			}
			y := yOf(bar.v)
			c.rect(x0, y, x0+barW, plotB, bar.col)
			if showValues {
				if _, err := c.text(strconv.Itoa(bar.v), x0+barW/2, y-4, valueSize, false, alignCenter, colValue); err != nil {
					return nil, err
				}
			}
		}
		if (n-1-i)%labelEvery == 0 {
			// The newest week is in bold; labels stay inside the picture.
			last := i == n-1
			lw, err := c.measure(w.label(), textSize, last)
			if err != nil {
				return nil, err
			}
			lx := math.Min(math.Max(cx, plotL+lw/2), float64(Width)-pad/2-lw/2)
			if _, err := c.text(w.label(), lx, plotB+19, textSize, last, alignCenter, colText); err != nil {
				return nil, err
			}
		}
	}
	c.hline(plotL, plotR, plotB, 1, colAxis)

	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return b.Bytes(), nil
}

// axis picks a round step (1, 2 or 5 × 10ⁿ) so that three or four steps
// reach top.
func axis(top int) (step, ticks int) {
	if top <= 0 {
		return 1, 4
	}
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			step = m * mag
			ticks = (top + step - 1) / step
			if ticks <= 4 {
				return step, max(ticks, 1)
			}
		}
	}
}

// Describe says in words what the chart shows, for the image's alt text
// and the text part of the mail.
func Describe(weeks []Week) string {
	if len(weeks) == 0 {
		return ""
	}
	first, last := weeks[0], weeks[len(weeks)-1]
	closed := 0
	for _, w := range weeks {
		closed += w.Closed
	}
	span := fmt.Sprintf("the %d weeks from %s to %s", len(weeks), first.label(), last.label())
	if len(weeks) == 1 {
		span = "the week of " + last.label()
	}
	trend := fmt.Sprintf("open items went from %d to %d", first.Open, last.Open)
	if first.Open == last.Open {
		trend = fmt.Sprintf("open items stayed at %d", last.Open)
	}
	return fmt.Sprintf("Action items per week over %s: %s; %d closed in all, %d in the last week.", span, trend, closed, last.Closed)
}
