package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
	"redoubt/rdb"
)

// Saving: SAVE, BGSAVE [SCHEDULE], save points, FLUSHALL and SHUTDOWN
// saving, stop-writes-on-bgsave-error. A background save is a
// point-in-time snapshot without fork (see snapshot below).

const (
	errMisconf      = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	errBgInProgress = "ERR Background save already in progress"
	// bgsaveRetryDelay: after a failed background save, save points wait
	// this long before trying again (Redis's CONFIG_BGSAVE_RETRY_DELAY).
	bgsaveRetryDelay = 5 * time.Second
	// snapChunkKeys is how many keys a snapshot collects per lock hold.
	snapChunkKeys = 128
	// snapYieldBusy is the snapshot's pause between slices while
	// clients run commands.
	snapYieldBusy = 50 * time.Microsecond
)

var errSnapshotCanceled = errors.New("snapshot canceled")

// persistState is the saving state; guarded by s.mu.
type persistState struct {
	bg          *snapshot // the running BGSAVE, nil when none
	snaps       []*snapshot
	bgStart     time.Time
	dirtyAtBg   int64
	lastBgOK    bool
	lastBgTry   time.Time
	lastBgSecs  int64
	scheduled   bool
	saves       int64
	savedAtExit bool
}

func init() {
	commands.Register(
		&commands.Command{Name: "save", Arity: 1, Flags: commands.Admin | commands.NoScript | commands.NoMulti, Proc: saveCmd,
			Group: "server", Since: "1.0.0", Summary: "Synchronously save the dataset to disk",
			Complexity: "O(N) where N is the total number of keys in all databases",
			ACL:        []string{"@admin", "@slow", "@dangerous"}},
		&commands.Command{Name: "bgsave", Arity: -1, Flags: commands.Admin | commands.NoScript, Proc: bgsaveCmd,
			Group: "server", Since: "1.0.0", Summary: "Asynchronously save the dataset to disk",
			Complexity: "O(1)", ACL: []string{"@admin", "@slow", "@dangerous"}},
	)
	// FLUSHALL also rewrites the RDB file (an empty one) when save points
	// are configured, after stopping a running background save.
	if fa := commands.Lookup([]byte("flushall")); fa != nil {
		inner := fa.Proc
		fa.Proc = func(c *commands.Ctx) {
			inner(c)
			cli, ok := c.Client.(*Client)
			if !ok || !bytes.HasSuffix(c.W.Buf, []byte("+OK\r\n")) {
				return
			}
			s := cli.srv
			s.cancelBgsave()
			if len(s.cfg.SaveParams()) > 0 {
				s.saveLocked()
				// Redis counts the flush as one change after the save.
				c.Dirty = 1
			}
		}
	}
}

// initPersist wires saving into the cron, SHUTDOWN and the executor.
func (s *Server) initPersist() {
	s.persist.lastBgOK = true
	s.persist.lastBgSecs = -1
	s.cronHooks = append(s.cronHooks, s.saveCron)
	s.admin.prepareShutdown = s.prepareShutdownSave
	s.beforeShutdown = append(s.beforeShutdown, s.finalSave)
}

func (s *Server) rdbSavePath() string {
	return filepath.Join(s.cfg.String("dir"), s.cfg.String("dbfilename"))
}

func (s *Server) rdbOptions() rdb.Options {
	return rdb.Options{
		Compress: s.cfg.Bool("rdbcompression"),
		Checksum: s.cfg.Bool("rdbchecksum"),
		Aux: [][2]string{
			{"redis-ver", Version},
			{"redis-bits", "64"},
			{"ctime", strconv.FormatInt(time.Now().Unix(), 10)},
			{"used-mem", strconv.FormatInt(usedMemory(), 10)},
			{"repl-id", s.admin.replID},
			{"repl-offset", strconv.FormatInt(s.stream.Offset, 10)},
			{"aof-base", "0"},
		},
		Eviction: rdb.Eviction{
			Mode:         rdb.EvictModeFor(s.cfg.String("maxmemory-policy")),
			NowMs:        time.Now().UnixMilli(),
			LFUDecayTime: s.ks.Evict.LFUDecayTime,
		},
	}
}

