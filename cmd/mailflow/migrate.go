package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"mailflow/mailflow/config"
	"mailflow/store"
)

func init() {
	register(command{name: "migrate-store", usage: "--from PATH (--to postgres://… | --config FILE)",
		help: "copy a project office's whole history from its SQLite file into an empty PostgreSQL database, and verify the copy",
		run:  cmdMigrateStore})
}

// cmdMigrateStore copies an SQLite store into an empty PostgreSQL one:
// every table, ids kept, in one transaction, from one consistent reading
// of the source (the daemon may keep running on it until the switch).
// The copy is verified by exporting items, risks and the audit trail from
// both and comparing them.
func cmdMigrateStore(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("migrate-store", errOut)
	from := fs.String("from", "", "the SQLite database file (sqlite:PATH or PATH)")
	to := fs.String("to", "", "the PostgreSQL database, postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass)")
	cfgPath := fs.String("config", "", "or: the configuration whose [database] url is the target")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	src := strings.TrimPrefix(*from, "sqlite:")
	if src == "" || store.IsPostgres(src) {
		return usageError{"--from must name the SQLite file to copy"}
	}
	target := *to
	if (target == "") == (*cfgPath == "") {
		return usageError{"give either --to URL or --config FILE (whose database.url is the target)"}
	}
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		target = cfg.Database.Target()
	}
	if !store.IsPostgres(target) {
		return usageError{"the target must be a postgres:// URL"}
	}
	fromSt, err := openExisting(ctx, src, "")
	if err != nil {
		return err
	}
	defer fromSt.Close()
	toSt, err := store.Open(ctx, target)
	if err != nil {
		return err
	}
	defer toSt.Close()
	counts, err := store.Copy(ctx, fromSt, toSt)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(out, "%-16s %d rows\n", t, counts[t])
	}
	for _, what := range []string{"items", "risks", "audit"} {
		a, err := exportOf(ctx, src, what)
		if err != nil {
			return err
		}
		b, err := exportOf(ctx, target, what)
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			return fmt.Errorf("the copy's %s export differs from the source's: nothing was removed from the source; drop the target database and copy again", what)
		}
	}
	fmt.Fprintf(out, "verified: items, risks and the audit trail export identically from %s and %s\n", src, store.Redact(target))
	return nil
}

// exportOf is "mailflow export --db target --what what --format json".
func exportOf(ctx context.Context, target, what string) ([]byte, error) {
	var b, e bytes.Buffer
	if err := cmdExport(ctx, []string{"--db", target, "--what", what, "--format", "json"}, &b, &e); err != nil {
		return nil, fmt.Errorf("export %s from %s: %w %s", what, store.Redact(target), err, e.String())
	}
	return b.Bytes(), nil
}
