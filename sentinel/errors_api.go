package sentinel

// Every error text the RESP front end sends, declared once, as Redis
// Sentinel 7.0.15 words it (without the leading '-'). Texts with a %s or
// %d are filled with fmt.Sprintf at the single place that sends them.
const (
	// Command dispatch.
	errUnknownCommandFmt    = "ERR unknown command '%s', with args beginning with: %s"
	errUnknownSubcommandFmt = "ERR unknown subcommand '%s'. Try %s HELP."
	errWrongArityFmt        = "ERR wrong number of arguments for '%s' command"
	errSubscribedFmt        = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	errProtocolFmt          = "ERR Protocol error: %s"
	errSyntax               = "ERR syntax error"
	errNotInteger           = "ERR value is not an integer or out of range"

	// Authentication.
	errNoAuth       = "NOAUTH Authentication required."
	errHelloNoAuth  = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	errWrongPass    = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPass   = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errNoProto      = "NOPROTO unsupported protocol version"
	errProtoVersion = "ERR Protocol version is not an integer or out of range"
	errHelloOptFmt  = "ERR Syntax error in HELLO option '%s'"

	// CLIENT.
	errClientName      = "ERR Client names cannot contain spaces, newlines or special characters."
	errNoSuchClient    = "ERR No such client"
	errClientIDKill    = "ERR client-id should be greater than 0"
	errClientIDList    = "ERR Invalid client ID"
	errClientTypeFmt   = "ERR Unknown client type '%s'"
	errNoSuchUserFmt   = "ERR No such user '%s'"
	errPauseTimeout    = "ERR timeout is not an integer or out of range"
	errPauseMode       = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	errCachingTracking = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."

	// COMMAND.
	errInvalidCommand = "ERR Invalid command specified"
	errNoKeyArgs      = "ERR The command has no key arguments"

	// Pub/sub.
	errOnlyHello = "ERR Only HELLO messages are accepted by Sentinel instances."

	// SENTINEL.
	errNoSuchMaster      = "ERR No such master with that name"
	errInvalidQuorum     = "ERR Invalid quorum"
	errInvalidPort       = "ERR Invalid port"
	errQuorumMin         = "ERR Quorum must be 1 or greater."
	errInvalidAddr       = "ERR Invalid IP address or hostname specified"
	errInvalidPortNumber = "ERR Invalid port number."
	errSetInvalidArgFmt  = "ERR Invalid argument '%s' for SENTINEL SET '%s'"
	errSetUnknownFmt     = "ERR Unknown option or number of arguments for SENTINEL SET '%s'"
	errScriptsDenied     = "ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"
	errNotifScript       = "ERR Notification script seems non existing or non executable"
	errReconfScript      = "ERR Client reconfiguration script seems non existing or non executable"
	errConfigShape       = "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."
	errConfigArgFmt      = "ERR Invalid argument '%s' to SENTINEL CONFIG SET"
	errConfigValueFmt    = "ERR Invalid value '%s' to SENTINEL CONFIG SET '%s'"
	errFlushConfig       = "ERR Failed to save config file. Check server logs."
	errUnknownSimulation = "ERR Unknown failure simulation specified"
	errDebugUnknownFmt   = "ERR Unknown option or number of arguments for SENTINEL DEBUG '%s'"
	errDebugInvalidFmt   = "ERR Invalid argument '%s' for SENTINEL DEBUG '%s'"
	errQuorumUnreachable = "Not enough available Sentinels to reach the specified quorum for this master"
	errMajorityMissing   = "Not enough available Sentinels to reach the majority and authorize a failover"
	errNoQuorumFmt       = "NOQUORUM %d usable Sentinels. %s"

	// SENTINEL RAFT (our extension).
	errRaftUsage = "ERR Usage: SENTINEL RAFT STATUS|PEERS|ADD <id> <addr>|REMOVE <id>|APPLY <json>"
)

// ckquorumOKFmt is CKQUORUM's status reply when both checks pass.
const ckquorumOKFmt = "OK %d usable Sentinels. Quorum and failover authorization can be reached"
