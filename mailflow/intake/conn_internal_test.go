package intake

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestUIDSets(t *testing.T) {
	var sparse []imap.UID
	for u := imap.UID(1); u <= 6000; u += 2 {
		sparse = append(sparse, u)
	}
	tests := []struct {
		name string
		uids []imap.UID
		max  int
		want []string
	}{
		{"none", nil, 100, nil},
		{"ranges", []imap.UID{1, 2, 3, 7, 9, 10}, 100, []string{"1:3,7,9:10"}},
		{"unsorted", []imap.UID{10, 9, 1, 2}, 100, []string{"1:2,9:10"}},
		{"split", []imap.UID{1, 3, 5, 7}, 4, []string{"1,3", "5,7"}},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range uidSets(tc.uids, tc.max) {
			got = append(got, s.String())
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: uidSets(%v, %d) = %q, want %q", tc.name, tc.uids, tc.max, got, tc.want)
		}
	}
	n := 0
	for _, s := range uidSets(sparse, maxSetLen) {
		if l := len(s.String()); l > maxSetLen {
			t.Errorf("a set of %d characters, want at most %d", l, maxSetLen)
		}
		nums, _ := s.Nums()
		n += len(nums)
	}
	if n != len(sparse) {
		t.Errorf("the sets hold %d UIDs, want %d", n, len(sparse))
	}
}
