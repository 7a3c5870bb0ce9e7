package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

func init() {
	register(command{name: "outbox", usage: "(--config FILE | --db PATH) [--failed] [--retry ID] [--json]",
		help: "show queued, sent and parked mail; requeue a parked one", run: cmdOutbox})
	register(command{name: "preview", usage: "KIND (--config FILE | --db PATH) [--project NAME] [--html] [--out FILE]",
		help: "render a mail (minutes, reminder, status, ack, error) from real data without sending",
		args: []string{"KIND  the mail to render: minutes, reminder, status, ack or error"}, run: cmdPreview})
	register(command{name: "report", usage: "--now --config FILE [--project NAME]",
		help: "queue the leadership status report now", run: cmdReport})
	register(command{name: "remind", usage: "--now --config FILE [--project NAME]",
		help: "queue today's reminder digests now", run: cmdRemind})
	register(command{name: "reprocess", usage: "--config FILE --message-id ID [--json]",
		help: "run a failed message again (after a fix)", run: cmdReprocess})
	register(command{name: "backup", usage: "(--config FILE | --db PATH) FILE",
		help: "write a consistent copy of the database, safe while the daemon runs",
		args: []string{"FILE  the new backup file (never overwritten; 0600)"}, run: cmdBackup})
	register(command{name: "export", usage: "(--config FILE | --db PATH) [--format csv|json] [--what items|risks|audit] [--project NAME]",
		help: "export items, risks or the audit trail for spreadsheets (owner_name is the roster's full name with --config)", run: cmdExport})
	register(command{name: "history", usage: "REF (--config FILE | --db PATH) [--project NAME] [--json]",
		help: "who changed an item or risk, when, and from which message",
		args: []string{"REF  an action item or risk, e.g. A-12 or R-3"}, run: cmdHistory})
}

// dbFlags adds the --config/--db/--project flags most commands share.
type dbFlags struct{ cfg, db, project *string }

func addDBFlags(fs interface {
	String(string, string, string) *string
}) dbFlags {
	return dbFlags{
		cfg:     fs.String("config", "", "configuration file"),
		db:      fs.String("db", "", "database file, or postgres:// URL (instead of --config)"),
		project: fs.String("project", "", "project name"),
	}
}

// withEngine loads the config, opens the store and builds an engine.
func withEngine(ctx context.Context, cfgPath, project string, fn func(*engine.Engine, *engine.Project, *store.Store) error) error {
	if cfgPath == "" {
		return usageError{"--config is required"}
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	tmpl, err := templates.Load(cfg.Templates.Dir)
	if err != nil {
		return fmt.Errorf("templates.dir: %w", err)
	}
	st, err := store.Open(ctx, cfg.Database.Target())
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: tmpl})
	if err != nil {
		return err
	}
	p := eng.Projects()[0]
	if project != "" {
		var ok bool
		if p, ok = eng.Project(project); !ok {
			return fmt.Errorf("no project %q in %s", project, cfgPath)
		}
	}
	return fn(eng, p, st)
}

func cmdOutbox(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("outbox", errOut)
	f := addDBFlags(fs)
	failed := fs.Bool("failed", false, "only parked mail (permanent failures)")
	retry := fs.Int64("retry", 0, "requeue the parked mail with this ID")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "rows to show")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openData(ctx, *f.cfg, *f.db, "")
	if err != nil {
		return err
	}
	st := d.st
	defer st.Close()
	if *retry != 0 {
		if err := st.Requeue(ctx, *retry, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(out, "outbox mail %d queued again; the daemon sends it at its next flush (within 30 s)\n", *retry)
		return nil
	}
	status := ""
	if *failed {
		status = store.MailFailed
	}
	ms, err := st.OutboxSummaries(ctx, status, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID         int64    `json:"id"`
			Kind       string   `json:"kind"`
			Status     string   `json:"status"`
			Recipients []string `json:"recipients"`
			Subject    string   `json:"subject"`
			MessageID  string   `json:"message_id"`
			Attempts   int      `json:"attempts"`
			Created    string   `json:"created"`
			Sent       string   `json:"sent,omitempty"`
			Response   string   `json:"smtp_response,omitempty"`
			LastError  string   `json:"last_error,omitempty"`
		}
		rows := make([]row, 0, len(ms))
		for _, m := range ms {
			r := row{ID: m.ID, Kind: m.Kind, Status: m.Status, Recipients: m.Recipients(), Subject: m.Subject, MessageID: m.MessageID,
				Attempts: m.Attempts, Created: m.CreatedAt.UTC().Format(time.RFC3339), Response: m.SMTPResponse, LastError: m.LastError}
			if !m.SentAt.IsZero() {
				r.Sent = m.SentAt.UTC().Format(time.RFC3339)
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	counts, err := st.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "queued %d · sending %d · sent %d · failed %d\n\n", counts[store.MailQueued], counts[store.MailSending], counts[store.MailSent], counts[store.MailFailed])
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tTO\tATTEMPTS\tWHEN\tDETAIL")
	for _, m := range ms {
		loc := d.zone(m.ProjectID)
		when := localTime(m.CreatedAt, loc)
		detail := m.LastError
		if m.Status == store.MailSent {
			when = localTime(m.SentAt, loc)
			detail = m.SMTPResponse
		} else if m.Status == store.MailQueued && m.Attempts > 0 {
			detail = "retry at " + m.NextAttemptAt.In(loc).Format("15:04:05 MST") + ": " + m.LastError
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Status, m.Kind, strings.Join(m.Recipients(), ","), m.Attempts, when, oneLine(detail, 80))
	}
	return tw.Flush()
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		return s[:max-1] + "…"
	}
	return s
}

