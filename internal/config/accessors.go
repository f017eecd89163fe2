package config

// Typed views of the special directives, for the server's hot paths.

// SaveParams returns the "save" rules (empty when snapshots are disabled).
func (c *Config) SaveParams() []SaveParam {
	_, v := c.value("save")
	return append([]SaveParam(nil), v.(saveVal)...)
}

// OutputBufferLimits returns client-output-buffer-limit indexed by
// ClassNormal, ClassReplica and ClassPubSub.
func (c *Config) OutputBufferLimits() [3]OutputBufferLimit {
	_, v := c.value("client-output-buffer-limit")
	return v.(obufVal)
}

// ReplicaOf returns the configured master, and false when this server is
// not a replica.
func (c *Config) ReplicaOf() (host string, port int, ok bool) {
	_, v := c.value("replicaof")
	r := v.(replicaOfVal)
	return r.Host, r.Port, r.Host != ""
}

// KeyspaceEvents returns notify-keyspace-events as Notify* flags.
func (c *Config) KeyspaceEvents() int {
	_, v := c.value("notify-keyspace-events")
	return int(v.(int64))
}

// BindAddrs returns the bind addresses (possibly none).
func (c *Config) BindAddrs() []string {
	_, v := c.value("bind")
	return append([]string(nil), v.([]string)...)
}

// LatencyPercentiles returns latency-tracking-info-percentiles.
func (c *Config) LatencyPercentiles() []float64 {
	_, v := c.value("latency-tracking-info-percentiles")
	return append([]float64(nil), v.([]float64)...)
}

// OOMScoreAdjValues returns oom-score-adj-values for the master, replica
// and background child processes.
func (c *Config) OOMScoreAdjValues() [3]int64 {
	_, v := c.value("oom-score-adj-values")
	return v.([3]int64)
}

// EnumName returns the canonical spelling of an Enum directive's value
// (for instance "yes" for oom-score-adj "relative"); it equals String for
// Enum kinds and is provided for readability at call sites.
func (c *Config) EnumName(name string) string {
	d := Lookup(name)
	if d == nil || d.Kind != Enum {
		return ""
	}
	return c.String(name)
}
