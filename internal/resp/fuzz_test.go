package resp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the request reader: it must never
// panic, and every request it returns must re-encode to something it
// parses back identically.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "SET a \"b\\x41\"\r\n", "*-1\r\n", "*1\r\n$0\r\n\r\n",
		"*1\r\n$5\r\nab", "\n\n\r\n", "'x' \"y\"\n", "*3\r\n$1\r\na\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), 32)
		r.Limits.MaxQueryBuf = 1 << 20
		for i := 0; i < 1000; i++ {
			args, err := r.ReadCommand()
			if err != nil {
				var pe *ProtocolError
				if err != io.EOF && !errors.As(err, &pe) && err != ErrQueryBufferLimit && err != io.ErrNoProgress {
					t.Fatalf("unexpected error type %T %v", err, err)
				}
				return
			}
			enc := AppendCommand(nil, args...)
			r2 := NewReader(bytes.NewReader(enc), 32)
			back, err := r2.ReadCommand()
			if err != nil || len(back) != len(args) {
				t.Fatalf("re-encoded request does not parse: %v", err)
			}
			for j := range args {
				if !bytes.Equal(back[j], args[j]) {
					t.Fatalf("arg %d changed", j)
				}
			}
		}
	})
}

// FuzzSplitArgs checks the inline splitter never panics and that plain
// words survive.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{`a b`, `"a\x41" 'b\''`, `"unterminated`, `x"y z"`, "\x00\t"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		SplitArgs(line, nil)
	})
}
