package reply

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	message "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // the fixtures are iso-8859-1 and utf-8 (PITFALLS)

	"mailflow/mailflow"
	"mailflow/mailflow/internal/corpora"
	"mailflow/mailflow/mailtext"
)

// The reply suites of two other projects, kept outside the repository in
// ../shared/corpora (see each suite's SOURCE.txt; package corpora finds
// them, and fails the test when CI requires them), are run against the
// stripper. A suite passes a fixture as defined below; the test fails when
// a suite's pass rate drops under its floor, which sits just under what the
// stripper achieves, so a regression is caught and an improvement is free.
const (
	floorEmailReplyParser = 0.99 // needs 22/22
	floorTalon            = 0.96 // needs 29/30
)

// visible normalises a reply for comparison the way a reader sees it: line
// endings unified, spaces at line ends dropped, runs of blank lines made
// one, blank lines at either end dropped. Indentation and words are kept.
func visible(s string) string {
	return finish(splitLines(s))
}

// noSpace removes all white space, as talon's HTML tests compare.
func noSpace(s string) string {
	return strings.Join(strings.Fields(s), "")
}

type suiteResult struct {
	name   string
	passed int
	total  int
}

func (r *suiteResult) check(t *testing.T, fixture string, problems []string) {
	t.Helper()
	r.total++
	if len(problems) == 0 {
		r.passed++
		return
	}
	t.Logf("%s: %s FAIL:\n\t%s", r.name, fixture, strings.Join(problems, "\n\t"))
}

func (r *suiteResult) report(t *testing.T, floor float64) {
	t.Helper()
	if r.total == 0 {
		t.Fatalf("%s: no fixtures ran", r.name)
	}
	rate := float64(r.passed) / float64(r.total)
	t.Logf("%s: %d/%d passed (%.1f%%, floor %.0f%%)", r.name, r.passed, r.total, 100*rate, 100*floor)
	if rate < floor {
		t.Errorf("%s: pass rate %.3f is under the floor %.3f", r.name, rate, floor)
	}
}

// erpExpectation is one entry of email_reply_parser's expectations.json.
type erpExpectation struct {
	ReplyEquals      *string  `json:"reply_equals"`
	ReplyStartsWith  *string  `json:"reply_starts_with"`
	ReplyContains    []string `json:"reply_contains"`
	ReplyNotContains []string `json:"reply_not_contains"`
	MaxSeconds       float64  `json:"max_seconds"`
	Fragments        struct {
		Quoted []bool `json:"quoted"`
		Hidden []bool `json:"hidden"`
	} `json:"fragments"`
}

// reUpstreamQuoteLine is how email_reply_parser's tests recognise a quote
// header or quoted line (/^On [^\:]+\:/ and /^> /).
var reUpstreamQuoteLine = regexp.MustCompile(`^(?:On [^:]+:|>)`)

