package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
)

func init() {
	register(command{name: "parse", usage: "[--json] [--config FILE [--project NAME]] FILE.eml",
		help: "show what mailflow understands from one message (stores nothing)",
		args: []string{"FILE.eml  one message as a file (RFC 5322, as a mail client saves it)"}, run: cmdParse})
	register(command{name: "items", usage: "(--config FILE | --db PATH) [--json] [--status open|done|cancelled|all] [--project NAME]",
		help: "list action items", run: cmdItems})
	register(command{name: "risks", usage: "(--config FILE | --db PATH) [--json] [--status open|closed|all] [--project NAME]",
		help: "list the risk register", run: cmdRisks})
}

func cmdParse(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("parse", errOut)
	asJSON := fs.Bool("json", false, "print JSON")
	cfgPath := fs.String("config", "", "configuration file: resolve owners against the roster, use the project time zone")
	project := fs.String("project", "", "project to use from the config (default: the first)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give exactly one message file"}
	}
	raw, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	var proj *config.Project
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		proj = &cfg.Projects[0]
		if *project != "" {
			p, ok := cfg.Project(*project)
			if !ok {
				return fmt.Errorf("no project %q in %s", *project, *cfgPath)
			}
			proj = p
		}
	}
	u, err := engine.Understand(raw, proj)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(u)
	}
	printUnderstanding(out, u)
	return nil
}

