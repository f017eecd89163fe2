package sentinel

// STUB (owner: config). Delete when real.

// Config is sentinel.conf plus command-line directives.
type Config struct {
	Path string
	Port int
	Bind []string
	Dir  string

	MyID string

	RaftID    string
	RaftAddr  string
	RaftDir   string
	RaftPeers map[string]string // raft id -> host:port
	RaftJoin  string

	Seed []*Master // masters from sentinel monitor lines (+ their options)
}

// ParseConfig reads argv after the subcommand: [sentinel.conf] [--directive args ...].
func ParseConfig(args []string) (*Config, error) { return &Config{}, nil }

// flushConfig rewrites the config file with the current state
// (FLUSHCONFIG; after committed changes).
func (s *Sentinel) flushConfig() error { return nil }
