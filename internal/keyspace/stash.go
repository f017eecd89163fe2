package keyspace

import "redoubt/internal/dict"

// Stashed is the former content of a database set aside by Stash.
type Stashed struct {
	keys    *dict.Dict[Object]
	expires *dict.Dict[int64]
	avgTTL  int64
}

// Stash empties db and hands back what it held, so a replica can load a
// new dataset while keeping the old one until the load succeeds.
func (db *DB) Stash() *Stashed {
	if h := db.ks.Hooks.BeforeWriteAll; h != nil {
		h(db)
	}
	if h := db.ks.Hooks.Flushing; h != nil {
		h(db)
	}
	st := &Stashed{keys: db.keys, expires: db.expires, avgTTL: db.AvgTTL}
	db.keys, db.expires = dict.New[Object](0), dict.New[int64](0)
	db.AvgTTL, db.ExpireCursor = 0, 0
	return st
}

// Restore puts stashed content back, dropping what db holds now.
func (db *DB) Restore(st *Stashed) {
	if h := db.ks.Hooks.BeforeWriteAll; h != nil {
		h(db)
	}
	if h := db.ks.Hooks.Flushing; h != nil {
		h(db)
	}
	db.keys, db.expires, db.AvgTTL, db.ExpireCursor = st.keys, st.expires, st.avgTTL, 0
}