// misconfRefusal is Redis's rule for stop-writes-on-bgsave-error: on a
// master with save points whose last background save failed, write
// commands and PING are refused (commands from the master are not).
func (s *Server) misconfRefusal(c *Client, cmd *commands.Command) string {
	if s.persist.lastBgOK || s.ks.Replica || c.flags&flagMaster != 0 {
		return ""
	}
	if !cmd.IsWrite() && cmd.Name != "ping" {
		return ""
	}
	if !s.cfg.Bool("stop-writes-on-bgsave-error") || len(s.cfg.SaveParams()) == 0 {
		return ""
	}
	return errMisconf
}

// SAVE writes the dataset synchronously; refused while a BGSAVE runs.
func saveCmd(c *commands.Ctx) {
	s := cl(c).srv
	if s.persist.bg != nil {
		c.Error(errBgInProgress)
		return
	}
	if err := s.saveLocked(); err != nil {
		c.Error("ERR")
		return
	}
	c.W.OK()
}

// BGSAVE [SCHEDULE]: starts a background save. With one running the
// answer is an error; inside MULTI the save is only scheduled.
func bgsaveCmd(c *commands.Ctx) {
	s := cl(c).srv
	if len(c.Args) > 1 && (len(c.Args) != 2 || !commands.Is(c.Args[1], "schedule")) {
		c.SyntaxError()
		return
	}
	switch {
	case s.persist.bg != nil:
		c.Error(errBgInProgress)
	case c.InMulti:
		s.persist.scheduled = true
		c.W.Simple("Background saving scheduled")
	default:
		s.startBgsave()
		c.W.Simple("Background saving started")
	}
}

