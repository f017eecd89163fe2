package sentinel

// Every text the config part reports, declared once, worded as Redis
// Sentinel 7.0.15 words it. Load-time reasons are printed under the
// "*** FATAL CONFIG FILE ERROR ***" banner; the startup messages are log
// lines. (The SENTINEL CONFIG SET and FLUSHCONFIG wire errors are the
// front end's errConfigArgFmt, errConfigValueFmt and errFlushConfig.)
const (
	// Startup (logged, then exit 1).

	// No file given (or only "-" for standard input).
	cfgErrNoFile = "Sentinel needs config file on disk to save state. Exiting..."
	// access(W_OK) failed: path, then the strerror text.
	cfgErrNotWritableFmt = "Sentinel config file %s is not writable: %s. Exiting..."
	// A rewrite failed (at start-up only a warning): the strerror text.
	cfgWarnNotSavedFmt = "WARNING: Sentinel was not able to save the new configuration on disk!!!: %s"
	// Ours: we never fork into the background.
	cfgErrDaemonize = "daemonize yes is not supported by Redoubt: run it in the foreground (daemonize no) under a supervisor"
	// Ours: the default Raft port would not exist.
	cfgErrRaftPortDefault = "raft-addr must be set explicitly when port + 100 is above 65535"

	// `sentinel ...` lines, reported with their line number and text.
	// An unknown keyword and a known one with the wrong number of
	// arguments are both "Unrecognized"; numbers are read with atoi, so
	// junk reads as 0 and fails the range checks below.
	cfgErrUnrecognized = "Unrecognized sentinel configuration statement."
	cfgErrQuorum       = "Quorum must be 1 or greater."
	cfgErrDupMaster    = "Duplicate master name."
	cfgErrDupReplica   = "Duplicate hostname and port for replica."
	cfgErrResolve      = "Can't resolve instance hostname."
	cfgErrPortNumber   = "Invalid port number."
	cfgErrNoMaster     = "No such master with specified name."
	cfgErrZeroTime     = "negative or zero time parameter."
	cfgErrNegativeTime = "negative time parameter."
	cfgErrNotifScript  = "Notification script seems non existing or non executable."
	cfgErrReconfScript = "Client reconfiguration script seems non existing or non executable."
	cfgErrRenameTwice  = "Same command renamed multiple times with rename-command."
	cfgErrMyID         = "Malformed Sentinel id in myid option."
	// The yes/no globals (Redis words the first one in the plural).
	cfgErrDenyScriptsYesNo = "Please specify yes or no for the deny-scripts-reconfig options."
	cfgErrResolveYesNo     = "Please specify yes or no for the resolve-hostnames option."
	cfgErrAnnounceYesNo    = "Please specify yes or no for the announce-hostnames option."

	// Our Raft directives (reported under the same FATAL banner, with
	// the line). The arity text is the data node loader's.
	cfgErrArity     = "wrong number of arguments"
	cfgErrRaftAddr  = "Invalid address: expected host:port with a port in 1..65535"
	cfgErrRaftPeers = "Invalid raft-peers: expected id=host:port[,id=host:port...]"
	cfgErrRaftID    = "Invalid raft-id: it must not be empty"
)
