package keyspace

import (
	"math/rand/v2"
	"unsafe"
)

// The skiplist behind large sorted sets. Nodes are kept in (score, member)
// order; every forward link records how many level-0 steps it jumps (its
// span), so the rank of a node and the node at a rank are found in
// O(log n) by summing spans on the way down.
//
// Span invariant: for a link whose target is nil the span counts the nodes
// that follow the link's owner up to the end of the list (the header's
// unused links hold the list length). Insertion relies on it.

const (
	zslMaxLevel = 32
)

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	// level views an array allocated together with the node (see
	// newZslNode), so a node and its links share cache lines.
	level []zslLevel
}

// zslNodeWith is a node followed by its links, allocated as one object.
type zslNodeWith[A any] struct {
	n zslNode
	l A
}

func allocZslNode[A any](level int) *zslNode {
	x := new(zslNodeWith[A])
	x.n.level = unsafe.Slice((*zslLevel)(unsafe.Pointer(&x.l)), level)
	return &x.n
}

type zskiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int
}

// newZslNode allocates a node with level links in one piece. Levels
// above 8 (one node in 65536) fall back to a separate array.
func newZslNode(level int, score float64, member string) *zslNode {
	var n *zslNode
	switch level {
	case 1:
		n = allocZslNode[[1]zslLevel](1)
	case 2:
		n = allocZslNode[[2]zslLevel](2)
	case 3:
		n = allocZslNode[[3]zslLevel](3)
	case 4:
		n = allocZslNode[[4]zslLevel](4)
	case 5, 6:
		n = allocZslNode[[6]zslLevel](level)
	case 7, 8:
		n = allocZslNode[[8]zslLevel](level)
	default:
		n = &zslNode{level: make([]zslLevel, level)}
	}
	n.member, n.score = member, score
	return n
}

func newSkiplist() *zskiplist {
	return &zskiplist{header: newZslNode(zslMaxLevel, 0, ""), level: 1}
}

// zslRandomLevel draws a level with a 1-in-4 chance of each extra level,
// capped at zslMaxLevel: two random bits per level, 64 bits cover them all.
func zslRandomLevel() int {
	r := rand.Uint64()
	level := 1
	for r&3 == 0 && level < zslMaxLevel {
		level++
		r >>= 2
	}
	return level
}

// zslBefore reports whether a node (score, member) sorts before (s, m).
func zslBefore(n *zslNode, s float64, m string) bool {
	return n.score < s || (n.score == s && n.member < m)
}

// insert adds a new node; the caller guarantees the member is absent and
// owns the member string.
func (zsl *zskiplist) insert(score float64, member string) *zslNode {
	x := newZslNode(zslRandomLevel(), score, member)
	zsl.link(x)
	return x
}

// link places a detached node at its sorted position, fixing spans.
func (zsl *zskiplist) link(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		if i < zsl.level-1 {
			rank[i] = rank[i+1]
		}
		for f := p.level[i].forward; f != nil && zslBefore(f, x.score, x.member); f = p.level[i].forward {
			rank[i] += p.level[i].span
			p = f
		}
		update[i] = p
	}
	lvl := len(x.level)
	if lvl > zsl.level {
		for i := zsl.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = zsl.header
			update[i].level[i].span = zsl.length
		}
		zsl.level = lvl
	}
	for i := 0; i < lvl; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		// The new node takes over the part of the old span that lies
		// after it; the predecessor now reaches exactly the new node.
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	// Links above the new node's height now jump over one more node.
	for i := lvl; i < zsl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != zsl.header {
		x.backward = update[0]
	} else {
		x.backward = nil
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		zsl.tail = x
	}
	zsl.length++
}

// findPath fills update with, per level, the last node before (s, m).
func (zsl *zskiplist) findPath(s float64, m string, update *[zslMaxLevel]*zslNode) *zslNode {
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && zslBefore(f, s, m); f = p.level[i].forward {
			p = f
		}
		update[i] = p
	}
	return p.level[0].forward
}

// unlink removes x given the predecessors found by findPath.
func (zsl *zskiplist) unlink(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < zsl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		zsl.tail = x.backward
	}
	for zsl.level > 1 && zsl.header.level[zsl.level-1].forward == nil {
		zsl.level--
	}
	zsl.length--
}

// delete removes the node (score, member) and reports whether it existed.
func (zsl *zskiplist) delete(score float64, member string) bool {
	var update [zslMaxLevel]*zslNode
	x := zsl.findPath(score, member, &update)
	if x != nil && x.score == score && x.member == member {
		zsl.unlink(x, &update)
		return true
	}
	return false
}

// updateScore moves the node (cur, member) to newScore. When the node's
// neighbours still bracket the new score it is changed in place; otherwise
// it is unlinked and linked again at its new position.
func (zsl *zskiplist) updateScore(cur float64, member string, newScore float64) *zslNode {
	var update [zslMaxLevel]*zslNode
	x := zsl.findPath(cur, member, &update)
	if x == nil || x.score != cur || x.member != member {
		return nil
	}
	if (x.backward == nil || x.backward.score < newScore) &&
		(x.level[0].forward == nil || x.level[0].forward.score > newScore) {
		x.score = newScore
		return x
	}
	zsl.unlink(x, &update)
	for i := range x.level {
		x.level[i] = zslLevel{}
	}
	x.backward = nil
	x.score = newScore
	zsl.link(x)
	return x
}

