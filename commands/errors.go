package commands

import "fmt"

// Error replies, worded exactly as Redis 7.0 words them.
const (
	ErrWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInt          = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrSyntax          = "ERR syntax error"
	ErrNoSuchKey       = "ERR no such key"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrIncrFloatNaN    = "ERR increment would produce NaN or Infinity"
	ErrDBIndex         = "ERR DB index is out of range"
	ErrInvalidExpire   = "ERR invalid expire time in '%s' command"
	ErrNotIntOrNeg     = "ERR value is out of range, must be positive"
	ErrTimeoutNotFloat = "ERR timeout is not a float or out of range"
	ErrTimeoutNeg      = "ERR timeout is negative"
	ErrTimeoutOverflow = "ERR timeout is out of range"
	ErrStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange     = "ERR offset is out of range"
	ErrIndexRange      = "ERR index out of range"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrHashNotInt      = "ERR hash value is not an integer"
	ErrHashNotFloat    = "ERR hash value is not a float"
	ErrMinMaxNotFloat  = "ERR min or max is not a float"
	ErrMinMaxLex       = "ERR min or max not valid string range item"
	ErrNaNScore        = "ERR resulting score is not a number (NaN)"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrInvalidCursor   = "ERR invalid cursor"
	ErrNotSupported    = "ERR %s is not supported"
)

// ErrArity is the reply for a wrong argument count.
func ErrArity(name string) string {
	return fmt.Sprintf("ERR wrong number of arguments for '%s' command", name)
}

// ErrUnknownCommand is the reply for a command name not in the table.
func ErrUnknownCommand(name []byte, args [][]byte) string {
	list := ""
	for _, a := range args {
		if len(list) >= 128 {
			break
		}
		list += fmt.Sprintf("'%.*s' ", 128-len(list), a)
	}
	return fmt.Sprintf("ERR unknown command '%.128s', with args beginning with: %s", name, list)
}

// ErrUnknownSubcommand is the reply for a container command's unknown
// subcommand.
func ErrUnknownSubcommand(sub []byte, cmd string) string {
	return fmt.Sprintf("ERR unknown subcommand '%.128s'. Try %s HELP.", sub, upper(cmd))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