func cmdPreview(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("preview", errOut)
	f := addDBFlags(fs)
	asHTML := fs.Bool("html", false, "print the HTML part instead of the text part")
	outFile := fs.String("out", "", "write to FILE instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one kind: minutes, reminder, status, ack or error"}
	}
	kind := mailflow.MailKind(pos[0])
	render := func(eng *engine.Engine, p *engine.Project) error {
		r, err := eng.Preview(ctx, p, kind, "")
		if err != nil {
			return err
		}
		w := out
		if *outFile != "" {
			fh, err := os.Create(*outFile)
			if err != nil {
				return err
			}
			defer fh.Close()
			w = fh
		}
		if *asHTML {
			_, err = io.WriteString(w, r.HTML)
			return err
		}
		_, err = fmt.Fprintf(w, "Subject: %s\n\n%s", r.Subject, r.Text)
		return err
	}
	if *f.cfg != "" {
		return withEngine(ctx, *f.cfg, *f.project, func(eng *engine.Engine, p *engine.Project, _ *store.Store) error { return render(eng, p) })
	}
	if *f.db == "" {
		return usageError{"give either --config FILE or --db PATH"}
	}
	// With only a database, preview with a minimal configuration: the
	// project's name and address come from the database, the rest defaults.
	st, pid, err := openStore(ctx, "", *f.db, *f.project)
	if err != nil {
		return err
	}
	ps, err := st.Projects(ctx)
	st.Close()
	if err != nil || len(ps) == 0 {
		return fmt.Errorf("no project in %s", *f.db)
	}
	proj := ps[0]
	for _, p := range ps {
		if p.ID == pid {
			proj = p
		}
	}
	cfg := &config.Config{
		Database: config.Database{Path: *f.db},
		IMAP:     config.IMAP{Endpoint: config.Endpoint{Address: "127.0.0.1:143", Security: "insecure", Username: "preview", Password: "preview"}},
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: proj.Address},
		Security: config.Security{RequireAuth: new(bool)},
		Projects: []config.Project{{Name: proj.Name, Address: proj.Address}},
	}
	if err := cfg.Finish(func(string) string { return "" }); err != nil {
		return err
	}
	st2, err := store.Open(ctx, *f.db)
	if err != nil {
		return err
	}
	defer st2.Close()
	eng, err := engine.New(ctx, engine.Options{Store: st2, Config: cfg, Templates: templates.MustDefault()})
	if err != nil {
		return err
	}
	return render(eng, eng.Projects()[0])
}

func cmdReport(ctx context.Context, args []string, out, errOut io.Writer) error {
	return queueNow(ctx, "report", args, out, errOut, func(ctx context.Context, eng *engine.Engine, p *engine.Project) error {
		return eng.Report(ctx, p, true)
	})
}

func cmdRemind(ctx context.Context, args []string, out, errOut io.Writer) error {
	return queueNow(ctx, "remind", args, out, errOut, func(ctx context.Context, eng *engine.Engine, p *engine.Project) error {
		return eng.Remind(ctx, p, true)
	})
}