// saveLocked writes the whole dataset to the RDB file while holding s.mu
// (SAVE, FLUSHALL, SHUTDOWN).
func (s *Server) saveLocked() error {
	path := s.rdbSavePath()
	if err := s.SaveRefused(path); err != nil {
		s.log.Warn(err.Error())
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	err := writeAtomically(tmp, path, func(f io.Writer) error {
		w := rdb.NewWriter(f, s.rdbOptions())
		if err := w.Header(); err != nil {
			return err
		}
		for _, db := range s.ks.DBs {
			if db.Len() == 0 {
				continue
			}
			if err := w.SelectDB(db.ID, db.Len(), db.ExpiresLen()); err != nil {
				return err
			}
			var kerr error
			db.Range(func(k string, o *keyspace.Object) bool {
				kerr = w.Key(k, o, db.Expire(k))
				return kerr == nil
			})
			if kerr != nil {
				return kerr
			}
		}
		return w.Finish()
	})
	if err != nil {
		s.log.Warn("Failed saving the DB: " + err.Error())
		return err
	}
	s.log.Info("DB saved on disk")
	s.markSaved(time.Now())
	s.persist.lastBgOK = true
	s.persist.saves++
	return nil
}

// writeAtomically writes a file through a temporary one: write, fsync,
// rename over the target, fsync the directory. On any error the
// temporary file is removed and the previous file is left as it was.
func writeAtomically(tmp, path string, fill func(io.Writer) error) error {
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("Failed opening the temp RDB file %s (in server root dir %s) for saving: %w", filepath.Base(tmp), filepath.Dir(tmp), err)
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// startBgsave begins a background save to the RDB file. Holds s.mu.
func (s *Server) startBgsave() {
	p := &s.persist
	p.lastBgTry = time.Now()
	p.bgStart = p.lastBgTry
	p.dirtyAtBg = s.dirty
	path := s.rdbSavePath()
	if err := s.SaveRefused(path); err != nil {
		s.log.Warn(err.Error())
		p.lastBgOK = false
		return
	}
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf("temp-%d.bg.rdb", os.Getpid()))
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- writeAtomically(tmp, path, func(w io.Writer) error { _, err := io.Copy(w, pr); return err })
	}()
	var sn *snapshot
	sn = s.startSnapshotLocked(pw, func(err error) {
		if err != nil {
			pw.CloseWithError(err)
		} else {
			pw.Close()
		}
		ferr := <-done
		if err == nil {
			err = ferr
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.bgsaveDone(sn, err)
	})
	p.bg = sn
	s.log.Info("Background saving started by pid " + strconv.Itoa(os.Getpid()))
}

// bgsaveDone records the end of a background save. Holds s.mu.
func (s *Server) bgsaveDone(sn *snapshot, err error) {
	p := &s.persist
	if p.bg == sn {
		p.bg = nil
	}
	p.lastBgSecs = int64(time.Since(p.bgStart).Seconds())
	switch {
	case errors.Is(err, errSnapshotCanceled):
		s.log.Warn("Background saving terminated by signal 10")
	case err != nil:
		s.log.Warn("Background saving error: " + err.Error())
		p.lastBgOK = false
	default:
		s.log.Info("DB saved on disk")
		s.log.Info("Background saving terminated with success")
		// Changes made while the snapshot ran still count as unsaved.
		s.markSaved(time.Now())
		s.admin.dirtyAtSave = p.dirtyAtBg
		p.lastBgOK = true
		p.saves++
	}
}

// cancelBgsave stops a running background save (FLUSHALL, SHUTDOWN),
// leaving the previous file in place. Holds s.mu.
func (s *Server) cancelBgsave() {
	if sn := s.persist.bg; sn != nil {
		sn.canceled = true
		s.persist.bg = nil
		s.removeSnapshot(sn)
	}
}

// saveCron applies the save points: a background save starts when, for
// any rule, at least that many changes happened and that many seconds
// passed since the last save; after a failure it retries only every
// bgsaveRetryDelay. A scheduled BGSAVE starts once nothing runs.
func (s *Server) saveCron() {
	p := &s.persist
	if p.bg != nil {
		return
	}
	now := time.Now()
	canRetry := p.lastBgOK || now.Sub(p.lastBgTry) > bgsaveRetryDelay
	if p.scheduled && canRetry {
		p.scheduled = false
		s.startBgsave()
		return
	}
	changes := s.dirty - s.admin.dirtyAtSave
	elapsed := now.Unix() - s.admin.lastSave
	for _, sp := range s.cfg.SaveParams() {
		if changes >= int64(sp.Changes) && elapsed > sp.Seconds && canRetry {
			s.log.Info(fmt.Sprintf("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds))
			s.startBgsave()
			return
		}
	}
}

// prepareShutdownSave runs inside SHUTDOWN: a running background save is
// stopped, then the dataset is saved when save points exist or SAVE was
// given, unless NOSAVE. A failed save aborts the shutdown unless FORCE.
func (s *Server) prepareShutdownSave(f shutdownFlags) error {
	s.cancelBgsave()
	if f.noSave || (!f.save && len(s.cfg.SaveParams()) == 0) {
		return nil
	}
	s.log.Info("Saving the final RDB snapshot before exiting.")
	if err := s.saveLocked(); err != nil && !f.force {
		s.log.Warn("Error trying to save the DB, can't exit.")
		return err
	}
	s.persist.savedAtExit = true
	return nil
}

// finalSave is the shutdown hook for shutdowns without the command
// (signals): it saves when save points exist.
func (s *Server) finalSave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.persist.savedAtExit {
		return
	}
	noSave, save := s.admin.shutdown.noSave, s.admin.shutdown.save
	s.cancelBgsave()
	if noSave || (!save && len(s.cfg.SaveParams()) == 0) {
		return
	}
	s.log.Info("Saving the final RDB snapshot before exiting.")
	if s.saveLocked() == nil {
		s.persist.savedAtExit = true
	}
}

// persistInfo returns the INFO persistence values this layer owns.
func (s *Server) persistInfo() (inProgress int64, status string, lastSecs, curSecs, saves int64) {
	p := &s.persist
	status = "ok"
	if !p.lastBgOK {
		status = "err"
	}
	curSecs = -1
	if p.bg != nil {
		inProgress = 1
		curSecs = int64(time.Since(p.bgStart).Seconds())
	}
	return inProgress, status, p.lastBgSecs, curSecs, p.saves
}
