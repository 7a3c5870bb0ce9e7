package mailflow

import (
	"net/mail"
	"strings"
	"unicode"
)

// Directory resolves how people are named in minutes and replies ("Alice",
// "alice@", "@asmith", "Smith", "Alice Smith") to the people it knows: the
// project roster plus attendees and the mail's To/Cc.
type Directory struct {
	people []Person
	keys   []nameKey // keys[i] is people[i]'s name, normalised once
}

// nameKey is a person's name in the forms the resolve rules compare.
type nameKey struct {
	name   string   // normalised full name
	fields []string // its words
	local  string   // email local part
}

func keyOf(p Person) nameKey {
	n := normName(p.Name)
	return nameKey{name: n, fields: strings.Fields(n), local: localPart(p.Email)}
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

// Add adds a person, or fills in the name or email of a person already
// known. A bare address written as a name ("alice@example.org") is taken
// as the email.
func (d *Directory) Add(p Person) {
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Name = strings.TrimSpace(p.Name)
	if p.Email == "" && strings.Contains(p.Name, "@") && !strings.HasPrefix(p.Name, "@") {
		if a, err := mail.ParseAddress(p.Name); err == nil {
			p.Name, p.Email = a.Name, strings.ToLower(a.Address)
		}
	}
	if p.Email == "" && p.Name == "" {
		return
	}
	for i, q := range d.people {
		if p.Email != "" && q.Email == p.Email {
			if q.Name == "" {
				d.people[i].Name = p.Name
				d.keys[i] = keyOf(d.people[i])
			}
			return
		}
		if p.Email == "" && q.Email != "" && sameName(q.Name, p.Name) {
			return
		}
		if p.Email == "" && q.Email == "" && sameName(q.Name, p.Name) {
			return
		}
		if p.Email != "" && q.Email == "" && sameName(q.Name, p.Name) {
			d.people[i].Email = p.Email
			d.keys[i] = keyOf(d.people[i])
			return
		}
	}
	d.people = append(d.people, p)
	d.keys = append(d.keys, keyOf(p))
}

func sameName(a, b string) bool { return a != "" && normName(a) == normName(b) }

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
// match; none is unknown; several is ambiguous. Matching is by email, full
// name, @handle (the email local part), first name, last name, local part
// and handle styles such as "asmith", case- and accent-insensitively; the first rule that
// matches anyone wins, so "Alice Smith" is not ambiguous just because there
// is another Alice. People known only by name (attendees nobody could
// place) are tried only when nobody with an address matches, so that an
// attendee written "Eric" does not hide that "Eric" could be two members.
func (d *Directory) Resolve(name string) []Person {
	n := normName(name)
	if n == "" {
		return nil
	}
	handle := strings.TrimSuffix(strings.TrimPrefix(n, "@"), "@")
	for _, withEmail := range []bool{true, false} {
		for _, rule := range resolveRules {
			var out []Person
			for i, p := range d.people {
				if (p.Email != "") == withEmail && rule(p, d.keys[i], n, handle) {
					out = append(out, p)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// resolveRules are tried in order; each gets a person, the normalised name
// as written and the name without "@" decoration.
var resolveRules = []func(p Person, k nameKey, n, handle string) bool{
	func(p Person, _ nameKey, _, h string) bool { return p.Email != "" && p.Email == h },
	func(_ Person, k nameKey, n, h string) bool { return k.name != "" && (k.name == n || k.name == h) },
	func(p Person, k nameKey, n, h string) bool {
		// "@alice" and "alice@" are written as handles: the local part decides.
		return p.Email != "" && n != h && k.local == h
	},
	func(_ Person, k nameKey, _, h string) bool { return len(k.fields) > 1 && k.fields[0] == h },
	func(_ Person, k nameKey, _, h string) bool {
		return len(k.fields) > 1 && k.fields[len(k.fields)-1] == h
	},
	func(p Person, k nameKey, _, h string) bool { return p.Email != "" && k.local == h },
	func(_ Person, k nameKey, n, h string) bool {
		// "asmith", "a.smith", "alice.s", "alice s" and "smith alice".
		if len(k.fields) < 2 {
			return false
		}
		first, last := k.fields[0], k.fields[len(k.fields)-1]
		plain := handleChars.Replace(h)
		return plain == first[:1]+last || plain == first+last || plain == first+last[:1] || plain == last+first ||
			n == last+" "+first
	},
	func(p Person, k nameKey, _, h string) bool {
		// A handle that is the local part of the person's address with
		// separators dropped: "alicem" for alice.m@, "bobokafor" for bob.okafor@.
		return p.Email != "" && len(h) > 2 && handleChars.Replace(k.local) == handleChars.Replace(h)
	},
}

var handleChars = strings.NewReplacer(".", "", "_", "", "-", "", " ", "", ",", "")

func localPart(email string) string {
	l, _, _ := strings.Cut(email, "@")
	return l
}

// normName lowercases, folds accents, drops punctuation other than
// @ . _ - + and collapses spaces, so "Dr. Álice  SMITH," compares equal to
// "alice smith".
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, "<>\"'()[],;:*")
	var b strings.Builder
	space := false
	for _, r := range s {
		r = foldAccent(r)
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
	out := strings.TrimRight(b.String(), ".")
	for _, title := range []string{"dr. ", "dr ", "mr. ", "mr ", "ms. ", "ms ", "mrs. ", "mrs ", "prof. ", "prof "} {
		out = strings.TrimPrefix(out, title)
	}
	return out
}

// foldAccent maps the accented Latin letters common in names to their
// base letter, so "Lécharny" written "Lecharny" still matches.
func foldAccent(r rune) rune {
	if r < 0xC0 || r > 0x17F {
		return r
	}
	if f, ok := accents[r]; ok {
		return f
	}
	return r
}

var accents = func() map[rune]rune {
	m := map[rune]rune{}
	for base, marked := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćčĉċ", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ", 'i': "ìíîïīĭįı",
		'l': "łľĺļ", 'n': "ñńňņ", 'o': "òóôõöøōŏő", 'r': "ŕřŗ", 's': "śšşŝș", 't': "ťţț",
		'u': "ùúûüūŭůűų", 'y': "ýÿ", 'z': "źżž",
	} {
		for _, r := range marked {
			m[r] = base
		}
	}
	return m
}()
