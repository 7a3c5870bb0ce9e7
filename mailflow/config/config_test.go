package config

import (
	"os"
	"path/filepath"
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
	if _, err := decodeFile(p, &c); err != nil {
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
		if _, err := decodeFile(p, &c); err != nil {
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
