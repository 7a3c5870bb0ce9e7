package templates

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Minutes go to every participant, and most of such a mail is the same
// for all of them: the meeting, its decisions, every item and risk, the
// notes. The minutes templates put those parts in sections, named
// templates that they call with the "shared" function instead of
// {{template}}:
//
//	{{shared "minutes-body" .}}
//
// renders the section "minutes-body" of the same file with the mail's
// Shared() data, which holds nothing about the reader, so the section
// cannot depend on who reads it. Mails that carry one Memo (WithMemo)
// render each section once between them and reuse it: the cost of a
// minutes mail per reader is then only what is theirs (their items, the
// reply help, the sender's problems). A mail without a Memo renders its
// sections as {{template}} would; the output is the same either way.
//
// With a third argument, the mail,
//
//	{{shared "replyhelp-commands" . $}}
//
// renders the section with the data given (here the reply help) instead
// of the mail's shared data, once for all the readers in the mail's Memo
// who have the same: most readers of a minutes own nothing in it and are
// taught the same commands. It does so for a ReplyHelp, the one kind of
// data it knows how to tell apart; any other data, or a mail without a
// Memo, renders the section each time, as {{template}} would.

// MinutesShared is the part of the minutes mail that is the same for
// every reader: the data of the minutes templates' shared sections.
type MinutesShared struct {
	Project        string
	ProjectAddress string
	Title          string
	Date           string
	Chair          string
	Attendees      []string
	Regrets        []string
	Decisions      []string
	Items          []Item
	Cancelled      []Item
	Risks          []Risk
	Changes        []Change
	Corrected      bool
	Notes          string
	NextMeeting    string
}

// Shared returns what the minutes show every reader alike.
func (m Minutes) Shared() MinutesShared {
	return MinutesShared{
		Project: m.Project, ProjectAddress: m.ProjectAddress,
		Title: m.Title, Date: m.Date, Chair: m.Chair,
		Attendees: m.Attendees, Regrets: m.Regrets, Decisions: m.Decisions,
		Items: m.Items, Cancelled: m.Cancelled, Risks: m.Risks, Changes: m.Changes,
		Corrected: m.Corrected, Notes: m.Notes, NextMeeting: m.NextMeeting,
	}
}

// SameShared reports whether m and o show their readers the same shared
// sections, so that they may render them once (WithMemo).
func (m Minutes) SameShared(o Minutes) bool {
	a, b := m.Shared(), o.Shared()
	return a.Project == b.Project && a.ProjectAddress == b.ProjectAddress &&
		a.Title == b.Title && a.Date == b.Date && a.Chair == b.Chair &&
		equal(a.Attendees, b.Attendees) && equal(a.Regrets, b.Regrets) &&
		equal(a.Decisions, b.Decisions) && equal(a.Items, b.Items) &&
		equal(a.Cancelled, b.Cancelled) && equal(a.Risks, b.Risks) &&
		equal(a.Changes, b.Changes) && a.Corrected == b.Corrected &&
		a.Notes == b.Notes && a.NextMeeting == b.NextMeeting
}

// equal is slices.Equal, at once when a and b are the same slice (the
// readers of one minutes may share one list of items).
func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return slices.Equal(a, b)
}

// WithMemo returns m rendering its shared sections through memo: give
// one Memo to the mails of one minutes, whose Shared data is the same
// (SameShared), and each section is rendered once for all of them. A Memo
// must never be given to mails whose shared data differ: they would all
// show the first one's.
func (m Minutes) WithMemo(memo *Memo) Minutes {
	m.memo = memo
	return m
}

// sharedSections is template data with sections shared between readers.
type sharedSections interface {
	// sectionMemo returns the Memo, nil for none, that keeps what the
	// sections rendered.
	sectionMemo() *Memo
	// sectionData returns the sections' data; it is asked for only when
	// a section is rendered, not each time a Memo has it already.
	sectionData() any
}

func (m Minutes) sectionMemo() *Memo { return m.memo }
func (m Minutes) sectionData() any   { return m.Shared() }

// Memo keeps the shared sections rendered for a group of mails with the
// same shared data, for as long as the mails hold it. It is safe for
// concurrent use: the mails of one minutes render on several goroutines.
type Memo struct {
	mu       sync.Mutex
	sections map[memoKey]*memoSection
}

// NewMemo returns an empty Memo.
func NewMemo() *Memo { return &Memo{sections: map[memoKey]*memoSection{}} }

// memoKey names a section: the same name may be a text and an HTML
// section, and the same mail may be rendered by two template sets.
type memoKey struct {
	set  *Set
	kind string
	html bool
	name string
	data string // the section's own data (sectionKey), "" for the mail's shared data
}

