package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/sdnotify"
	"mailflow/store"
	"mailflow/templates"
)

func init() {
	register(command{name: "run", usage: "--config FILE [--once] [--log-format text|json]",
		help: "run the daemon (or one cycle with --once)", run: cmdRun})
	register(command{name: "demo", usage: "[--out DIR]",
		help: "run the whole loop on in-process mail servers and sample minutes", run: cmdDemo})
}

func cmdRun(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("run", errOut)
	cfgPath := fs.String("config", "", "configuration file (TOML)")
	once := fs.Bool("once", false, "run one cycle (fetch, process, send) and exit")
	logFormat := fs.String("log-format", "", "log format: text or json (default from config, else text)")
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
	format := cfg.Log.Format
	if *logFormat != "" {
		format = *logFormat
	}
	log := newLogger(errOut, format, cfg.Log.Level)
	log.Debug("garbage collector target", "gogc", daemon.TuneGC())
	// An SQLite file has one daemon: the lock beside it keeps a second
	// one off. A PostgreSQL database is shared by design: hosts run side
	// by side, kept apart by the database itself.
	if !cfg.Database.Postgres() {
		if created, err := daemon.EnsureDatabaseDir(cfg.Database.Path); err != nil {
			return err
		} else if created {
			log.Info("created the database directory", "dir", filepath.Dir(cfg.Database.Path))
		}
		unlock, err := daemon.Lock(cfg.Database.Path)
		if err != nil {
			return err
		}
		defer unlock()
	}
	mode := store.ModeDaemon
	if *once {
		mode = store.ModeOnce
	}
	d, err := daemon.New(ctx, cfg, daemon.Options{Logger: log, Mode: mode})
	if err != nil {
		return err
	}
	if *once {
		defer d.Close()
		if err := d.Once(ctx); err != nil {
			return withFix(err, fmt.Sprintf("mailflow doctor --config %s checks each server and says what to change; mailflow status --config %s shows what this run recorded", *cfgPath, *cfgPath))
		}
		return nil
	}
	notifier := sdnotify.FromEnv()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		d.Notifier = notifier
		log.Info("mailflow running", "projects", len(cfg.Projects), "mailboxes", len(d.Pollers))
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- d.Run(runCtx, cfg.Daemon.ShutdownTimeout.Duration, nil) }()
		next, err := waitForReload(ctx, hup, done, *cfgPath, cfg, log)
		if next == nil {
			stop()
			err2 := <-done
			d.Close()
			if err == nil {
				err = err2
			}
			return err
		}
		// A valid new configuration: stop the old daemon gracefully, start
		// the new one. The database lock is held throughout (same file:
		// the lock is the process's; another file: refused below).
		notifier.Notify("RELOADING=1")
		stop()
		if err := <-done; err != nil {
			log.Warn("stopping for reload", "err", err)
		}
		d.Close()
		if next.Database.Name() != cfg.Database.Name() {
			log.Error("SIGHUP: database.path or database.url changed; restart mailflow to move to another database. Keeping the old one.")
			next.Database = cfg.Database
		}
		cfg = next
		if d, err = daemon.New(ctx, cfg, daemon.Options{Logger: log}); err != nil {
			return fmt.Errorf("after reload: %w", err)
		}
		notifier.Notify("READY=1")
		log.Info("configuration and templates reloaded")
	}
}

// waitForReload waits until ctx ends or the daemon stops (returns nil), or
// a SIGHUP brings a configuration that loads and whose templates parse
// (returns it). A SIGHUP with a broken configuration is logged, saying
// why, and the daemon keeps running on the old one.
func waitForReload(ctx context.Context, hup <-chan os.Signal, done chan error, path string, cur *config.Config, log *slog.Logger) (*config.Config, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case err := <-done:
			done <- err // for the caller's receive
			return nil, err
		case <-hup:
			next, err := config.Load(path)
			if err != nil {
				log.Error("SIGHUP: configuration not reloaded; still running on the old one", "err", err)
				continue
			}
			if _, err := templates.Load(next.Templates.Dir); err != nil {
				log.Error("SIGHUP: templates not reloaded; still running on the old configuration", "err", err)
				continue
			}
			return next, nil
		}
	}
}

func cmdDemo(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("demo", errOut)
	dir := fs.String("out", "mailflow-demo", "directory for the sent mail (.eml) and the database")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := demo.Run(ctx, *dir, out); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
