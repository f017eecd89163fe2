package commands

// Error replies of the stream commands, worded as Redis 7.0.15 words them
// (Writer.Error adds the leading '-'). Formats take the key and group
// names as the client gave them.
const (
	// IDs, XADD, XTRIM, XRANGE and XSETID.
	ErrXInvalidID        = "ERR Invalid stream ID specified as stream command argument"
	ErrXAddIDTooSmall    = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrXAddIDZero        = "ERR The ID specified in XADD must be greater than 0-0"
	ErrXAddExhausted     = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrXAddTooLarge      = "ERR Elements are too large to be stored"
	ErrXTrimBoth         = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	ErrXMaxLenNeg        = "ERR The MAXLEN argument must be >= 0."
	ErrXLimitNeg         = "ERR The LIMIT argument must be >= 0."
	ErrXLimitNoStrategy  = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	ErrXTrimNoStrategy   = "ERR syntax error, XTRIM must be called with a trimming strategy"
	ErrXLimitNoApprox    = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	ErrXBadStart         = "ERR invalid start ID for the interval"
	ErrXBadEnd           = "ERR invalid end ID for the interval"
	ErrXSetIDEntriesNeg  = "ERR entries_added must be positive"
	ErrXSetIDBelowMaxArg = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	ErrXSetIDBelowTop    = "ERR The ID specified in XSETID is smaller than the target stream top item"
	ErrXSetIDAddedSmall  = "ERR The entries_added specified in XSETID is smaller than the target stream length"

	// XREAD and XREADGROUP. The unbalanced-list error names XREAD and "$"
	// for both commands in 7.0.
	ErrXReadUnbalanced   = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	ErrXReadGroupOpt     = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	ErrXReadNoAckOpt     = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	ErrXReadMissingGroup = "ERR Missing GROUP option for XREADGROUP"
	ErrXReadNoGroup      = "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option"
	ErrXReadDollar       = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	ErrXReadGT           = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	ErrXReadGroupGone    = "NOGROUP the consumer group this client was blocked on no longer exists"
	ErrXReadKeyGone      = "UNBLOCKED the stream key no longer exists"
	ErrXTimeoutNotInt    = "ERR timeout is not an integer or out of range"

	// XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO.
	ErrXGroupNoKey     = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrXNoGroupForKey  = "NOGROUP No such consumer group '%s' for key name '%s'"
	ErrXBusyGroup      = "BUSYGROUP Consumer Group name already exists"
	ErrXEntriesRead    = "ERR value for ENTRIESREAD must be positive or -1"
	ErrXSubSyntax      = "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
	ErrXNoKeyOrGroup   = "NOGROUP No such key '%s' or consumer group '%s'"
	ErrXClaimMinIdle   = "ERR Invalid min-idle-time argument for XCLAIM"
	ErrXClaimIdle      = "ERR Invalid IDLE option argument for XCLAIM"
	ErrXClaimTime      = "ERR Invalid TIME option argument for XCLAIM"
	ErrXClaimRetry     = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
	ErrXClaimOption    = "ERR Unrecognized XCLAIM option '%s'"
	ErrXAutoClaimIdle  = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
	ErrXAutoClaimCount = "ERR COUNT must be > 0"
	ErrXInfoNoSuchKey  = "ERR no such key"
)
