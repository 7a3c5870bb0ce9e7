// Package templates holds the mail templates, embedded in the binary and
// overridable file by file from a directory, and the data each one is
// rendered with.
//
// Each kind of mail has three files: <kind>.subject.tmpl and <kind>.txt.tmpl
// (text/template) and <kind>.html.tmpl (html/template, which escapes every
// value). Shared pieces live in _common.txt.tmpl and _layout.html.tmpl.
// The parts of a mail that are the same for all its readers are sections
// rendered with the "shared" function (see MinutesShared): once for all
// the readers of a minutes.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	texttemplate "text/template"

	"mailflow/mailflow/compose"
)

//go:embed *.tmpl
var embedded embed.FS

// Kinds are the mails there are templates for.
var Kinds = []string{"minutes", "reminder", "status", "ack", "error", "confirm"}

// Set is a parsed set of templates. It is immutable and safe for concurrent use.
type Set struct {
	subject map[string]*texttemplate.Template
	text    map[string]*texttemplate.Template
	html    map[string]*htmltemplate.Template
	Dir     string // override directory, "" for the embedded set only
}

// Rendered is one rendered mail.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Load parses the embedded templates, with any file of the same name in dir
// (if dir is not "") taking the place of the embedded one.
func Load(dir string) (*Set, error) {
	var over fs.FS
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("templates dir: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("templates dir %s: not a directory", dir)
		}
		over = os.DirFS(dir)
	}
	read := func(name string) (string, string, error) {
		if over != nil {
			if b, err := fs.ReadFile(over, name); err == nil {
				return string(b), filepath.Join(dir, name), nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", "", err
			}
		}
		b, err := fs.ReadFile(embedded, name)
		return string(b), name, err
	}
	s := &Set{
		subject: map[string]*texttemplate.Template{},
		text:    map[string]*texttemplate.Template{},
		html:    map[string]*htmltemplate.Template{},
		Dir:     dir,
	}
	commonTxt, commonTxtName, err := read("_common.txt.tmpl")
	if err != nil {
		return nil, err
	}
	layout, layoutName, err := read("_layout.html.tmpl")
	if err != nil {
		return nil, err
	}
	for _, kind := range Kinds {
		src, name, err := read(kind + ".subject.tmpl")
		if err != nil {
			return nil, err
		}
		t, err := texttemplate.New(name).Funcs(textFuncs).Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		s.subject[kind] = t

		src, name, err = read(kind + ".txt.tmpl")
		if err != nil {
			return nil, err
		}
		tt, err := texttemplate.New(name).Funcs(textFuncs).Funcs(texttemplate.FuncMap{"shared": s.sharedText(kind)}).
			Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		if _, err := tt.New(commonTxtName).Parse(commonTxt); err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		s.text[kind] = tt

		src, name, err = read(kind + ".html.tmpl")
		if err != nil {
			return nil, err
		}
		ht, err := htmltemplate.New(name).Funcs(htmlFuncs).Funcs(htmltemplate.FuncMap{"shared": s.sharedHTML(kind)}).
			Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		if _, err := ht.New(layoutName).Parse(layout); err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		s.html[kind] = ht
	}
	return s, nil
}

// MustDefault returns the embedded set; it panics only if the embedded
// templates themselves are broken, which tests catch.
func MustDefault() *Set {
	s, err := Load("")
	if err != nil {
		panic(err)
	}
	return s
}

// Render renders the mail of kind with data. Whatever the data holds, the
// subject comes out as one header-safe line and the parts without control
// characters or bidi overrides (which could make text read differently
// from what it is, and spill into the lines after it).
func (s *Set) Render(kind string, data any) (Rendered, error) {
	st, ok := s.subject[kind]
	if !ok {
		return Rendered{}, fmt.Errorf("no template for mail kind %q", kind)
	}
	if m, ok := data.(Minutes); ok {
		data = m.forMail()
	}
	var r Rendered
	b := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= maxPooledBuffer {
			renderBuffers.Put(b)
		}
	}()
	b.Reset()
	if err := st.Execute(b, data); err != nil {
		return r, fmt.Errorf("render %s subject: %w", kind, err)
	}
	r.Subject = compose.HeaderSafe(b.String())
	b.Reset()
	if err := s.text[kind].Execute(b, data); err != nil {
		return r, fmt.Errorf("render %s text: %w", kind, err)
	}
	r.Text = tidyText(b, compose.TextSafe(b.String()))
	b.Reset()
	if err := s.html[kind].Execute(b, data); err != nil {
		return r, fmt.Errorf("render %s html: %w", kind, err)
	}
	r.HTML = compose.TextSafe(b.String())
	return r, nil
}

// renderBuffers hold template output until it is copied out as a string:
// reused, a buffer has grown to the size of a mail already, instead of
// growing (and copying) a dozen times for each part of each mail.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer renderBuffers keeps: a minutes
// mail's HTML is ~10 KB, the report for a project of 10,000 items a few
// MB, which is not kept for the next mail.
const maxPooledBuffer = 256 << 10

// tidyText drops trailing spaces and runs of more than one blank line that
// template conditionals leave behind. A line "--" becomes the signature
// separator "-- " (RFC 3676 4.3), so mail clients grey out the footer and
// leave it out of quotes in replies.
//
// It works in scratch, whose bytes it overwrites, so that the text is
// copied once, into the string it returns.
func tidyText(scratch *bytes.Buffer, s string) string {
	// One pass into one buffer: this runs on every mail's whole text.
	scratch.Reset()
	scratch.Grow(len(s) + 1)
	out := scratch.AvailableBuffer()
	blank, kept := 0, false
	for {
		l, rest, more := s, "", false
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, rest, more = s[:i], s[i+1:], true
		}
		end := len(l)
		for end > 0 && (l[end-1] == ' ' || l[end-1] == '\t') {
			end--
		}
		l = l[:end]
		switch {
		case l == "":
			blank++
		case l == "--":
			l, blank = "-- ", 0
		default:
			blank = 0
		}
		if blank <= 1 {
			if kept {
				out = append(out, '\n')
			}
			out = append(out, l...)
			kept = true
		}
		if !more {
			break
		}
		s = rest
	}
	out = bytes.TrimSpace(out)
	var t strings.Builder
	t.Grow(len(out) + 1)
	t.Write(out)
	t.WriteByte('\n')
	return t.String()
}
