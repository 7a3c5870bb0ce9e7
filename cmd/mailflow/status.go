package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/store"
)

func init() {
	register(command{name: "status", usage: "--config FILE [--json]",
		help: "how the last run went, last poll and error per mailbox, outbox depth, next reminders and report, held minutes", run: cmdStatus})
}

// silentAfter is how long a running daemon may go without writing its run
// record (it does every daemon.StatusEvery) before status says it is gone.
const silentAfter = 6 * daemon.StatusEvery

func cmdStatus(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("status", errOut)
	cfgPath := fs.String("config", "", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageError{"--config is required"}
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, cfg.Database.Target(), *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	s, err := readStatus(ctx, st, cfg, now)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(out, s)
	}
	printStatus(out, s, *cfgPath, now)
	for _, p := range cfg.Projects {
		local := now.In(p.Location)
		fmt.Fprintf(out, "project %s: next reminders %s, next status report %s\n", p.Name,
			nextReminder(local, p.ReminderHour, p.Quiet()).Format("Mon 2 Jan 15:04 MST"),
			p.Schedule.Next(local).Format("Mon 2 Jan 15:04 MST"))
		if err := printHeld(ctx, out, st, cfg, p, now); err != nil {
			return err
		}
	}
	return nil
}

// statusJSON is what "mailflow status --json" prints.
type statusJSON struct {
	// LastRun is null when mailflow has not run on this database; with
	// several hosts, the latest failed run of any of them, or else the
	// latest run: a monitor that reads only this sees a failing host.
	LastRun *runJSON `json:"last_run"`
	// Runs is every host's last run, by host name (hosts sharing a
	// PostgreSQL store each have one).
	Runs      []runJSON         `json:"runs,omitempty"`
	Mailboxes []mailboxJSON     `json:"mailboxes"`
	Outbox    map[string]int    `json:"outbox"`
	Messages  map[string]int    `json:"messages"`
	Projects  []projectStatJSON `json:"projects"`
	// Leases says which host does what when several share a PostgreSQL
	// store; absent on SQLite, where one host does everything.
	Leases []leaseJSON `json:"leases,omitempty"`
}

type leaseJSON struct {
	Lease string `json:"lease"`
	Host  string `json:"host"` // "" while no host holds it
	Since string `json:"since,omitempty"`
}

type runJSON struct {
	Host    string `json:"host,omitempty"` // only in Runs: the host's name ("" for a run recorded before runs were kept per host)
	Mode    string `json:"mode"`           // once or daemon
	PID     int    `json:"pid"`
	State   string `json:"state"` // running, ok, failed, stopped; "silent" for a daemon that stopped writing
	Started string `json:"started"`
	Updated string `json:"updated"`
	Step    string `json:"step,omitempty"`
	Error   string `json:"error,omitempty"`
	LastOK  string `json:"last_ok,omitempty"`
}

type mailboxJSON struct {
	Mailbox   string `json:"mailbox"`
	Connected bool   `json:"connected"`
	LastPoll  string `json:"last_poll,omitempty"`
	Handled   int    `json:"handled"`
	LastError string `json:"last_error,omitempty"`
	ErrorAt   string `json:"error_at,omitempty"`
}

type projectStatJSON struct {
	Name          string     `json:"name"`
	Timezone      string     `json:"timezone"`
	NextReminders string     `json:"next_reminders"`
	NextReport    string     `json:"next_status_report"`
	Held          []heldJSON `json:"held_minutes"`
}

