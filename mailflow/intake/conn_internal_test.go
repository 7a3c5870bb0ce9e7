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

func TestBatchLen(t *testing.T) {
	const mb = 1 << 20
	const third = handleBytes / 3
	uids := []imap.UID{1, 2, 3, 4, 5}
	limit := int64(25 * mb)
	tests := []struct {
		name  string
		sizes []int64
		batch int
		want  int
	}{
		{"small messages fill the batch size", []int64{4000, 4000, 4000, 4000, 4000}, 3, 3},
		{"fewer left than a batch", []int64{4000, 4000, 4000, 4000, 4000}, 100, 5},
		{"bytes end the batch first", []int64{third, third, third, third, third}, 100, 3},
		{"one message over the bytes still makes a batch", []int64{2 * handleBytes, 1000, 1000, 1000, 1000}, 100, 1},
		{"a large message stops before it", []int64{1000, handleBytes, 1000, 1000, 1000}, 100, 1},
		{"over the size limit counts its header only", []int64{30 * mb, 30 * mb, 30 * mb, 1000, 1000}, 100, 5},
		{"stops where the sizes asked for end", []int64{1000, 1000, -1, -1, -1}, 100, 2},
		{"an unknown first size still makes a batch of one", []int64{-1, -1, -1, -1, -1}, 100, 1},
	}
	for _, tc := range tests {
		sizes := map[imap.UID]int64{}
		for i, s := range tc.sizes {
			if s >= 0 {
				sizes[uids[i]] = s
			}
		}
		if got := batchLen(uids, sizes, tc.batch, limit); got != tc.want {
			t.Errorf("%s: batchLen = %d, want %d", tc.name, got, tc.want)
		}
	}
}
