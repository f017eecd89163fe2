package commands

// Error replies of the sorted-set commands, worded as Redis 7.0 words them.
// The errors they share with other families (ErrMinMaxNotFloat,
// ErrMinMaxLex, ErrNaNScore, ErrNotFloat, ErrNotInt, ErrNotIntOrNeg) live
// in errors.go.
const (
	// ErrZAddXXNX: ZADD given both NX and XX.
	ErrZAddXXNX = "ERR XX and NX options at the same time are not compatible"

	// ErrZAddGTLTNX: ZADD given GT with LT, or either of them with NX
	// (XX combines with GT or LT).
	ErrZAddGTLTNX = "ERR GT, LT, and/or NX options at the same time are not compatible"

	// ErrZAddIncrPair: ZADD INCR with more than one score/member pair.
	ErrZAddIncrPair = "ERR INCR option supports a single increment-element pair"

	// ErrZLimitByRank: LIMIT (other than "LIMIT x -1") on a rank range
	// (ZRANGE without BYSCORE/BYLEX, ZREVRANGE).
	ErrZLimitByRank = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"

	// ErrZWithscoresLex: WITHSCORES on a lexicographic range.
	ErrZWithscoresLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"

	// ErrZWeightNotFloat: a WEIGHTS value of ZUNION/ZINTER(STORE) that does
	// not parse as a score.
	ErrZWeightNotFloat = "ERR weight value is not a float"

	// ErrZNeedOneKey: numkeys below 1 for ZUNION, ZINTER, ZDIFF, their
	// STORE forms and ZINTERCARD; %s is the command name in lower case.
	ErrZNeedOneKey = "ERR at least 1 input key is needed for '%s' command"

	// ErrZLimitNegative: ZINTERCARD's LIMIT negative or not an integer.
	ErrZLimitNegative = "ERR LIMIT can't be negative"

	// ErrZNumkeysPositive: ZMPOP/BZMPOP numkeys below 1 or not an integer.
	ErrZNumkeysPositive = "ERR numkeys should be greater than 0"

	// ErrZCountPositive: ZMPOP/BZMPOP COUNT below 1 or not an integer.
	ErrZCountPositive = "ERR count should be greater than 0"

	// ErrZRandCountRange: ZRANDMEMBER count of -2^63, whose absolute value
	// has no int64.
	ErrZRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
