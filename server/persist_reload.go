package server

import (
	"os"

	"redoubt/commands"
)

// DEBUG RELOAD error replies, as Redis words them.
const (
	errReloadSave = "ERR Error trying to save the DB"
	errReloadLoad = "ERR Error trying to load the RDB dump, check server logs."
)

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the dataset, empty it and
// load the file back, proving the server can round-trip its own data.
// NOSAVE skips the save, NOFLUSH keeps the current keys (MERGE lets the
// file's keys replace them; without MERGE a clash is an error).
func debugReload(c *commands.Ctx, s *Server) {
	save, flush := true, true
	for _, a := range c.Args[2:] {
		switch {
		case commands.Is(a, "nosave"):
			save = false
		case commands.Is(a, "noflush"):
			flush = false
		case commands.Is(a, "merge"):
		default:
			c.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	if save && s.saveLocked() != nil {
		c.Error(errReloadSave)
		return
	}
	f, err := os.Open(s.rdbPath())
	if err != nil {
		c.Error(errReloadLoad)
		return
	}
	defer f.Close()
	if flush {
		for _, db := range s.ks.DBs {
			db.Flush()
		}
	}
	if _, _, err := s.loadRDBLocked(f); err != nil {
		s.log.Warn("Error reloading the RDB: " + err.Error())
		c.Error(errReloadLoad)
		return
	}
	s.log.Info("DB reloaded by DEBUG RELOAD")
	c.W.OK()
}