type memoSection struct {
	once  sync.Once
	ready atomic.Bool // out and err are set
	out   string
	err   error
}

// rendered returns the section k if it was rendered already, else nil.
func (m *Memo) rendered(k memoKey) *memoSection {
	m.mu.Lock()
	s := m.sections[k]
	m.mu.Unlock()
	if s == nil || !s.ready.Load() {
		return nil
	}
	return s
}

// section returns the section k, rendering it with render the first time.
// A render that panics fails every later use of the section too, rather
// than leaving it rendered empty.
func (m *Memo) section(k memoKey, render func() (string, error)) (string, error) {
	m.mu.Lock()
	s := m.sections[k]
	if s == nil {
		s = &memoSection{}
		m.sections[k] = s
	}
	m.mu.Unlock()
	s.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				s.err = fmt.Errorf("section %q: panic: %v", k.name, r)
				panic(r)
			}
		}()
		s.out, s.err = render()
		s.ready.Store(true)
	})
	return s.out, s.err
}

// renderShared renders the section name of a kind's text or HTML
// template with data's shared data, through data's Memo if it has one; or,
// given the mail, with data itself through the mail's Memo.
func (s *Set) renderShared(kind string, html bool, name string, data any, mail []any) (string, error) {
	if len(mail) > 0 {
		return s.renderOwnData(kind, html, name, data, mail)
	}
	sh, ok := data.(sharedSections)
	if !ok {
		return "", fmt.Errorf("shared %q: %T has no sections shared between readers", name, data)
	}
	return s.renderSection(memoKey{set: s, kind: kind, html: html, name: name}, sh.sectionMemo(), sh, false)
}

// renderOwnData renders the section name with data, through the Memo of
// the mail if it has one and data is of a kind sectionKey tells apart.
func (s *Set) renderOwnData(kind string, html bool, name string, data any, mail []any) (string, error) {
	if len(mail) != 1 {
		return "", fmt.Errorf("shared %q: takes a section, its data and at most the mail, not %d more", name, len(mail))
	}
	var memo *Memo
	if sh, ok := mail[0].(sharedSections); ok {
		memo = sh.sectionMemo()
	}
	key := ""
	if memo != nil {
		var known bool
		if key, known = sectionKey(data); !known {
			memo = nil
		}
	}
	return s.renderSection(memoKey{set: s, kind: kind, html: html, name: name, data: key}, memo, data, true)
}

// sectionKey tells the data of a section apart: two values with the same
// key render a section alike. It knows the reply help.
func sectionKey(data any) (string, bool) {
	h, ok := data.(ReplyHelp)
	if !ok {
		return "", false
	}
	// Each text is prefixed with its length, so no two helps share a key.
	var b strings.Builder
	size := len(h.What) + 8
	for _, c := range h.Commands {
		size += len(c.Text) + len(c.Meaning) + 8
	}
	b.Grow(size)
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(h.What)
	for _, c := range h.Commands {
		field(c.Text)
		field(c.Meaning)
	}
	b.WriteString(strconv.FormatBool(h.Notes))
	return b.String(), true
}

// renderSection renders the section k through memo if it is not nil, with
// data: as it is if own, else its shared data (sharedSections), made only
// if the section is rendered.
func (s *Set) renderSection(k memoKey, memo *Memo, data any, own bool) (string, error) {
	if memo != nil {
		// Every reader but the first finds the section here, without
		// the closure that would render it.
		if sec := memo.rendered(k); sec != nil {
			return sec.out, sec.err
		}
	}
	render := func() (string, error) {
		section := data
		if !own {
			section = data.(sharedSections).sectionData()
		}
		b := renderBuffers.Get().(*bytes.Buffer)
		defer renderBuffers.Put(b) // a section is a few KB
		b.Reset()
		var err error
		if k.html {
			err = s.html[k.kind].ExecuteTemplate(b, k.name, section)
		} else {
			err = s.text[k.kind].ExecuteTemplate(b, k.name, section)
		}
		return b.String(), err
	}
	if memo == nil {
		return render()
	}
	return memo.section(k, render)
}

// sharedText and sharedHTML are the "shared" function of a kind's text and
// HTML templates. The HTML section comes out of html/template, escaped
// for where sections stand (between elements), so it is inserted as is.
func (s *Set) sharedText(kind string) func(string, any, ...any) (string, error) {
	return func(name string, data any, mail ...any) (string, error) {
		return s.renderShared(kind, false, name, data, mail)
	}
}

func (s *Set) sharedHTML(kind string) func(string, any, ...any) (htmltemplate.HTML, error) {
	return func(name string, data any, mail ...any) (htmltemplate.HTML, error) {
		out, err := s.renderShared(kind, true, name, data, mail)
		return htmltemplate.HTML(out), err
	}
}
