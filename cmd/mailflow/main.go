// Command mailflow runs a project team's paperwork by email: it reads
// minutes from a project mailbox, keeps action items and risks, mails the
// minutes, reminders and leadership reports, and acts on replies.
//
// Usage: mailflow <command> [flags]; "mailflow help" lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // IANA zones even on hosts without /usr/share/zoneinfo

	"mailflow/mailflow/daemon" // IANA zones even on hosts without /usr/share/zoneinfo
)

// command is one subcommand.
type command struct {
	name  string
	usage string // its arguments and flags, after "mailflow NAME"
	help  string // one line for "mailflow help"
	// args explains each positional argument, "NAME  what it is", for -h.
	args []string
	run  func(ctx context.Context, args []string, out, errOut io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError makes main print the command's usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs the command and returns the exit code, so deferred cleanup
// in commands always runs (only main calls os.Exit).
func realMain(args []string, out, errOut io.Writer) int {
	if len(args) == 2 && args[0] == "help" {
		if _, ok := commands[args[1]]; ok {
			args = []string{args[1], "-h"} // "mailflow help init" is "mailflow init -h"
		}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(out)
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "mailflow: unknown command %q\n\n", args[0])
		printHelp(errOut)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := c.run(ctx, args[1:], out, errOut)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(errOut, "mailflow %s: %s\nusage: mailflow %s %s\n", c.name, ue.msg, c.name, c.usage)
		return 2
	default:
		fmt.Fprintf(errOut, "mailflow %s: %v\n", c.name, err)
		return 1
	}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "mailflow — a project office run by email")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: mailflow <command> [arguments and flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].help)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run \"mailflow <command> -h\" for a command's arguments and flags; \"mailflow --version\" for the version.")
	fmt.Fprintln(w, "A first install: mailflow init /etc/mailflow (README, \"Running it for real\").")
}

// printUsage writes a command's usage line, what it does, its positional
// arguments and its flags.
func printUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: mailflow %s %s\n\n%s\n", c.name, c.usage, c.help)
	if len(c.args) > 0 {
		fmt.Fprintln(w, "\narguments:")
		for _, a := range c.args {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// newFlags returns a flag set that reports errors to errOut and whose -h
// prints the command's usage line, arguments and flags.
func newFlags(name string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("mailflow "+name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() { printUsage(errOut, commands[name], fs) }
	return fs
}

// withFix adds to err the command or edit that fixes it.
func withFix(err error, fix string) error { return &daemon.FixError{Err: err, Fix: fix} }

// parseFlags parses args, allowing flags after positional arguments
// ("mailflow parse msg.eml --json").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newLogger returns the slog logger for format ("text" or "json") and level.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
