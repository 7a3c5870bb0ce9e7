package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// example returns the shipped example config with its secret files made real
// in a temp dir, and the directory.
func example(t *testing.T) (string, string) {
	t.Helper()
	b, err := os.ReadFile("../../mailflow.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, secret := range map[string]string{"imap-password": "imap-secret\n", "smtp-password": "smtp-secret\n", "reply-key": "0123456789abcdef0123456789abcdef\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return strings.ReplaceAll(string(b), "/etc/mailflow/", dir+"/"), dir
}

func load(t *testing.T, text string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mailflow.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(p)
}

func TestExampleConfigLoads(t *testing.T) {
	text, _ := example(t)
	c, err := load(t, text)
	if err != nil {
		t.Fatalf("the shipped example does not load: %v", err)
	}
	if c.IMAP.Password != "imap-secret" || c.SMTP.Password != "smtp-secret" || string(c.Security.ReplyKey) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("secrets not read (or not trimmed)")
	}
	p := c.Projects[0]
	if p.Location.String() != "America/New_York" || len(p.Members) != 2 || p.Members[0].Role != "chair" {
		t.Errorf("project = %+v", p)
	}
	next := p.Schedule.Next(time.Date(2026, 11, 25, 12, 0, 0, 0, p.Location))
	if want := time.Date(2026, 11, 30, 8, 0, 0, 0, p.Location); !next.Equal(want) {
		t.Errorf("next status report %s, want %s", next, want)
	}
	if c.IMAP.PollInterval.Duration != time.Minute || c.IMAP.MaxMessageBytes != 25<<20 || c.Daemon.ShutdownTimeout.Duration != 10*time.Second {
		t.Errorf("durations/limits not read: %+v", c.IMAP)
	}
}

func TestBadConfigNamesTheKey(t *testing.T) {
	text, _ := example(t)
	tests := []struct {
		name, from, to, wantKey string
	}{
		{"unknown key", `idle = true`, "idle = true\nidel = true", "idel"},
		{"bad security", `security = "tls"`, `security = "ssl"`, "imap.security"},
		{"insecure to a remote host", `security = "tls"`, `security = "insecure"`, "imap.security"},
		{"bad duration", `poll_interval = "60s"`, `poll_interval = "often"`, "poll_interval"},
		{"no from", `from = "mailflow@example.org"`, `from = ""`, "smtp.from"},
		{"bad time zone", `timezone = "America/New_York"`, `timezone = "Mars/Olympus"`, "timezone"},
		{"bad schedule", `status_schedule = "Mon 08:00"`, `status_schedule = "Funday 08:00"`, "status_schedule"},
		{"bad role", `role = "member"`, `role = "boss"`, "member[1].role"},
		{"bad leadership address", `leadership = ["cmo@example.org", "cio@example.org"]`, `leadership = ["not an address"]`, "leadership[0]"},
		{"missing password file", `password_file = "`, `password_file = "/nonexistent/`, "password_file"},
		{"bad date order", `date_order = "mdy"`, `date_order = "ymd"`, "date_order"},
		{"unmailable member address", `email = "alice.moreau@example.org"`, `email = '"alice moreau"@example.org'`, "member[1].email"},
		{"same folders", `failed_mailbox = "mailflow/failed"`, `failed_mailbox = "mailflow/processed"`, "imap.failed_mailbox"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(text, tc.from) {
				t.Fatalf("example lacks %q", tc.from)
			}
			_, err := load(t, strings.Replace(text, tc.from, tc.to, 1))
			if err == nil {
				t.Fatalf("config with %q loaded without error", tc.to)
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %q", err, tc.wantKey)
			}
		})
	}
}

func TestSecretsFromEnvironmentAndCredentials(t *testing.T) {
	text, dir := example(t)
	text = strings.ReplaceAll(text, `password_file = "`+dir+`/imap-password"`, "")
	text = strings.ReplaceAll(text, `reply_key_file = "`+dir+`/reply-key"`, "")
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte(text), 0o600)
	var c Config
	if err := decodeFile(p, &c); err != nil {
		t.Fatal(err)
	}
	creds := t.TempDir()
	os.WriteFile(filepath.Join(creds, "reply-key"), []byte("credential-key-0123456789\n"), 0o600)
	env := map[string]string{EnvIMAPPassword: "from-env", "CREDENTIALS_DIRECTORY": creds}
	if err := c.Finish(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.IMAP.Password != "from-env" || string(c.Security.ReplyKey) != "credential-key-0123456789" {
		t.Errorf("imap password %q, reply key %q", c.IMAP.Password, c.Security.ReplyKey)
	}
}