// TestCorpusEmailReplyParser runs Strip on github/email_reply_parser's
// fixtures. A fixture passes when all of these hold for Strip's output:
//
//   - reply_equals, when given, equals it after visible() on both sides;
//   - it starts with reply_starts_with (after visible());
//   - it contains every reply_contains and none of reply_not_contains;
//   - it has no line starting with ">" (mailflow never keeps quoted text);
//   - it took no longer than max_seconds, when given.
//
// One deliberate difference from upstream: email_reply_parser keeps quoted
// text that sits between visible parts of a bottom-posted or inline reply
// (its fragments are quoted but not hidden, in email_1_2 and email_1_8),
// while mailflow drops every quoted line, since quoted text is usually
// mailflow's own mail and may hold lines that read as commands. For those
// fixtures only, reply_starts_with is cut before its first quote line (as
// upstream's own test regexes find them), and an expected substring that
// occurs in the fixture only on ">" lines must be absent instead of
// present. The fragment-level assertions are not checked: mailflow does
// not split replies into fragments.
func TestCorpusEmailReplyParser(t *testing.T) {
	dir := corpora.Dir(t, "email_reply_parser")
	var want map[string]erpExpectation
	readJSON(t, filepath.Join(dir, "expectations.json"), &want)
	res := suiteResult{name: "email_reply_parser"}
	for _, name := range sortedKeys(want) {
		exp := want[name]
		raw, err := os.ReadFile(filepath.Join(dir, "emails", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		fixture := string(raw)
		start := time.Now()
		got := Strip(fixture)
		took := time.Since(start)
		res.check(t, name, erpProblems(fixture, got, exp, took))
	}
	res.report(t, floorEmailReplyParser)
}

func erpProblems(fixture, got string, exp erpExpectation, took time.Duration) []string {
	var problems []string
	keepsQuotes := false
	for i, q := range exp.Fragments.Quoted {
		if q && i < len(exp.Fragments.Hidden) && !exp.Fragments.Hidden[i] {
			keepsQuotes = true
		}
	}
	v := visible(got)
	if exp.ReplyEquals != nil && v != visible(*exp.ReplyEquals) {
		problems = append(problems, fmt.Sprintf("reply = %q, want %q", v, visible(*exp.ReplyEquals)))
	}
	if exp.ReplyStartsWith != nil {
		prefix := *exp.ReplyStartsWith
		if keepsQuotes {
			prefix = beforeUpstreamQuote(prefix)
		}
		if p := visible(prefix); !strings.HasPrefix(v, p) {
			problems = append(problems, fmt.Sprintf("reply %q does not start with %q", clip(v), p))
		}
	}
	unquoted := withoutQuotedLines(fixture)
	for _, s := range exp.ReplyContains {
		if keepsQuotes && !strings.Contains(unquoted, s) {
			if strings.Contains(got, s) {
				problems = append(problems, fmt.Sprintf("reply keeps quoted text %q", s))
			}
			continue
		}
		if !strings.Contains(got, s) {
			problems = append(problems, fmt.Sprintf("reply %q lacks %q", clip(v), s))
		}
	}
	for _, s := range exp.ReplyNotContains {
		if strings.Contains(got, s) {
			problems = append(problems, fmt.Sprintf("reply %q has %q", clip(v), s))
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			problems = append(problems, fmt.Sprintf("reply keeps the quoted line %q", l))
			break
		}
	}
	if exp.MaxSeconds > 0 && took > time.Duration(exp.MaxSeconds*float64(time.Second)) {
		problems = append(problems, fmt.Sprintf("took %v, limit %vs", took, exp.MaxSeconds))
	}
	return problems
}

// beforeUpstreamQuote cuts an expected prefix before its first quote line.
func beforeUpstreamQuote(prefix string) string {
	lines := strings.Split(prefix, "\n")
	for i, l := range lines {
		if reUpstreamQuoteLine.MatchString(l) {
			return strings.Join(lines[:i], "\n")
		}
	}
	return prefix
}

func withoutQuotedLines(s string) string {
	var keep []string
	for _, l := range splitLines(s) {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// talonExpectation is one entry of talon's expectations.json.
type talonExpectation struct {
	ReplyEquals      *string  `json:"reply_equals"`
	ReplyHTMLEquals  *string  `json:"reply_html_equals"`
	ReplyNonempty    bool     `json:"reply_nonempty"`
	ReplyNotContains []string `json:"reply_not_contains"`
	Sender           *string  `json:"sender"`
	TextEquals       *string  `json:"text_equals"`
}

// TestCorpusTalon runs mailgun/talon's reply and signature fixtures.
// talon strips quotations and signatures in separate steps, and its reply
// tests expect the signature kept ("Sent from my iPhone", Sparrow's "-- "
// block, "Thanks,\nAlex"), so each kind of fixture goes through the stage
// talon tests:
//
//   - standard_replies/*.eml: the first text/plain part, transfer- and
//     charset-decoded with go-message but not unwrapped (talon reads it
//     as is), through StripQuotes; passes when visible() of both sides is
//     equal.
//   - html_replies/*.html: StripQuotesHTML; passes when equal to the
//     expected text with all white space removed, as talon compares.
//   - OLK_SRC_BODY_SECTION.html, reply-separated-by-hr.html: talon
//     expects cleaned HTML; mailflow yields text, so the expected HTML is
//     turned into text with mailtext.HTMLToText and compared with all
//     white space removed.
//   - reply-quotations-share-block.eml: the raw file, headers and all, as
//     talon's test passes it, through StripQuotes; passes when the result
//     is not empty and has none of reply_not_contains.
//   - signature/emails/stripped/*_body: StripFrom(body, sender) (sender
//     as a name, or as an address when it has an "@"); passes when
//     visible() equals text_equals, which talon defines as the body
//     without the expected signature.
func TestCorpusTalon(t *testing.T) {
	dir := corpora.Dir(t, "talon")
	var want map[string]talonExpectation
	readJSON(t, filepath.Join(dir, "expectations.json"), &want)
	res := suiteResult{name: "talon"}
	for _, name := range sortedKeys(want) {
		exp := want[name]
		raw, err := os.ReadFile(filepath.Join(dir, "fixtures", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		res.check(t, name, talonProblems(name, raw, exp))
	}
	res.report(t, floorTalon)
}

func talonProblems(name string, raw []byte, exp talonExpectation) []string {
	switch {
	case exp.TextEquals != nil:
		var from mailflow.Person
		if exp.Sender != nil && strings.Contains(*exp.Sender, "@") {
			from.Email = *exp.Sender
		} else if exp.Sender != nil {
			from.Name = *exp.Sender
		}
		got := visible(StripFrom(string(raw), from))
		if want := visible(*exp.TextEquals); got != want {
			return []string{fmt.Sprintf("text = %q, want %q", got, want)}
		}
	case exp.ReplyNonempty:
		got := StripQuotes(string(raw))
		var problems []string
		if strings.TrimSpace(got) == "" {
			problems = append(problems, "reply is empty")
		}
		for _, s := range exp.ReplyNotContains {
			if strings.Contains(got, s) {
				problems = append(problems, fmt.Sprintf("reply %q has %q", clip(got), s))
			}
		}
		return problems
	case exp.ReplyHTMLEquals != nil:
		got := noSpace(StripQuotesHTML(string(raw)))
		if want := noSpace(mailtext.HTMLToText(*exp.ReplyHTMLEquals)); got != want {
			return []string{fmt.Sprintf("reply = %q, want %q", got, want)}
		}
	case strings.HasSuffix(name, ".html"):
		got := noSpace(StripQuotesHTML(string(raw)))
		if want := noSpace(*exp.ReplyEquals); got != want {
			return []string{fmt.Sprintf("reply = %q, want %q", got, want)}
		}
	case strings.HasSuffix(name, ".eml"):
		text, err := firstPlainPart(raw)
		if err != nil {
			return []string{err.Error()}
		}
		got := visible(StripQuotes(text))
		if want := visible(*exp.ReplyEquals); got != want {
			return []string{fmt.Sprintf("reply = %q, want %q", got, want)}
		}
	default:
		return []string{"no rule for this fixture"}
	}
	return nil
}

// firstPlainPart returns the decoded body of a message's first text/plain
// part.
func firstPlainPart(raw []byte) (string, error) {
	ent, err := message.Read(strings.NewReader(string(raw)))
	if err != nil && ent == nil {
		return "", err
	}
	var text string
	found := errors.New("found")
	err = ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, _, _ := part.Header.ContentType()
		if ct != "text/plain" && !(ct == "" && part == ent) {
			return nil
		}
		b, err := io.ReadAll(part.Body)
		if err != nil {
			return err
		}
		text = string(b)
		return found
	})
	if !errors.Is(err, found) {
		return "", fmt.Errorf("no text/plain part: %v", err)
	}
	return text, nil
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the corpus is there but incomplete: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// clip shortens s for a failure message.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
