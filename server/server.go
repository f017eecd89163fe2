package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"redoubt/commands"
	"redoubt/internal/config"
	"redoubt/internal/keyspace"
	"redoubt/replication"
)

// Version is the Redis version Redoubt reports and behaves as.
const Version = "7.0.15"

// hotConfig caches configuration values read on every request. Values the
// connection goroutines read outside the lock are atomics.
type hotConfig struct {
	protoMaxBulkLen atomic.Int64
	queryBufLimit   atomic.Int64
	requirePass     string
	maxClients      int
	replicaReadOnly bool
	notifyFlags     int
	slowlogSlower   int64
	slowlogMax      int
	maxmemory       int64
	idleTimeout     int64
	obufLimits      map[string]obufLimit
	hz              int
	expireEffort    int
	// latencyThreshold is latency-monitor-threshold in ms (0 = off).
	latencyThreshold int64
}

// obufLimit is one client-output-buffer-limit class.
type obufLimit struct {
	hard, soft int64
	softSecs   int64
}

// Server is a data node.
type Server struct {
	mu     sync.Mutex
	cfg    *config.Config
	log    *slog.Logger
	ks     *keyspace.Keyspace
	set    *commands.Settings
	stream *replication.Stream
	hot    hotConfig

	listeners []net.Listener
	clients   map[int64]*Client
	nextID    atomic.Int64
	runID     string
	started   time.Time

	// pending collects what the running top-level command propagates.
	pending     []replication.Op
	noWrap      bool
	expireState keyspace.ActiveExpireState

	watched    map[watchKey][]*Client
	block      blocking
	pubsub     pubsubState
	monitors   []*Client
	slowlog    slowlog
	latencyMon latencyMonitor
	stats      stats
	pause      pauseState
	shutdownCh chan struct{}
	closing    atomic.Bool
	// beforeShutdown hooks (saving, closing replicas) run on shutdown.
	beforeShutdown []func()
	// persistLoad is what the startup RDB load found (persist_load.go).
	persistLoad loadState
	dirty       int64
	// cronHooks run on every cron tick with s.mu held.
	cronHooks []func()
	// rm is the master side of replication (repl_master.go).
	rm replMaster
	// rr is the replica side of replication (repl_replica.go).
	rr replReplica
	// clock is the time of the latest clock read while executing; a
	// command's start time. Guarded by mu.
	clock time.Time
	// exitCode is what Run returns after shutdown.
	exitCode int
	// admin is the state of INFO, CONFIG, DEBUG and SHUTDOWN (info_stats.go).
	admin adminState
	// persist is the saving state (persist_save.go).
	persist persistState
}

// Options configure New.
type Options struct {
	Config *config.Config
	Logger *slog.Logger
}

// New builds a server from its configuration; nothing listens yet.
func New(opts Options) (*Server, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.New()
	}
	s := &Server{
		cfg:        cfg,
		log:        opts.Logger,
		clients:    make(map[int64]*Client),
		stream:     replication.NewStream(),
		watched:    make(map[watchKey][]*Client),
		shutdownCh: make(chan struct{}),
		started:    time.Now(),
	}
	if s.log == nil {
		s.log = slog.New(NewHandler(os.Stdout, LevelNotice, 'M'))
	}
	var id [20]byte
	rand.Read(id[:])
	s.runID = hex.EncodeToString(id[:])
	n := int(cfg.Int("databases"))
	if n < 1 {
		n = 16
	}
	s.ks = keyspace.New(n)
	s.set = commands.DefaultSettings()
	s.block.init()
	s.pubsub.init()
	s.slowlog.init()
	s.installHooks()
	s.loadHot()
	s.initAdmin()
	s.initPersist()
	s.initReplMaster()
	s.initReplica()
	for _, name := range hotDirectives {
		cfg.OnChange(name, func(*config.Config) { s.loadHot() })
	}
	return s, nil
}

// Keyspace exposes the datasets (for in-process tests and the RDB layer).
func (s *Server) Keyspace() *keyspace.Keyspace { return s.ks }

// Stream exposes the replication stream (in-process consumers).
func (s *Server) Stream() *replication.Stream { return s.stream }

// Lock and Unlock serialise in-process access with command execution.
func (s *Server) Lock()   { s.mu.Lock() }
func (s *Server) Unlock() { s.mu.Unlock() }

// Config returns the live configuration.
func (s *Server) Config() *config.Config { return s.cfg }

