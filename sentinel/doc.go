// Package sentinel is Redoubt's Sentinel: a process that monitors Redis
// (or Redoubt) data nodes, agrees with its peers through Raft
// (hashicorp/raft) on the topology and on failovers, promotes a replica
// with the same pipelined transaction Redis Sentinel sends, and answers
// clients and operators exactly as Redis Sentinel 7.0 does.
//
// How the parts fit (files by prefix):
//
//   - contract.go: the shared vocabulary (State, Command, Event, the
//     local monitor view, the DEBUG knobs) and the Sentinel value.
//   - fsm*.go: the replicated state machine. Apply is pure: it takes a
//     Command (which carries the proposer's clock reading), mutates State
//     and returns the events every sentinel publishes. No I/O, no clock.
//   - raft*.go, propose*.go: hashicorp/raft wiring (bolt log/stable store,
//     file snapshots, TCP transport), bootstrap/join, proposals forwarded
//     from followers to the leader over RESP.
//   - monitor*.go, link*.go: this sentinel's own view of every instance
//     (PING, INFO, SDOWN), fed back into Raft as opinions.
//   - failover*.go, select*.go: the failover state machine, run by the Raft
//     leader only, one function per state; replica choice is pure.
//   - server*.go, cmd_*.go, pubsub*.go, info*.go: the RESP front end
//     (SENTINEL ..., INFO, HELLO, AUTH, CLIENT, (P)SUBSCRIBE, ROLE ...).
//   - config*.go, rewrite*.go: sentinel.conf parsing and FLUSHCONFIG.
//   - run.go: process wiring and lifecycle.
//
// The sentinel talks to data nodes only over TCP, like the real one.
package sentinel