// queueNow runs a periodic job immediately and says what it queued; the
// running daemon sends it within half a minute.
func queueNow(ctx context.Context, name string, args []string, out, errOut io.Writer, job func(context.Context, *engine.Engine, *engine.Project) error) error {
	fs := newFlags(name, errOut)
	now := fs.Bool("now", false, "queue it now (required: the schedule otherwise decides)")
	cfgPath := fs.String("config", "", "configuration file")
	project := fs.String("project", "", "project (default: every project)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*now {
		return usageError{"--now is required (without it, the schedule in the configuration decides)"}
	}
	return withEngine(ctx, *cfgPath, "", func(eng *engine.Engine, _ *engine.Project, st *store.Store) error {
		before, err := st.OutboxCounts(ctx)
		if err != nil {
			return err
		}
		for _, p := range eng.Projects() {
			if *project != "" && p.Name != *project {
				continue
			}
			if err := job(ctx, eng, p); err != nil {
				return fmt.Errorf("project %s: %w", p.Name, err)
			}
		}
		after, err := st.OutboxCounts(ctx)
		if err != nil {
			return err
		}
		n := after[store.MailQueued] - before[store.MailQueued]
		fmt.Fprintf(out, "%d mail(s) queued; the running daemon sends them within 30 s (or run \"mailflow run --once\")\n", n)
		return nil
	})
}

func cmdReprocess(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("reprocess", errOut)
	cfgPath := fs.String("config", "", "configuration file")
	id := fs.String("message-id", "", "Message-ID of the failed message (with or without <>)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usageError{"--message-id is required"}
	}
	return withEngine(ctx, *cfgPath, "", func(eng *engine.Engine, _ *engine.Project, _ *store.Store) error {
		results, err := eng.Reprocess(ctx, strings.Trim(*id, "<> "))
		if *asJSON {
			type result struct {
				Project   string `json:"project"`
				MessageID string `json:"message_id"`
				Kind      string `json:"kind"`
				Outcome   string `json:"outcome"`
				Reason    string `json:"reason,omitempty"`
			}
			list := make([]result, 0, len(results))
			for _, r := range results {
				list = append(list, result{r.Project, r.MessageID, string(r.Kind), r.Outcome, r.Reason})
			}
			if jerr := writeJSON(out, list); jerr != nil {
				return jerr
			}
			return err
		}
		for _, r := range results {
			fmt.Fprintf(out, "%s: %s %s", r.MessageID, r.Kind, r.Outcome)
			if r.Reason != "" {
				fmt.Fprintf(out, " (%s)", firstLine(r.Reason))
			}
			fmt.Fprintln(out)
		}
		return err
	})
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func cmdBackup(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("backup", errOut)
	f := addDBFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name the backup file"}
	}
	if _, err := os.Stat(pos[0]); err == nil {
		return fmt.Errorf("%s exists; choose a new file name", pos[0])
	}
	st, _, err := openStore(ctx, *f.cfg, *f.db, "")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "backup written to %s\n", pos[0])
	return nil
}

