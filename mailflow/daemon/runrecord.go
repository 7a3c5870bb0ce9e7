package daemon

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"mailflow/store"
)

// Steps of a cycle, as "mailflow status" names what a failed run was doing.
const (
	stepRequeue  = "queueing again mail a crash interrupted"
	stepPeriodic = "queueing reminders and reports"
	stepSend     = "sending mail"
	stepPrune    = "dropping the bodies of old sent mail"
)

// stepError is a failure and the step of the cycle it happened in.
type stepError struct {
	step string
	err  error
}

// HostName names this machine in its run record, which each host sharing
// a database keeps for "mailflow status", and in the leases it holds: its
// hostname, or "unknown host" when the system gives none.
func HostName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "unknown host"
}

// runOutcome is this host's record of a run that started at started and
// ended now with failed (none: it went well).
func runOutcome(mode string, started time.Time, failed []stepError) store.Run {
	now := time.Now()
	r := store.Run{Host: HostName(), Mode: mode, PID: os.Getpid(), StartedAt: started, UpdatedAt: now, State: store.RunOK}
	if len(failed) == 0 {
		r.LastOK = now
		return r
	}
	steps := make([]string, len(failed))
	errs := make([]string, len(failed))
	for i, f := range failed {
		steps[i], errs[i] = f.step, f.err.Error()
	}
	r.State, r.Step, r.Error = store.RunFailed, strings.Join(steps, "; "), strings.Join(errs, "\n")
	return r
}

// runningOutcome is the running daemon's record: running, with whatever
// is failing at the moment (a mailbox it cannot read, mail it cannot
// send, periodic jobs that fail) as its error.
func (d *Daemon) runningOutcome() store.Run {
	var failed []stepError
	for _, p := range d.Pollers {
		if st := p.Status(); st.LastError != "" {
			failed = append(failed, stepError{"reading mailbox " + p.Mailbox, errorString(st.LastError)})
		}
	}
	d.troubleMu.Lock()
	for _, step := range []string{stepPeriodic, stepSend, stepPrune} {
		if err := d.trouble[step]; err != nil {
			failed = append(failed, stepError{step, err})
		}
	}
	d.troubleMu.Unlock()
	r := runOutcome(store.ModeDaemon, d.started, failed)
	r.State = store.RunRunning
	return r
}

// setTrouble notes the outcome of a step of the running daemon.
func (d *Daemon) setTrouble(step string, err error) {
	d.troubleMu.Lock()
	defer d.troubleMu.Unlock()
	if d.trouble == nil {
		d.trouble = map[string]error{}
	}
	d.trouble[step] = err
}

type errorString string

func (e errorString) Error() string { return string(e) }

// runRecorder is the part of the store that keeps run records.
type runRecorder interface {
	SaveRun(ctx context.Context, r store.Run) error
}

// recordRun saves r; a failure to save is logged, as the run itself is
// what matters. It is saved also when ctx has ended: how the run ended is
// what a shutdown must leave behind.
func recordRun(ctx context.Context, st runRecorder, log *slog.Logger, r store.Run) {
	ctx = context.WithoutCancel(ctx)
	if err := st.SaveRun(ctx, r); err != nil {
		log.Warn("record the run for mailflow status", "err", err)
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
