// Package config reads mailflow's TOML configuration and checks it, so that
// a mistake stops the daemon at start with the key that is wrong instead of
// surfacing hours later as a mail that was never sent.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/jackc/pgx/v5/pgconn"

	"mailflow/mailflow"
	"mailflow/mailflow/schedule"
)

// Config is the whole configuration file.
type Config struct {
	Database  Database  `toml:"database"`
	IMAP      IMAP      `toml:"imap"`
	SMTP      SMTP      `toml:"smtp"`
	OAuth2    OAuth2    `toml:"oauth2"`
	Security  Security  `toml:"security"`
	Templates Templates `toml:"templates"`
	Log       Log       `toml:"log"`
	Daemon    Daemon    `toml:"daemon"`
	Projects  []Project `toml:"project"`

	// Dir is the directory of the config file; relative paths in it are
	// taken from there.
	Dir string `toml:"-"`
}

// Database says where mailflow keeps its state: an SQLite file (path),
// or a PostgreSQL database that several hosts share (url). One of them.
type Database struct {
	Path string `toml:"path"`
	// URL is postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full; TLS
	// is what its sslmode and sslrootcert say. It holds no password.
	URL string `toml:"url"`
	// PasswordFile holds the PostgreSQL role's password (0600), as the
	// other secrets; else the systemd credential database-password, else
	// $MAILFLOW_DATABASE_PASSWORD, else pgx's own PGPASSWORD and
	// ~/.pgpass.
	PasswordFile string `toml:"password_file"`

	Password string `toml:"-"`
}

// Postgres reports whether the database is PostgreSQL (url) rather than
// an SQLite file (path).
func (d Database) Postgres() bool { return d.URL != "" }

// Target is what store.Open takes: the SQLite path, or the PostgreSQL URL
// with the password in it. It is a secret: print Name instead.
func (d Database) Target() string {
	if !d.Postgres() {
		return d.Path
	}
	if d.Password == "" {
		return d.URL
	}
	u, err := url.Parse(d.URL)
	if err != nil || u.User == nil {
		return d.URL // Finish refused it
	}
	u.User = url.UserPassword(u.User.Username(), d.Password)
	return u.String()
}

// Name is how messages name the database: the path, or the URL (which
// holds no password).
func (d Database) Name() string {
	if d.Postgres() {
		return d.URL
	}
	return d.Path
}

// Endpoint is a mail server mailflow signs in to — where it is, how the
// connection is secured, how mailflow signs in — as [imap] and [smtp]
// both give it. One type, so that both are checked, defaulted and
// secured the same way.
type Endpoint struct {
	Address      string   `toml:"address"`
	Security     string   `toml:"security"`
	Username     string   `toml:"username"`
	Auth         string   `toml:"auth"`
	PasswordFile string   `toml:"password_file"`
	CAFile       string   `toml:"ca_file"`
	Timeout      Duration `toml:"timeout"`

	Password string `toml:"-"`
	// OAuth2 is the [oauth2] section when Auth is "oauth2", else nil.
	OAuth2 *OAuth2 `toml:"-"`
}

// Host is the server's host name, as the TLS certificate must name it.
func (e Endpoint) Host() string {
	host, _, _ := net.SplitHostPort(e.Address)
	return host
}

