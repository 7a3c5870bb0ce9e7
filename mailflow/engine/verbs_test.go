package engine

import (
	"testing"

	"mailflow/mailflow"
)

// The table of reply verbs and the engine's appliers agree: every verb has
// an applier for each thing it applies to, and none for what it does not
// (which then gets "applies to risks" and the right example).
func TestEveryVerbHasAnApplier(t *testing.T) {
	for _, spec := range mailflow.Verbs {
		_, item := itemAppliers[spec.Verb]
		_, risk := riskAppliers[spec.Verb]
		if want := spec.Applies&mailflow.ToItems != 0; item != want {
			t.Errorf("%s: item applier %v, the table says applies to items %v", spec.Verb, item, want)
		}
		if want := spec.Applies&mailflow.ToRisks != 0; risk != want {
			t.Errorf("%s: risk applier %v, the table says applies to risks %v", spec.Verb, risk, want)
		}
	}
	for v := range itemAppliers {
		if _, ok := mailflow.SpecOf(v); !ok {
			t.Errorf("applier for %s, which the table does not have", v)
		}
	}
	for v := range riskAppliers {
		if _, ok := mailflow.SpecOf(v); !ok {
			t.Errorf("applier for %s, which the table does not have", v)
		}
	}
}
