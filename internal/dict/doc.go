// Package dict is a chained hash table with string keys, modelled on the
// dict.c table that backs every Redis keyspace. It exists because a Go map
// cannot offer what the server needs: a SCAN cursor that survives resizes,
// cheap random sampling for expiry and eviction, and resizes that are spread
// over many operations instead of paid at once.
//
// # Layout
//
// A Dict owns two tables, ht[0] and ht[1]. Each is a power-of-two slice of
// bucket heads; a bucket is a singly linked chain of entries. A key lives in
// bucket hash(key) & (size-1) of whichever table holds it. Hashes come from
// hash/maphash with one seed chosen when the process starts.
//
// # Resizing
//
// Outside a resize only ht[0] is in use. A resize allocates ht[1] at the new
// size and sets rehashIdx to 0. From then on each Get, GetPtr, Set, SetNew
// and Delete first moves one bucket of ht[0] (skipping at most ten empty
// ones), Sample moves one per entry asked for (RandomKey asks for 15),
// RehashFor moves batches for a bounded time, and new keys go straight into
// ht[1]. Scan and Range move nothing. When ht[0] is empty, ht[1] takes its
// place.
//
// An insert that finds Len() >= size grows the table to the smallest power
// of two >= Len()+1. After a Delete (or inside RehashFor) the table shrinks
// to the smallest power of two >= Len() when the fill drops below 10%; no
// table with buckets is ever smaller than four. A resize is never started
// while another is in progress.
//
// # Invariants
//
//   - Every table size is zero or a power of two.
//   - ht[1] has buckets if and only if a resize is in progress.
//   - While a resize is in progress, buckets of ht[0] below rehashIdx are
//     empty, and ht[0] still holds at least one entry.
//   - Each key is stored exactly once, in the table and bucket its hash
//     selects; table.used counts the entries of that table.
//   - No rehash step runs while a Scan, Range or Sample callback is running,
//     so a callback may call Get without disturbing the walk it is part of.
//
// # Scan
//
// Scan follows Redis's reverse-binary cursor: the cursor's bits are
// incremented from the most significant end of the table mask downwards.
// Growing a table by 2^k splits bucket b into the buckets whose low bits equal
// b, and those are exactly the cursors that follow b in this order, so a
// resize between two calls never skips a bucket that was still to come. While
// two tables exist Scan visits the smaller table's bucket and then every
// bucket of the larger table that expands it. Keys present for a whole scan
// are returned at least once; a key may be returned more than once if the
// table shrinks during the scan. Without changes between calls every key is
// returned exactly once.
//
// # Concurrency
//
// A Dict is not safe for concurrent use, not even by readers only: lookups
// perform rehash steps and therefore write. The server touches a Dict from a
// single goroutine, as Redis does.
package dict
