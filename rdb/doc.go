// Package rdb writes Redis RDB files (version 10, the format Redis 7.0
// writes and loads) from our keyspace values.
//
// Layout of a file: the magic "REDIS0010", AUX fields, then for every
// non-empty database a SELECTDB and a RESIZEDB opcode followed by its keys
// (each optionally preceded by EXPIRETIME_MS), then EOF and an 8-byte
// little-endian CRC-64/Jones of everything before it (0 when checksums are
// disabled).
//
// Values are written as Redis 7.0 writes them: strings int-encoded or
// LZF-compressed where Redis would; small hashes and sorted sets as
// listpacks (HASH_LISTPACK, ZSET_LISTPACK), integer sets as INTSET, lists
// as QUICKLIST_2 of listpack nodes (encode_compact.go); larger sets,
// hashes and sorted sets in the plain forms SET, HASH and ZSET_2 (binary
// doubles); streams as STREAM_LISTPACKS_2 whose listpacks we build
// ourselves (listpack.go). Under an LRU or LFU maxmemory-policy each key
// also carries an IDLE or FREQ opcode (evictmeta.go).
//
// EncodeKey produces the bytes of one key without a Writer, so a snapshot
// producer can serialise a key's old value early (before a write changes
// it) and hand the bytes to the Writer later through Raw.
//
// Nothing here locks: callers serialise access to the values they pass.
package rdb
