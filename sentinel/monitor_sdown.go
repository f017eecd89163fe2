package sentinel

import "time"

// sdownInput is everything the SDOWN rule looks at for one instance.
type sdownInput struct {
	Now       time.Time
	DownAfter time.Duration
	Connected bool
	// PingPendingSince is the oldest PING without an acceptable reply.
	PingPendingSince time.Time
	// LastAvail is the last acceptable PING reply, the link's creation
	// when there was none, or the moment its connection was lost if
	// later: an instance is not held silent for time it was never asked.
	LastAvail time.Time
	// For masters only (IsMaster): the role they report.
	IsMaster      bool
	Role          string
	RoleChangedAt time.Time
	InfoPeriod    time.Duration
	// RebootSince is when a master's run id changed and it has not
	// answered +PONG since; RebootPeriod is master-reboot-down-after-period
	// (0 = rule off).
	RebootSince  time.Time
	RebootPeriod time.Duration
}

// sdownDecide is the subjective-down rule. An instance is down for this
// sentinel when it gave no acceptable answer (+PONG, -LOADING,
// -MASTERDOWN) for longer than down-after-milliseconds, counting from the
// first PING still unanswered, or, while there is no connection at all,
// from the last time it was available. A master is also down when it has
// kept saying it is a replica for down-after plus two INFO periods (it
// was demoted behind our back), and when it rebooted and has not answered
// a real +PONG within master-reboot-down-after-period.
func sdownDecide(in sdownInput) bool {
	var silent time.Duration
	switch {
	case !in.PingPendingSince.IsZero():
		silent = in.Now.Sub(in.PingPendingSince)
	case !in.Connected:
		silent = in.Now.Sub(in.LastAvail)
	}
	if silent > in.DownAfter {
		return true
	}
	if in.IsMaster && in.Role == "slave" && in.Now.Sub(in.RoleChangedAt) > in.DownAfter+2*in.InfoPeriod {
		return true
	}
	if in.IsMaster && in.RebootPeriod > 0 && !in.RebootSince.IsZero() && in.Now.Sub(in.RebootSince) > in.RebootPeriod {
		return true
	}
	return false
}

// acceptablePing reports whether a PING reply proves the instance alive:
// a PONG, or an error saying it is loading its dataset or that its master
// link is down (it is alive, only not serving).
func acceptablePing(typ byte, text string) bool {
	switch typ {
	case '+':
		return hasPrefixFold(text, "PONG")
	case '-':
		return hasPrefixFold(text, "LOADING") || hasPrefixFold(text, "MASTERDOWN")
	}
	return false
}

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		a, b := s[i], p[i]
		if 'a' <= a && a <= 'z' {
			a -= 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// tiltState tracks TILT mode from the monitor's timer.
type tiltState struct {
	on      bool
	since   time.Time
	lastRun time.Time
}

// tiltStep is the TILT rule, run once per monitor tick. The timer runs
// every 100 ms; if two runs are further apart than the tilt trigger, or
// the clock went backwards, the process was stalled or time jumped, and
// every timing-based judgement is unreliable: the sentinel enters TILT
// (and re-enters it, restarting the period, on a new jump). TILT ends
// once the tilt period has passed quietly. It returns +1 on entering, -1
// on leaving, 0 otherwise.
func (t *tiltState) tiltStep(now time.Time, trigger, period time.Duration) int {
	last := t.lastRun
	t.lastRun = now
	if !last.IsZero() {
		if d := now.Sub(last); d < 0 || d > trigger {
			entered := !t.on
			t.on, t.since = true, now
			if entered {
				return +1
			}
			return 0
		}
	}
	if t.on && now.Sub(t.since) > period {
		t.on, t.since = false, time.Time{}
		return -1
	}
	return 0
}
