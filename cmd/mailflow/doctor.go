package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"syscall"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/intake"
	"mailflow/mailflow/oauth"
	"mailflow/mailflow/sender"
	"mailflow/store"
	"mailflow/templates"
)

func init() {
	register(command{name: "doctor", usage: "--config FILE [--json]",
		help: "check config, roster, database, IMAP login and folders, SMTP and templates, each with what to fix", run: cmdDoctor})
}

// checkResult is one check doctor made.
type checkResult struct {
	Status  string `json:"status"` // OK, FAIL, SKIP or NOTE
	Check   string `json:"check"`
	Problem string `json:"problem,omitempty"`
	Fix     string `json:"fix,omitempty"`
	// Problems are a configuration's, each with its key and fix.
	Problems []config.Problem `json:"problems,omitempty"`
	Details  []string         `json:"details,omitempty"`
}

// doctorReport collects doctor's checks, printing each as it is made
// unless the report is wanted as JSON at the end.
type doctorReport struct {
	out     io.Writer // nil for JSON
	results []checkResult
	failed  int
}

func (r *doctorReport) add(c checkResult) {
	if c.Status == "FAIL" {
		r.failed++
	}
	r.results = append(r.results, c)
	if r.out == nil {
		return
	}
	line := fmt.Sprintf("%-6s%s", c.Status, c.Check)
	if c.Problem != "" {
		line += ": " + c.Problem
	}
	fmt.Fprintln(r.out, line)
	for _, p := range c.Problems {
		fmt.Fprintf(r.out, "      %s\n", p)
		if p.Fix != "" {
			fmt.Fprintf(r.out, "      fix: %s\n", p.Fix)
		}
	}
	for _, d := range c.Details {
		fmt.Fprintf(r.out, "      %s\n", d)
	}
	if c.Fix != "" {
		fmt.Fprintf(r.out, "      fix: %s\n", c.Fix)
	}
}

// check records what as OK, or as failed with err and fix; an error that
// knows its own fix (a start-up failure of the daemon's) gives that one.
func (r *doctorReport) check(what string, err error, fix string, details ...string) {
	if err == nil {
		r.add(checkResult{Status: "OK", Check: what, Details: details})
		return
	}
	var fe *daemon.FixError
	if errors.As(err, &fe) {
		err, fix = fe.Err, fe.Fix
	}
	r.add(checkResult{Status: "FAIL", Check: what, Problem: unreachable(err).Error(), Fix: fix, Details: details})
}

// cmdDoctor runs every check it can and prints each with OK or what is
// wrong and what to do about it. It exits 1 if any check failed.
func cmdDoctor(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("doctor", errOut)
	cfgPath := fs.String("config", "", "configuration file")
	asJSON := fs.Bool("json", false, "print the checks as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageError{"--config is required"}
	}
	r := &doctorReport{out: out}
	if *asJSON {
		r.out = nil
	}
	runChecks(ctx, r, *cfgPath)
	if *asJSON {
		if err := writeJSON(out, r.results); err != nil {
			return err
		}
	}
	if r.failed > 0 {
		return fmt.Errorf("%d check(s) failed", r.failed)
	}
	if !*asJSON {
		fmt.Fprintln(out, "all checks passed")
	}
	return nil
}

