package sentinel

import "strconv"

// apiSettings is the front end's access to the global options (SENTINEL
// CONFIG GET/SET, requirepass, deny-scripts-reconfig, resolve-hostnames).
// The config part stores them and rewrites the file from them.
type apiSettings struct{ cfg *Config }

// settingsFromConfig wraps the parsed config (a zero Config when nil).
func settingsFromConfig(cfg *Config) *apiSettings {
	if cfg == nil {
		cfg = &Config{}
	}
	return &apiSettings{cfg: cfg}
}

func (a *apiSettings) requirePass() string { return a.cfg.RequirePass() }

func (a *apiSettings) resolving() bool     { return a.cfg.ResolveHostnames() }
func (a *apiSettings) scriptsDenied() bool { return a.cfg.DenyScriptsReconfig() }

// get returns the global options whose name matches pattern.
func (a *apiSettings) get(pattern string) [][2]string { return a.cfg.GetGlobals(pattern) }

// set validates and applies one option: "" on success, else the error
// reply.
func (a *apiSettings) set(name, value string) string {
	if err := a.cfg.SetGlobal(name, value); err != nil {
		return err.Error()
	}
	return ""
}

// parseRedisInt parses an integer the strict way Redis does (optional
// minus, no plus, no spaces, no leading zeros, within int64).
func parseRedisInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	body := s
	if body[0] == '-' {
		body = body[1:]
	}
	if len(body) == 0 || body[0] < '1' || body[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