func cmdExport(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("export", errOut)
	f := addDBFlags(fs)
	format := fs.String("format", "csv", "csv or json")
	what := fs.String("what", "items", "items, risks or audit")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return usageError{fmt.Sprintf("--format %q: want csv or json", *format)}
	}
	d, err := openData(ctx, *f.cfg, *f.db, *f.project)
	if err != nil {
		return err
	}
	st, pid, names := d.st, d.pid, d.names
	defer st.Close()
	var header []string
	var rows [][]string
	switch *what {
	case "items":
		items, err := st.Items(ctx, store.ItemFilter{ProjectID: pid})
		if err != nil {
			return err
		}
		header = []string{"project", "ref", "text", "owner", "owner_name", "due", "status", "progress", "created", "closed"}
		for _, it := range items {
			closed := ""
			if !it.ClosedAt.IsZero() {
				closed = it.ClosedAt.UTC().Format(time.RFC3339)
			}
			rows = append(rows, []string{names[it.ProjectID], it.Ref(), it.Text, it.Owner, d.fullName(it.ProjectID, it.Owner, it.OwnerName), it.Due, it.Status,
				strconv.Itoa(it.Progress), it.CreatedAt.UTC().Format(time.RFC3339), closed})
		}
	case "risks":
		risks, err := st.Risks(ctx, pid, "")
		if err != nil {
			return err
		}
		header = []string{"project", "ref", "description", "likelihood", "likelihood_as_written", "impact", "impact_as_written", "mitigation", "owner", "trigger", "status", "escalated", "owner_name"}
		for _, r := range risks {
			rows = append(rows, []string{names[r.ProjectID], r.Ref(), r.Description, r.Likelihood, r.LikelihoodText, r.Impact, r.ImpactText,
				r.Mitigation, or(r.Owner, r.OwnerName), r.Trigger, r.Status, strconv.FormatBool(r.Escalated), d.fullName(r.ProjectID, r.Owner, r.OwnerName)})
		}
	case "audit":
		var entries []store.AuditEntry
		for id := range names {
			if pid != 0 && id != pid {
				continue
			}
			es, err := st.AuditTrail(ctx, id, "")
			if err != nil {
				return err
			}
			entries = append(entries, es...)
		}
		header = []string{"project", "at", "actor", "source", "message_id", "ref", "action", "old", "new"}
		msgIDs := map[int64]string{}
		for _, e := range entries {
			mid := ""
			if e.MessageID != 0 {
				if _, ok := msgIDs[e.MessageID]; !ok {
					msgIDs[e.MessageID], _ = st.MessageIDOf(ctx, e.MessageID)
				}
				mid = msgIDs[e.MessageID]
			}
			rows = append(rows, []string{names[e.ProjectID], e.At.UTC().Format(time.RFC3339), e.Actor, e.Source, mid, e.Ref, e.Action, e.OldValue, e.NewValue})
		}
	default:
		return usageError{fmt.Sprintf("--what %q: want items, risks or audit", *what)}
	}
	if *format == "json" {
		list := make([]map[string]string, 0, len(rows))
		for _, r := range rows {
			m := map[string]string{}
			for i, h := range header {
				m[h] = r[i]
			}
			list = append(list, m)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	w := csv.NewWriter(out)
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		// A cell starting with = + - @ is a formula to a spreadsheet; a
		// leading apostrophe keeps item text from running as one.
		for i, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				r[i] = "'" + c
			}
		}
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func cmdHistory(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("history", errOut)
	f := addDBFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one item or risk, e.g. A-12"}
	}
	ref := strings.ToUpper(pos[0])
	if _, _, err := store.ParseRef(ref); err != nil {
		return usageError{err.Error()}
	}
	d, err := openData(ctx, *f.cfg, *f.db, *f.project)
	if err != nil {
		return err
	}
	st, pid := d.st, d.pid
	defer st.Close()
	if pid == 0 {
		ps, err := st.Projects(ctx)
		if err != nil {
			return err
		}
		if len(ps) != 1 {
			return usageError{"the database has several projects: name one with --project"}
		}
		pid = ps[0].ID
	}
	trail, err := st.AuditTrail(ctx, pid, ref)
	if err != nil {
		return err
	}
	if len(trail) == 0 {
		return fmt.Errorf("no history for %s: %w", ref, store.ErrNotFound)
	}
	type change struct {
		At        string `json:"at"`
		Actor     string `json:"actor"`
		Action    string `json:"action"`
		Old       string `json:"old,omitempty"`
		New       string `json:"new,omitempty"`
		Source    string `json:"source"`
		MessageID string `json:"message_id,omitempty"`
	}
	changes := make([]change, 0, len(trail))
	for _, e := range trail {
		c := change{At: e.At.UTC().Format(time.RFC3339), Actor: e.Actor, Action: e.Action, Old: e.OldValue, New: e.NewValue, Source: e.Source}
		if e.MessageID != 0 {
			c.MessageID, _ = st.MessageIDOf(ctx, e.MessageID) // only shown; an entry without one still says its source
		}
		changes = append(changes, c)
	}
	if *asJSON {
		return writeJSON(out, changes)
	}
	loc := d.zone(pid)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tWHAT\tFROM")
	for i, e := range trail {
		what := e.Action
		switch {
		case e.OldValue != "" && e.NewValue != "":
			what = fmt.Sprintf("%s: %s → %s", e.Action, e.OldValue, e.NewValue)
		case e.NewValue != "":
			what = fmt.Sprintf("%s: %s", e.Action, e.NewValue)
		}
		from := e.Source
		if id := changes[i].MessageID; id != "" {
			from = "message <" + id + ">"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", localTime(e.At, loc), e.Actor, oneLine(what, 90), from)
	}
	return tw.Flush()
}
