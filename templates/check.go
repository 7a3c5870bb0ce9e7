package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// Files returns the names of every template file, as they must be called
// in an override directory.
func Files() []string {
	names := []string{"_common.txt.tmpl", "_layout.html.tmpl"}
	for _, k := range Kinds {
		names = append(names, k+".subject.tmpl", k+".txt.tmpl", k+".html.tmpl")
	}
	return names
}

// Check parses the templates in dir (over the embedded ones, as Load does)
// and renders every kind with every sample variant, as "mailflow templates
// check" does before an operator deploys them. Errors name the template
// file and line. It also refuses files in dir that mailflow would never
// read (a misspelt name) and HTML that loads anything from outside the
// mail. dir "" checks the embedded set.
func Check(dir string) error {
	var errs []error
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("templates dir: %w", err)
		}
		known := Files()
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
				continue
			}
			if !slices.Contains(known, e.Name()) {
				errs = append(errs, fmt.Errorf("%s: not a template mailflow uses (the names are %s)", e.Name(), strings.Join(known, ", ")))
			}
		}
	}
	set, err := Load(dir)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, kind := range Kinds {
		for _, v := range Variants(kind) {
			r, err := set.Render(kind, v.Data)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s with the %q sample: %w", kind, v.Name, err))
				continue
			}
			if r.Subject == "" {
				errs = append(errs, fmt.Errorf("%s: %s with the %q sample: empty subject", set.file(kind, "subject"), kind, v.Name))
			}
			if strings.TrimSpace(r.Text) == "" {
				errs = append(errs, fmt.Errorf("%s: %s with the %q sample: empty text part", set.file(kind, "txt"), kind, v.Name))
			}
			for _, ref := range ExternalRefs(r.HTML) {
				errs = append(errs, fmt.Errorf("%s: %s with the %q sample: HTML loads %q from outside the mail; mailflow mail must be self-contained (inline CSS, cid: images)",
					set.file(kind, "html"), kind, v.Name, ref))
			}
		}
	}
	return errors.Join(errs...)
}

// file returns the name of the file a kind's part came from.
func (s *Set) file(kind, part string) string {
	name := kind + "." + part + ".tmpl"
	if s.Dir != "" {
		if _, err := fs.Stat(os.DirFS(s.Dir), name); err == nil {
			return s.Dir + string(os.PathSeparator) + name
		}
	}
	return name
}

// urlAttrs are the attributes that make a client fetch something.
var urlAttrs = map[string]bool{"src": true, "href": true, "background": true, "action": true, "poster": true,
	"srcset": true, "data": true, "formaction": true, "xlink:href": true, "lowsrc": true, "dynsrc": true}

// activeTags load or run something, or restyle the whole mail.
var activeTags = map[string]bool{"script": true, "link": true, "style": true, "iframe": true, "frame": true,
	"object": true, "embed": true, "base": true, "form": true, "svg": true, "video": true, "audio": true}

var reCSSURL = regexp.MustCompile(`(?i)url\s*\(\s*["']?([^"')]*)|@import`)

// ExternalRefs lists what an HTML part would load or run from outside the
// mail: URLs in src, href and the like other than mailto: and cid:, CSS
// url() and @import in style attributes, and <script>, <link>, <style>,
// <iframe> and similar tags. Mail clients block such things, or leak the
// reader's address and IP by fetching them. Text that merely mentions a
// URL is fine.
func ExternalRefs(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if activeTags[string(name)] {
			out = append(out, "<"+string(name)+">")
		}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			key, val := strings.ToLower(string(k)), strings.TrimSpace(string(v))
			switch {
			case urlAttrs[key]:
				u := strings.ToLower(val)
				if !strings.HasPrefix(u, "mailto:") && !strings.HasPrefix(u, "cid:") {
					out = append(out, val)
				}
			case key == "style":
				for _, m := range reCSSURL.FindAllStringSubmatch(val, -1) {
					if m[0] == "@import" || !strings.HasPrefix(strings.ToLower(m[1]), "cid:") {
						out = append(out, m[0])
					}
				}
			case key == "http-equiv":
				out = append(out, "<meta http-equiv="+val+">")
			}
		}
	}
}
