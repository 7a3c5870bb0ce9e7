package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
)

func init() {
	register(command{name: "init", usage: "[--project NAME] [--address ADDR] [--imap HOST:PORT] [--smtp HOST:PORT] [--timezone ZONE] [--db PATH] [DIR]",
		help: "write a commented configuration, its secret files and the database directory",
		args: []string{"DIR  where the configuration and secret files go (default /etc/mailflow)"},
		run:  cmdInit})
}

// Files init writes in DIR.
const (
	configName       = "mailflow.toml"
	imapPasswordName = "imap-password"
	smtpPasswordName = "smtp-password"
	replyKeyName     = "reply-key"
)

// initAnswers are what init needs and cannot infer.
type initAnswers struct {
	project, address, imap, smtp string
}

// cmdInit writes a configuration for one project: the commented example
// with the project's values, an empty password file for each server and a
// new reply key (0600), and the database directory. It asks only what it
// cannot infer, and only on a terminal; scripts pass flags.
func cmdInit(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("init", errOut)
	var a initAnswers
	fs.StringVar(&a.project, "project", "", "the project's name, shown in mail (e.g. \"EHR Rollout\")")
	fs.StringVar(&a.address, "address", "", "the project's own mail address, whose mailbox mailflow reads")
	fs.StringVar(&a.imap, "imap", "", "IMAP server host:port (default imap.DOMAIN:993, DOMAIN the address's)")
	fs.StringVar(&a.smtp, "smtp", "", "SMTP server host:port (default smtp.DOMAIN:587)")
	zone := fs.String("timezone", "", "the project's IANA time zone (default this machine's)")
	db := fs.String("db", "", "database file (default ROOT/var/lib/mailflow/mailflow.db for DIR ROOT/etc/mailflow, else DIR/mailflow.db)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"name one directory"}
	}
	dir := "/etc/mailflow"
	if len(pos) == 1 {
		dir = pos[0]
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, configName)
	if _, err := os.Stat(cfgPath); err == nil {
		return withFix(fmt.Errorf("%s exists; init never overwrites a configuration", cfgPath),
			fmt.Sprintf("mailflow doctor --config %s checks it; to start afresh, move it away first", cfgPath))
	}
	if terminal(os.Stdin) {
		if err := a.ask(bufio.NewReader(os.Stdin), out); err != nil {
			return err
		}
	}
	s, guessed, err := a.setup(dir, *db, *zone)
	if err != nil {
		return err
	}
	return writeInstall(out, dir, cfgPath, s, guessed)
}

// ask prompts for each answer not given, offering the guess where there is
// one (Enter takes it).
func (a *initAnswers) ask(in *bufio.Reader, out io.Writer) error {
	prompt := func(question, def string, v *string) error {
		for *v == "" {
			if def != "" {
				fmt.Fprintf(out, "%s [%s]: ", question, def)
			} else {
				fmt.Fprintf(out, "%s: ", question)
			}
			line, err := in.ReadString('\n')
			if line = strings.TrimSpace(line); line == "" {
				line = def
			}
			*v = line
			if err != nil && *v == "" {
				return fmt.Errorf("%s: no answer", question)
			}
		}
		return nil
	}
	if err := prompt("Project name, as shown in mail", "", &a.project); err != nil {
		return err
	}
	if err := prompt("The project's own mail address", "", &a.address); err != nil {
		return err
	}
	domain := domainOf(a.address)
	if err := prompt("IMAP server (host:port) of that mailbox", "imap."+domain+":993", &a.imap); err != nil {
		return err
	}
	return prompt("SMTP server (host:port) to send through", "smtp."+domain+":587", &a.smtp)
}