// runChecks makes doctor's checks, in the order a newcomer fixes them.
func runChecks(ctx context.Context, r *doctorReport, cfgPath string) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		c := checkResult{Status: "FAIL", Check: "configuration " + cfgPath}
		var ce *config.Error
		if errors.As(err, &ce) {
			c.Problems = ce.Problems
		} else {
			c.Problem = err.Error()
		}
		r.add(c)
		return
	}
	r.check("configuration "+cfgPath, nil, "")
	for _, p := range cfg.Projects {
		r.add(rosterCheck(cfgPath, p))
	}
	var details []string
	fix := "the directory must exist and be writable by the user mailflow runs as"
	if cfg.Database.Postgres() {
		fix = "check database.url (server, role, database, sslmode, sslrootcert) and the password (database.password_file or the credential database-password); the role must be able to create tables in the database (own it)"
	} else {
		var created bool
		created, err = daemon.EnsureDatabaseDir(cfg.Database.Path)
		if created {
			details = append(details, fmt.Sprintf("created its directory %s (0700)", filepath.Dir(cfg.Database.Path)))
		}
	}
	if err == nil {
		var st *store.Store
		if st, err = store.Open(ctx, cfg.Database.Target()); err == nil {
			schema, _ := st.SchemaVersion(ctx) // the open just read it
			details = append(details, fmt.Sprintf("schema version %d", schema))
			st.Close()
		}
	}
	r.check("database "+cfg.Database.Name(), err, fix, details...)

	// A server that signs in with a token is not tried without one: its
	// check would only repeat the token's error under a misleading hint.
	tokenFailed := false
	if cfg.IMAP.Auth == config.AuthOAuth2 || cfg.SMTP.Auth == config.AuthOAuth2 {
		_, err := oauth.Token(ctx, &cfg.OAuth2, oauth.MinLife)
		r.check("OAuth 2.0 token", err,
			"check oauth2.token_url, oauth2.client_id, the client secret, oauth2.scopes (and the refresh token), and that the app registration is granted mailbox access")
		tokenFailed = err != nil
	}
	skip := func(what string) {
		r.add(checkResult{Status: "SKIP", Check: what, Problem: "no OAuth 2.0 token (see above)"})
	}

	imapWhat := fmt.Sprintf("IMAP login to %s as %s (%s, %s)", cfg.IMAP.Address, cfg.IMAP.Username, cfg.IMAP.Security, cfg.IMAP.Auth)
	if tokenFailed && cfg.IMAP.Auth == config.AuthOAuth2 {
		skip(imapWhat)
	} else {
		doctorIMAP(ctx, cfg, imapWhat, r)
	}

	what := fmt.Sprintf("SMTP connection to %s (%s)", cfg.SMTP.Address, cfg.SMTP.Security)
	if cfg.SMTP.Username != "" {
		what += " and AUTH as " + cfg.SMTP.Username
	}
	if tokenFailed && cfg.SMTP.Auth == config.AuthOAuth2 {
		skip(what)
	} else {
		snd, err := sender.New(nil, cfg.SMTP, nil, nil)
		if err == nil {
			sctx, cancel := context.WithTimeout(ctx, cfg.SMTP.Timeout.Duration)
			err = snd.Check(sctx)
			cancel()
		}
		smtpFix := "check smtp.address, smtp.security, the username and the password; with a private CA set smtp.ca_file"
		if cfg.SMTP.Auth == config.AuthOAuth2 {
			smtpFix = "check smtp.address, smtp.security and smtp.username (the mailbox), and that the token may send as it (Microsoft 365: SMTP.SendAsApp, SMTP AUTH enabled for the mailbox, a mailbox permission for the app's service principal)"
		}
		r.check(what, err, smtpFix)
	}

	_, err = templates.Load(cfg.Templates.Dir)
	name := "embedded templates"
	if cfg.Templates.Dir != "" {
		name = "templates in " + cfg.Templates.Dir
	}
	r.check(name, err, "run \"mailflow templates check DIR\" for the failing template and line")

	if len(cfg.Security.ReplyKey) == 0 {
		r.add(checkResult{Status: "NOTE", Check: "no reply key", Problem: "mail carries no signed reply address, so only DKIM/SPF-authenticated replies can change items"})
	}
}

// rosterCheck fails a project without a roster (nobody could send minutes
// or confirm them) and notes one without a chair (nobody could change
// others' items or confirm minutes held for their sender).
func rosterCheck(cfgPath string, p config.Project) checkResult {
	chairs := 0
	for _, m := range p.Members {
		if m.Role == string(mailflow.RoleChair) {
			chairs++
		}
	}
	what := fmt.Sprintf("roster of project %q", p.Name)
	switch {
	case len(p.Members) == 0:
		return checkResult{Status: "FAIL", Check: what, Problem: "empty, so nobody may send minutes or change items by email",
			Fix: fmt.Sprintf("add a [[project.member]] block (name, email, role) per person, at least one with role = \"chair\", at the end of %s", cfgPath)}
	case chairs == 0:
		return checkResult{Status: "NOTE", Check: what, Problem: fmt.Sprintf("%d member(s) but no chair; only a chair may change others' items or confirm held minutes", len(p.Members))}
	}
	return checkResult{Status: "OK", Check: fmt.Sprintf("%s: %d member(s), %d chair(s)", what, len(p.Members), chairs)}
}

