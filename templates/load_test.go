package templates

import "testing"

func TestEmbeddedTemplatesParse(t *testing.T) {
	if _, err := Load(""); err != nil {
		t.Fatalf("Load(\"\") = %v", err)
	}
}
