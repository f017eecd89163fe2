package config

import (
	"errors"
	"os"
	"strings"
)

// Get implements CONFIG GET for one pattern. A pattern without '*', '?' or
// '[' is looked up directly (case-insensitively, hidden directives
// included) and reported under the name exactly as given. Otherwise every
// canonical name and alias is matched with Redis's glob rules, ignoring
// case, and hidden directives are skipped; an alias that matches is
// reported under the alias. Results are sorted by name.
func (c *Config) Get(pattern string) [][2]string {
	return c.GetMulti(pattern)
}

// GetMulti implements CONFIG GET with several patterns (Redis 7.0 accepts
// more than one); a name is reported once.
func (c *Config) GetMulti(patterns ...string) [][2]string {
	ensureTable()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	seen := make(map[string]bool)
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "[*?") {
			if seen[pat] {
				continue
			}
			if d := lookupRuntime(pat); d != nil {
				seen[pat] = true
				out = append(out, [2]string{pat, formatValue(d, c.vals[d])})
			}
			continue
		}
		var found [][2]string
		for _, d := range table {
			if d.FileOnly || d.Hidden {
				continue
			}
			for _, n := range d.names() {
				if seen[n] || !GlobMatch(pat, n, true) {
					continue
				}
				seen[n] = true
				found = append(found, [2]string{n, formatValue(d, c.vals[d])})
			}
		}
		sortPairs(found)
		out = append(out, found...)
	}
	return out
}

func sortPairs(p [][2]string) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j][0] < p[j-1][0]; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// Set implements CONFIG SET for a client that is not local (see SetAs).
func (c *Config) Set(pairs [][2]string) error { return c.SetAs(pairs, false) }

// SetAs implements CONFIG SET with one or more name/value pairs. Either
// every pair is applied or none is. localClient tells whether the caller
// connected over loopback or a unix socket, which matters when
// enable-protected-configs is "local". Errors carry Redis's exact text
// starting with "ERR ".
func (c *Config) SetAs(pairs [][2]string, localClient bool) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	ensureTable()

	c.mu.Lock()
	// Pass 1: resolve names and reject unknown, immutable, protected and
	// duplicated ones; the first problem found wins.
	ds := make([]*Directive, len(pairs))
	seen := make(map[string]bool)
	for i, p := range pairs {
		d := lookupRuntime(p[0])
		key := asciiLower(p[0])
		var msg string
		switch {
		case d == nil:
			c.mu.Unlock()
			return errors.New("ERR Unknown option or number of arguments for CONFIG SET - '" + p[0] + "'")
		case d.Immutable:
			msg = "can't set immutable config"
		case d.Protected && !c.protectedAllowed(localClient):
			msg = "can't set protected config"
		case seen[key]:
			msg = "duplicate parameter"
		}
		if msg != "" {
			// An unknown name later in the list still takes precedence in
			// Redis only if it came first, so report this one.
			c.mu.Unlock()
			return setFailed(p[0], msg)
		}
		seen[key] = true
		ds[i] = d
	}

	// Pass 2: parse every value against the values accepted so far.
	x := &setCtx{c: c, pending: make(map[*Directive]any)}
	old := make(map[*Directive]any)
	for i, p := range pairs {
		d := ds[i]
		args := []string{p[1]}
		if d.MultiArg {
			args = splitSpaces(p[1])
		}
		v, err := parseValue(x, d, args)
		if err != nil {
			c.mu.Unlock()
			return setFailed(asciiLower(p[0]), err.Error())
		}
		if _, ok := old[d]; !ok {
			old[d] = c.vals[d]
		}
		x.pending[d] = v
	}
	changed := make(map[*Directive]bool)
	for d, v := range x.pending {
		if !sameValue(d, old[d], v) {
			changed[d] = true
		}
		c.vals[d] = v
	}
	var applies []func(*Config) error
	var applyNames []string
	for i, d := range ds {
		if changed[d] {
			for _, fn := range c.onApply[d] {
				applies = append(applies, fn)
				applyNames = append(applyNames, asciiLower(pairs[i][0]))
			}
		}
	}
	c.mu.Unlock()

	for i, fn := range applies {
		if err := fn(c); err != nil {
			c.mu.Lock()
			for d, v := range old {
				c.vals[d] = v
			}
			c.mu.Unlock()
			for _, again := range applies[:i+1] {
				_ = again(c)
			}
			return setFailed(applyNames[i], err.Error())
		}
	}
	c.mu.Lock()
	c.afterCommit(changed)
	c.mu.Unlock()
	c.runOnChange(changed)
	return nil
}

func setFailed(name, msg string) error {
	return errors.New("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + msg)
}

// protectedAllowed applies enable-protected-configs for one client.
func (c *Config) protectedAllowed(local bool) bool {
	switch enumName(Lookup("enable-protected-configs"), c.vals[Lookup("enable-protected-configs")].(int64)) {
	case "yes":
		return true
	case "local":
		return local
	}
	return false
}

// SetInternal changes a directive on behalf of the server itself, ignoring
// immutability and protection (for example REPLICAOF updates "replicaof",
// and a daemonized server fills in "pidfile"). The value uses CONFIG SET
// syntax. Change callbacks run; apply callbacks do not. The error text is
// the bare reason, without the "ERR CONFIG SET failed" prefix.
func (c *Config) SetInternal(name, value string) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	d := lookupRuntime(name)
	if d == nil {
		return errors.New("unknown directive '" + name + "'")
	}
	c.mu.Lock()
	args := []string{value}
	if d.MultiArg {
		args = splitSpaces(value)
	}
	v, err := parseValue(&setCtx{c: c}, d, args)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	changed := map[*Directive]bool{}
	if !sameValue(d, c.vals[d], v) {
		changed[d] = true
	}
	c.vals[d] = v
	c.afterCommit(changed)
	c.mu.Unlock()
	c.runOnChange(changed)
	return nil
}

// afterCommit performs side effects of newly stored values (changing the
// working directory for "dir"). The caller holds mu.
func (c *Config) afterCommit(changed map[*Directive]bool) {
	d := Lookup("dir")
	if changed[d] && c.chdir {
		_ = os.Chdir(c.vals[d].(string))
	}
}