// Addrs lists the addresses the server listens on.
func (s *Server) Addrs() []net.Addr {
	var out []net.Addr
	for _, l := range s.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// Listen opens the TCP listeners (bind × port) and the unix socket.
func (s *Server) Listen() error {
	port := s.cfg.Int("port")
	if port != 0 {
		binds := strings.Fields(s.cfg.String("bind"))
		if len(binds) == 0 {
			binds = []string{"*"}
		}
		for _, b := range binds {
			optional := strings.HasPrefix(b, "-")
			b = strings.TrimPrefix(b, "-")
			host := b
			switch b {
			case "*":
				host = "0.0.0.0"
			case "::*":
				host = "::"
			}
			l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.FormatInt(port, 10)))
			if err != nil {
				if optional {
					continue
				}
				s.closeListeners()
				return fmt.Errorf("Failed listening on port %d (tcp), aborting.: %w", port, err)
			}
			s.listeners = append(s.listeners, l)
		}
	}
	if path := s.cfg.String("unixsocket"); path != "" {
		os.Remove(path)
		l, err := net.Listen("unix", path)
		if err != nil {
			s.closeListeners()
			return fmt.Errorf("Failed opening Unix socket: %w", err)
		}
		if perm := s.cfg.String("unixsocketperm"); perm != "" && perm != "0" {
			if m, err := strconv.ParseUint(perm, 8, 32); err == nil {
				os.Chmod(path, os.FileMode(m))
			}
		}
		s.listeners = append(s.listeners, l)
	}
	if len(s.listeners) == 0 {
		return errors.New("Configured to not listen anywhere, exiting.")
	}
	return nil
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.Close()
	}
}

// Serve accepts clients and runs the cron until ctx ends or SHUTDOWN.
func (s *Server) Serve(ctx context.Context) error {
	for _, l := range s.listeners {
		go s.acceptLoop(l)
	}
	go s.cron()
	s.log.Info("Ready to accept connections")
	select {
	case <-ctx.Done():
		s.log.Warn("Received SIGTERM scheduling shutdown...")
	case <-s.shutdownCh:
	}
	s.shutdown()
	return nil
}

// Shutdown asks Serve to return (as SHUTDOWN does).
func (s *Server) Shutdown() {
	if s.closing.CompareAndSwap(false, true) {
		close(s.shutdownCh)
	}
}

func (s *Server) shutdown() {
	s.closing.Store(true)
	s.log.Warn("User requested shutdown...")
	s.closeListeners()
	for _, f := range s.beforeShutdown {
		f()
	}
	s.mu.Lock()
	for _, c := range s.clients {
		c.kill()
	}
	s.mu.Unlock()
	if path := s.cfg.String("unixsocket"); path != "" {
		os.Remove(path)
	}
	s.log.Warn("Redis is now ready to exit, bye bye...")
}

func (s *Server) acceptLoop(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.accept(conn)
	}
}

// errMaxClients is written to a connection refused for the client limit.
const errMaxClients = "-ERR max number of clients reached\r\n"

func (s *Server) accept(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		if ka := s.cfg.Int("tcp-keepalive"); ka > 0 {
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(time.Duration(ka) * time.Second)
		}
	}
	s.mu.Lock()
	if len(s.clients) >= s.hot.maxClients {
		s.stats.rejectedConns++
		s.mu.Unlock()
		conn.Write([]byte(errMaxClients))
		go lingerClose(conn)
		return
	}
	c := newClient(s, conn, s.nextID.Add(1))
	c.db = s.ks.DBs[0]
	c.authenticatedFlag.Store(s.hot.requirePass == "")
	s.clients[c.id] = c
	s.stats.connsReceived++
	s.mu.Unlock()
	go c.serve()
}

// removeClient forgets a client. Holds s.mu.
func (s *Server) removeClient(c *Client) {
	if _, ok := s.clients[c.id]; !ok {
		return
	}
	delete(s.clients, c.id)
	if c.blocked != nil {
		s.unblock(c)
	}
	s.unwatchAll(c)
	s.replMasterForget(c)
	s.pubsubUnsubscribeAll(c)
	if c.flags&flagMonitor != 0 {
		s.removeMonitor(c)
	}
}

// installHooks connects keyspace events to propagation, WATCH, blocking.
func (s *Server) installHooks() {
	s.ks.Hooks.Expired = func(db *keyspace.DB, key string) {
		name := "DEL"
		if s.set.LazyfreeLazyExpire {
			name = "UNLINK"
		}
		s.pending = append(s.pending, replication.Op{DB: db.ID, Args: [][]byte{[]byte(name), []byte(key)}})
		s.stats.expiredKeys++
		s.touchWatched(db, key)
		s.notify(commands.NotifyExpired, "expired", db, key)
	}
	s.ks.Hooks.Ready = func(db *keyspace.DB, key string) { s.signalReady(db, key) }
	// Clients blocked on a key that is deleted are told (XREADGROUP on a
	// stream that no longer exists gets an error), as Redis 7.0 does.
	s.ks.Hooks.Deleted = func(db *keyspace.DB, key string) { s.signalReady(db, key) }
	s.ks.Hooks.Added = func(db *keyspace.DB, key string) { s.notify(commands.NotifyNew, "new", db, key) }
	s.ks.Hooks.Flushing = func(db *keyspace.DB) { s.touchWatchedDB(db, nil) }
	s.ks.Hooks.Swapped = func(a, b *keyspace.DB) {
		s.touchWatchedDB(a, b)
		s.touchWatchedDB(b, a)
		s.readyAfterSwap(a)
		s.readyAfterSwap(b)
	}
}
