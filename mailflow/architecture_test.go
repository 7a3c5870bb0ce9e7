package mailflow_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// layers is ARCHITECTURE.md's map of the house: a package may import only
// packages of a lower layer, so data flows one way — mailbox → read →
// decide → store and outbox → send — and a newcomer finds each job in one
// room. A new package gets a line here (the test fails until it has one).
var layers = map[string]int{
	// 0: the domain, the store, and leaves that know nothing of mailflow.
	"mailflow": 0, "store": 0, "mailflow/authres": 0, "mailflow/chart": 0, "mailflow/docx": 0,
	"mailflow/register": 0, "mailflow/replyaddr": 0, "mailflow/schedule": 0, "mailflow/sdnotify": 0, "mailflow/lease": 0,
	"mailflow/docx/docxtest": 0, "mailflow/internal/dovecottest": 0, "mailflow/internal/faultnet": 0, "mailflow/inproc": 0,
	"mailflow/internal/corpora": 0, "internal/pgtest": 0, "mailflow/internal/historytest": 0,
	// 1: formats and settings; what passes between mailbox and engine.
	"mailflow/delivery": 1, "mailflow/compose": 1, "mailflow/calendar": 1, "mailflow/dates": 1, "mailflow/config": 1, "mailflow/mailtext": 1,
	// 2: reading mail (pure: text in, values out), the templates, sign-in.
	"templates": 2, "mailflow/minutes": 2, "mailflow/reply": 2, "mailflow/screen": 2,
	"mailflow/oauth": 2, "mailflow/oauth/oauthtest": 2,
	// 3: how things read; sending.
	"mailflow/views": 3, "mailflow/sender": 3,
	// 4: the leadership report.
	"mailflow/report": 4,
	// 4: reading the mailbox (it hands batches to a Handler, the engine,
	// without importing it).
	"mailflow/intake": 4,
	// 5: deciding: messages → state and outbox.
	"mailflow/engine": 5,
	// 6: running it all; 7: the demo and the crash test.
	"mailflow/daemon": 6,
	"mailflow/demo":   7, "mailflow/crashtest": 7,
	// 8: the command line.
	"cmd/mailflow": 8,
}

// pure packages read text into values: no database, no configuration, no
// network, no clock of their own.
var pure = []string{"mailflow/mailtext", "mailflow/minutes", "mailflow/reply", "mailflow/dates", "mailflow/docx",
	"mailflow/authres", "mailflow/screen"}

// testOnly packages help tests; the demo may use the in-process servers.
var testOnly = map[string]bool{"mailflow/internal/dovecottest": true, "mailflow/internal/faultnet": true, "mailflow/docx/docxtest": true,
	"mailflow/oauth/oauthtest": true, "mailflow/internal/corpora": true, "internal/pgtest": true}

func TestImportRule(t *testing.T) {
	root := ".." // the test runs in <repo>/mailflow
	imports := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg, _ := filepath.Rel(root, filepath.Dir(path))
		pkg = filepath.ToSlash(pkg)
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(p, "mailflow/"); ok {
				imports[pkg] = append(imports[pkg], rest)
			} else if _, ok := imports[pkg]; !ok {
				imports[pkg] = nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		layer, ok := layers[p]
		if !ok {
			t.Errorf("package %s is not on the map: give it a layer in layers and ARCHITECTURE.md", p)
			continue
		}
		for _, im := range imports[p] {
			l, ok := layers[im]
			switch {
			case !ok:
				t.Errorf("%s imports %s, which is not on the map", p, im)
			case l >= layer:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go down the layers only", p, layer, im, l)
			case testOnly[im] && p != "mailflow/demo":
				t.Errorf("%s imports the test helper %s", p, im)
			}
		}
	}
	for _, p := range pure {
		for _, im := range imports[p] {
			if im == "store" || im == "mailflow/config" || im == "mailflow/oauth" {
				t.Errorf("%s reads text into values and must not import %s", p, im)
			}
		}
	}
}

// storeHolders may name the concrete *store.Store: they open the database
// and hand it to the parts they build. Every other package that uses the
// store declares the interface of what it calls (engine.Store,
// report.Store, sender.Store, intake.Ledger), so that what a package asks
// of the store is written where it asks, and a test can stand in for it.
var storeHolders = map[string]bool{
	"store": true, "mailflow/daemon": true, "mailflow/demo": true, "mailflow/crashtest": true, "cmd/mailflow": true,
}

func TestOnlyHoldersNameTheStore(t *testing.T) {
	root := ".." // the test runs in <repo>/mailflow
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg, _ := filepath.Rel(root, filepath.Dir(path))
		if storeHolders[filepath.ToSlash(pkg)] {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, at := range storeTypeUses(f) {
			t.Errorf("%s: names store.Store; declare an interface of the methods %s uses instead", fset.Position(at), pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storeTypeUses returns where file f names the type Store of package
// mailflow/store (under whatever name f imports it).
func storeTypeUses(f *ast.File) []token.Pos {
	name := ""
	for _, im := range f.Imports {
		if strings.Trim(im.Path.Value, `"`) == "mailflow/store" {
			name = "store"
			if im.Name != nil {
				name = im.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	var at []token.Pos
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Store" {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == name {
				at = append(at, sel.Pos())
			}
		}
		return true
	})
	return at
}

// TestStoreTypeUsesFindsTheType: the check above finds store.Store under
// an import's own name and under another, and nothing in a comment or a
// file that does not import the store.
func TestStoreTypeUsesFindsTheType(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{"package p\nimport \"mailflow/store\"\nvar s *store.Store\nfunc f(st store.Store) {}", 2},
		{"package p\nimport db \"mailflow/store\"\nvar s *db.Store", 1},
		{"package p\nimport \"mailflow/store\"\n// a *store.Store, in a comment\nvar t store.Tx", 0},
		{"package p\nimport \"other/store\"\nvar s *store.Store", 0},
	} {
		f, err := parser.ParseFile(token.NewFileSet(), "p.go", tc.src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if got := storeTypeUses(f); len(got) != tc.want {
			t.Errorf("storeTypeUses(%q) found %d, want %d", tc.src, len(got), tc.want)
		}
	}
}
