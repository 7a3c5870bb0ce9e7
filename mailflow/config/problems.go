package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Problem is one thing wrong with a configuration: which key, what is
// wrong with it, and, where one thing fixes it, what to type or change.
type Problem struct {
	// Key is the key as a reader finds it in the file: "imap.address",
	// `project "EHR Rollout".timezone`; "" for the file as a whole.
	Key string `json:"key,omitempty"`
	// What says what is wrong.
	What string `json:"what"`
	// Fix is a command to run or an edit to make; "" when What says it.
	Fix string `json:"fix,omitempty"`
}

// String is "key: what".
func (p Problem) String() string {
	if p.Key == "" {
		return p.What
	}
	return p.Key + ": " + p.What
}

// Problems is everything Finish found wrong; as an error, a "key: what"
// line each.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Error is everything wrong with one configuration file. Its message names
// the file once, then each problem with its fix.
type Error struct {
	Path     string
	Problems Problems
}

func (e *Error) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		p := e.Problems[0]
		fmt.Fprintf(&b, "config %s: %s", e.Path, p)
		if p.Fix != "" {
			fmt.Fprintf(&b, "\n  fix: %s", p.Fix)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "config %s has %d problems:", e.Path, len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
		if p.Fix != "" {
			fmt.Fprintf(&b, "\n    fix: %s", p.Fix)
		}
	}
	return b.String()
}

// problems collects Problems while Finish runs.
type problems []Problem

func (ps *problems) bad(key, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, What: fmt.Sprintf(format, args...)})
}

// badFix records a problem and the command or edit that fixes it.
func (ps *problems) badFix(key, fix, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, What: fmt.Sprintf(format, args...), Fix: fix})
}

// fileError turns a failure to read the config file into its problem.
func fileError(path string, err error) Problem {
	var pe toml.ParseError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Problem{What: "the file does not exist",
			Fix: fmt.Sprintf("mailflow init %s writes it, with its secret files and the database directory (or give --config the right file)", filepath.Dir(path))}
	case errors.Is(err, fs.ErrPermission):
		return Problem{What: "the file cannot be read (permission denied)",
			Fix: fmt.Sprintf("run as the user mailflow runs as, or let it read the file: chmod 644 %s (it holds no secrets)", path)}
	case errors.As(err, &pe):
		// The key last read, and the line: a value of the wrong kind
		// ("often" for a duration) and broken syntax alike.
		return Problem{Key: pe.LastKey, What: fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message)}
	}
	return Problem{What: strings.TrimPrefix(err.Error(), "toml: ")}
}

// unknownKeys explains each key of the file that mailflow does not know:
// the known key of that table it is most probably a misspelling of, or the
// table where a known key belongs. A key under an unknown table is left
// out: the table is reported.
func unknownKeys(und []toml.Key) Problems {
	unknown := map[string]bool{}
	for _, k := range und {
		unknown[k.String()] = true
	}
	var ps Problems
	for _, k := range und {
		if len(k) > 1 && unknown[k[:len(k)-1].String()] {
			continue
		}
		table, leaf := k[:len(k)-1], k[len(k)-1]
		known := knownKeys(table)
		p := Problem{Key: k.String(), What: "unknown key"}
		near, dist := nearest(leaf, known)
		home := tablesWith(leaf)
		switch {
		case near != "" && (dist <= 1 || len(home) == 0):
			p.What = fmt.Sprintf("unknown key: did you mean %s?", toml.Key(append(slices.Clone(table), near)))
		case len(home) > 0:
			// A known key under the wrong header: usually a line pasted
			// below the next table's header.
			p.What = fmt.Sprintf("unknown key here: %s belongs in %s", leaf, strings.Join(home, " or "))
		case len(known) > 0:
			p.What = fmt.Sprintf("unknown key (misspelt?); %s has %s", tableName(table), strings.Join(known, ", "))
		}
		ps = append(ps, p)
	}
	return ps
}

// knownKeys lists the keys the table at path may hold, from the toml tags
// of Config; nil for a table Config does not have.
func knownKeys(path toml.Key) []string {
	t := reflect.TypeFor[Config]()
	for _, name := range path {
		f, ok := fieldByTag(t, name)
		if !ok {
			return nil
		}
		t = tableType(f.Type)
		if t == nil {
			return nil
		}
	}
	var keys []string
	for _, f := range tomlFields(t) {
		if tag := tomlTag(f); tag != "" {
			keys = append(keys, tag)
		}
	}
	return keys
}

// tablesWith names the tables that have a key called leaf.
func tablesWith(leaf string) []string {
	var found []string
	var walk func(t reflect.Type, path toml.Key)
	walk = func(t reflect.Type, path toml.Key) {
		for _, f := range tomlFields(t) {
			tag := tomlTag(f)
			if tag == "" {
				continue
			}
			sub := append(slices.Clone(path), tag)
			if tt := tableType(f.Type); tt != nil {
				walk(tt, sub)
			} else if tag == leaf && len(path) > 0 {
				found = append(found, tableName(path))
			}
		}
	}
	walk(reflect.TypeFor[Config](), nil)
	sort.Strings(found)
	return found
}

// tableName writes a table path as its header: [imap], [[project]],
// [[project.member]].
func tableName(path toml.Key) string {
	if len(path) == 0 {
		return "the top level"
	}
	if path[0] == "project" {
		return "[[" + path.String() + "]]"
	}
	return "[" + path.String() + "]"
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for _, f := range tomlFields(t) {
		if tomlTag(f) == tag {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// tomlFields lists a table type's fields as TOML sees them: the fields of
// an embedded struct (Endpoint in [imap] and [smtp]) are the table's own.
func tomlFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("toml") == "" {
			out = append(out, tomlFields(f.Type)...)
			continue
		}
		out = append(out, f)
	}
	return out
}

func tomlTag(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if tag == "-" {
		return ""
	}
	return tag
}

// tableType is the struct a TOML table or array of tables decodes into, or
// nil for a plain value. Duration is a value written as a string.
func tableType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[Duration]() {
		return nil
	}
	return t
}

// nearest returns the known key closest to key by edit distance, and the
// distance, if it is close enough to be a slip of the keyboard: one edit
// in a short key, up to three in a long one; else "".
func nearest(key string, known []string) (string, int) {
	best, bestDist := "", min(3, 1+len(key)/4)+1
	for _, k := range known {
		if d := levenshtein(strings.ToLower(key), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best, bestDist
}

// levenshtein is the edit distance between a and b: insertions, deletions
// and substitutions of one rune each. Keys are a few dozen bytes, so the
// one-row dynamic programme is plenty; a library would add a dependency
// for fifteen lines.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	row := make([]int, len(rb)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		diag := row[0]
		row[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			diag, row[j] = row[j], min(row[j]+1, row[j-1]+1, diag+cost)
		}
	}
	return row[len(rb)]
}
