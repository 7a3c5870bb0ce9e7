package mailflow

import (
	"strings"
	"unicode"
)

// Directory resolves how people are named in minutes and replies ("Alice",
// "alice@", "@asmith", "Smith", "Alice Smith") to the people it knows: the
// project roster plus attendees and the mail's To/Cc.
type Directory struct {
	people []Person
}

// NewDirectory returns a directory of the given people; later entries with
// an email already present are merged into the earlier one.
func NewDirectory(people ...Person) *Directory {
	d := &Directory{}
	for _, p := range people {
		d.Add(p)
	}
	return d
}

// Add adds a person, or fills in the name of a person already known by email.
func (d *Directory) Add(p Person) {
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Name = strings.TrimSpace(p.Name)
	if p.Email == "" && p.Name == "" {
		return
	}
	for i, q := range d.people {
		if p.Email != "" && q.Email == p.Email {
			if q.Name == "" {
				d.people[i].Name = p.Name
			}
			return
		}
		if p.Email == "" && q.Email != "" && strings.EqualFold(q.Name, p.Name) {
			return
		}
		if p.Email != "" && q.Email == "" && strings.EqualFold(q.Name, p.Name) {
			d.people[i].Email = p.Email
			return
		}
	}
	d.people = append(d.people, p)
}

// People returns everyone in the directory.
func (d *Directory) People() []Person { return d.people }

// Lookup returns the person with this email, if known.
func (d *Directory) Lookup(email string) (Person, bool) {
	email = strings.ToLower(strings.TrimSpace(email))
	for _, p := range d.people {
		if p.Email == email && email != "" {
			return p, true
		}
	}
	return Person{}, false
}

// Resolve returns the people a name could mean. Exactly one result is a
// match; none is unknown; several is ambiguous. Matching is by email, email
// local part, @handle, full name, first name, last name and initials-free
// forms, case-insensitively; the first rule that matches anyone wins, so
// "Alice Smith" is not ambiguous just because there is another Alice.
func (d *Directory) Resolve(name string) []Person {
	n := normName(name)
	if n == "" {
		return nil
	}
	handle := strings.TrimPrefix(n, "@")
	rules := []func(p Person) bool{
		func(p Person) bool { return p.Email != "" && p.Email == handle },
		func(p Person) bool { return p.Name != "" && (normName(p.Name) == n || normName(p.Name) == handle) },
		func(p Person) bool { return p.Email != "" && localPart(p.Email) == handle },
		func(p Person) bool {
			return strings.HasSuffix(handle, "@") && p.Email != "" && localPart(p.Email) == strings.TrimSuffix(handle, "@")
		},
		func(p Person) bool { f := strings.Fields(normName(p.Name)); return len(f) > 0 && f[0] == handle },
		func(p Person) bool { f := strings.Fields(normName(p.Name)); return len(f) > 1 && f[len(f)-1] == handle },
		func(p Person) bool {
			// "asmith", "a.smith", "alice.s" styles of handle.
			f := strings.Fields(normName(p.Name))
			if len(f) < 2 {
				return false
			}
			first, last := f[0], f[len(f)-1]
			h := strings.NewReplacer(".", "", "_", "", "-", "").Replace(handle)
			return h == first[:1]+last || h == first+last || h == first+last[:1]
		},
	}
	for _, rule := range rules {
		var out []Person
		for _, p := range d.people {
			if rule(p) {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func localPart(email string) string {
	l, _, _ := strings.Cut(email, "@")
	return l
}

// normName lowercases, drops punctuation other than @ . _ - and collapses
// spaces, so "Dr. Alice  SMITH," compares equal to "dr alice smith".
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, "<>\"'()[],;:")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '.' || r == '_' || r == '-' || r == '+':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	out := b.String()
	for _, title := range []string{"dr. ", "dr ", "mr. ", "mr ", "ms. ", "ms ", "mrs. ", "mrs ", "prof. ", "prof "} {
		out = strings.TrimPrefix(out, title)
	}
	return out
}
