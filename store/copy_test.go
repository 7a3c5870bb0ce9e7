package store

import (
	"slices"
	"testing"
)

// Copy fills every table of the schema, in an order its foreign keys
// allow: a table added by a migration must be added to copyOrder.
func TestCopyTablesCoverTheSchema(t *testing.T) {
	s := openOn(t, onPostgres)
	var tables []string
	if err := s.db.SelectContext(t.Context(), &tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if !slices.Contains(copyOrder, table) {
			t.Errorf("table %s is not in copyOrder: Copy would leave it behind", table)
		}
	}
	if len(tables) != len(copyOrder) {
		t.Errorf("the schema has %d tables, copyOrder %d", len(tables), len(copyOrder))
	}
	// Each table comes after the tables it refers to.
	var refs []struct {
		From string `db:"from_table"`
		To   string `db:"to_table"`
	}
	if err := s.db.SelectContext(t.Context(), &refs, `SELECT tc.table_name AS from_table, ccu.table_name AS to_table
		FROM information_schema.table_constraints tc
		JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`); err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.From != r.To && slices.Index(copyOrder, r.From) < slices.Index(copyOrder, r.To) {
			t.Errorf("copyOrder has %s before %s, which it refers to", r.From, r.To)
		}
	}
}
