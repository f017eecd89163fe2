// Package server is the data-node process: listeners, client lifecycle,
// the executor that runs commands in one logical order, blocking, pub/sub,
// transactions, the cron, and the server-level commands (CLIENT, CONFIG,
// INFO ...).
//
// Execution model: every client has a goroutine that reads requests. It
// takes the server lock, runs every complete request already buffered (a
// pipelined batch), releases the lock and writes the replies in one go.
// So commands run one at a time, in the order the replication stream
// records them, and MULTI/EXEC is atomic without further locking.
//
// Lock order: Server.mu, then a client's flushMu (only ever TryLock'ed
// while Server.mu is held). Reply buffers (Client.w) are guarded by
// Server.mu.
package server