// unreachable says plainly when nothing answers at a server's address,
// instead of the dialer's layered "connect: dial tcp: connect: connection
// refused".
func unreachable(err error) error {
	var op *net.OpError
	if errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Addr != nil {
		return fmt.Errorf("nothing answers at %s (connection refused)", op.Addr)
	}
	return err
}

// heldReader is what printHeld reads of the store.
type heldReader interface {
	ProjectID(ctx context.Context, name string) (int64, error)
	HasContent(ctx context.Context, projectID int64) (bool, error)
	HeldMinutes(ctx context.Context, projectID int64) ([]store.Message, error)
}

// printHeld lists a project's minutes that await their sender's
// confirmation, and how long each may still wait.
func printHeld(ctx context.Context, out io.Writer, st heldReader, cfg *config.Config, p config.Project, now time.Time) error {
	id, err := st.ProjectID(ctx, p.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the daemon has not run for this project yet
	} else if err != nil {
		return err
	}
	if has, err := st.HasContent(ctx, id); err != nil {
		return err
	} else if !has {
		fmt.Fprintln(out, "  no status report goes to leadership until the project has items, risks or meetings")
	}
	held, err := st.HeldMinutes(ctx, id)
	if err != nil || len(held) == 0 {
		return err
	}
	fmt.Fprintf(out, "  held minutes, not authenticated, awaiting confirmation by their sender (a reply \"confirm\") or a chair (\"confirm H-n\"):\n")
	for _, m := range held {
		expires := m.ProcessedAt.Add(cfg.Security.HeldMinutesLifetime())
		state := "expires " + expires.In(p.Location).Format("Mon 2 Jan 15:04")
		if now.After(expires) {
			state = "expired " + expires.In(p.Location).Format("Mon 2 Jan 15:04")
		}
		fmt.Fprintf(out, "  H-%d  %s  from %s  %q, %s\n", m.ID, m.ProcessedAt.In(p.Location).Format("2006-01-02 15:04"), m.Sender, m.Subject, state)
	}
	return nil
}

// nextReminder is the next time reminder digests go out: the reminder hour
// of today if it is still ahead, else of the next day, skipping weekends
// when they are quiet.
func nextReminder(now time.Time, hour int, quiet bool) time.Time {
	t := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, now.Location())
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	for quiet && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// doctorIMAP signs in to IMAP and checks the folders mailflow uses.
func doctorIMAP(ctx context.Context, cfg *config.Config, what string, r *doctorReport) {
	// Dial bounds its own set-up by imap.timeout; ctx must outlive the
	// folder checks that follow, since the connection closes when it ends.
	conn, err := intake.Dial(ctx, cfg.IMAP, 0)
	imapFix := "check imap.address, imap.security, the username and the password; with a private CA set imap.ca_file"
	if cfg.IMAP.Auth == config.AuthOAuth2 {
		imapFix = "check imap.address, imap.security and imap.username (the mailbox), and that the token may read it (Microsoft 365: IMAP.AccessAsApp and a mailbox permission for the app's service principal)"
	}
	if err != nil {
		r.check(what, err, imapFix)
		return
	}
	defer conn.Close()
	r.check(what, nil, "", fmt.Sprintf("IDLE %v, MOVE %v", conn.HasIdle(), conn.HasMove()))
	for _, mb := range []string{cfg.IMAP.ProcessedMailbox, cfg.IMAP.FailedMailbox} {
		r.check("IMAP folder "+mb, conn.EnsureMailbox(mb), "the account must be allowed to create folders, or create it yourself")
	}
	seen := map[string]bool{}
	for _, p := range cfg.Projects {
		if seen[p.Mailbox] {
			continue
		}
		seen[p.Mailbox] = true
		_, err := conn.Select(p.Mailbox)
		r.check(fmt.Sprintf("IMAP folder %s (project %s)", p.Mailbox, p.Name), err, "check project.mailbox")
	}
}
