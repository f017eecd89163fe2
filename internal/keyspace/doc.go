// Package keyspace holds the numbered databases, the value types and key
// expiry. It knows nothing of clients or networking; the server serialises
// every call into it (one command at a time), so nothing here locks.
//
// Invariants:
//   - A key is in a DB's expires table only if it is in its main table.
//   - A lookup never returns a key whose TTL has passed. On a master such a
//     key is deleted on the spot and reported through Hooks.Expired so the
//     deletion is propagated; on a replica it stays in memory (the master's
//     DEL removes it) unless the command comes from the master itself.
//   - Keys stored in the tables are owned copies; lookups may pass views.
package keyspace
