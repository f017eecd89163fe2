package replication

import "strings"

// IDs are the replication identity of a master: its current replication
// ID, the previous one (all zeros when none) and the last offset that
// belongs to the previous history (-1 when none).
type IDs struct {
	ID, ID2   string
	SecondOff int64
}

// PsyncRequest is what a replica asked for: PSYNC <id> <offset>, where
// offset is the first byte it wants (its processed offset + 1).
type PsyncRequest struct {
	ID     string
	Offset int64
}

// CanContinue is Redis's rule for answering PSYNC with +CONTINUE.
//
// The ID must be our current one, or our previous one as long as the
// requested offset does not go past the point where that history ended
// (second_repl_offset). The offset must lie inside the backlog: from its
// first byte up to one past the last byte (the replica is up to date).
// "?" never matches; IDs compare case-insensitively. first is the
// backlog's first byte offset (1-based, as INFO prints it), histlen its
// length; hasBacklog false means no backlog exists and nothing continues.
func CanContinue(ids IDs, req PsyncRequest, hasBacklog bool, first, histlen int64) bool {
	if req.ID == "?" {
		return false
	}
	idOK := strings.EqualFold(req.ID, ids.ID) ||
		(strings.EqualFold(req.ID, ids.ID2) && req.Offset <= ids.SecondOff)
	if !idOK || !hasBacklog {
		return false
	}
	return req.Offset >= first && req.Offset <= first+histlen
}
