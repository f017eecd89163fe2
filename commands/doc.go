// Package commands is the command table and the data commands, one file
// per family. A command reads its arguments from a Ctx, runs against the
// keyspace, writes its reply and says how it is propagated to replicas.
// Server-level commands (CLIENT, CONFIG, INFO, MULTI ...) are registered
// into the same table by the server package, which owns their state.
//
// Invariants:
//   - Commands run one at a time (the server serialises them), so they use
//     the keyspace without locks.
//   - A command that changed the dataset increments Ctx.Dirty; unless it
//     rewrote or suppressed its propagation, its own arguments are
//     propagated after anything it added with Also.
//   - Every error string a client can see is declared once in errors.go.
package commands
