package dict

import (
	"strconv"
	"testing"
)

// FuzzOps reads the input as (opcode, argument) byte pairs and applies them
// to a Dict and a reference map through model, which fails on any
// disagreement and checks the SCAN guarantee whenever a scan it is running
// completes. Bulk opcodes add or remove many keys at once so short inputs
// still reach grows, shrinks and half-done resizes.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 4, 1, 6, 2, 9, 0, 9, 0})
	f.Add([]byte{7, 40, 9, 0, 8, 39, 9, 0, 7, 200, 9, 0, 8, 255, 9, 0, 9, 0, 9, 0})
	f.Add([]byte{7, 255, 10, 3, 10, 200, 11, 0, 8, 250, 10, 9, 11, 255, 6, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 2048 {
			return
		}
		m := newModel(t, int(len(data)%3)*50)
		const maxBulk = 20000
		var bulkLo, bulkHi int // live bulk keys are bulk:lo .. bulk:hi-1
		for i := 0; i+1 < len(data); i += 2 {
			op, arg := data[i]%12, data[i+1]
			k := "k" + strconv.Itoa(int(arg))
			switch op {
			case 0, 1, 2:
				m.set(k, i)
			case 3:
				m.setNew(k, i)
			case 4, 5:
				m.del(k)
			case 6:
				m.get(k)
			case 7:
				// Capped so that a run stays well under a second.
				for n := int(arg) * 8; n > 0 && bulkHi-bulkLo < maxBulk; n-- {
					m.set("bulk:"+strconv.Itoa(bulkHi), bulkHi)
					bulkHi++
				}
			case 8:
				for n := int(arg) * 8; n > 0 && bulkLo < bulkHi; n-- {
					m.del("bulk:" + strconv.Itoa(bulkLo))
					bulkLo++
				}
			case 9:
				m.scanStep()
			case 10:
				if arg&1 == 0 {
					m.random()
				} else {
					m.sample(int(arg % 32))
				}
			case 11:
				if arg == 255 {
					m.clear()
					bulkLo = bulkHi
				} else {
					m.rehashFor()
				}
			}
			if i%128 == 0 {
				checkInvariants(t, m.d)
			}
		}
		// Finish any scan in progress so its guarantee is checked too.
		for m.scanning {
			m.scanStep()
		}
		m.checkAll()
	})
}