type heldJSON struct {
	Ref      string `json:"ref"`
	Received string `json:"received"`
	Sender   string `json:"sender"`
	Subject  string `json:"subject"`
	Expires  string `json:"expires"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// statusReader is what status reads of the store.
type statusReader interface {
	LastRuns(ctx context.Context) ([]store.Run, error)
	MailboxStatuses(ctx context.Context) ([]store.MailboxStatus, error)
	OutboxCounts(ctx context.Context) (map[string]int, error)
	CountMessages(ctx context.Context) (map[string]int, error)
	Postgres() bool
	daemon.LeaseStore // who holds the leases, on PostgreSQL
	heldReader
}

// headlineRun is the run status leads with: the latest that failed, if
// any host's did, or else the latest.
func headlineRun(runs []store.Run) store.Run {
	var latest, failed store.Run
	for _, r := range runs {
		if r.UpdatedAt.After(latest.UpdatedAt) {
			latest = r
		}
		if r.State == store.RunFailed && r.UpdatedAt.After(failed.UpdatedAt) {
			failed = r
		}
	}
	if failed.State == store.RunFailed {
		return failed
	}
	return latest
}

// readStatus gathers everything status shows.
func readStatus(ctx context.Context, st statusReader, cfg *config.Config, now time.Time) (statusJSON, error) {
	s := statusJSON{Mailboxes: []mailboxJSON{}, Projects: []projectStatJSON{}}
	runs, err := st.LastRuns(ctx)
	if err != nil {
		return s, err
	}
	if len(runs) > 0 {
		j := runOf(headlineRun(runs), now)
		s.LastRun = &j
	}
	for _, r := range runs {
		j := runOf(r, now)
		j.Host = r.Host
		s.Runs = append(s.Runs, j)
	}
	mbs, err := st.MailboxStatuses(ctx)
	if err != nil {
		return s, err
	}
	for _, m := range mbs {
		s.Mailboxes = append(s.Mailboxes, mailboxJSON{Mailbox: m.Mailbox, Connected: m.Connected, LastPoll: rfc3339(m.LastPoll),
			Handled: m.Handled, LastError: m.LastError, ErrorAt: rfc3339(m.ErrorAt)})
	}
	counts, err := st.OutboxCounts(ctx)
	if err != nil {
		return s, err
	}
	s.Outbox = map[string]int{"queued": counts[store.MailQueued] + counts[store.MailSending], "failed": counts[store.MailFailed], "sent": counts[store.MailSent]}
	msgs, err := st.CountMessages(ctx)
	if err != nil {
		return s, err
	}
	s.Messages = map[string]int{"processed": msgs[store.OutcomeProcessed], "ignored": msgs[store.OutcomeIgnored], "failed": msgs[store.OutcomeFailed]}
	if st.Postgres() {
		owners, err := daemon.LeaseHolders(ctx, st, cfg)
		if err != nil {
			return s, err
		}
		for _, o := range owners {
			s.Leases = append(s.Leases, leaseJSON{Lease: o.Name, Host: o.Host, Since: rfc3339(o.Since)})
		}
	}
	for _, p := range cfg.Projects {
		local := now.In(p.Location)
		pj := projectStatJSON{Name: p.Name, Timezone: p.Timezone, Held: []heldJSON{},
			NextReminders: nextReminder(local, p.ReminderHour, p.Quiet()).Format(time.RFC3339),
			NextReport:    p.Schedule.Next(local).Format(time.RFC3339)}
		id, err := st.ProjectID(ctx, p.Name)
		if err == nil {
			held, err := st.HeldMinutes(ctx, id)
			if err != nil {
				return s, err
			}
			for _, m := range held {
				pj.Held = append(pj.Held, heldJSON{Ref: fmt.Sprintf("H-%d", m.ID), Received: rfc3339(m.ProcessedAt), Sender: m.Sender, Subject: m.Subject,
					Expires: rfc3339(m.ProcessedAt.Add(cfg.Security.HeldMinutesLifetime()))})
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return s, err
		}
		s.Projects = append(s.Projects, pj)
	}
	return s, nil
}

// runOf is what status shows of run r as of now: a running daemon that
// stopped writing its record is "silent".
func runOf(r store.Run, now time.Time) runJSON {
	j := runJSON{Mode: r.Mode, PID: r.PID, State: r.State, Started: rfc3339(r.StartedAt), Updated: rfc3339(r.UpdatedAt), Step: r.Step, Error: r.Error,
		LastOK: rfc3339(r.LastOK)}
	if r.State == store.RunRunning && now.Sub(r.UpdatedAt) > silentAfter {
		j.State = "silent"
	}
	return j
}

// printStatus prints the last run, the mailboxes, the outbox and the
// message counts; the projects follow.
func printStatus(out io.Writer, s statusJSON, cfgPath string, now time.Time) {
	when := func(stamp string) string {
		t, err := time.Parse(time.RFC3339, stamp)
		if err != nil {
			return "never"
		}
		return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05 MST"), now.Sub(t).Round(time.Second))
	}
	if len(s.Runs) > 1 {
		for _, r := range s.Runs {
			printRun(out, "last run on "+hostLabel(r.Host), r, cfgPath, when)
		}
	} else {
		printLastRun(out, s.LastRun, cfgPath, when)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MAILBOX\tCONNECTED\tLAST POLL\tHANDLED\tLAST ERROR")
	for _, m := range s.Mailboxes {
		lastErr := "-"
		if m.LastError != "" {
			lastErr = oneLine(m.LastError, 100)
			if m.ErrorAt != "" {
				lastErr += ", " + when(m.ErrorAt)
			}
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\t%d\t%s\n", m.Mailbox, m.Connected, when(m.LastPoll), m.Handled, lastErr)
	}
	if len(s.Mailboxes) == 0 {
		fmt.Fprintln(tw, "(no mailbox read yet)\t\t\t\t")
	}
	tw.Flush()
	fmt.Fprintf(out, "\noutbox: %d queued, %d failed (see \"mailflow outbox --failed\"), %d sent\n", s.Outbox["queued"], s.Outbox["failed"], s.Outbox["sent"])
	fmt.Fprintf(out, "messages: %d processed, %d ignored, %d failed\n\n", s.Messages["processed"], s.Messages["ignored"], s.Messages["failed"])
	for _, l := range s.Leases {
		holder := "no host (a standby takes it within seconds)"
		if l.Host != "" {
			holder = "host " + l.Host + " since " + when(l.Since)
		}
		fmt.Fprintf(out, "%s: %s\n", l.Lease, holder)
	}
	if len(s.Leases) > 0 {
		fmt.Fprintln(out)
	}
}

// printLastRun says how the last run went (see printRun), on a database
// one host runs on.
func printLastRun(out io.Writer, r *runJSON, cfgPath string, when func(string) string) {
	if r == nil {
		fmt.Fprintf(out, "last run: none yet (mailflow run --once --config %s runs one cycle)\n", cfgPath)
		return
	}
	printRun(out, "last run", *r, cfgPath, when)
}

// hostLabel names a host in status: a run recorded before runs were kept
// per host has none.
func hostLabel(host string) string {
	if host == "" {
		return "a host not recorded (an older mailflow wrote this run)"
	}
	return host
}

// printRun says how a run went, after label: when, its outcome, and for
// a failure what it was doing, the error, the last success and what to
// run.
func printRun(out io.Writer, label string, r runJSON, cfgPath string, when func(string) string) {
	what := "run --once"
	if r.Mode == store.ModeDaemon {
		what = "the daemon"
	}
	switch r.State {
	case store.RunOK:
		fmt.Fprintf(out, "%s: %s (pid %d), ended %s: ok\n", label, what, r.PID, when(r.Updated))
	case store.RunStopped:
		fmt.Fprintf(out, "%s: %s (pid %d), started %s, stopped %s when asked to\n", label, what, r.PID, when(r.Started), when(r.Updated))
	case store.RunRunning:
		state := "all well"
		if r.Error != "" {
			state = "failing at " + r.Step
		}
		fmt.Fprintf(out, "%s: %s (pid %d), running since %s, last heard from %s: %s\n", label, what, r.PID, when(r.Started), when(r.Updated), state)
	case "silent":
		fmt.Fprintf(out, "%s: %s (pid %d), started %s, silent since %s: it stopped without saying (killed, crashed, or the machine went down); see its log (journalctl -u mailflow)\n",
			label, what, r.PID, when(r.Started), when(r.Updated))
	default:
		fmt.Fprintf(out, "%s: %s (pid %d), ended %s: FAILED at %s\n", label, what, r.PID, when(r.Updated), r.Step)
	}
	if r.Error == "" {
		return
	}
	fmt.Fprintf(out, "  error: %s\n", strings.ReplaceAll(r.Error, "\n", "\n         "))
	last := "never"
	if r.LastOK != "" {
		last = when(r.LastOK)
	}
	fmt.Fprintf(out, "  last success: %s\n", last)
	fmt.Fprintf(out, "  fix: mailflow doctor --config %s checks each server and says what to change\n", cfgPath)
}