func TestOAuth2Settings(t *testing.T) {
	text, dir := example(t)
	if err := os.WriteFile(filepath.Join(dir, "client-secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Both servers sign in with a token; their password files go.
	base := strings.NewReplacer(
		`auth = "password"`, `auth = "oauth2"`,
		`password_file = "`+dir+`/imap-password"`, "",
		`password_file = "`+dir+`/smtp-password"`, "",
	).Replace(text)
	section := "\n[oauth2]\n" + `token_url = "https://login.example.com/tenant/oauth2/v2.0/token"
client_id = "app-id"
client_secret_file = "` + dir + `/client-secret"
scopes = ["https://outlook.office365.com/.default"]
`
	t.Run("client credentials", func(t *testing.T) {
		c, err := load(t, base+section)
		if err != nil {
			t.Fatal(err)
		}
		if c.IMAP.OAuth2 != &c.OAuth2 || c.SMTP.OAuth2 != &c.OAuth2 {
			t.Errorf("imap and smtp do not point at the [oauth2] section")
		}
		if c.OAuth2.ClientSecret != "s3cret" || c.OAuth2.Grant() != "client_credentials" || c.IMAP.Password != "" {
			t.Errorf("oauth2 = %+v, imap password %q", c.OAuth2, c.IMAP.Password)
		}
	})
	t.Run("refresh token from a credential", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(p, []byte(base+strings.Replace(section, "scopes =", "# scopes =", 1)), 0o600)
		var c Config
		if err := decodeFile(p, &c); err != nil {
			t.Fatal(err)
		}
		creds := t.TempDir()
		os.WriteFile(filepath.Join(creds, "oauth2-refresh-token"), []byte("1//refresh\n"), 0o600)
		if err := c.Finish(func(k string) string { return map[string]string{"CREDENTIALS_DIRECTORY": creds}[k] }); err != nil {
			t.Fatal(err)
		}
		if c.OAuth2.RefreshToken != "1//refresh" || c.OAuth2.Grant() != "refresh_token" {
			t.Errorf("oauth2 = %+v", c.OAuth2)
		}
	})

	t.Run("plain http to loopback", func(t *testing.T) {
		if _, err := load(t, base+strings.Replace(section, "https://login.example.com", "http://127.0.0.1:8080", 1)); err != nil {
			t.Errorf("a token endpoint on loopback over http was refused: %v", err)
		}
	})
	t.Run("oauth2 for SMTP only", func(t *testing.T) {
		mixed := replaceLast(strings.Replace(text, `password_file = "`+dir+`/smtp-password"`, "", 1), "\nauth = \"password\"", "\nauth = \"oauth2\"")
		c, err := load(t, mixed+section)
		if err != nil {
			t.Fatal(err)
		}
		if c.IMAP.Auth != AuthPassword || c.IMAP.Password != "imap-secret" || c.SMTP.OAuth2 == nil || c.IMAP.OAuth2 != nil {
			t.Errorf("imap %s (password %q, oauth2 %v), smtp oauth2 %v", c.IMAP.Auth, c.IMAP.Password, c.IMAP.OAuth2, c.SMTP.OAuth2)
		}
	})

	tests := []struct {
		name, text, wantKey string
	}{
		{"bad auth", strings.Replace(base, "\nauth = \"oauth2\"", "\nauth = \"kerberos\"", 1) + section, "imap.auth"},
		{"no section", base, "oauth2.token_url"},
		{"token url in clear", base + strings.Replace(section, "https://login.example.com", "http://login.example.com", 1), "oauth2.token_url"},
		{"no client id", base + strings.Replace(section, `client_id = "app-id"`, "", 1), "oauth2.client_id"},
		{"no client secret", base + strings.Replace(section, `client_secret_file = "`+dir+`/client-secret"`, "", 1), "oauth2.client_secret_file"},
		{"client credentials without scopes", base + strings.Replace(section, "scopes =", "# scopes =", 1), "oauth2.scopes"},
		{"password file beside oauth2", strings.Replace(base, "\nauth = \"oauth2\"", "\nauth = \"oauth2\"\npassword_file = \"x\"", 1) + section, "imap.password_file"},
		{"section unused", text + section, "oauth2"},
		{"section unused, no token url", text + "\n[oauth2]\nclient_id = \"app-id\"\n", "oauth2"},
		{"bad smtp auth", replaceLast(base, "\nauth = \"oauth2\"", "\nauth = \"ntlm\"") + section, "smtp.auth"},
		{"token url not a URL", base + strings.Replace(section, "https://login.example.com/tenant/oauth2/v2.0/token", "login.example.com", 1), "oauth2.token_url"},
		{"credentials in the token url", base + strings.Replace(section, "https://login.example.com", "https://app:s3cret@login.example.com", 1), "oauth2.token_url"},
		{"smtp oauth2 without username", strings.Replace(base, `username = "ehr-project@example.org"
# "password"`, `username = ""
# "password"`, 1) + section, "smtp.username"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.text)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %q", err, tc.wantKey)
			}
		})
	}
}

