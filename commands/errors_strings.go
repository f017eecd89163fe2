package commands

// Error replies of the string and bitmap families, worded as Redis 7.0.15
// words them (each one checked against a live server). The shared ones
// (ErrNotInt, ErrOverflow, ErrIncrFloatNaN, ErrStringTooLong,
// ErrOffsetRange, ErrInvalidExpire ...) live in errors.go.
const (
	// ErrDecrOverflow: DECRBY by the most negative 64-bit integer, which
	// cannot be negated into an increment.
	ErrDecrOverflow = "ERR decrement would overflow"

	// ErrBitValue: SETBIT's value is not an integer, or not 0 or 1.
	ErrBitValue = "ERR bit is not an integer or out of range"

	// ErrBitOffset: a bit offset (SETBIT, GETBIT, BITFIELD) that is not a
	// non-negative integer, or whose byte lies at or beyond
	// proto-max-bulk-len.
	ErrBitOffset = "ERR bit offset is not an integer or out of range"

	// ErrBitArg: BITPOS looks for a bit other than 0 or 1.
	ErrBitArg = "ERR The bit argument must be 1 or 0."

	// ErrBitopNot: BITOP NOT with other than exactly one source key.
	ErrBitopNot = "ERR BITOP NOT must be called with a single source key."

	// ErrBitfieldOverflow: BITFIELD OVERFLOW followed by anything but
	// WRAP, SAT or FAIL.
	ErrBitfieldOverflow = "ERR Invalid OVERFLOW type specified"

	// ErrBitfieldType: a BITFIELD type other than i1..i64 or u1..u63.
	ErrBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

	// ErrBitfieldRO: BITFIELD_RO given a SET or INCRBY operation.
	ErrBitfieldRO = "ERR BITFIELD_RO only supports the GET subcommand"

	// ErrLCSKeyType: one of LCS's keys holds something other than a
	// string (checked before the options are parsed).
	ErrLCSKeyType = "ERR The specified keys must contain string values"

	// ErrLCSLenAndIdx: LCS given both LEN and IDX.
	ErrLCSLenAndIdx = "ERR If you want both the length and indexes, please just use IDX."

	// ErrLCSTooLong: an LCS input too long for 32-bit indexes.
	ErrLCSTooLong = "ERR String too long for LCS"

	// ErrLCSMemoryLimit: LCS's dynamic-programming table (4 bytes per
	// pair of positions) would exceed proto-max-bulk-len.
	ErrLCSMemoryLimit = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"

	// ErrLCSMemoryAllocate: Redis's reply when allocating that table
	// fails. Go aborts on allocation failure, so Redoubt never sends it;
	// it is kept so the family's error set is complete.
	ErrLCSMemoryAllocate = "ERR Insufficient memory, failed allocating transient memory for LCS"
)