// setup checks the answers and infers the rest: logins, security, From,
// time zone, file paths. guessed lists what was guessed rather than
// given, for the summary.
func (a initAnswers) setup(dir, db, zone string) (config.Setup, []string, error) {
	var guessed []string
	if a.project == "" || a.address == "" {
		return config.Setup{}, nil, usageError{"give --project and --address (or run init on a terminal, which asks)"}
	}
	addr, err := mail.ParseAddress(a.address)
	if err != nil || !strings.Contains(addr.Address, "@") {
		return config.Setup{}, nil, usageError{fmt.Sprintf("--address %q is not a mail address", a.address)}
	}
	address := strings.ToLower(addr.Address)
	domain := domainOf(address)
	if a.imap == "" {
		a.imap = "imap." + domain + ":993"
		guessed = append(guessed, "the IMAP server "+a.imap)
	}
	if a.smtp == "" {
		a.smtp = "smtp." + domain + ":587"
		guessed = append(guessed, "the SMTP server "+a.smtp)
	}
	imapAddr, err := hostPort(a.imap, "993")
	if err != nil {
		return config.Setup{}, nil, usageError{"--imap: " + err.Error()}
	}
	smtpAddr, err := hostPort(a.smtp, "587")
	if err != nil {
		return config.Setup{}, nil, usageError{"--smtp: " + err.Error()}
	}
	if zone == "" {
		zone = systemZone()
	} else if _, err := time.LoadLocation(zone); err != nil {
		return config.Setup{}, nil, usageError{fmt.Sprintf("--timezone %q is not an IANA time zone (e.g. Europe/Berlin)", zone)}
	}
	if db == "" {
		db = defaultDatabase(dir)
	} else if db, err = filepath.Abs(db); err != nil {
		return config.Setup{}, nil, err
	}
	s := config.Setup{
		Header: []string{
			fmt.Sprintf("mailflow configuration of %s, written by mailflow init on %s.", a.project, time.Now().Format("2 Jan 2006")),
			"Left to do: the passwords, the roster at the end of this file, then",
			"mailflow doctor --config " + filepath.Join(dir, configName),
		},
		Database:         db,
		IMAPAddress:      imapAddr,
		IMAPSecurity:     securityFor(imapAddr, "993"),
		IMAPUsername:     address,
		IMAPPasswordFile: filepath.Join(dir, imapPasswordName),
		SMTPAddress:      smtpAddr,
		SMTPSecurity:     securityFor(smtpAddr, "465"),
		SMTPUsername:     address,
		SMTPPasswordFile: filepath.Join(dir, smtpPasswordName),
		// Sent as the account that signs in: providers that allow an
		// account to send only as itself (Microsoft 365, Google) take it.
		SMTPFrom:       (&mail.Address{Name: a.project, Address: address}).String(),
		ReplyKeyFile:   filepath.Join(dir, replyKeyName),
		SecretDir:      dir,
		ProjectName:    a.project,
		ProjectAddress: address,
		Timezone:       zone,
	}
	return s, guessed, nil
}