// replaceLast replaces the last old in s with new.
func replaceLast(s, old, new string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + new + s[i+len(old):]
}

// finish decodes text and finishes it with env as the environment.
func finish(t *testing.T, text string, env map[string]string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var c Config
	if err := decodeFile(p, &c); err != nil {
		t.Fatal(err)
	}
	return &c, c.Finish(func(k string) string { return env[k] })
}

// oauth2Example is the example with SMTP signing in through [oauth2], its
// client secret and refresh token in files beside the others.
func oauth2Example(t *testing.T) (string, string) {
	t.Helper()
	text, dir := example(t)
	for name, secret := range map[string]string{"client-secret": "s3cret\n", "refresh-token": "1//refresh\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text = replaceLast(strings.Replace(text, `password_file = "`+dir+`/smtp-password"`, "", 1), "\nauth = \"password\"", "\nauth = \"oauth2\"")
	return text + "\n[oauth2]\n" + `token_url = "https://oauth2.example.com/token"
client_id = "app-id"
client_secret_file = "` + dir + `/client-secret"
refresh_token_file = "` + dir + `/refresh-token"
`, dir
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestSecretFilesMustBePrivate: every secret file, named in the config or
// handed over as a systemd credential, is refused when group or others
// may read it, with the key, the file, its mode and the chmod that fixes
// it; 0600 and 0400 are fine.
func TestSecretFilesMustBePrivate(t *testing.T) {
	tests := []struct {
		key, file string
		oauth2    bool
	}{
		{"security.reply_key_file", "reply-key", false},
		{"imap.password_file", "imap-password", false},
		{"smtp.password_file", "smtp-password", false},
		{"oauth2.client_secret_file", "client-secret", true},
		{"oauth2.refresh_token_file", "refresh-token", true},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			text, dir := example(t)
			if tc.oauth2 {
				text, dir = oauth2Example(t)
			}
			path := filepath.Join(dir, tc.file)
			for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
				chmod(t, path, mode)
				_, err := load(t, text)
				want := fmt.Sprintf("%s: %s is readable by group or others (mode %04o); run: chmod 600 %s", tc.key, path, mode, path)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("load with %s mode %04o: error %v, want %q", tc.file, mode, err, want)
				}
			}
			chmod(t, path, 0o620)
			if _, err := load(t, text); err == nil || !strings.Contains(err.Error(), tc.key+": "+path+" is open to group or others (mode 0620)") {
				t.Errorf("load with %s mode 0620: error %v, want it refused", tc.file, err)
			}
			for _, mode := range []os.FileMode{0o600, 0o400} {
				chmod(t, path, mode)
				if _, err := load(t, text); err != nil {
					t.Errorf("load with %s mode %04o: %v", tc.file, mode, err)
				}
			}
		})
	}
}

