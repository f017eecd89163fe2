package sentinel

import "errors"

// Errors a client can see from the monitor and failover parts (SENTINEL
// FAILOVER), with Redis Sentinel's exact text minus the leading '-'.
var (
	// errInProgress: SENTINEL FAILOVER while a failover of that master runs.
	errInProgress = errors.New(resFailoverInProgress)
	// errNoGoodSlave: SENTINEL FAILOVER when no replica passes selection.
	errNoGoodSlave = errors.New("NOGOODSLAVE No suitable replica to promote")
	// errFoNoSuchMaster: SENTINEL FAILOVER of an unknown master name.
	errFoNoSuchMaster = errors.New(resNoSuchMaster)
)

// Reasons of OpFailoverAbort (the event each publishes).
const (
	abortNoGoodSlave  = "-failover-abort-no-good-slave"
	abortSlaveTimeout = "-failover-abort-slave-timeout"
)

// Local event payloads and channels of the monitor.
const (
	evTiltEntered = "#tilt mode entered"
	evTiltExited  = "#tilt mode exited"
	evRoleIsFmt   = " new reported role is "
)
