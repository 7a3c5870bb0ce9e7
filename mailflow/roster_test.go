package mailflow

import (
	"slices"
	"testing"
)

func TestDirectoryResolve(t *testing.T) {
	d := NewDirectory(
		Person{Name: "Alice Moreau", Email: "alice@clinic.example"},
		Person{Name: "Alice Martin", Email: "amartin@clinic.example"},
		Person{Name: "Bob Okafor", Email: "Bob.Okafor@Clinic.example"},
		Person{Name: "Emmanuel Lécharny", Email: "elecharny@apache.example"},
		Person{Name: "Eric Huss", Email: "ehuss@lab.example"},
		Person{Name: "Eric Holk", Email: "eholk@lab.example"},
		Person{Name: "Dr. Carol Nguyen", Email: "cn@clinic.example"},
		Person{Name: "Zoe"}, // an attendee nobody could place
	)
	for _, c := range []struct {
		name string
		want []string // emails, or names for people without one
	}{
		{"alice@clinic.example", []string{"alice@clinic.example"}},
		{"<ALICE@clinic.example>", []string{"alice@clinic.example"}},
		{"Alice Moreau", []string{"alice@clinic.example"}},
		{"alice moreau", []string{"alice@clinic.example"}},
		{"Alice", []string{"alice@clinic.example", "amartin@clinic.example"}}, // two Alices
		{"@alice", []string{"alice@clinic.example"}},                          // a handle is the local part
		{"alice@", []string{"alice@clinic.example"}},
		{"Moreau", []string{"alice@clinic.example"}},
		{"amartin", []string{"amartin@clinic.example"}},
		{"Bob", []string{"bob.okafor@clinic.example"}},
		{"bobokafor", []string{"bob.okafor@clinic.example"}},
		{"bokafor", []string{"bob.okafor@clinic.example"}},
		{"Okafor, Bob", []string{"bob.okafor@clinic.example"}},
		{"Emmanuel Lecharny", []string{"elecharny@apache.example"}},
		{"Lecharny", []string{"elecharny@apache.example"}},
		{"Eric", []string{"ehuss@lab.example", "eholk@lab.example"}},
		{"ehuss", []string{"ehuss@lab.example"}},
		{"Carol Nguyen", []string{"cn@clinic.example"}},
		{"Carol", []string{"cn@clinic.example"}},
		{"Zoe", []string{"Zoe"}},
		{"Zed", nil},
		{"", nil},
	} {
		var got []string
		for _, p := range d.Resolve(c.name) {
			if p.Email != "" {
				got = append(got, p.Email)
			} else {
				got = append(got, p.Name)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Resolve(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestDirectoryNameOnlyLast: an attendee written "Eric" does not make
// "Eric" unambiguous when two members are called Eric.
func TestDirectoryNameOnlyLast(t *testing.T) {
	d := NewDirectory(Person{Name: "Eric"}, Person{Name: "Eric Huss", Email: "ehuss@lab.example"}, Person{Name: "Eric Holk", Email: "eholk@lab.example"})
	if got := d.Resolve("Eric"); len(got) != 2 {
		t.Errorf("Resolve(Eric) = %v, want the two members", got)
	}
	if got := d.Resolve("Huss"); len(got) != 1 || got[0].Email != "ehuss@lab.example" {
		t.Errorf("Resolve(Huss) = %v", got)
	}
}

func TestDirectoryAdd(t *testing.T) {
	d := NewDirectory()
	d.Add(Person{Name: "Alice Moreau"})                                // from the attendee list
	d.Add(Person{Name: "alice moreau", Email: "Alice@Clinic.example"}) // from Cc: fills in the address
	d.Add(Person{Email: "alice@clinic.example"})                       // known already
	d.Add(Person{Name: "bob@clinic.example"})                          // an address written as a name
	d.Add(Person{Name: "Bob", Email: "bob@clinic.example"})            // fills in the name
	d.Add(Person{})
	want := []Person{{Name: "Alice Moreau", Email: "alice@clinic.example"}, {Name: "Bob", Email: "bob@clinic.example"}}
	if got := d.People(); !slices.Equal(got, want) {
		t.Errorf("People() = %v, want %v", got, want)
	}
	if p, ok := d.Lookup(" BOB@clinic.example "); !ok || p.Name != "Bob" {
		t.Errorf("Lookup(bob) = %v, %v", p, ok)
	}
	if _, ok := d.Lookup(""); ok {
		t.Error("Lookup(\"\") found someone")
	}
}