func TestCredentialsMustBePrivate(t *testing.T) {
	plain, dir := example(t)
	plain = strings.NewReplacer(
		`password_file = "`+dir+`/imap-password"`, "",
		`password_file = "`+dir+`/smtp-password"`, "",
		`reply_key_file = "`+dir+`/reply-key"`, "",
	).Replace(plain)
	oauth2, dir := oauth2Example(t)
	oauth2 = strings.NewReplacer(
		`client_secret_file = "`+dir+`/client-secret"`, "",
		`refresh_token_file = "`+dir+`/refresh-token"`, "",
	).Replace(oauth2)
	tests := []struct {
		key, credential, text string
	}{
		{"security.reply_key_file", "reply-key", plain},
		{"imap.password_file", "imap-password", plain},
		{"smtp.password_file", "smtp-password", plain},
		{"oauth2.client_secret_file", "oauth2-client-secret", oauth2},
		{"oauth2.refresh_token_file", "oauth2-refresh-token", oauth2},
	}
	for _, tc := range tests {
		t.Run(tc.credential, func(t *testing.T) {
			creds := t.TempDir()
			for _, name := range []string{"reply-key", "imap-password", "smtp-password", "oauth2-client-secret", "oauth2-refresh-token"} {
				if err := os.WriteFile(filepath.Join(creds, name), []byte("0123456789abcdef0123\n"), 0o400); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"CREDENTIALS_DIRECTORY": creds}
			if _, err := finish(t, tc.text, env); err != nil {
				t.Fatalf("with every credential 0400: %v", err)
			}
			path := filepath.Join(creds, tc.credential)
			chmod(t, path, 0o644)
			_, err := finish(t, tc.text, env)
			want := fmt.Sprintf("%s: systemd credential %s: %s is readable by group or others (mode 0644); run: chmod 600 %s", tc.key, tc.credential, path, path)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("credential %s mode 0644: error %v, want %q", tc.credential, err, want)
			}
		})
	}
}

func TestSMTPFrom(t *testing.T) {
	text, _ := example(t)
	const from = `from = "mailflow@example.org"`
	tests := []struct {
		from, wantAddr, wantName string
	}{
		{`"ehr-project@clinic.example"`, "ehr-project@clinic.example", ""},
		{`"EHR Project <ehr-project@clinic.example>"`, "ehr-project@clinic.example", "EHR Project"},
		{`'"Rollout, EHR" <ehr-project@clinic.example>'`, "ehr-project@clinic.example", "Rollout, EHR"},
		{`"<ehr-project@clinic.example>"`, "ehr-project@clinic.example", ""},
	}
	for _, tc := range tests {
		c, err := load(t, strings.Replace(text, from, "from = "+tc.from, 1))
		if err != nil {
			t.Errorf("from = %s: %v", tc.from, err)
			continue
		}
		if c.SMTP.From != tc.wantAddr || c.SMTP.FromName != tc.wantName {
			t.Errorf("from = %s: From %q FromName %q, want %q %q", tc.from, c.SMTP.From, c.SMTP.FromName, tc.wantAddr, tc.wantName)
		}
	}
	for _, bad := range []string{
		`"a@clinic.example, b@clinic.example"`,
		`"EHR Project"`,
		`"EHR Project <ehr-project>"`,
		`'"odd guy"@clinic.example'`,
		`"ehr-project@clinic.example (EHR"`,
	} {
		_, err := load(t, strings.Replace(text, from, "from = "+bad, 1))
		if err == nil || !strings.Contains(err.Error(), "smtp.from") {
			t.Errorf("from = %s: error %v, want one naming smtp.from", bad, err)
		}
	}
}

