package commands

// Error replies of the list commands, worded as Redis 7.0 words them.
const (
	// ErrListRankZero answers LPOS ... RANK 0.
	ErrListRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	// ErrListCountNeg answers a negative or non-numeric LPOS COUNT.
	ErrListCountNeg = "ERR COUNT can't be negative"
	// ErrListMaxlenNeg answers a negative or non-numeric LPOS MAXLEN.
	ErrListMaxlenNeg = "ERR MAXLEN can't be negative"
	// ErrListNumkeys answers LMPOP/BLMPOP with a numkeys below 1.
	ErrListNumkeys = "ERR numkeys should be greater than 0"
	// ErrListMpopCount answers LMPOP/BLMPOP with a COUNT below 1.
	ErrListMpopCount = "ERR count should be greater than 0"
	// ErrListTooLarge answers an element longer than a list node can
	// address.
	ErrListTooLarge = "ERR Element too large"
)

// listMaxItem is the longest element a list accepts (Redis's
// LIST_MAX_ITEM_SIZE: 4 GB minus some header room).
const listMaxItem = 1<<32 - 1024
