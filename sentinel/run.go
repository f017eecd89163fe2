package sentinel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"redoubt/server"
)

// Process wiring and lifecycle of `redoubt sentinel`.

// flushDebounce is the shortest interval between two config rewrites
// triggered by committed changes.
const flushDebounce = 100 * time.Millisecond

// registerPoll is how often the start-up loop checks membership/seeding.
const registerPoll = 100 * time.Millisecond

// replayWait bounds how long a restarted sentinel waits to re-apply its
// own log before registering anyway.
const replayWait = 5 * time.Second

// Run is the CLI entry: `redoubt sentinel [sentinel.conf] [--directive
// args...]`. It serves until SIGTERM/SIGINT and returns the exit code.
func Run(args []string) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	return run(args, sigs)
}

// run is Run with the signals to stop on given by the caller.
func run(args []string, sigs <-chan os.Signal) int {
	cfg, err := ParseConfig(args)
	if err != nil {
		// A bad line is reported on standard error as Redis words it; a
		// start-up refusal (no writable file...) as a warning log line.
		var se *StartupError
		if errors.As(err, &se) {
			slog.New(server.NewHandler(os.Stdout, server.LevelNotice, 'X')).Warn(se.Msg)
		} else {
			fmt.Fprintln(os.Stderr, err.Error())
		}
		return 1
	}
	logger, err := newSentinelLogger(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		return 1
	}
	s := newSentinel(cfg, logger, RealClock)
	pid := os.Getpid()
	logger.Warn("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
	logger.Warn(fmt.Sprintf("Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, just started", server.Version, pid))
	logger.Warn("Configuration loaded")
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}
	if cfg.PidFile != "" {
		if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			logger.Warn("Failed to write PID file: " + err.Error())
		} else {
			defer os.Remove(cfg.PidFile)
		}
	}
	lns, err := listenAll(cfg)
	if err != nil {
		logger.Warn(err.Error())
		return 1
	}
	logger.Info(fmt.Sprintf("Running mode=sentinel, port=%d.", cfg.Port))
	logger.Warn("Sentinel ID is " + s.myID)
	if s.raft, err = startRaft(s, raftOptionsFrom(cfg, s.myID)); err != nil {
		logger.Warn("Raft: " + err.Error())
		for _, ln := range lns {
			ln.Close()
		}
		return 1
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	for _, ln := range lns {
		wg.Go(func() {
			if err := s.srv.Serve(ln); err != nil && ctx.Err() == nil {
				logger.Warn("Listener " + ln.Addr().String() + ": " + err.Error())
			}
		})
	}
	work, cancel := context.WithCancel(ctx)
	wg.Go(func() { s.mon.Run(work) })
	wg.Go(func() { s.fo.Run(work) })
	wg.Go(func() { s.registerLoop(work) })
	wg.Go(func() { s.flushLoop(work) })
	sig := <-sigs
	name := "SIGTERM"
	if sig == syscall.SIGINT {
		name = "SIGINT"
	}
	logger.Warn("Received " + name + " scheduling shutdown...")
	logger.Warn("User requested shutdown...")
	stop()
	cancel()
	s.srv.Close()
	for _, ln := range lns {
		ln.Close()
	}
	s.raft.shutdown()
	wg.Wait()
	if err := s.flushConfig(); err != nil {
		logger.Warn("Error saving the config on exit: " + err.Error())
	}
	logger.Warn("Sentinel is now ready to exit, bye bye...")
	return 0
}

// newSentinel builds a Sentinel with every part constructed but nothing
// started (Run starts them; tests start only what they need).
func newSentinel(cfg *Config, logger *slog.Logger, clock Clock) *Sentinel {
	s := &Sentinel{cfg: cfg, myID: cfg.MyID, runID: randomHex40(), clock: clock, knobs: DefaultKnobs(), log: logger, start: clock.Now()}
	if s.myID == "" {
		s.myID = randomHex40()
	}
	s.hub = newHub(s)
	s.fsm = newFSM(s.publishCommitted)
	s.mon = newMonitor(s)
	s.fo = newFailovers(s)
	s.srv = newFrontEnd(s)
	return s
}

// publishCommitted publishes the events of a committed entry, except
// those announcing this sentinel to itself.
func (s *Sentinel) publishCommitted(evs []Event) {
	s.publish(notAboutSelf(evs, s.myID)...)
}

// notAboutSelf drops the events that present sentinel myID as a peer:
// Redis never announces a sentinel to itself (+sentinel, and the address
// switch of its own entry).
func notAboutSelf(evs []Event, myID string) []Event {
	self := "sentinel " + myID + " "
	out := evs[:0:0]
	for _, ev := range evs {
		switch {
		case ev.Channel == "+sentinel" && strings.HasPrefix(ev.Payload, self):
		case ev.Channel == "+sentinel-address-switch" && strings.HasSuffix(ev.Payload, " for "+myID):
		default:
			out = append(out, ev)
		}
	}
	return out
}

func randomHex40() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newSentinelLogger writes Redis-format lines (role char X) to stdout or
// to the logfile.
func newSentinelLogger(cfg *Config) (*slog.Logger, error) {
	file, level := cfgLogSettings(cfg)
	var out io.Writer = os.Stdout
	if file != "" {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("Can't open the log file: %w", err)
		}
		out = f
	}
	lv := server.ParseLevel(level)
	if level == "nothing" {
		lv = slog.Level(100) // loglevel nothing: no log at all
	}
	return slog.New(server.NewHandler(out, lv, 'X')), nil
}

