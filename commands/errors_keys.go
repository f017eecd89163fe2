package commands

import (
	"bytes"
	"fmt"
)

// Error replies of the generic key and database commands, worded exactly
// as Redis 7.0 words them.
const (
	// ErrIntRange32 answers a DB index that does not fit a C int.
	ErrIntRange32 = "ERR value is out of range, value must between -2147483648 and 2147483647"
	// ErrSwapFirstDB and ErrSwapSecondDB answer unparsable SWAPDB indexes.
	ErrSwapFirstDB  = "ERR invalid first DB index"
	ErrSwapSecondDB = "ERR invalid second DB index"
	// ErrExpireNXCombo and ErrExpireGTLT answer conflicting EXPIRE flags.
	ErrExpireNXCombo = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTLT    = "ERR GT and LT options at the same time are not compatible"
	// ErrExpireOption answers an unknown EXPIRE flag (format: the flag).
	ErrExpireOption = "ERR Unsupported option %s"
	// ErrUnknownTypeObject answers COPY of a value that cannot be cloned.
	ErrUnknownTypeObject = "ERR unknown type object"
	// ErrObjectIdleLFU and ErrObjectFreqNoLFU answer OBJECT IDLETIME and
	// OBJECT FREQ under the wrong kind of maxmemory policy.
	ErrObjectIdleLFU   = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	ErrObjectFreqNoLFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// errInvalidExpire is the overflow error of an EXPIRE-family command,
// naming it by its lower-case name.
func errInvalidExpire(c *Ctx) string {
	return fmt.Sprintf(ErrInvalidExpire, c.Cmd.FullName())
}

// errExpireOption names an unknown EXPIRE flag. Redis prints the word as a
// C string, so it stops at the first NUL byte.
func errExpireOption(word []byte) string {
	if z := bytes.IndexByte(word, 0); z >= 0 {
		word = word[:z]
	}
	return fmt.Sprintf(ErrExpireOption, word)
}
