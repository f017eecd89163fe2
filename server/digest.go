package server

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"unsafe"

	"redoubt/commands"
	"redoubt/internal/keyspace"
)

// DEBUG DIGEST and DEBUG DIGEST-VALUE: one 20-byte number summing up a
// dataset (or one value), computed the way Redis 7.0 computes it, so a
// Redoubt node and a real Redis node holding the same data print the same
// forty hex digits. Replication tests compare masters and replicas by it.
//
// Two primitives build everything:
//   - xor: hash some bytes with SHA1 and XOR the hash into the digest. XOR
//     is commutative, so it sums unordered things (keys of a db, members
//     of a set, pairs of a hash, members of a sorted set).
//   - mix: xor the bytes in, then replace the digest with the SHA1 of
//     itself. The feedback makes the result depend on order, so it is
//     used for sequences (list elements, stream entries, the parts of one
//     value).

// digest is the 20-byte running value.
type digest [sha1.Size]byte

// xorIn hashes b and XORs the hash into d.
func (d *digest) xorIn(b []byte) {
	h := sha1.Sum(b)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mixIn XORs the hash of b into d, then rehashes d over itself.
func (d *digest) mixIn(b []byte) {
	d.xorIn(b)
	*d = sha1.Sum(d[:])
}

// mixString is mixIn for a string without copying it.
func (d *digest) mixString(s string) {
	d.mixIn(unsafeBytes(s))
}

// unsafeBytes views s as bytes without copying; SHA1 only reads them.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hexString is the digest as Redis prints it: 40 lowercase hex digits.
func (d *digest) hexString() string { return hex.EncodeToString(d[:]) }

// redisTypeCode is the number Redis gives each type (its OBJ_* constants):
// the digest mixes it in, so equal bytes of different types differ.
// Redis numbers module values 5 and streams 6; our Type has no module.
func redisTypeCode(t keyspace.Type) uint32 {
	if t == keyspace.TStream {
		return 6
	}
	return uint32(t)
}

// formatDigestScore writes a sorted-set score as C's "%.17g" does, which
// is what Redis 7.0 hashes: 17 significant digits, trailing zeros
// dropped, exponent form when the exponent is below -4 or at least 17
// (with a sign and at least two exponent digits), and "inf"/"-inf".
func formatDigestScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	// Go's 'g' with an explicit precision follows the same rules as C
	// (trailing zeros removed, same switch to exponent form, two-digit
	// minimum exponent), so only the special values above need care.
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// valueDigest mixes the digest of one value into d: its type code, then
// its contents by type, then a fixed marker when the key has a TTL (the
// expiry time itself is not part of the digest, so two nodes whose
// clocks differ slightly still agree).
func valueDigest(d *digest, db *keyspace.DB, key string, o *keyspace.Object) {
	var code [4]byte
	binary.BigEndian.PutUint32(code[:], redisTypeCode(o.Type))
	d.mixIn(code[:])
	switch o.Type {
	case keyspace.TString:
		// Integer-encoded strings are hashed as their decimal text,
		// which is exactly the bytes we keep.
		d.mixIn(o.Str)
	case keyspace.TList:
		// Elements head to tail, order-sensitive.
		o.Val.(*keyspace.List).Range(func(v []byte) bool {
			d.mixIn(v)
			return true
		})
	case keyspace.TSet:
		// Members XORed straight into the value digest; intset members
		// as decimal text.
		o.Val.(*keyspace.Set).Range(func(m []byte) bool {
			d.xorIn(m)
			return true
		})
	case keyspace.THash:
		// Each pair gets its own digest (field mixed, then value
		// mixed), and the pair digests are XORed together.
		o.Val.(*keyspace.Hash).Range(func(f, v []byte) bool {
			var e digest
			e.mixIn(f)
			e.mixIn(v)
			d.xorIn(e[:])
			return true
		})
	case keyspace.TZSet:
		// As for hashes, with the score's "%.17g" text as the value.
		var buf [32]byte
		o.Val.(*keyspace.ZSet).Range(func(m string, score float64) bool {
			var e digest
			e.mixString(m)
			e.mixIn(formatDigestScore(buf[:0], score))
			d.xorIn(e[:])
			return true
		})
	case keyspace.TStream:
		streamDigest(d, o.Val.(*keyspace.Stream))
	}
	if db.Expire(key) != -1 {
		d.xorIn([]byte("!!expire!!"))
	}
}

// streamDigest mixes a stream's live entries in ID order: for each, the
// ID written "ms.seq" (a dot, not a dash), then every field and value.
// Redis 7.0 leaves consumer groups, PELs and the last-ID out.
func streamDigest(d *digest, s *keyspace.Stream) {
	it := s.Iter(keyspace.StreamID{}, keyspace.MaxStreamID, false)
	var buf [48]byte
	for {
		id, e, ok := it.Next()
		if !ok {
			return
		}
		b := strconv.AppendUint(buf[:0], id.Ms, 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, id.Seq, 10)
		d.mixIn(b)
		pairs := e.Pairs()
		for {
			f, v, ok := pairs.Next()
			if !ok {
				break
			}
			d.mixIn(f)
			d.mixIn(v)
		}
	}
}

// datasetDigest sums every key of every db. A db that holds keys first
// mixes its 4-byte big-endian number into the total (so moving data to
// another db changes the digest); each key then gets a fresh digest made
// of its name mixed in followed by its value digest, and that is XORed
// into the total. Keys whose TTL passed but that are still stored count,
// as in Redis. No keys at all gives twenty zero bytes.
func datasetDigest(ks *keyspace.Keyspace) digest {
	var total digest
	for _, db := range ks.DBs {
		if db.Len() == 0 {
			continue
		}
		var num [4]byte
		binary.BigEndian.PutUint32(num[:], uint32(db.ID))
		total.mixIn(num[:])
		db.Range(func(key string, o *keyspace.Object) bool {
			var kd digest
			kd.mixString(key)
			valueDigest(&kd, db, key, o)
			total.xorIn(kd[:])
			return true
		})
	}
	return total
}

// DEBUG DIGEST replies with the dataset digest as a status line.
func debugDigest(c *commands.Ctx, s *Server) {
	d := datasetDigest(s.ks)
	c.W.Simple(d.hexString())
}

// DEBUG DIGEST-VALUE key [key ...] replies with one status line per key:
// the value digest alone (the key name is not mixed in), all zeros for a
// key that does not exist. The table is read directly, so a logically
// expired key still stored is digested. No keys gives an empty array.
func debugDigestValue(c *commands.Ctx, _ *Server) {
	keys := c.Args[2:]
	c.W.Array(len(keys))
	for i := range keys {
		var d digest
		key := c.Key(2 + i)
		if o := c.DB.Peek(key); o != nil {
			valueDigest(&d, c.DB, key, o)
		}
		c.W.Simple(d.hexString())
	}
}
