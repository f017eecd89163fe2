// Package replication owns the replication stream: the ordered RESP form
// of every write the node executed, with the SELECT and MULTI/EXEC framing
// Redis 7.0 puts around it. The master side (backlog, replica links,
// PSYNC) and the replica side are built on this stream.
//
// Invariants:
//   - Commands enter the stream in execution order (the caller serialises).
//   - A SELECT precedes the first command bound to a database other than
//     the one the stream last selected; PING-like control traffic never
//     causes one.
//   - Offset grows by exactly the number of bytes appended.
//
// It never imports server or commands: callers hand it plain arguments.
package replication
