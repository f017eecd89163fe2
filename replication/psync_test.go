package replication

import "testing"

func TestPsyncAcceptanceRule(t *testing.T) {
	id := "f2ccd5939143b5d19959b04b8d5cad672315fc42"
	old := "02c2dc95ab3bf225c126697346793a4c2d88b160"
	ids := IDs{ID: id, ID2: "0000000000000000000000000000000000000000", SecondOff: -1}
	promoted := IDs{ID: id, ID2: old, SecondOff: 793}
	cases := []struct {
		name     string
		ids      IDs
		req      PsyncRequest
		backlog  bool
		first, n int64
		want     bool
	}{
		// Master at offset 81, backlog first byte 1 (spec §3.4 captures).
		{"mid backlog continues", ids, PsyncRequest{id, 53}, true, 1, 81, true},
		{"one past the end continues with nothing", ids, PsyncRequest{id, 82}, true, 1, 81, true},
		{"first byte continues", ids, PsyncRequest{id, 1}, true, 1, 81, true},
		{"before the backlog is a full sync", ids, PsyncRequest{id, 0}, true, 1, 81, false},
		{"beyond the end is a full sync", ids, PsyncRequest{id, 83}, true, 1, 81, false},
		{"unknown id is a full sync", ids, PsyncRequest{old, 53}, true, 1, 81, false},
		{"question mark never matches", ids, PsyncRequest{"?", -1}, true, 1, 81, false},
		{"no backlog is a full sync", ids, PsyncRequest{id, 1}, false, 0, 0, false},
		{"id compares case-insensitively", ids, PsyncRequest{"F2CCD5939143B5D19959B04B8D5CAD672315FC42", 53}, true, 1, 81, true},
		{"replid2 up to second offset", promoted, PsyncRequest{old, 793}, true, 1, 900, true},
		{"replid2 past second offset", promoted, PsyncRequest{old, 794}, true, 1, 900, false},
	}
	for _, tc := range cases {
		if got := CanContinue(tc.ids, tc.req, tc.backlog, tc.first, tc.n); got != tc.want {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
	}
}
