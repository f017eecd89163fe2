// Package rdb writes Redis RDB files (version 10, the format Redis 7.0
// writes and loads) from our keyspace values.
//
// Layout of a file: the magic "REDIS0010", AUX fields, then for every
// non-empty database a SELECTDB and a RESIZEDB opcode followed by its keys
// (each optionally preceded by EXPIRETIME_MS), then EOF and an 8-byte
// little-endian CRC-64/Jones of everything before it (0 when checksums are
// disabled).
//
// Values are written in the plain forms every Redis 7.0 loads and
// re-encodes compactly on its own: strings (int-encoded or LZF-compressed
// where Redis would), lists as LIST, sets as SET, hashes as HASH, sorted
// sets as ZSET_2 with binary doubles, and streams as STREAM_LISTPACKS_2
// whose listpacks we build ourselves (listpack.go).
//
// EncodeKey produces the bytes of one key without a Writer, so a snapshot
// producer can serialise a key's old value early (before a write changes
// it) and hand the bytes to the Writer later through Raw.
//
// Nothing here locks: callers serialise access to the values they pass.
package rdb
