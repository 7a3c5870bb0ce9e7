package mailflow

import "testing"

func TestPlainWords(t *testing.T) {
	for s, want := range map[string]bool{
		"":                    true,
		"A-12":                true,
		"order badge readers": true,
		" lead":               false,
		"trail ":              false,
		"two  spaces":         false,
		"tab\there":           false,
		"new\nline":           false,
		"caf\u00e9":           false,
		"del\x7f":             false,
		"=?utf-8?q?x?= is ok": true, // for PlainWords; HeaderSafe checks "=?" itself
	} {
		if got := PlainWords(s); got != want {
			t.Errorf("PlainWords(%q) = %v, want %v", s, got, want)
		}
	}
}
