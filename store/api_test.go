package store

import (
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestExportedTypesHideSQLNull holds the store's API to the convention of
// the package doc: no exported type, field, function or method shows a
// database/sql Null type. It reads the package as the compiler exported
// it (go list -export), so what it checks is what other packages see,
// promoted fields of embedded structs included.
func TestExportedTypesHideSQLNull(t *testing.T) {
	pkg := compiledStore(t)
	var found []string
	c := nullChecker{pkg: pkg, seen: map[types.Type]bool{}, found: &found}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch o := obj.(type) {
		case *types.TypeName:
			c.check(name, o.Type())
			c.methods(name, o.Type())
		case *types.Func, *types.Var, *types.Const:
			c.check(name, o.Type())
		}
	}
	if len(found) > 0 {
		sort.Strings(found)
		t.Errorf("package store shows database/sql Null types; use the package doc's convention (0 or the zero time for NULL):\n\t%s",
			strings.Join(found, "\n\t"))
	}
}

// TestNullCheckerFindsNullTypes: the checker above finds a Null type
// where it may hide (a field, a pointer, a slice, a result, a promoted
// field), so its passing means something.
func TestNullCheckerFindsNullTypes(t *testing.T) {
	sqlPkg := types.NewPackage("database/sql", "sql")
	nullTime := types.NewNamed(types.NewTypeName(token.NoPos, sqlPkg, "NullTime", nil), types.NewStruct(nil, nil), nil)
	own := types.NewPackage("mailflow/store", "store")
	field := func(name string, typ types.Type, embedded bool) *types.Var {
		return types.NewField(token.NoPos, own, name, typ, embedded)
	}
	hidden := types.NewNamed(types.NewTypeName(token.NoPos, own, "hidden", nil),
		types.NewStruct([]*types.Var{field("At", nullTime, false)}, nil), nil)
	for _, tc := range []struct {
		name string
		typ  types.Type
	}{
		{"field", types.NewStruct([]*types.Var{field("At", nullTime, false)}, nil)},
		{"pointer", types.NewPointer(nullTime)},
		{"slice of structs", types.NewSlice(types.NewStruct([]*types.Var{field("At", nullTime, false)}, nil))},
		{"result", types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, own, "", nullTime)), false)},
		{"promoted", types.NewStruct([]*types.Var{field("hidden", hidden, true)}, nil)},
	} {
		var found []string
		c := nullChecker{pkg: own, seen: map[types.Type]bool{}, found: &found}
		c.check(tc.name, tc.typ)
		if len(found) != 1 {
			t.Errorf("check(%s) found %q, want the one Null type", tc.name, found)
		}
	}
	var found []string
	c := nullChecker{pkg: own, seen: map[types.Type]bool{}, found: &found}
	c.check("unexported field", types.NewStruct([]*types.Var{field("at", nullTime, false)}, nil))
	if len(found) != 0 {
		t.Errorf("check(unexported field) found %q, want nothing: unexported fields are the store's own", found)
	}
}

// nullChecker collects where an exported part of pkg shows a database/sql
// Null type.
type nullChecker struct {
	pkg   *types.Package
	seen  map[types.Type]bool
	found *[]string
}

// isSQLNull reports whether t is one of database/sql's Null types
// (NullInt64, NullTime, …, Null[T]).
func isSQLNull(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	return n.Obj().Pkg().Path() == "database/sql" && strings.HasPrefix(n.Obj().Name(), "Null")
}