// TLSConfig returns the TLS settings for the server: certificates always
// verified, against the system roots or, for a private CA, ca_file. key
// names the section in errors ("imap").
func (e Endpoint) TLSConfig(key string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(e.Address)
	if err != nil {
		return nil, fmt.Errorf("%s.address: %w", key, err)
	}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if e.CAFile != "" {
		pem, err := os.ReadFile(e.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s.ca_file: %w", key, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s.ca_file %s: no PEM certificates in it", key, e.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// IMAP configures the mailbox mailflow reads.
type IMAP struct {
	Endpoint
	ProcessedMailbox string   `toml:"processed_mailbox"`
	FailedMailbox    string   `toml:"failed_mailbox"`
	PollInterval     Duration `toml:"poll_interval"`
	IDLE             *bool    `toml:"idle"`
	MaxMessageBytes  int64    `toml:"max_message_bytes"`
	BatchSize        int      `toml:"batch_size"`
}

// SetDefaults fills in what [imap] leaves out. Finish calls it; so does
// code that builds a configuration by hand (tests), so that the defaults
// live here alone.
func (c *IMAP) SetDefaults() {
	if c.Security == "" {
		c.Security = "tls"
	}
	if c.ProcessedMailbox == "" {
		c.ProcessedMailbox = "mailflow/processed"
	}
	if c.FailedMailbox == "" {
		c.FailedMailbox = "mailflow/failed"
	}
	if c.PollInterval.Duration == 0 {
		c.PollInterval.Duration = time.Minute
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 25 << 20
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.Timeout.Duration == 0 {
		c.Timeout.Duration = time.Minute
	}
}

// UseIDLE reports whether IDLE should be used where the server offers it.
func (c IMAP) UseIDLE() bool { return c.IDLE == nil || *c.IDLE }

// SMTP configures the server mailflow sends through.
type SMTP struct {
	Endpoint
	From        string `toml:"from"`
	MaxAttempts int    `toml:"max_attempts"`
	BatchSize   int    `toml:"batch_size"`

	// KeepSentBodyDays is how long a sent mail's body stays in the
	// outbox; after it only its header block, recipients and the
	// server's answer are kept.
	KeepSentBodyDays int `toml:"keep_sent_body_days"`

	// FromName is the display name of from when it was written as
	// "Name <addr>"; Finish leaves the bare address in From, which is what
	// the envelope and every other user of the field want.
	FromName string `toml:"-"`
}

// SetDefaults fills in what [smtp] leaves out (see IMAP.SetDefaults).
func (c *SMTP) SetDefaults() {
	if c.Security == "" {
		c.Security = "starttls"
	}
	if c.Timeout.Duration == 0 {
		c.Timeout.Duration = 30 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 50
	}
}

// Ways to sign in to a mail server (imap.auth, smtp.auth).
const (
	AuthPassword = "password" // AUTHENTICATE PLAIN or LOGIN (IMAP), PLAIN or LOGIN (SMTP)
	AuthOAuth2   = "oauth2"   // SASL XOAUTH2 or OAUTHBEARER with a token from [oauth2]
)

// OAuth2 configures OAuth 2.0 access tokens, for mail services that allow
// no password sign-in (Microsoft 365) or prefer not to (Google). Without a
// refresh token mailflow uses the client-credentials grant (an app
// registration with its own mailbox permissions, as Microsoft 365 has for
// IMAP and SMTP); with one, the refresh-token grant (Google, where a person
// consents once).
type OAuth2 struct {
	TokenURL         string   `toml:"token_url"`
	ClientID         string   `toml:"client_id"`
	ClientSecretFile string   `toml:"client_secret_file"`
	RefreshTokenFile string   `toml:"refresh_token_file"`
	Scopes           []string `toml:"scopes"`

	ClientSecret string `toml:"-"`
	RefreshToken string `toml:"-"`
}

// Grant names the OAuth 2.0 grant the settings use.
func (o *OAuth2) Grant() string {
	if o.RefreshToken != "" {
		return "refresh_token"
	}
	return "client_credentials"
}

// Security configures who may change data by email.
type Security struct {
	ReplyKeyFile      string `toml:"reply_key_file"`
	TrustedAuthservID string `toml:"trusted_authserv_id"`
	RequireAuth       *bool  `toml:"require_auth"`
	ReplyRateLimit    int    `toml:"reply_rate_limit"`
	AllowLists        bool   `toml:"allow_lists"`
	// ReplyTokenDays is how long a signed reply address acts after the
	// mail that carried it.
	ReplyTokenDays int `toml:"reply_token_days"`
	// HeldMinutesDays is how long unauthenticated minutes wait for their
	// sender (or a chair) to confirm them before they expire.
	HeldMinutesDays int `toml:"held_minutes_days"`
	// MaxItems is the most action items, and separately the most risks,
	// one minutes mail may hold; more fails the message.
	MaxItems int `toml:"max_items"`
	// TrustExchangeInternal takes Exchange Online's own
	// X-MS-Exchange-Organization-AuthAs: Internal as authentication of a
	// sender inside the Microsoft 365 tenant.
	TrustExchangeInternal bool `toml:"trust_exchange_internal"`

	ReplyKey []byte `toml:"-"`
}

// Defaults and bounds of the [security] and [[project]] limits.
const (
	DefaultReplyTokenDays  = 180
	MaxReplyTokenDays      = 3650
	DefaultHeldMinutesDays = 7
	MaxHeldMinutesDays     = 90
	DefaultMaxItems        = 500
	MaxMaxItems            = 100000
	DefaultMaxRecipients   = 100
	MaxMaxRecipients       = 1000
	// DefaultKeepSentBodyDays covers a bounce or a question about a
	// mail, weeks later; MaxKeepSentBodyDays is ten years.
	DefaultKeepSentBodyDays = 30
	MaxKeepSentBodyDays     = 3650
)

const oneDay = 24 * time.Hour

// RequireAuthentication reports whether commands need a signed reply
// address or trusted DKIM/SPF (the default).
func (s Security) RequireAuthentication() bool { return s.RequireAuth == nil || *s.RequireAuth }

// ReplyTokenLifetime is how long a signed reply address acts, for
// replyaddr.WithLifetime. A Security that was never finished (a test's)
// gets the default.
func (s Security) ReplyTokenLifetime() time.Duration {
	return time.Duration(orDefault(s.ReplyTokenDays, DefaultReplyTokenDays)) * oneDay
}

// HeldMinutesLifetime is how long held minutes wait for confirmation.
func (s Security) HeldMinutesLifetime() time.Duration {
	return time.Duration(orDefault(s.HeldMinutesDays, DefaultHeldMinutesDays)) * oneDay
}

// SentBodyRetention is how long a sent mail's body is kept. An SMTP that
// was never finished (a test's) gets the default.
func (s SMTP) SentBodyRetention() time.Duration {
	return time.Duration(orDefault(s.KeepSentBodyDays, DefaultKeepSentBodyDays)) * oneDay
}

// ItemLimit is the most action items, or risks, one minutes mail may hold.
func (s Security) ItemLimit() int { return orDefault(s.MaxItems, DefaultMaxItems) }

// HasAuthSource reports whether anything can authenticate a sender: a
// reply key, a trusted authserv-id or Exchange Online's internal mark.
func (s Security) HasAuthSource() bool {
	return len(s.ReplyKey) > 0 || s.TrustedAuthservID != "" || s.TrustExchangeInternal
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Templates configures where mail templates come from.
type Templates struct {
	Dir string `toml:"dir"`
}

// Log configures logging.
type Log struct {
	Format string `toml:"format"`
	Level  string `toml:"level"`
}

// Daemon configures the running service.
type Daemon struct {
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
}

// Project is one project mailbox and its people.
type Project struct {
	Name               string   `toml:"name"`
	Address            string   `toml:"address"`
	Mailbox            string   `toml:"mailbox"`
	Timezone           string   `toml:"timezone"`
	Leadership         []string `toml:"leadership"`
	StatusSchedule     string   `toml:"status_schedule"`
	ReminderDaysBefore int      `toml:"reminder_days_before"`
	OverdueEveryDays   int      `toml:"overdue_every_days"`
	ReminderHour       int      `toml:"reminder_hour"`
	QuietWeekends      *bool    `toml:"quiet_weekends"`
	DateOrder          string   `toml:"date_order"`
	MeetingCadenceDays int      `toml:"meeting_cadence_days"`
	MinutesSubjects    []string `toml:"minutes_subjects"`
	// OutsideAttendees mails authenticated minutes also to attendees who
	// match nobody on the roster.
	OutsideAttendees bool `toml:"outside_attendees"`
	// MaxRecipients is the most people one minutes message is mailed to.
	MaxRecipients int `toml:"max_recipients"`
	// GroupAbsentWeeks is how long a clinical group may go unseen at
	// meetings before the status report flags it.
	GroupAbsentWeeks int      `toml:"group_absent_weeks"`
	Members          []Member `toml:"member"`

	Location *time.Location   `toml:"-"`
	Schedule schedule.Spec    `toml:"-"`
	Subjects []*regexp.Regexp `toml:"-"`
}

// Member is a person on a project's roster.
type Member struct {
	Name  string `toml:"name"`
	Email string `toml:"email"`
	Role  string `toml:"role"`
	// Group is the clinical group the member speaks for ("Nursing",
	// "Pharmacy"): the status report shows each group's open work and when
	// it was last at a meeting.
	Group string `toml:"group"`
}

// Member returns the roster entry for an address.
func (p *Project) Member(email string) (Member, bool) {
	email = strings.ToLower(email)
	for _, m := range p.Members {
		if m.Email == email {
			return m, true
		}
	}
	return Member{}, false
}

// DisplayName returns the roster's name for an address, or the address.
func (p *Project) DisplayName(email string) string {
	if m, ok := p.Member(email); ok && m.Name != "" {
		return m.Name
	}
	return email
}

// Roster returns the project's members as domain values.
func (p *Project) Roster() []mailflow.Member {
	ms := make([]mailflow.Member, 0, len(p.Members))
	for _, m := range p.Members {
		ms = append(ms, mailflow.Member{Person: mailflow.Person{Name: m.Name, Email: m.Email}, Role: mailflow.Role(m.Role)})
	}
	return ms
}

// RecipientLimit is the most people one minutes message is mailed to. A
// Project that was never finished (a test's) gets the default.
func (p *Project) RecipientLimit() int { return orDefault(p.MaxRecipients, DefaultMaxRecipients) }

// Quiet reports whether reminders skip Saturdays and Sundays (the default).
func (p *Project) Quiet() bool { return p.QuietWeekends == nil || *p.QuietWeekends }

// Domain returns the domain part of the project address.
func (p *Project) Domain() string {
	_, d, _ := strings.Cut(p.Address, "@")
	return d
}

// Duration is a time.Duration written as "90s" or "5m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as \"60s\" or \"5m\"")
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Environment variables that may hold secrets instead of files.
const (
	EnvIMAPPassword = "MAILFLOW_IMAP_PASSWORD"
	EnvSMTPPassword = "MAILFLOW_SMTP_PASSWORD"
	EnvReplyKey     = "MAILFLOW_REPLY_KEY"
	// EnvDatabasePassword is the PostgreSQL role's password.
	EnvDatabasePassword = "MAILFLOW_DATABASE_PASSWORD"

	EnvOAuth2ClientSecret = "MAILFLOW_OAUTH2_CLIENT_SECRET"
	EnvOAuth2RefreshToken = "MAILFLOW_OAUTH2_REFRESH_TOKEN"
)

// DefaultMinutesSubjects match subjects that announce minutes, after any
// Re:/Fwd: prefixes have been removed: "Minutes: weekly sync", "MoM 3
// Dec", "Weekly sync notes", "Recap: cutover call", "Call summary",
// "Actions from today". They are minutes.DefaultSubjects written out,
// which the engine's tests hold them to.
var DefaultMinutesSubjects = []string{
	`(?i)\bminutes\b`, `(?i)\bmom\b`, `(?i)\bnotes\b`, `(?i)\brecap\b`,
	`(?i)\b(?:meeting|call|session|sync) summary\b`,
	`(?i)\baction (?:items|points)\b`, `(?i)\bactions (?:from|arising)\b`,
}

// Load reads, defaults and checks the config file at path. Its error is an
// *Error listing every problem, each with its key and fix.
func Load(path string) (*Config, error) {
	var c Config
	if err := decodeFile(path, &c); err != nil {
		return nil, err
	}
	if err := c.Finish(os.Getenv); err != nil {
		var ps Problems
		if !errors.As(err, &ps) {
			ps = Problems{{What: err.Error()}}
		}
		return nil, &Error{Path: path, Problems: ps}
	}
	return &c, nil
}

// Decode reads configuration text into c as if from a file in dir,
// rejecting unknown keys, without finishing it: the demo sets its secrets
// in memory, then calls Finish.
func Decode(text []byte, dir string, c *Config) error {
	md, err := toml.Decode(string(text), c)
	if err != nil {
		return Problems{fileError("", err)}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return unknownKeys(und)
	}
	c.Dir = dir
	return nil
}

// decodeFile reads the TOML file at path into c, rejecting unknown keys.
func decodeFile(path string, c *Config) error {
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		return &Error{Path: path, Problems: Problems{fileError(path, err)}}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return &Error{Path: path, Problems: unknownKeys(und)}
	}
	c.Dir = filepath.Dir(path)
	return nil
}

// Finish fills defaults, reads secrets and validates. getenv is os.Getenv
// outside tests.
func (c *Config) Finish(getenv func(string) string) error {
	ps := &problems{}

	c.finishDatabase(ps, getenv)

	c.IMAP.SetDefaults()
	c.finishEndpoint(ps, &c.IMAP.Endpoint, endpointSpec{key: "imap", what: "IMAP", credential: "imap-password",
		env: EnvIMAPPassword, usernameRequired: true, passwordRequired: true}, getenv)
	if c.IMAP.ProcessedMailbox == c.IMAP.FailedMailbox {
		ps.bad("imap.failed_mailbox", "must differ from processed_mailbox")
	}
	if c.IMAP.PollInterval.Duration < time.Second {
		ps.bad("imap.poll_interval", "%s is too short (minimum 1s)", c.IMAP.PollInterval)
	}
	if c.IMAP.MaxMessageBytes < 1024 {
		ps.bad("imap.max_message_bytes", "%d is too small", c.IMAP.MaxMessageBytes)
	}
	if c.IMAP.BatchSize < 0 {
		ps.bad("imap.batch_size", "must be positive")
	}

	c.SMTP.SetDefaults()
	c.finishEndpoint(ps, &c.SMTP.Endpoint, endpointSpec{key: "smtp", what: "SMTP", credential: "smtp-password",
		env: EnvSMTPPassword, passwordRequired: c.SMTP.Username != ""}, getenv)
	if c.SMTP.OAuth2 != nil && c.SMTP.Username == "" {
		ps.bad("smtp.username", "is required with auth = \"oauth2\" (the mailbox the token may send as)")
	}
	if c.IMAP.OAuth2 != nil || c.SMTP.OAuth2 != nil {
		c.finishOAuth2(ps, getenv)
	} else if o := c.OAuth2; o.TokenURL != "" || o.ClientID != "" || o.ClientSecretFile != "" || o.RefreshTokenFile != "" || len(o.Scopes) > 0 {
		ps.bad("oauth2", "is set but neither imap.auth nor smtp.auth is \"oauth2\"")
	}
	c.finishFrom(ps)
	if c.SMTP.MaxAttempts < 1 {
		ps.bad("smtp.max_attempts", "must be at least 1")
	}
	inRange(ps, "smtp.keep_sent_body_days", &c.SMTP.KeepSentBodyDays, DefaultKeepSentBodyDays, 1, MaxKeepSentBodyDays)

	c.finishSecurity(ps, getenv)
	c.finishRest(ps)

	// Projects
	if len(c.Projects) == 0 {
		ps.bad("project", "at least one [[project]] is required")
	}
	names := map[string]bool{}
	for i := range c.Projects {
		c.Projects[i].finish(fmt.Sprintf("project[%d]", i), ps)
		if names[c.Projects[i].Name] {
			ps.bad(fmt.Sprintf("project[%d].name", i), "%q is used twice", c.Projects[i].Name)
		}
		names[c.Projects[i].Name] = true
	}
	if len(*ps) > 0 {
		return Problems(*ps)
	}
	return nil
}

func (p *Project) finish(key string, ps *problems) {
	if p.Name == "" {
		ps.bad(key+".name", "is required")
	} else {
		key = fmt.Sprintf("project %q", p.Name)
	}
	if p.Address == "" {
		ps.bad(key+".address", "is required (the project's own mail address)")
	} else if a, err := mail.ParseAddress(p.Address); err != nil || !strings.Contains(a.Address, "@") {
		ps.bad(key+".address", "%q is not an email address", p.Address)
	} else {
		p.Address = strings.ToLower(a.Address)
	}
	if p.Mailbox == "" {
		p.Mailbox = "INBOX"
	}
	if p.Timezone == "" {
		p.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		ps.badFix(key+".timezone", "use an IANA name such as \"Europe/Berlin\" (timedatectl list-timezones lists them)", "%q is not an IANA time zone", p.Timezone)
	}
	p.Location = loc
	for j, l := range p.Leadership {
		if _, err := mail.ParseAddress(l); err != nil {
			ps.bad(fmt.Sprintf("%s.leadership[%d]", key, j), "%q is not an email address", l)
		}
	}
	if p.StatusSchedule == "" {
		p.StatusSchedule = "Mon 08:00"
	}
	if s, err := schedule.ParseSpec(p.StatusSchedule); err != nil {
		ps.bad(key+".status_schedule", "%v", err)
	} else {
		p.Schedule = s
	}
	if p.ReminderDaysBefore == 0 {
		p.ReminderDaysBefore = 2
	} else if p.ReminderDaysBefore < 0 {
		ps.bad(key+".reminder_days_before", "must be 0 or more")
	}
	if p.OverdueEveryDays == 0 {
		p.OverdueEveryDays = 1
	} else if p.OverdueEveryDays < 0 {
		ps.bad(key+".overdue_every_days", "must be 1 or more")
	}
	if p.ReminderHour == 0 {
		p.ReminderHour = 8
	} else if p.ReminderHour < 0 || p.ReminderHour > 23 {
		ps.bad(key+".reminder_hour", "%d: want 0-23", p.ReminderHour)
	}
	switch p.DateOrder {
	case "":
		p.DateOrder = "mdy"
	case "mdy", "dmy":
	default:
		ps.bad(key+".date_order", "%q: want \"mdy\" (12/3 is Dec 3) or \"dmy\" (12/3 is 12 Mar)", p.DateOrder)
	}
	if p.MeetingCadenceDays == 0 {
		p.MeetingCadenceDays = 7
	}
	if len(p.MinutesSubjects) == 0 {
		p.MinutesSubjects = DefaultMinutesSubjects
	}
	inRange(ps, key+".max_recipients", &p.MaxRecipients, DefaultMaxRecipients, 1, MaxMaxRecipients)
	inRange(ps, key+".group_absent_weeks", &p.GroupAbsentWeeks, 4, 1, 52)
	p.Subjects = p.Subjects[:0]
	for j, pat := range p.MinutesSubjects {
		re, err := regexp.Compile(pat)
		if err != nil {
			ps.bad(fmt.Sprintf("%s.minutes_subjects[%d]", key, j), "%q is not a regular expression: %v", pat, err)
			continue
		}
		p.Subjects = append(p.Subjects, re)
	}
	emails := map[string]bool{}
	for j := range p.Members {
		m := &p.Members[j]
		mkey := fmt.Sprintf("%s.member[%d]", key, j)
		if m.Email == "" {
			ps.bad(mkey+".email", "is required")
		} else if a, err := mail.ParseAddress(m.Email); err != nil {
			ps.bad(mkey+".email", "%q is not an email address", m.Email)
		} else if strings.ContainsAny(a.Address, " \"\\\t") {
			// A quoted local part parses, but loses its quotes here and
			// could never be mailed: every minutes mail would fail.
			ps.bad(mkey+".email", "%q is not an address mailflow can send to: write it as name@domain, without quotes or spaces", m.Email)
		} else {
			m.Email = strings.ToLower(a.Address)
			if m.Name == "" {
				m.Name = a.Name
			}
		}
		if emails[m.Email] {
			ps.bad(mkey+".email", "%s is listed twice", m.Email)
		}
		emails[m.Email] = true
		switch m.Role {
		case "":
			m.Role = string(mailflow.RoleMember)
		case string(mailflow.RoleChair), string(mailflow.RoleMember):
		default:
			ps.bad(mkey+".role", "%q: want \"chair\" or \"member\"", m.Role)
		}
	}
}

// finishDatabase checks [database]: a path, or a PostgreSQL url with its
// password from password_file (or the credential, or the environment).
func (c *Config) finishDatabase(ps *problems, getenv func(string) string) {
	d := &c.Database
	urlOK := false
	switch {
	case d.Path == "" && d.URL == "":
		ps.bad("database.path", "is required (the SQLite file), or set database.url for a PostgreSQL database")
	case d.Path != "" && d.URL != "":
		ps.bad("database.url", "and database.path exclude each other: keep path for an SQLite file, or url for PostgreSQL")
	case d.URL != "":
		urlOK = c.finishDatabaseURL(ps)
	}
	d.Path = c.path(d.Path)
	if d.URL == "" {
		if d.PasswordFile != "" {
			ps.bad("database.password_file", "is only used with database.url (PostgreSQL): remove it")
		}
		return
	}
	if d.Password == "" { // set directly only by tests
		d.Password = c.secret(ps, secretSpec{key: "database.password_file", file: d.PasswordFile, env: EnvDatabasePassword,
			credential: "database-password", fill: writePassword("database password"), required: true}, getenv)
	}
	if urlOK {
		// pgx reads the rest (sslrootcert, the options) as it will at
		// open: a mistake there stops the start too.
		if _, err := pgconn.ParseConfig(d.Target()); err != nil {
			ps.bad("database.url", "%s", redactPassword(err.Error(), d.Password))
		}
	}
}

// finishDatabaseURL checks database.url: a postgres:// URL naming a role
// and a database, without a password, and verified TLS (sslmode =
// verify-full) to any server that is not on this machine, as imap.security
// allows plain text only to loopback. A relative sslrootcert is taken from
// the configuration's directory, like the other files it names. It
// reports whether the URL is fit to be parsed further.
func (c *Config) finishDatabaseURL(ps *problems) bool {
	const want = "want postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full"
	d := &c.Database
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Opaque != "" {
		ps.bad("database.url", "is not a PostgreSQL URL: %s", want)
		d.URL = "postgres://(not a PostgreSQL URL)" // printed by Name; it may hold a password
		return false
	}
	if _, has := u.User.Password(); has {
		ps.badFix("database.url", "write the password to database.password_file (0600), or the systemd credential database-password",
			"holds a password, and the URL is printed in logs and by mailflow doctor")
		d.URL = u.Redacted()
		return false
	}
	ok := true
	if u.User == nil || u.User.Username() == "" {
		ps.bad("database.url", "names no role: %s", want)
		ok = false
	}
	if strings.Trim(u.Path, "/") == "" {
		ps.bad("database.url", "names no database: %s", want)
		ok = false
	}
	q := u.Query()
	if !allLoopback(u, q) {
		if mode := q.Get("sslmode"); mode != "verify-full" {
			ps.badFix("database.url", "add sslmode=verify-full (and sslrootcert=FILE for a private CA, or sslrootcert=system)",
				"sslmode=%q to %s: a database on another host is reached only over TLS that checks the server's certificate and name", mode, u.Hostname())
			ok = false
		}
	}
	if root := q.Get("sslrootcert"); root != "" && root != "system" {
		q.Set("sslrootcert", c.path(root))
		u.RawQuery = strings.ReplaceAll(q.Encode(), "%2F", "/") // a path reads as one; "/" needs no escape in a query
		d.URL = u.String()
	}
	return ok
}

// allLoopback reports whether every host a PostgreSQL URL names (in its
// authority, or host= in its query) is this machine: a loopback address,
// a unix socket directory, or none (pgx's default, the local socket).
func allLoopback(u *url.URL, q url.Values) bool {
	var hosts []string
	for _, h := range strings.Split(u.Host, ",") {
		if h != "" {
			if host, _, err := net.SplitHostPort(h); err == nil {
				h = host
			}
			hosts = append(hosts, strings.Trim(h, "[]"))
		}
	}
	for _, h := range strings.Split(q.Get("host"), ",") {
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	for _, h := range hosts {
		if !strings.HasPrefix(h, "/") && !isLoopback(h) {
			return false
		}
	}
	return true
}

// redactPassword hides password in a message (pgx's errors hide the
// URL's, but not one repeated elsewhere).
func redactPassword(msg, password string) string {
	if password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, password, "xxxxx")
}

// finishFrom splits smtp.from into the bare address (From) and its display
// name (FromName). It must be one address that survives being written back
// as <addr>, which is how the envelope and go-mail's From header take it:
// net/mail unquotes a quoted local part ("odd guy"@x) into one that does
// not.
func (c *Config) finishFrom(ps *problems) {
	if c.SMTP.From == "" {
		ps.bad("smtp.from", "is required (the envelope sender, e.g. mailflow@example.org)")
		return
	}
	a, err := mail.ParseAddress(c.SMTP.From)
	if err != nil {
		ps.bad("smtp.from", "%q is not one email address (want addr@example.org or \"Name <addr@example.org>\"): %v", c.SMTP.From, err)
		return
	}
	if again, err := mail.ParseAddress("<" + a.Address + ">"); err != nil || again.Address != a.Address {
		ps.bad("smtp.from", "%q: the address %q cannot be sent from; use a plain one such as mailflow@example.org", c.SMTP.From, a.Address)
		return
	}
	c.SMTP.From, c.SMTP.FromName = a.Address, a.Name
}

// inRange defaults an unset (zero) integer setting to def and checks that
// it lies within lo..hi.
func inRange(ps *problems, key string, v *int, def, lo, hi int) {
	if *v == 0 {
		*v = def
	} else if *v < lo || *v > hi {
		ps.bad(key, "%d is out of range: want %d to %d (default %d)", *v, lo, hi, def)
	}
}

// auth checks a server's auth key, defaulting it to "password", and
// returns the [oauth2] section for "oauth2".
func (c *Config) auth(ps *problems, key, auth string) (string, *OAuth2) {
	switch auth {
	case "", AuthPassword:
		return AuthPassword, nil
	case AuthOAuth2:
		return auth, &c.OAuth2
	}
	ps.bad(key, "%q: want \"password\" or \"oauth2\"", auth)
	return auth, nil
}

// finishOAuth2 checks the [oauth2] section and reads its secrets.
func (c *Config) finishOAuth2(ps *problems, getenv func(string) string) {
	o := &c.OAuth2
	if o.TokenURL == "" {
		ps.bad("oauth2.token_url", "is required (Microsoft 365: https://login.microsoftonline.com/TENANT/oauth2/v2.0/token; Google: https://oauth2.googleapis.com/token)")
	} else if u, err := url.Parse(o.TokenURL); err != nil || u.Host == "" {
		ps.bad("oauth2.token_url", "is not a URL")
	} else if u.User != nil || u.Fragment != "" {
		// It is printed in errors and by doctor: no credentials in it.
		ps.bad("oauth2.token_url", "must not hold a user name, password or #fragment")
	} else if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		// The client secret travels in the request.
		ps.bad("oauth2.token_url", "must be https (plain http only to a loopback address), not %q", o.TokenURL)
	}
	if o.ClientID == "" {
		ps.bad("oauth2.client_id", "is required (the application (client) ID of the app registration)")
	}
	if o.ClientSecret == "" {
		o.ClientSecret = c.secret(ps, secretSpec{key: "oauth2.client_secret_file", file: o.ClientSecretFile, env: EnvOAuth2ClientSecret,
			credential: "oauth2-client-secret", fill: writePassword("client secret"), required: true}, getenv)
	}
	if o.ClientSecret == "" && o.ClientSecretFile == "" {
		ps.bad("oauth2.client_secret_file", "no client secret: set client_secret_file, or %s, or a systemd credential named oauth2-client-secret", EnvOAuth2ClientSecret)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = c.secret(ps, secretSpec{key: "oauth2.refresh_token_file", file: o.RefreshTokenFile, env: EnvOAuth2RefreshToken,
			credential: "oauth2-refresh-token", fill: writePassword("refresh token"), required: true}, getenv)
	}
	if o.RefreshToken == "" && len(o.Scopes) == 0 {
		ps.bad("oauth2.scopes", "is required for the client-credentials grant (Microsoft 365: [\"https://outlook.office365.com/.default\"])")
	}
}

// finishSecurity reads the reply key and checks [security].
func (c *Config) finishSecurity(ps *problems, getenv func(string) string) {
	key := string(c.Security.ReplyKey)
	if key == "" {
		key = c.secret(ps, secretSpec{key: "security.reply_key_file", file: c.Security.ReplyKeyFile, env: EnvReplyKey,
			credential: "reply-key", fill: writeReplyKey, required: true}, getenv)
	}
	if key != "" && len(key) < 16 {
		fix := "use at least 16 random bytes"
		if c.Security.ReplyKeyFile != "" {
			fix = writeReplyKey(c.path(c.Security.ReplyKeyFile))
		}
		ps.badFix("security.reply_key_file", fix, "the key is %d bytes; use at least 16 random bytes", len(key))
	}
	c.Security.ReplyKey = []byte(key)
	if c.Security.ReplyRateLimit == 0 {
		c.Security.ReplyRateLimit = 20
	}
	if c.Security.RequireAuthentication() && !c.Security.HasAuthSource() {
		ps.bad("security.reply_key_file", "with require_auth on, set reply_key_file (signed reply addresses), trusted_authserv_id or trust_exchange_internal, or nobody can change anything by email")
	}
	inRange(ps, "security.reply_token_days", &c.Security.ReplyTokenDays, DefaultReplyTokenDays, 1, MaxReplyTokenDays)
	inRange(ps, "security.held_minutes_days", &c.Security.HeldMinutesDays, DefaultHeldMinutesDays, 1, MaxHeldMinutesDays)
	inRange(ps, "security.max_items", &c.Security.MaxItems, DefaultMaxItems, 1, MaxMaxItems)
}

// finishRest checks [templates], [log] and [daemon].
func (c *Config) finishRest(ps *problems) {
	c.Templates.Dir = c.path(c.Templates.Dir)
	switch c.Log.Format {
	case "", "text", "json":
	default:
		ps.bad("log.format", "%q: want \"text\" or \"json\"", c.Log.Format)
	}
	switch c.Log.Level {
	case "", "debug", "info", "warn", "error":
	default:
		ps.bad("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}

	if c.Daemon.ShutdownTimeout.Duration == 0 {
		c.Daemon.ShutdownTimeout.Duration = 10 * time.Second
	} else if c.Daemon.ShutdownTimeout.Duration < time.Second {
		ps.bad("daemon.shutdown_timeout", "%s is too short (minimum 1s)", c.Daemon.ShutdownTimeout)
	}
}

// endpointSpec is what differs between the two endpoints' checks.
type endpointSpec struct {
	key, what        string // "imap", "IMAP"
	credential, env  string // the password's systemd credential and environment variable
	usernameRequired bool
	passwordRequired bool // with auth = "password"
}

// finishEndpoint checks a server's address, security, sign-in and CA
// file, and reads its password, the same way for IMAP and SMTP.
func (c *Config) finishEndpoint(ps *problems, e *Endpoint, spec endpointSpec, getenv func(string) string) {
	k := spec.key + "."
	if e.Address == "" {
		ps.bad(k+"address", "is required (host:port)")
	} else if _, _, err := net.SplitHostPort(e.Address); err != nil {
		ps.bad(k+"address", "%q is not host:port", e.Address)
	}
	checkSecurity(ps, k+"security", e.Security, e.Address)
	if spec.usernameRequired && e.Username == "" {
		ps.bad(k+"username", "is required")
	}
	e.Auth, e.OAuth2 = c.auth(ps, k+"auth", e.Auth)
	switch {
	case e.Auth == AuthPassword:
		if e.Password == "" { // set directly only by the demo and tests
			e.Password = c.secret(ps, secretSpec{key: k + "password_file", file: e.PasswordFile, env: spec.env,
				credential: spec.credential, fill: writePassword(spec.what + " password"), required: spec.passwordRequired}, getenv)
		}
		if spec.passwordRequired && e.Password == "" && e.PasswordFile == "" {
			ps.bad(k+"password_file", "no %s password: set password_file, or %s, or a systemd credential named %s (or %sauth = \"oauth2\")",
				spec.what, spec.env, spec.credential, k)
		}
	case e.PasswordFile != "":
		ps.bad(k+"password_file", "is not used with auth = %q: remove it", e.Auth)
	}
	e.CAFile = c.path(e.CAFile)
}

// checkSecurity accepts tls, starttls, and insecure only towards loopback:
// a password must never cross a network in clear text.
func checkSecurity(ps *problems, key, sec, addr string) {
	switch sec {
	case "tls", "starttls":
	case "insecure":
		host, _, _ := net.SplitHostPort(addr)
		if !isLoopback(host) {
			ps.bad(key, "\"insecure\" is only allowed to a loopback address (localhost, 127.0.0.1, ::1), not %q", host)
		}
	default:
		ps.bad(key, "%q: want \"tls\", \"starttls\" or \"insecure\"", sec)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secretSpec names one secret and the places it may come from.
type secretSpec struct {
	key        string // its *_file key
	file       string // the key's value, relative to the config's directory
	env        string // the environment variable
	credential string // the systemd credential's name (LoadCredential=name:…)
	// fill is the command that writes the secret to a path, for the fix.
	fill func(path string) string
	// required makes an empty file a problem.
	required bool
}

// secret reads a secret from a systemd credential, else from its file,
// else from the environment, trimming a final newline. The credential
// comes first because the unit loads the very file the configuration
// names: the service's own (dynamic) user may not open that file, and
// systemd hands its contents over. Both files go through readSecretFile.
func (c *Config) secret(ps *problems, s secretSpec, getenv func(string) string) string {
	if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		v, err := readSecretFile(filepath.Join(dir, s.credential))
		if err == nil {
			return v
		}
		if !errors.Is(err, fs.ErrNotExist) {
			ps.bad(s.key, "systemd credential %s: %v", s.credential, err)
			return ""
		}
	}
	if s.file == "" {
		return getenv(s.env)
	}
	path := c.path(s.file)
	v, err := readSecretFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ps.badFix(s.key, s.fill(path)+" (or run mailflow init)", "%s does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		ps.badFix(s.key, "run mailflow as the user that owns it (root for a system install; systemd hands it to the service)", "%s cannot be read: permission denied", path)
	case err != nil:
		ps.bad(s.key, "%v", err)
	case v == "" && s.required:
		ps.badFix(s.key, s.fill(path), "%s is empty", path)
	}
	return v
}

// writePassword returns the fix that writes a password into a new or
// empty file, private from the first byte.
func writePassword(what string) func(path string) string {
	return func(path string) string {
		return fmt.Sprintf("(umask 077 && printf '%%s\\n' 'THE %s' > %s)", strings.ToUpper(what), shellQuote(path))
	}
}

// writeReplyKey is the fix that writes a new random reply key to path.
func writeReplyKey(path string) string {
	return fmt.Sprintf("(umask 077 && head -c 32 /dev/urandom | base64 > %s)", shellQuote(path))
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readSecretFile reads a secret, trimming a final newline. Like ssh with a
// private key, it refuses a file that group or others may open: a secret
// another account can read is no longer a secret, and saying so at start
// is the one moment someone is looking. The mode is taken from the open
// file, so it is the file that was read.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if err := privateMode(path, fi.Mode().Perm()); err != nil {
		return "", err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// privateMode refuses a file mode that gives group or others any access.
func privateMode(path string, perm fs.FileMode) error {
	if perm&0o077 == 0 {
		return nil
	}
	what := "readable by group or others"
	if perm&0o044 == 0 {
		what = "open to group or others"
	}
	return fmt.Errorf("%s is %s (mode %04o); run: chmod 600 %s", path, what, uint32(perm), path)
}

func (c *Config) path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Project returns the project named name.
func (c *Config) Project(name string) (*Project, bool) {
	for i := range c.Projects {
		if c.Projects[i].Name == name {
			return &c.Projects[i], true
		}
	}
	return nil, false
}
