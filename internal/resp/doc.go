// Package resp reads client requests (RESP multibulk and inline forms) with
// the limits a Redis server enforces, and writes replies in RESP2 or RESP3.
//
// Invariants:
//   - Reader.ReadCommand returns argument slices that stay valid only until
//     the next call; callers copy what they keep.
//   - Every protocol error a client can see is declared once, in errors.go,
//     with Redis's exact text.
//   - Writer only appends to an in-memory buffer; the owner decides when the
//     buffer goes to the socket (once per pipelined batch).
package resp