// check records where t, reached by path, is or shows a Null type. Named
// types of other packages are theirs (a *sqlx.DB is not the store's API);
// the store's own are followed, once each.
func (c nullChecker) check(path string, t types.Type) {
	if isSQLNull(t) {
		*c.found = append(*c.found, fmt.Sprintf("%s: %s", path, t))
		return
	}
	switch t := t.(type) {
	case *types.Named:
		if t.Obj().Pkg() != c.pkg || c.seen[t] {
			return
		}
		c.seen[t] = true
		c.check(path, t.Underlying())
	case *types.Alias:
		c.check(path, types.Unalias(t))
	case *types.Pointer:
		c.check(path, t.Elem())
	case *types.Slice:
		c.check(path, t.Elem())
	case *types.Array:
		c.check(path, t.Elem())
	case *types.Map:
		c.check(path+" key", t.Key())
		c.check(path, t.Elem())
	case *types.Chan:
		c.check(path, t.Elem())
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			// An embedded field's exported fields are promoted, whatever
			// its own name.
			if f.Exported() || f.Embedded() {
				c.check(path+"."+f.Name(), f.Type())
			}
		}
	case *types.Signature:
		for i := range t.Params().Len() {
			c.check(fmt.Sprintf("%s param %d", path, i+1), t.Params().At(i).Type())
		}
		for i := range t.Results().Len() {
			c.check(fmt.Sprintf("%s result %d", path, i+1), t.Results().At(i).Type())
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			if m := t.Method(i); m.Exported() {
				c.check(path+"."+m.Name(), m.Type())
			}
		}
	}
}

// methods checks the exported methods of the type named name, on its
// value and its pointer.
func (c nullChecker) methods(name string, t types.Type) {
	for _, recv := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(recv)
		for i := range ms.Len() {
			if m := ms.At(i).Obj(); m.Exported() && m.Pkg() == c.pkg {
				c.check(name+"."+m.Name(), m.Type())
			}
		}
	}
}

// compiledStore returns package store as the compiler exports it.
func compiledStore(t *testing.T) *types.Package {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "mailflow/store").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for line := range strings.Lines(string(out)) {
		path, file, _ := strings.Cut(strings.TrimSpace(line), "\t")
		exports[path] = file
	}
	lookup := func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	pkg, err := importer.ForCompiler(token.NewFileSet(), "gc", lookup).Import("mailflow/store")
	if err != nil {
		t.Fatalf("import the compiled store: %v", err)
	}
	return pkg
}

