package resp

import "errors"

// ProtocolError is a request framing error. The server replies with
// "-ERR Protocol error: <Msg>" and then closes the connection.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// The framing errors a client can see, worded as Redis words them.
var (
	ErrInvalidMultibulkLen = &ProtocolError{"invalid multibulk length"}
	ErrInvalidBulkLen      = &ProtocolError{"invalid bulk length"}
	ErrTooBigInline        = &ProtocolError{"too big inline request"}
	ErrTooBigMbulkCount    = &ProtocolError{"too big mbulk count string"}
	ErrTooBigBulkCount     = &ProtocolError{"too big bulk count string"}
	ErrUnbalancedQuotes    = &ProtocolError{"unbalanced quotes in request"}
	ErrUnauthMultibulkLen  = &ProtocolError{"unauthenticated multibulk length"}
	ErrUnauthBulkLen       = &ProtocolError{"unauthenticated bulk length"}
)

// ErrExpectedDollar builds the error for a multibulk element that does not
// start with '$'.
func ErrExpectedDollar(got byte) *ProtocolError {
	return &ProtocolError{"expected '$', got '" + string([]byte{got}) + "'"}
}

// ErrQueryBufferLimit is returned when a client's pending request grows
// past client-query-buffer-limit; the server closes such a client without a
// reply, as Redis does.
var ErrQueryBufferLimit = errors.New("query buffer limit reached")
