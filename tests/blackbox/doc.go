// Package blackbox holds tests that start the built redoubt binary (and,
// side by side, the real redis-server) and talk to them over real sockets.
package blackbox
