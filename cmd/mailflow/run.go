package main

import (
	"context"
	"fmt"
	"io"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
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
	d, err := daemon.New(ctx, cfg, daemon.Options{Logger: log})
	if err != nil {
		return err
	}
	defer d.Close()
	if *once {
		return d.Once(ctx)
	}
	log.Info("mailflow running", "projects", len(cfg.Projects), "mailboxes", len(d.Pollers))
	return d.Run(ctx, cfg.Daemon.ShutdownTimeout.Duration, nil)
}

func cmdDemo(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("demo", errOut)
	dir := fs.String("out", "mailflow-demo", "directory for the sent mail (.eml) and the database")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	sum, err := demo.Run(ctx, *dir, out)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_ = sum
	return nil
}
