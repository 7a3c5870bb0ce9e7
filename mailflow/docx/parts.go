package docx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Namespaces of the elements read. Only the WordprocessingML ones matter
// for structure; local names are unique enough elsewhere.
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main" // ISO 29500 Strict
	nsW14     = "http://schemas.microsoft.com/office/word/2010/wordml"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsMath    = "http://schemas.openxmlformats.org/officeDocument/2006/math"
	nsMathS   = "http://purl.oclc.org/ooxml/officeDocument/math"
)

// ns classifies a namespace URI.
type ns uint8

const (
	nsOther ns = iota
	nsWord
	nsWord14
	nsCompat
	nsMathML
)

func nsOf(uri string) ns {
	switch uri {
	case nsW, nsWStrict:
		return nsWord
	case nsW14:
		return nsWord14
	case nsMC:
		return nsCompat
	case nsMath, nsMathS:
		return nsMathML
	}
	return nsOther
}

// tag is an element's name as the readers compare it.
type tag struct {
	ns    ns
	local string
}

func tagOf(n xml.Name) tag { return tag{nsOf(n.Space), n.Local} }

func w(local string) tag { return tag{nsWord, local} }

// errTooDeep is the error for XML nested past MaxDepth.
func errTooDeep(part string) error {
	return fmt.Errorf("docx: %w: %s nests XML elements more than %d deep", ErrTooLarge, part, MaxDepth)
}

// xmlError wraps a decoder error: a part over its size limit keeps its
// own error, anything else means broken XML.
func xmlError(part string, err error) error {
	if errors.Is(err, ErrTooLarge) {
		return err
	}
	return fmt.Errorf("docx: %w: %s: %v", ErrDamaged, part, err)
}

// walkPart decodes a small part (styles, numbering, relationships) and
// calls visit for each start element with the tags of the elements it is
// in, outermost first. A missing part is not an error.
func walkPart(f *zip.File, visit func(el xml.StartElement, parents []tag)) error {
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("docx: open %s: %w: %v", f.Name, ErrDamaged, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(limitPart(rc, f.Name, MaxPartBytes))
	var stack []tag
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlError(f.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= MaxDepth {
				return errTooDeep(f.Name)
			}
			visit(t, stack)
			stack = append(stack, tagOf(t.Name))
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// attr returns the value of an attribute by local name ("w:val" and
// "val" alike: Word qualifies its attributes, some writers do not).
func attr(el xml.StartElement, local string) string {
	for _, a := range el.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// hasAttr reports whether an attribute is present.
func hasAttr(el xml.StartElement, local string) bool {
	for _, a := range el.Attr {
		if a.Name.Local == local {
			return true
		}
	}
	return false
}

// on reads an on/off property (ECMA-376 part 1, section 17.17.4): present
// without a value, or with "true", "1" or "on", it is on.
func on(el xml.StartElement) bool {
	if !hasAttr(el, "val") {
		return true
	}
	switch strings.ToLower(attr(el, "val")) {
	case "false", "0", "off", "none":
		return false
	}
	return true
}

// intAttr reads a small integer attribute; def when absent or not a number.
func intAttr(el xml.StartElement, local string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(attr(el, local)))
	if err != nil {
		return def
	}
	return n
}

// parentIs reports whether the innermost tags of parents are want, in order
// (outermost first).
func parentIs(parents []tag, want ...tag) bool {
	if len(parents) < len(want) {
		return false
	}
	tail := parents[len(parents)-len(want):]
	for i := range want {
		if tail[i] != want[i] {
			return false
		}
	}
	return true
}

// officeDocumentTarget returns the main part the package relationships
// name, as a zip entry name, or "".
func officeDocumentTarget(f *zip.File) string {
	target := ""
	// A broken relationships part only means no fallback main part.
	_ = walkPart(f, func(el xml.StartElement, _ []tag) {
		if el.Name.Local == "Relationship" && target == "" && strings.HasSuffix(attr(el, "Type"), "/officeDocument") {
			target = strings.TrimPrefix(attr(el, "Target"), "/")
		}
	})
	return target
}
