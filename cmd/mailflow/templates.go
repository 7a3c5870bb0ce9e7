package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mailflow/templates"
)

func init() {
	register(command{name: "templates", usage: "check [DIR] | list [--json]",
		help: "check overridden templates (parse and render against sample data), or list the file names",
		args: []string{
			"check [DIR]  parse and render the templates in DIR (with the embedded ones for files not there); without DIR, the embedded ones",
			"list         the template file names, which a file of the same name in templates.dir replaces",
		}, run: cmdTemplates})
}

func cmdTemplates(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("templates", errOut)
	asJSON := fs.Bool("json", false, "list: print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"say check [DIR] or list"}
	}
	switch pos[0] {
	case "list":
		if *asJSON {
			return writeJSON(out, templates.Files())
		}
		fmt.Fprintln(out, strings.Join(templates.Files(), "\n"))
		return nil
	case "check":
		dir := ""
		if len(pos) > 1 {
			dir = pos[1]
		}
		if err := templates.Check(dir); err != nil {
			return err
		}
		what := "the embedded templates"
		if dir != "" {
			what = "templates in " + dir + " (with the embedded ones for files not there)"
		}
		fmt.Fprintf(out, "OK: %s parse and render every kind of mail\n", what)
		return nil
	}
	return usageError{fmt.Sprintf("unknown subcommand %q", pos[0])}
}
