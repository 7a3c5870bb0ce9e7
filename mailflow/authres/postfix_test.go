package authres

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// pcreRule is one "/pattern/flags action" line of a Postfix pcre table.
type pcreRule struct {
	pattern, flags, action string
}

// readPCRETable reads the rules of a Postfix pcre table (pcre_table(5)):
// "#" comments, blank lines, and lines starting with white space continue
// the previous logical line.
func readPCRETable(t *testing.T, path string) []pcreRule {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case line[0] == ' ' || line[0] == '\t':
			if len(lines) == 0 {
				t.Fatalf("%s: continuation line before any rule: %q", path, line)
			}
			lines[len(lines)-1] += " " + trimmed
		default:
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var rules []pcreRule
	for _, line := range lines {
		r, err := parsePCRERule(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rules = append(rules, r)
	}
	return rules
}

func parsePCRERule(line string) (pcreRule, error) {
	delim := line[0]
	if delim == '!' || delim == ' ' || delim == '\\' {
		return pcreRule{}, fmt.Errorf("rule %q: negated or unusual delimiter not supported here", line)
	}
	end := -1
	for i := 1; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == delim {
			end = i
			break
		}
	}
	if end < 0 {
		return pcreRule{}, fmt.Errorf("rule %q: no closing %q", line, delim)
	}
	flags, action, _ := strings.Cut(line[end+1:], " ")
	return pcreRule{pattern: line[1:end], flags: flags, action: strings.TrimSpace(action)}, nil
}

// goRegexp translates a Postfix pcre pattern with its flags into Go
// syntax. Postfix's defaults differ from PCRE's: matching is
// case-insensitive ("i", default on, toggles it) and "." matches a newline
// ("s", default on); "m" (default off) toggles multi-line anchors. Other
// flags are refused rather than guessed. The pattern itself must be in the
// common subset of PCRE and RE2 (no look-around, no back-references);
// regexp.Compile rejects anything else.
func goRegexp(r pcreRule) (*regexp.Regexp, error) {
	caseless, dotAll, multiLine := true, true, false
	for _, f := range r.flags {
		switch f {
		case 'i':
			caseless = !caseless
		case 's':
			dotAll = !dotAll
		case 'm':
			multiLine = !multiLine
		default:
			return nil, fmt.Errorf("flag %q of /%s/ is not translated", f, r.pattern)
		}
	}
	prefix := ""
	if caseless {
		prefix += "i"
	}
	if dotAll {
		prefix += "s"
	}
	if multiLine {
		prefix += "m"
	}
	if prefix != "" {
		prefix = "(?" + prefix + ")"
	}
	return regexp.Compile(prefix + r.pattern)
}

// The logical header lines Postfix hands to header_checks: one field at a
// time, continuation lines included.
var headerCheckTests = []struct {
	name   string
	line   string
	remove bool
}{
	{"plain", "Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=clinic.example", true},
	{"folded after the colon", "Authentication-Results:\n\tmx.clinic.example;\n\tdkim=pass header.d=clinic.example", true},
	{"folded with CRLF", "Authentication-Results:\r\n mx.clinic.example\r\n ; spf=pass smtp.mailfrom=clinic.example", true},
	{"extra spaces", "Authentication-Results:     mx.clinic.example    ;spf=pass smtp.mailfrom=clinic.example", true},
	{"space before the colon", "Authentication-Results : mx.clinic.example; spf=pass smtp.mailfrom=clinic.example", true},
	{"different case", "AUTHENTICATION-RESULTS: MX.Clinic.EXAMPLE; spf=pass smtp.mailfrom=clinic.example", true},
	{"version number", "Authentication-Results: mx.clinic.example 1; spf=pass smtp.mailfrom=clinic.example", true},
	{"comment after the ID", "Authentication-Results: mx.clinic.example(forged); spf=pass smtp.mailfrom=clinic.example", true},
	{"ID alone", "Authentication-Results: mx.clinic.example", true},
	{"longer ID", "Authentication-Results: mx.clinic.example.evil.com; spf=pass smtp.mailfrom=clinic.example", false},
	{"ID with a suffix", "Authentication-Results: mx.clinic.examples; spf=pass smtp.mailfrom=clinic.example", false},
	{"ID with a prefix", "Authentication-Results: evil-mx.clinic.example; spf=pass smtp.mailfrom=clinic.example", false},
	{"dots are not wildcards", "Authentication-Results: mxXclinicXexample; spf=pass smtp.mailfrom=clinic.example", false},
	{"another server", "Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=clinic.example", false},
	{"ARC copy", "ARC-Authentication-Results: i=1; mx.clinic.example; spf=pass smtp.mailfrom=clinic.example", false},
	{"ID after a comment: left, and not trusted", "Authentication-Results: (x) mx.clinic.example; spf=pass smtp.mailfrom=clinic.example", false},
	{"quoted ID: left, and not trusted", "Authentication-Results: \"mx.clinic.example\"; spf=pass smtp.mailfrom=clinic.example", false},
	{"Exchange without ID", "Authentication-Results: spf=pass (sender IP is 192.0.2.25) smtp.mailfrom=clinic.example", false},
}

// TestPostfixHeaderChecks holds the README's Postfix rule to two promises:
// it removes the forged forms of the MX's own field, and it removes exactly
// the fields Check would trust, so none slips between the two.
func TestPostfixHeaderChecks(t *testing.T) {
	rules := readPCRETable(t, "testdata/postfix_header_checks")
	if len(rules) != 1 || rules[0].action != "IGNORE" {
		t.Fatalf("testdata/postfix_header_checks has %d rules %+v, want one IGNORE rule", len(rules), rules)
	}
	re, err := goRegexp(rules[0])
	if err != nil {
		t.Fatalf("translate /%s/%s: %v", rules[0].pattern, rules[0].flags, err)
	}
	for _, tt := range headerCheckTests {
		t.Run(tt.name, func(t *testing.T) {
			removed := re.MatchString(tt.line)
			if removed != tt.remove {
				t.Errorf("rule matches %q = %v, want %v", tt.line, removed, tt.remove)
			}
			name, value, _ := strings.Cut(tt.line, ":")
			isField := strings.EqualFold(strings.TrimSpace(name), FieldName)
			_, trusted := trustedID(value, mx.TrustedIDs)
			if isField && trusted != removed {
				t.Errorf("trustedID(%q) = %v but the rule removes it: %v", value, trusted, removed)
			}
		})
	}
}

func TestGoRegexpFlags(t *testing.T) {
	tests := []struct {
		rule  pcreRule
		input string
		want  bool
	}{
		{pcreRule{pattern: "^a.b$"}, "A\nB", true},
		{pcreRule{pattern: "^a.b$", flags: "i"}, "A\nB", false},
		{pcreRule{pattern: "^a.b$", flags: "s"}, "a\nb", false},
		{pcreRule{pattern: "^b$", flags: "m"}, "a\nb", true},
		{pcreRule{pattern: "^b$"}, "a\nb", false},
	}
	for _, tt := range tests {
		re, err := goRegexp(tt.rule)
		if err != nil {
			t.Fatalf("goRegexp(%+v): %v", tt.rule, err)
		}
		if got := re.MatchString(tt.input); got != tt.want {
			t.Errorf("goRegexp(%+v).MatchString(%q) = %v, want %v", tt.rule, tt.input, got, tt.want)
		}
	}
	if _, err := goRegexp(pcreRule{pattern: "a", flags: "x"}); err == nil {
		t.Errorf("goRegexp with flag x = nil error, want an error")
	}
}