// rankOf returns the 1-based rank of (score, member), 0 if absent.
func (zsl *zskiplist) rankOf(score float64, member string) int {
	rank := 0
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && (f.score < score || (f.score == score && f.member <= member)); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
		if p != zsl.header && p.member == member {
			return rank
		}
	}
	return 0
}

// byRank returns the node at a 1-based rank, or nil.
func (zsl *zskiplist) byRank(rank int) *zslNode {
	traversed := 0
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for p.level[i].forward != nil && traversed+p.level[i].span <= rank {
			traversed += p.level[i].span
			p = p.level[i].forward
		}
		if traversed == rank {
			return p
		}
	}
	return nil
}

func (zsl *zskiplist) first() *zslNode { return zsl.header.level[0].forward }

// inScoreRange reports whether some element may fall in r: the range is
// not empty, the largest score reaches min and the smallest reaches max.
func (zsl *zskiplist) inScoreRange(r *ZScoreRange) bool {
	if r.empty() {
		return false
	}
	if zsl.tail == nil || !r.gteMin(zsl.tail.score) {
		return false
	}
	f := zsl.first()
	return f != nil && r.lteMax(f.score)
}

// firstInScore returns the first node within r and its 1-based rank.
func (zsl *zskiplist) firstInScore(r *ZScoreRange) (*zslNode, int) {
	if !zsl.inScoreRange(r) {
		return nil, 0
	}
	p, rank := zsl.header, 0
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && !r.gteMin(f.score); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
	}
	p = p.level[0].forward
	if p == nil || !r.lteMax(p.score) {
		return nil, 0
	}
	return p, rank + 1
}

// lastInScore returns the last node within r and its 1-based rank.
func (zsl *zskiplist) lastInScore(r *ZScoreRange) (*zslNode, int) {
	if !zsl.inScoreRange(r) {
		return nil, 0
	}
	p, rank := zsl.header, 0
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && r.lteMax(f.score); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
	}
	if p == zsl.header || !r.gteMin(p.score) {
		return nil, 0
	}
	return p, rank
}

func (zsl *zskiplist) inLexRange(r *ZLexRange) bool {
	if r.empty() {
		return false
	}
	if zsl.tail == nil || !r.gteMin(zsl.tail.member) {
		return false
	}
	f := zsl.first()
	return f != nil && r.lteMax(f.member)
}

// firstInLex and lastInLex walk down the levels comparing members only, as
// lexicographic ranges assume every score is equal.
func (zsl *zskiplist) firstInLex(r *ZLexRange) (*zslNode, int) {
	if !zsl.inLexRange(r) {
		return nil, 0
	}
	p, rank := zsl.header, 0
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && !r.gteMin(f.member); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
	}
	p = p.level[0].forward
	if p == nil || !r.lteMax(p.member) {
		return nil, 0
	}
	return p, rank + 1
}

func (zsl *zskiplist) lastInLex(r *ZLexRange) (*zslNode, int) {
	if !zsl.inLexRange(r) {
		return nil, 0
	}
	p, rank := zsl.header, 0
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && r.lteMax(f.member); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
	}
	if p == zsl.header || !r.gteMin(p.member) {
		return nil, 0
	}
	return p, rank
}

// deleteWhile removes, starting right after the path in update, every
// node for which keep reports true, stopping at the first that fails. Each
// removed member is handed to gone. It returns the number removed.
func (zsl *zskiplist) deleteWhile(update *[zslMaxLevel]*zslNode, keep func(*zslNode) bool, gone func(string)) int {
	n := 0
	x := update[0].level[0].forward
	for x != nil && keep(x) {
		next := x.level[0].forward
		zsl.unlink(x, update)
		gone(x.member)
		n++
		x = next
	}
	return n
}

// deleteScoreRange removes the nodes whose score lies in r.
func (zsl *zskiplist) deleteScoreRange(r *ZScoreRange, gone func(string)) int {
	var update [zslMaxLevel]*zslNode
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && !r.gteMin(f.score); f = p.level[i].forward {
			p = f
		}
		update[i] = p
	}
	return zsl.deleteWhile(&update, func(x *zslNode) bool { return r.lteMax(x.score) }, gone)
}

// deleteLexRange removes the nodes whose member lies in r.
func (zsl *zskiplist) deleteLexRange(r *ZLexRange, gone func(string)) int {
	var update [zslMaxLevel]*zslNode
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && !r.gteMin(f.member); f = p.level[i].forward {
			p = f
		}
		update[i] = p
	}
	return zsl.deleteWhile(&update, func(x *zslNode) bool { return r.lteMax(x.member) }, gone)
}

// deleteRankRange removes the nodes of 1-based ranks start..end.
func (zsl *zskiplist) deleteRankRange(start, end int, gone func(string)) int {
	var update [zslMaxLevel]*zslNode
	traversed := 0
	p := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for p.level[i].forward != nil && traversed+p.level[i].span < start {
			traversed += p.level[i].span
			p = p.level[i].forward
		}
		update[i] = p
	}
	traversed++
	return zsl.deleteWhile(&update, func(*zslNode) bool {
		ok := traversed <= end
		traversed++
		return ok
	}, gone)
}