// TestNullableColumnsRoundTrip: on each database, a zero id or time is
// stored as NULL and read back as the zero, and a set one comes back as
// it was written.
func TestNullableColumnsRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, at := ehrProject(t, s)
		var open, closed Item
		err := s.Tx(ctx, func(tx *Tx) error {
			msg, err := tx.InsertMessage(Message{ProjectID: pid, MessageID: "m@x", ContentHash: "h", Kind: "minutes", Outcome: "processed",
				ReceivedAt: at, ProcessedAt: at})
			if err != nil {
				return err
			}
			meeting, err := tx.InsertMeeting(Meeting{ProjectID: pid, Title: "Weekly", MeetingDate: "2026-12-01", MessageID: msg, CreatedAt: at})
			if err != nil {
				return err
			}
			if open, err = tx.InsertItem(Item{ProjectID: pid, Text: "by command", Owner: "a@x", Status: "open", CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
			closed, err = tx.InsertItem(Item{ProjectID: pid, Text: "from minutes", Owner: "a@x", Status: "done", MeetingID: meeting,
				CreatedByMessage: msg, ClosedByMessage: msg, CreatedAt: at, UpdatedAt: at, ClosedAt: at.Add(time.Hour)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var nulls int
		if err := s.get(ctx, &nulls, `SELECT COUNT(*) FROM action_items
			WHERE meeting_id IS NULL AND created_by_message IS NULL AND closed_by_message IS NULL AND closed_at IS NULL`); err != nil || nulls != 1 {
			t.Errorf("%d items (%v) hold NULL in every nullable column, want the 1 made with zeros", nulls, err)
		}
		items, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil || len(items) != 2 {
			t.Fatalf("Items = %d items, %v; want 2", len(items), err)
		}
		for i, want := range []Item{open, closed} {
			got := items[i]
			if got.MeetingID != want.MeetingID || got.CreatedByMessage != want.CreatedByMessage || got.ClosedByMessage != want.ClosedByMessage ||
				!got.ClosedAt.Equal(want.ClosedAt) || got.ClosedAt.IsZero() != want.ClosedAt.IsZero() {
				t.Errorf("Items()[%d] = meeting %d, by %d, closed by %d at %v; want %d, %d, %d at %v", i,
					got.MeetingID, got.CreatedByMessage, got.ClosedByMessage, got.ClosedAt,
					want.MeetingID, want.CreatedByMessage, want.ClosedByMessage, want.ClosedAt)
			}
		}
		// Reopened: the ids and the time go back to NULL.
		reopened := closed
		reopened.Status, reopened.ClosedByMessage, reopened.ClosedAt = "open", 0, time.Time{}
		if err := s.Tx(ctx, func(tx *Tx) error { return tx.UpdateItem(closed, reopened) }); err != nil {
			t.Fatal(err)
		}
		if err := s.get(ctx, &nulls, `SELECT COUNT(*) FROM action_items WHERE closed_by_message IS NULL AND closed_at IS NULL`); err != nil || nulls != 2 {
			t.Errorf("%d items (%v) are open in the database, want 2", nulls, err)
		}
	})
}

// TestUpdateItemWritesOnlyWhatChanged: UpdateItem writes the fields that
// differ from the item as read: a column of the row it does not change is
// not written (here one another statement set after the read, which a
// caller must not do to a field it changes: see UpdateItem); an item
// changed in nothing is not written; and an item compared with another is
// refused.
func TestUpdateItemWritesOnlyWhatChanged(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, at := ehrProject(t, s)
		var a, b Item
		var err error
		err = s.Tx(ctx, func(tx *Tx) error {
			if a, err = tx.InsertItem(Item{ProjectID: pid, Text: "train the ward clerks", Owner: "a@x", Status: "open", CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
			b, err = tx.InsertItem(Item{ProjectID: pid, Text: "order badge readers", Owner: "b@x", Status: "open", CreatedAt: at, UpdatedAt: at})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		later := at.Add(time.Hour)
		err = s.Tx(ctx, func(tx *Tx) error {
			was, err := tx.ItemByRef(pid, a.Ref())
			if err != nil {
				return err
			}
			if err := tx.SetLastReminded(a.ID, "2026-12-01"); err != nil {
				return err
			}
			it := was
			it.Progress, it.Status, it.ClosedAt, it.UpdatedAt = 100, "done", later, later
			if err := tx.UpdateItem(was, it); err != nil {
				return err
			}
			unchanged, err := tx.ItemByRef(pid, b.Ref())
			if err != nil {
				return err
			}
			if _, err := tx.exec(`UPDATE action_items SET text = 'changed meanwhile' WHERE id = ?`, b.ID); err != nil {
				return err
			}
			if err := tx.UpdateItem(unchanged, unchanged); err != nil {
				return err
			}
			if err := tx.UpdateItem(unchanged, it); err == nil {
				t.Errorf("UpdateItem of %s compared with %s: no error", it.Ref(), unchanged.Ref())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil || len(got) != 2 {
			t.Fatalf("Items = %d, %v; want 2", len(got), err)
		}
		if g := got[0]; g.Progress != 100 || g.Status != "done" || !g.ClosedAt.Equal(later) || !g.UpdatedAt.Equal(later) || g.LastReminded != "2026-12-01" || g.Text != a.Text {
			t.Errorf("%s = progress %d, %s, closed %v, updated %v, reminded %q, %q; want the change, with the reminder's mark kept",
				g.Ref(), g.Progress, g.Status, g.ClosedAt, g.UpdatedAt, g.LastReminded, g.Text)
		}
		if g := got[1]; g.Text != "changed meanwhile" {
			t.Errorf("%s text = %q after an UpdateItem that changed nothing; want it left as it was", g.Ref(), g.Text)
		}
	})
}

// TestUpdateItemWritesEachField: each mutable field, changed alone, is
// written, and no other: the commands change one or two at a time
// ("due" clears the reminder's mark, "reassign" sets the owner's name),
// and a field left out of UpdateItem would be lost without a sound.
func TestUpdateItemWritesEachField(t *testing.T) {
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	cases := []struct {
		field  string
		change func(it *Item, meeting, msg int64)
	}{
		{"text", func(it *Item, _, _ int64) { it.Text = "train the night shift too" }},
		{"owner", func(it *Item, _, _ int64) { it.Owner = "carol@x" }},
		{"owner_name", func(it *Item, _, _ int64) { it.OwnerName = "Carol Nguyen" }},
		{"due", func(it *Item, _, _ int64) { it.Due = "2026-12-09" }},
		{"status", func(it *Item, _, _ int64) { it.Status = "done" }},
		{"progress", func(it *Item, _, _ int64) { it.Progress = 40 }},
		{"meeting_id", func(it *Item, meeting, _ int64) { it.MeetingID = meeting }},
		{"closed_by_message", func(it *Item, _, msg int64) { it.ClosedByMessage = msg }},
		{"updated_at", func(it *Item, _, _ int64) { it.UpdatedAt = at.Add(time.Hour) }},
		{"closed_at", func(it *Item, _, _ int64) { it.ClosedAt = at.Add(2 * time.Hour) }},
		{"last_reminded", func(it *Item, _, _ int64) { it.LastReminded = "" }},
	}
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, _ := ehrProject(t, s)
		var meeting, msg int64
		var err error
		items := map[string]Item{}
		err = s.Tx(ctx, func(tx *Tx) error {
			if msg, err = tx.InsertMessage(Message{ProjectID: pid, MessageID: "m@x", ContentHash: "h", Kind: "minutes", Outcome: "processed",
				ReceivedAt: at, ProcessedAt: at}); err != nil {
				return err
			}
			if meeting, err = tx.InsertMeeting(Meeting{ProjectID: pid, Title: "Weekly", MeetingDate: "2026-12-01", MessageID: msg, CreatedAt: at}); err != nil {
				return err
			}
			for _, c := range cases {
				it, err := tx.InsertItem(Item{ProjectID: pid, Text: "train the ward clerks", Owner: "a@x", OwnerName: "Alice", Due: "2026-12-04",
					Status: "open", CreatedAt: at, UpdatedAt: at})
				if err != nil {
					return err
				}
				if err := tx.SetLastReminded(it.ID, "2026-12-01"); err != nil {
					return err
				}
				items[c.field] = it
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			var want Item
			err := s.Tx(ctx, func(tx *Tx) error {
				was, err := tx.ItemByRef(pid, items[c.field].Ref())
				if err != nil {
					return err
				}
				want = was
				c.change(&want, meeting, msg)
				return tx.UpdateItem(was, want)
			})
			if err != nil {
				t.Fatalf("%s: %v", c.field, err)
			}
			var got Item
			if err := s.Tx(ctx, func(tx *Tx) error { got, err = tx.ItemByRef(pid, want.Ref()); return err }); err != nil {
				t.Fatal(err)
			}
			if !sameItem(got, want) {
				t.Errorf("%s changed alone: read back %+v\nwant %+v", c.field, got, want)
			}
		}
	})
}

// sameItem compares items as read back, their times by the instant.
func sameItem(a, b Item) bool {
	times := a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) && a.ClosedAt.Equal(b.ClosedAt)
	a.CreatedAt, a.UpdatedAt, a.ClosedAt = b.CreatedAt, b.UpdatedAt, b.ClosedAt
	return times && a == b
}

// ehrProject makes the project the item tests use, and the time they
// start at.
func ehrProject(t *testing.T, s *Store) (int64, time.Time) {
	t.Helper()
	pid, err := s.EnsureProject(t.Context(), "EHR", "ehr@x.example")
	if err != nil {
		t.Fatal(err)
	}
	return pid, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
}
