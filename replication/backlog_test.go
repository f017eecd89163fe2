package replication

import (
	"bytes"
	"testing"
)

func TestBacklogKeepsOnlyItsSizeForPsync(t *testing.T) {
	b := NewBacklog(100, 16*1024, 0)
	chunk := bytes.Repeat([]byte("x"), 1000)
	for i := 0; i < 20; i++ {
		b.Write(chunk)
	}
	first, n := b.Range()
	if n != 16*1024 || first+n != 100+20000 {
		t.Fatalf("range %d+%d", first, n)
	}
}

func TestBacklogCursorReadsInOrderAndKeepsLaggingData(t *testing.T) {
	b := NewBacklog(0, 16*1024, 1<<20)
	c := b.NewCursor(0)
	var want []byte
	for i := 0; i < 100; i++ {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, 1000)
		want = append(want, p...)
		b.Write(p)
	}
	var got []byte
	for len(got) < len(want) {
		var ok bool
		got, ok = c.Next(got, 4096)
		if !ok {
			t.Fatal("cursor dropped")
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatal("cursor bytes differ from the stream")
	}
	c.Close()
	if _, ok := c.Next(nil, 10); ok {
		t.Fatal("closed cursor still reads")
	}
}

func TestBacklogDropsCursorPastHardLimit(t *testing.T) {
	b := NewBacklog(0, 16*1024, 32*1024)
	c := b.NewCursor(0)
	for i := 0; i < 40; i++ {
		b.Write(make([]byte, 1000))
	}
	if _, ok := c.Next(nil, 10); ok {
		t.Fatal("lagging cursor not dropped")
	}
}