// writeInstall writes the secret files, the database directory and, last,
// the configuration (so a failure leaves no half-made configuration and
// init can simply run again), then says what is left to do.
func writeInstall(out io.Writer, dir, cfgPath string, s config.Setup, guessed []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withFix(fmt.Errorf("create %s: %w", dir, err), "run as root for a system install, or name a directory you own: mailflow init ./mailflow")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	secrets := []struct {
		path, content, what string
	}{
		{s.IMAPPasswordFile, "", "empty: the IMAP password goes here"},
		{s.SMTPPasswordFile, "", "empty: the SMTP password goes here"},
		{s.ReplyKeyFile, base64.StdEncoding.EncodeToString(key) + "\n", "a new random key that signs reply addresses"},
	}
	var report []string
	for _, sf := range secrets {
		made, err := createPrivate(sf.path, sf.content)
		if err != nil {
			return err
		}
		if made {
			report = append(report, fmt.Sprintf("  %s (0600, %s)", sf.path, sf.what))
		} else {
			report = append(report, fmt.Sprintf("  %s (there already: kept)", sf.path))
		}
	}
	created, err := daemon.EnsureDatabaseDir(s.Database)
	if err != nil {
		return err
	}
	dbNote := "directory there already"
	if created {
		dbNote = "directory created, 0700"
	}
	cfg, err := os.OpenFile(cfgPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", cfgPath, err)
	}
	if _, err := cfg.Write(config.Render(s)); err != nil {
		cfg.Close()
		return fmt.Errorf("write %s: %w", cfgPath, err)
	}
	if err := cfg.Close(); err != nil {
		return fmt.Errorf("write %s: %w", cfgPath, err)
	}

	fmt.Fprintf(out, "Wrote %s for project %q <%s>:\n", cfgPath, s.ProjectName, s.ProjectAddress)
	fmt.Fprintf(out, "  IMAP %s (%s) and SMTP %s (%s), both signing in as %s\n", s.IMAPAddress, s.IMAPSecurity, s.SMTPAddress, s.SMTPSecurity, s.IMAPUsername)
	fmt.Fprintf(out, "  mail from %s; time zone %s\n", s.SMTPFrom, s.Timezone)
	fmt.Fprintf(out, "  database %s (%s)\n", s.Database, dbNote)
	fmt.Fprintln(out, strings.Join(report, "\n"))
	if len(guessed) > 0 {
		fmt.Fprintf(out, "Guessed from the address: %s; if wrong, change [imap] or [smtp] address.\n", strings.Join(guessed, " and "))
	}
	fmt.Fprintf(out, `
Three things left to do:
  1. The passwords: put each in its file, which is there, empty and 0600:
       (umask 077 && printf '%%s\n' 'THE IMAP PASSWORD' > %s)
       (umask 077 && printf '%%s\n' 'THE SMTP PASSWORD' > %s)
  2. The roster: who may send minutes and change items by email. Add one
     [[project.member]] block per person (at least one chair) at the end of
       %s
  3. Check it all, servers included:
       mailflow doctor --config %s
`, s.IMAPPasswordFile, s.SMTPPasswordFile, cfgPath, cfgPath)
	return nil
}

// createPrivate creates path, mode 0600 from the start, holding content;
// an existing file is kept as it is (a reply key already in use must not
// change) and reported as not made.
func createPrivate(path, content string) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	return true, f.Close()
}

// defaultDatabase is where the database goes for a configuration in dir:
// for DIR ROOT/etc/mailflow, ROOT/var/lib/mailflow, the systemd unit's
// StateDirectory (ROOT is / on a real system, a scratch root in a test or
// an image build); for any other DIR, beside the configuration.
func defaultDatabase(dir string) string {
	if root, ok := strings.CutSuffix(filepath.Clean(dir), filepath.Join("etc", "mailflow")); ok && strings.HasSuffix(root, "/") {
		return filepath.Join(root, "var", "lib", "mailflow", "mailflow.db")
	}
	return filepath.Join(dir, "mailflow.db")
}

// hostPort checks host:port, adding def when the port is left out.
func hostPort(s, def string) (string, error) {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s, nil
	}
	if strings.Contains(s, ":") && !strings.HasPrefix(s, "[") {
		return "", fmt.Errorf("%q is not host:port", s)
	}
	return net.JoinHostPort(strings.Trim(s, "[]"), def), nil
}

// securityFor infers a server's security from its address: implicit TLS
// on the implicit-TLS port (993, 465), no TLS to a loopback address (a
// local relay or proxy, which config allows only there), else STARTTLS.
func securityFor(addr, implicitPort string) string {
	host, port, _ := net.SplitHostPort(addr)
	switch {
	case port == implicitPort:
		return "tls"
	case host == "localhost" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback():
		return "insecure"
	}
	return "starttls"
}

// systemZone is this machine's IANA time zone name: $TZ, /etc/timezone,
// or the zoneinfo file /etc/localtime links to; UTC when none says.
func systemZone() string {
	candidates := []string{strings.TrimPrefix(os.Getenv("TZ"), ":")}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(b)))
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			candidates = append(candidates, name)
		}
	}
	for _, z := range candidates {
		if z == "" || strings.HasPrefix(z, "/") || z == "Local" {
			continue
		}
		if _, err := time.LoadLocation(z); err == nil {
			return z
		}
	}
	return "UTC"
}

func domainOf(address string) string {
	_, d, _ := strings.Cut(address, "@")
	return strings.ToLower(strings.Trim(d, "> "))
}
