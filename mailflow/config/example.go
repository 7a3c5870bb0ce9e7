package config

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"strings"
	"text/template"
)

//go:embed example.toml.tmpl
var exampleText string

// exampleTemplate is the one commented configuration file behind the
// shipped mailflow.example.toml, what "mailflow init" writes and the demo's
// config: only a Setup's values differ between them, so the comments an
// administrator reads cannot drift from the example a test loads.
var exampleTemplate = template.Must(template.New("mailflow.toml").Funcs(template.FuncMap{
	"q":    QuoteString,
	"list": quoteList,
}).Parse(exampleText))

// Setup is what a written configuration file says about one installation.
type Setup struct {
	// Header is the file's opening comment, a line each, without "# ".
	Header []string
	// Database is database.path.
	Database string
	// IMAPAddress, IMAPSecurity and IMAPUsername are the [imap] keys;
	// IMAPPasswordFile is imap.password_file.
	IMAPAddress, IMAPSecurity, IMAPUsername, IMAPPasswordFile string
	// SMTPAddress, SMTPSecurity, SMTPUsername, SMTPPasswordFile and SMTPFrom
	// are the [smtp] keys.
	SMTPAddress, SMTPSecurity, SMTPUsername, SMTPPasswordFile, SMTPFrom string
	// ReplyKeyFile is security.reply_key_file.
	ReplyKeyFile string
	// SecretDir is where the commented-out OAuth 2.0 secret files would go.
	SecretDir string
	// ProjectName, ProjectAddress and Timezone describe the one project.
	ProjectName, ProjectAddress, Timezone string
	// Leadership receives the status report; empty leaves the key
	// commented out (the chairs get it).
	Leadership []string
	// Members is the roster; empty writes a commented example instead.
	Members []Member
}

// SecretPath is the path of a secret file named name in SecretDir.
func (s Setup) SecretPath(name string) string { return path.Join(s.SecretDir, name) }

// ExampleSetup is the setup of the shipped mailflow.example.toml: the
// example.org placeholders of a system install under /etc/mailflow.
func ExampleSetup() Setup {
	return Setup{
		Header: []string{
			"mailflow configuration: every key, with a comment.",
			"",
			`"mailflow init /etc/mailflow" writes this file with your project's`,
			`values, the secret files and the database directory (README,`,
			`"Running it for real"); this copy shows example.org placeholders.`,
		},
		Database:         "/var/lib/mailflow/mailflow.db",
		IMAPAddress:      "imap.example.org:993",
		IMAPSecurity:     "tls",
		IMAPUsername:     "ehr-project@example.org",
		IMAPPasswordFile: "/etc/mailflow/imap-password",
		SMTPAddress:      "smtp.example.org:587",
		SMTPSecurity:     "starttls",
		SMTPUsername:     "ehr-project@example.org",
		SMTPPasswordFile: "/etc/mailflow/smtp-password",
		SMTPFrom:         "mailflow@example.org",
		ReplyKeyFile:     "/etc/mailflow/reply-key",
		SecretDir:        "/etc/mailflow",
		ProjectName:      "EHR Rollout",
		ProjectAddress:   "ehr-project@example.org",
		Timezone:         "America/New_York",
		Leadership:       []string{"cmo@example.org", "cio@example.org"},
		Members: []Member{
			{Name: "Priya Shah", Email: "priya.shah@example.org", Role: "chair"},
			{Name: "Alice Moreau", Email: "alice.moreau@example.org", Role: "member", Group: "Nursing"},
		},
	}
}

// Render writes the commented configuration file for s.
func Render(s Setup) []byte {
	var b bytes.Buffer
	if err := exampleTemplate.Execute(&b, s); err != nil {
		// The template is fixed and its values are strings: a failure is
		// a bug in the template, which TestRenderedExampleIsShipped finds.
		panic(fmt.Sprintf("config: render the example: %v", err))
	}
	return b.Bytes()
}

// QuoteString writes s as a TOML basic string: quotes and backslashes
// escaped, control characters as \uXXXX (TOML has no \x escapes, which
// Go's %q may write).
func QuoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = QuoteString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