func printUnderstanding(w io.Writer, u *engine.Understanding) {
	fmt.Fprintf(w, "kind: %s\n", u.Kind)
	if u.Meeting != nil {
		fmt.Fprintf(w, "meeting: %s (%s)\n", u.Meeting.Title, u.Meeting.Date)
		var names []string
		for _, a := range u.Meeting.Attendees {
			names = append(names, a.String())
		}
		fmt.Fprintf(w, "attendees: %s\n", strings.Join(names, ", "))
	}
	if len(u.ActionItems) > 0 {
		fmt.Fprintln(w, "\naction items:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, it := range u.ActionItems {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", or(it.Owner, "(no owner)"), or(it.Due.String(), "(no date)"), it.Status, it.Text)
		}
		tw.Flush()
	}
	if len(u.Risks) > 0 {
		fmt.Fprintln(w, "\nrisks:")
		for _, r := range u.Risks {
			fmt.Fprintf(w, "  %s (likelihood %s, impact %s) mitigation: %s; owner %s\n", r.Description, or(string(r.Likelihood), "?"), or(string(r.Impact), "?"), or(r.Mitigation, "-"), or(r.Owner, "-"))
		}
	}
	if len(u.Decisions) > 0 {
		fmt.Fprintln(w, "\ndecisions:")
		for _, d := range u.Decisions {
			fmt.Fprintf(w, "  %s\n", d.Text)
		}
	}
	if len(u.Changes) > 0 {
		fmt.Fprintln(w, "\nchanges:")
		for _, c := range u.Changes {
			fmt.Fprintf(w, "  %s: %s\n", c.Kind, c.Text)
		}
	}
	if u.Kind == mailflow.KindReply {
		fmt.Fprintf(w, "\nreply text:\n%s\n", indent(u.ReplyText))
		fmt.Fprintln(w, "\ncommands:")
		for _, c := range u.Commands {
			line := fmt.Sprintf("  line %d: %s %s %s", c.Line, c.Verb, or(c.Ref, "(the item replied to)"), c.Value)
			if c.Note != "" {
				line += " — note: " + c.Note
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		for _, n := range u.ReplyNotes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	if len(u.Problems) > 0 {
		fmt.Fprintln(w, "\nproblems:")
		for _, p := range u.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// openStore opens the database named by --db or by the config's
// database.path, and returns the project id for --project (0: all).
func openStore(ctx context.Context, cfgPath, dbPath, project string) (*store.Store, int64, error) {
	d, err := openData(ctx, cfgPath, dbPath, project)
	if err != nil {
		return nil, 0, err
	}
	return d.st, d.pid, nil
}

// dataSource is an open database and, given --config, its configuration:
// the project time zones and rosters that turn stored UTC times and
// addresses into what people read.
type dataSource struct {
	st    *store.Store
	pid   int64            // --project's id; 0 for all
	cfg   *config.Config   // nil with --db
	names map[int64]string // project id → name
}

// openData opens the database named by --db or by the config's
// database.path, with the project id for --project (0: all).
func openData(ctx context.Context, cfgPath, dbPath, project string) (*dataSource, error) {
	if (cfgPath == "") == (dbPath == "") {
		return nil, usageError{"give either --config FILE or --db PATH"}
	}
	d := &dataSource{}
	if cfgPath != "" {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return nil, err
		}
		d.cfg, dbPath = cfg, cfg.Database.Target()
	}
	st, err := openExisting(ctx, dbPath, cfgPath)
	if err != nil {
		return nil, err
	}
	d.st, d.names = st, projectNames(ctx, st)
	if project != "" {
		if d.pid, err = st.ProjectID(ctx, project); err != nil {
			st.Close()
			return nil, err
		}
	}
	return d, nil
}

// project returns the configuration of the project with id, or nil.
func (d *dataSource) project(id int64) *config.Project {
	if d.cfg == nil {
		return nil
	}
	p, _ := d.cfg.Project(d.names[id])
	return p
}

// zone is the time zone to show a project's times in: its own with
// --config; with only --db, which does not know it, this machine's.
func (d *dataSource) zone(id int64) *time.Location {
	if p := d.project(id); p != nil {
		return p.Location
	}
	return time.Local
}

// fullName is the roster's name for email in the project (with --config),
// else written: the name as the minutes gave it ("Alice").
func (d *dataSource) fullName(id int64, email, written string) string {
	if p := d.project(id); p != nil && email != "" {
		for _, m := range p.Members {
			if strings.EqualFold(m.Email, email) && m.Name != "" {
				return m.Name
			}
		}
	}
	return written
}

// localTime writes t in loc with the zone named: "2026-11-24 17:05 EST".
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// openExisting opens the database at path for a command that reads it,
// refusing to create one: a mistyped path should not leave an empty
// database behind and report that there is nothing in it. A PostgreSQL
// URL is opened as it is: the server says whether its database exists.
func openExisting(ctx context.Context, path, cfgPath string) (*store.Store, error) {
	if store.IsPostgres(path) {
		return store.Open(ctx, path)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fix := "check --db, or run mailflow on it first"
		if cfgPath != "" {
			fix = fmt.Sprintf("check database.path in %s; a new installation gets it from: mailflow run --once --config %s", cfgPath, cfgPath)
		}
		return nil, withFix(fmt.Errorf("database %s does not exist", path), fix)
	} else if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return store.Open(ctx, path)
}

// itemJSON is an item as "mailflow items --json" prints it.
type itemJSON struct {
	Ref       string  `json:"ref"`
	Project   string  `json:"project"`
	Text      string  `json:"text"`
	Owner     string  `json:"owner"`
	OwnerName string  `json:"owner_name,omitempty"`
	Due       *string `json:"due"`
	Status    string  `json:"status"`
	Progress  int     `json:"progress"`
	Created   string  `json:"created"`
	Closed    string  `json:"closed,omitempty"`
}

// projectLister is what projectNames reads of the store.
type projectLister interface {
	Projects(ctx context.Context) ([]store.Project, error)
}

// projectNames maps each project's id to its name.
func projectNames(ctx context.Context, st projectLister) map[int64]string {
	names := map[int64]string{}
	ps, _ := st.Projects(ctx)
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	return names
}

func cmdItems(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("items", errOut)
	cfgPath := fs.String("config", "", "configuration file")
	dbPath := fs.String("db", "", "database file")
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "open", "open, done, cancelled or all")
	project := fs.String("project", "", "only this project")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *status {
	case "open", "done", "cancelled", "all":
	default:
		return usageError{fmt.Sprintf("--status %q: want open, done, cancelled or all", *status)}
	}
	d, err := openData(ctx, *cfgPath, *dbPath, *project)
	if err != nil {
		return err
	}
	st, pid := d.st, d.pid
	defer st.Close()
	items, err := st.Items(ctx, store.ItemFilter{ProjectID: pid, Status: *status})
	if err != nil {
		return err
	}
	names := d.names
	if *asJSON {
		list := make([]itemJSON, 0, len(items))
		for _, it := range items {
			j := itemJSON{Ref: it.Ref(), Project: names[it.ProjectID], Text: it.Text, Owner: it.Owner, OwnerName: d.fullName(it.ProjectID, it.Owner, it.OwnerName),
				Status: it.Status, Progress: it.Progress, Created: it.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
			if it.Due != "" {
				due := it.Due
				j.Due = &due
			}
			if !it.ClosedAt.IsZero() {
				j.Closed = it.ClosedAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			list = append(list, j)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATUS\tDUE\tOWNER\tTEXT")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Ref(), it.Status, or(it.Due, "-"), or(or(it.Owner, it.OwnerName), "-"), it.Text)
	}
	return tw.Flush()
}

// riskJSON is a risk as "mailflow risks --json" prints it.
type riskJSON struct {
	Ref            string `json:"ref"`
	Project        string `json:"project"`
	Description    string `json:"description"`
	Likelihood     string `json:"likelihood"`
	LikelihoodText string `json:"likelihood_text,omitempty"`
	Impact         string `json:"impact"`
	ImpactText     string `json:"impact_text,omitempty"`
	Mitigation     string `json:"mitigation"`
	Owner          string `json:"owner"`
	Status         string `json:"status"`
	Escalated      bool   `json:"escalated"`
}

func cmdRisks(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("risks", errOut)
	cfgPath := fs.String("config", "", "configuration file")
	dbPath := fs.String("db", "", "database file")
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "open", "open, closed or all")
	project := fs.String("project", "", "only this project")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *status {
	case "open", "closed", "all":
	default:
		return usageError{fmt.Sprintf("--status %q: want open, closed or all", *status)}
	}
	st, pid, err := openStore(ctx, *cfgPath, *dbPath, *project)
	if err != nil {
		return err
	}
	defer st.Close()
	risks, err := st.Risks(ctx, pid, *status)
	if err != nil {
		return err
	}
	names := projectNames(ctx, st)
	if *asJSON {
		list := make([]riskJSON, 0, len(risks))
		for _, r := range risks {
			list = append(list, riskJSON{Ref: r.Ref(), Project: names[r.ProjectID], Description: r.Description,
				Likelihood: r.Likelihood, LikelihoodText: r.LikelihoodText, Impact: r.Impact, ImpactText: r.ImpactText,
				Mitigation: r.Mitigation, Owner: or(r.Owner, r.OwnerName), Status: r.Status, Escalated: r.Escalated})
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATUS\tLIKELIHOOD\tIMPACT\tOWNER\tDESCRIPTION\tMITIGATION")
	for _, r := range risks {
		esc := ""
		if r.Escalated {
			esc = " (escalated)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref(), r.Status, esc, or(r.Likelihood, "?"), or(r.Impact, "?"),
			or(or(r.Owner, r.OwnerName), "-"), r.Description, or(r.Mitigation, "-"))
	}
	return tw.Flush()
}