func TestSecurityLimits(t *testing.T) {
	text, dir := example(t)
	c, err := load(t, text)
	if err != nil {
		t.Fatal(err)
	}
	s, p := c.Security, &c.Projects[0]
	if s.ReplyTokenDays != 180 || s.ReplyTokenLifetime() != 180*24*time.Hour || s.HeldMinutesDays != 7 || s.HeldMinutesLifetime() != 7*24*time.Hour ||
		s.MaxItems != 500 || s.ItemLimit() != 500 || s.TrustExchangeInternal || p.OutsideAttendees || p.MaxRecipients != 100 || p.RecipientLimit() != 100 {
		t.Errorf("example: security %+v, project outside_attendees %v max_recipients %d", s, p.OutsideAttendees, p.MaxRecipients)
	}

	// Left out, every key takes its default; the unfinished zero value
	// (a test's Config) answers the same.
	bare, err := load(t, regexpRemove(text, `(?m)^(reply_token_days|held_minutes_days|max_items|trust_exchange_internal|outside_attendees|max_recipients) = .*$`))
	if err != nil {
		t.Fatal(err)
	}
	if bare.Security.ReplyTokenDays != 180 || bare.Security.HeldMinutesDays != 7 || bare.Security.MaxItems != 500 || bare.Projects[0].MaxRecipients != 100 {
		t.Errorf("defaults: security %+v, max_recipients %d", bare.Security, bare.Projects[0].MaxRecipients)
	}
	var zero Security
	if zero.ReplyTokenLifetime() != 180*24*time.Hour || zero.HeldMinutesLifetime() != 7*24*time.Hour || zero.ItemLimit() != 500 || (&Project{}).RecipientLimit() != 100 {
		t.Errorf("the zero values do not answer the defaults")
	}

	set := []struct {
		from, to string
		check    func(*Config) bool
	}{
		{"reply_token_days = 180", "reply_token_days = 30", func(c *Config) bool { return c.Security.ReplyTokenLifetime() == 30*24*time.Hour }},
		{"reply_token_days = 180", "reply_token_days = 3650", func(c *Config) bool { return c.Security.ReplyTokenDays == 3650 }},
		{"held_minutes_days = 7", "held_minutes_days = 90", func(c *Config) bool { return c.Security.HeldMinutesLifetime() == 90*24*time.Hour }},
		{"max_items = 500", "max_items = 1", func(c *Config) bool { return c.Security.ItemLimit() == 1 }},
		{"trust_exchange_internal = false", "trust_exchange_internal = true", func(c *Config) bool { return c.Security.TrustExchangeInternal }},
		{"outside_attendees = false", "outside_attendees = true", func(c *Config) bool { return c.Projects[0].OutsideAttendees }},
		{"max_recipients = 100", "max_recipients = 1000", func(c *Config) bool { return c.Projects[0].RecipientLimit() == 1000 }},
	}
	for _, tc := range set {
		c, err := load(t, mustReplace(t, text, tc.from, tc.to))
		if err != nil || !tc.check(c) {
			t.Errorf("%s: config %+v, %v", tc.to, c, err)
		}
	}

	bad := []struct {
		from, to, wantKey string
	}{
		{"reply_token_days = 180", "reply_token_days = -1", "security.reply_token_days"},
		{"reply_token_days = 180", "reply_token_days = 3651", "security.reply_token_days"},
		{"held_minutes_days = 7", "held_minutes_days = 91", "security.held_minutes_days"},
		{"held_minutes_days = 7", "held_minutes_days = -7", "security.held_minutes_days"},
		{"max_items = 500", "max_items = 100001", "security.max_items"},
		{"max_items = 500", "max_items = -5", "security.max_items"},
		{"max_recipients = 100", "max_recipients = 1001", `project "EHR Rollout".max_recipients`},
		{"max_recipients = 100", "max_recipients = -1", `project "EHR Rollout".max_recipients`},
		{"trust_exchange_internal = false", `trust_exchange_internal = "yes"`, "trust_exchange_internal"},
	}
	for _, tc := range bad {
		_, err := load(t, mustReplace(t, text, tc.from, tc.to))
		if err == nil || !strings.Contains(err.Error(), tc.wantKey) {
			t.Errorf("%s: error %v, want one naming %s", tc.to, err, tc.wantKey)
		}
	}

	// require_auth needs something to authenticate with; Exchange Online's
	// internal mark is such a thing.
	noKey := mustReplace(t, text, `reply_key_file = "`+dir+`/reply-key"`, "")
	if _, err := load(t, noKey); err == nil || !strings.Contains(err.Error(), "trust_exchange_internal") {
		t.Errorf("require_auth without any source: error %v, want one offering trust_exchange_internal", err)
	}
	if _, err := load(t, mustReplace(t, noKey, "trust_exchange_internal = false", "trust_exchange_internal = true")); err != nil {
		t.Errorf("require_auth with trust_exchange_internal alone: %v", err)
	}
	if _, err := load(t, mustReplace(t, noKey, `trusted_authserv_id = ""`, `trusted_authserv_id = "mx.example.org"`)); err != nil {
		t.Errorf("require_auth with trusted_authserv_id alone: %v", err)
	}
}

func mustReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("text lacks %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

func regexpRemove(s, pattern string) string {
	return regexp.MustCompile(pattern).ReplaceAllString(s, "")
}
