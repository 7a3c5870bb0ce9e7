package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register(command{name: "version", usage: "[--json]",
		help: "print mailflow's version, the source revision it was built from and the Go version (also: mailflow --version)", run: cmdVersion})
}

// buildVersion is what the binary knows of its own build.
type buildVersion struct {
	Module   string `json:"module_version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"revision_time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// readVersion reads the module version and the VCS stamp the go command
// puts in every binary it builds from a checkout.
func readVersion() buildVersion {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion{Module: "unknown"}
	}
	v := buildVersion{Module: bi.Main.Version, Go: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is one line: "mailflow (devel) rev 5f1a3ce1e2d3 2026-12-01T10:00:00Z (modified), go1.26.8".
func (v buildVersion) String() string {
	s := "mailflow " + v.Module
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " rev " + rev
		if v.Time != "" {
			s += " " + v.Time
		}
		if v.Modified {
			s += " (modified)"
		}
	} else {
		s += " (no revision: not built from a git checkout)"
	}
	return s + ", " + v.Go
}

func cmdVersion(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("version", errOut)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	v := readVersion()
	if *asJSON {
		return writeJSON(out, v)
	}
	_, err := fmt.Fprintln(out, v)
	return err
}

// writeJSON prints v as indented JSON, as every --json does.
func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
