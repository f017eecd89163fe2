// Package testutil starts real processes for black-box tests: the built
// redoubt binary and, side by side, the real redis-server. It also offers
// a raw RESP connection that returns reply bytes untouched, so tests can
// compare them byte for byte.
package testutil