// listenAll opens the RESP listeners: one per bind address, or every
// interface when none is configured (Redis Sentinel's default).
func listenAll(cfg *Config) ([]net.Listener, error) {
	port := strconv.Itoa(cfg.Port)
	binds := cfg.Bind
	if len(binds) == 0 {
		binds = []string{""}
	}
	var lns []net.Listener
	for _, b := range binds {
		ln, err := net.Listen("tcp", net.JoinHostPort(strings.TrimPrefix(b, "-"), port))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("Warning: Could not create server TCP listening socket %s:%s: %v", b, port, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// announcedAddr is the RESP address this sentinel registers for the
// group (and clients): announce-ip/announce-port, else the first bind
// address (loopback when binding every interface) and the port.
func announcedAddr(cfg *Config) (string, int) {
	ip, port := cfgAnnounce(cfg)
	if ip == "" {
		ip = "127.0.0.1"
		if len(cfg.Bind) > 0 {
			if b := strings.TrimPrefix(cfg.Bind[0], "-"); b != "" && b != "*" && !net.ParseIP(b).IsUnspecified() {
				ip = b
			}
		}
	}
	if port == 0 {
		port = cfg.Port
	}
	return ip, port
}

// raftOptionsFrom maps the Raft directives, with the defaults: raft-id =
// myid, raft-addr = <announced ip>:<port+100>, raft-dir = <dir>/raft-<port>.
func raftOptionsFrom(cfg *Config, myID string) raftOptions {
	opt := raftOptions{ID: cfg.RaftID, Addr: cfg.RaftAddr, Dir: cfg.RaftDir, Peers: cfg.RaftPeers, Join: cfg.RaftJoin}
	if opt.ID == "" {
		opt.ID = myID
	}
	if opt.Addr == "" {
		ip, _ := announcedAddr(cfg)
		opt.Addr = net.JoinHostPort(ip, strconv.Itoa(cfg.Port+100))
	}
	if opt.Dir == "" {
		opt.Dir = filepath.Join(cfg.Dir, "raft-"+strconv.Itoa(cfg.Port))
	}
	return opt
}

// registerLoop makes this sentinel a member of the replicated state (its
// announced RESP address and Raft identity, re-proposed until the state
// holds exactly that entry) and, while it leads, seeds the state from
// sentinel.conf once for the whole group.
func (s *Sentinel) registerLoop(ctx context.Context) {
	ip, port := announcedAddr(s.cfg)
	want := Member{ID: s.myID, IP: ip, Port: port, RaftID: s.raft.opt.ID, RaftAddr: s.raft.opt.Addr}
	// After a restart, act on the state only once the log this node
	// already had is applied again (or after replayWait, in case a new
	// leader discarded an uncommitted tail of it).
	replayLogged := false
	replayDeadline := time.Now().Add(replayWait)
	for {
		var have *Member
		seeded := false
		s.View(func(st *State) {
			if m := st.Members[s.myID]; m != nil {
				c := *m
				have = &c
			}
			seeded = st.Seeded
		})
		if !replayLogged && (s.fsm.lastIndex.Load() >= s.fsm.replayedUpTo.Load() || time.Now().After(replayDeadline)) {
			replayLogged = true
			s.logReplayedMasters()
		}
		if have != nil && *have == want && seeded && replayLogged {
			return
		}
		if _, leader := s.raft.r.LeaderWithID(); leader != "" && replayLogged {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			if have == nil || *have != want {
				if _, err := s.Propose(pctx, Command{Op: OpMember, Member: &want}); err != nil && ctx.Err() == nil {
					s.log.Debug("Registering this sentinel: " + err.Error())
				}
			}
			if !seeded && s.IsLeader() {
				if _, err := s.Propose(pctx, Command{Op: OpSeed, Masters: s.cfg.Seed, Epoch: cfgCurrentEpoch(s.cfg)}); err != nil && ctx.Err() == nil {
					s.log.Debug("Seeding the masters: " + err.Error())
				}
			}
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.fsm.appliedCh():
		case <-time.After(registerPoll):
		}
	}
}

// logReplayedMasters logs +monitor for the masters restored from the Raft
// log at a restart (their events were published by the first run; Redis
// logs +monitor at every start).
func (s *Sentinel) logReplayedMasters() {
	if s.fsm.replayedUpTo.Load() == 0 {
		return
	}
	s.View(func(st *State) {
		for _, m := range st.sortedMasters() {
			s.log.Warn("+monitor " + fmtMasterDetails(m) + " quorum " + strconv.Itoa(m.Quorum))
		}
	})
}

// flushLoop rewrites the config file after committed changes, at most
// once per flushDebounce (never from inside FSM.Apply).
func (s *Sentinel) flushLoop(ctx context.Context) {
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.fsm.changed:
		}
		if wait := flushDebounce - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		// Changes committed during the wait are covered by this flush.
		select {
		case <-s.fsm.changed:
		default:
		}
		last = time.Now()
		if err := s.flushConfig(); err != nil {
			s.log.Warn("Error saving the sentinel config: " + err.Error())
		}
	}
}

// Config settings read through the config part's accessors.

func cfgLogSettings(cfg *Config) (file, level string) { return cfg.LogFile, cfg.LogLevel }

func cfgCurrentEpoch(cfg *Config) uint64 { return cfg.CurrentEpoch }

func cfgAnnounce(cfg *Config) (string, int) { return cfg.AnnounceIP(), cfg.AnnouncePort() }
