package engine_test

import (
	"context"
	"fmt"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/store"
)

// Two projects reading the same folder: mail is routed by the project
// address in To, Cc, Delivered-To or a plus-address of it.
func TestSharedFolderRoutedByAddress(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Projects = append(c.Projects, config.Project{
			Name: "Lab", Address: "lab@" + domain, Timezone: "UTC",
			Members: []config.Member{{Name: "Priya Shah", Email: chair.email, Role: "chair"}, {Name: alice.name, Email: alice.email}},
		})
	})
	cases := []struct {
		to, project string
		headers     []string
	}{
		{to: "lab@" + domain, project: "Lab"},
		{to: "ehr@" + domain, project: "EHR"},
		{to: "someone@" + domain, project: "Lab", headers: []string{"Delivered-To: lab@" + domain}},
		{to: "Lab team <lab+minutes@" + domain + ">", project: "Lab"},
	}
	for i, c := range cases {
		res := h.deliver(msg{from: chair, to: c.to, subject: fmt.Sprintf("Minutes: routing case %d", i), body: "ACTION: Alice to check routing case " + string(rune('A'+i)) + "\n", headers: c.headers, signed: true})
		if res.Project != c.project || res.Outcome != store.OutcomeProcessed {
			t.Errorf("mail to %s: project %s (%s), want %s", c.to, res.Project, res.Outcome, c.project)
		}
	}
	lab, err := h.st.ProjectID(t.Context(), "Lab")
	if err != nil {
		t.Fatal(err)
	}
	items, _ := h.st.Items(context.Background(), store.ItemFilter{ProjectID: lab})
	if len(items) != 3 || items[0].Ref() != "A-1" {
		t.Errorf("Lab has %d items (refs start at %s); want 3 numbered from A-1 per project", len(items), items[0].Ref())
	}
}
