package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCommandLineToText(t *testing.T) {
	tests := []struct {
		args  []string
		file  string
		stdin bool
		text  string
	}{
		{nil, "", false, ""},
		{[]string{"--port", "6380"}, "", false, `port "6380" `},
		{[]string{"--port", "0", "--save", "", "--loglevel", "verbose"}, "", false,
			"port \"0\" \nsave \"\" \nloglevel \"verbose\" "},
		{[]string{"--replicaof", "127.0.0.1 6379"}, "", false, `replicaof "127.0.0.1 6379" `},
		{[]string{"--replicaof", "127.0.0.1", "6379"}, "", false, `replicaof "127.0.0.1" "6379" `},
		{[]string{"--save"}, "", false, `save ""`},
		{[]string{"--SAVE", "--hz", "5"}, "", false, "SAVE \"\"\nhz \"5\" "},
		{[]string{"--port", "--hz", "5"}, "", false, `port "--hz" "5" `},
		{[]string{"--masterauth", "a\"b\n"}, "", false, `masterauth "a\"b\n" `},
		{[]string{"--port 6380", "--hz", "5"}, "", false, "port 6380 \nhz \"5\" "},
		{[]string{"redis.conf", "--port", "1"}, "redis.conf", false, `port "1" `},
		{[]string{"-", "--port", "1"}, "", true, `port "1" `},
		{[]string{"--port", "1", "-"}, "", true, `port "1" `},
		{[]string{"--port", "-", "2"}, "", false, `port "-" "2" `},
		{[]string{"--sentinel", "--port", "1"}, "", false, "sentinel \nport \"1\" "},
	}
	for _, tt := range tests {
		file, stdin, text := CommandLineToText(tt.args)
		if file != tt.file || stdin != tt.stdin || text != tt.text {
			t.Errorf("CommandLineToText(%q) = %q, %v, %q; want %q, %v, %q",
				tt.args, file, stdin, text, tt.file, tt.stdin, tt.text)
		}
	}
}

func loadErr(t *testing.T, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *LoadError", err)
	}
	return le
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		args   []string
		report string
	}{
		{[]string{"--port", "abc"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"Reading the configuration file, at line 2\n>>> 'port \"abc\"'\n" +
			"argument couldn't be parsed into an integer\n"},
		{[]string{"--nosuch", "1"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"Reading the configuration file, at line 2\n>>> 'nosuch \"1\"'\n" +
			"Bad directive or wrong number of arguments\n"},
		{[]string{"--hz", "5", "--maxmemory-policy", "foo"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"Reading the configuration file, at line 3\n>>> 'maxmemory-policy \"foo\"'\n" +
			"argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, " +
			"volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\n"},
		{[]string{"--port", "1", "2"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"Reading the configuration file, at line 2\n>>> 'port \"1\" \"2\"'\nwrong number of arguments\n"},
		{[]string{"--cluster-enabled", "yes", "--slaveof", "h", "1"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"replicaof directive not allowed in cluster mode\n"},
		{[]string{"--foo.bar"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
			"Reading the configuration file, at line 2\n>>> 'foo.bar'\nModule config specified without value\n"},
	}
	for _, tt := range tests {
		c := newTestConfig(t)
		le := loadErr(t, c.LoadArgs(tt.args))
		if le.Report() != tt.report {
			t.Errorf("LoadArgs(%q):\n got %q\nwant %q", tt.args, le.Report(), tt.report)
		}
	}
	text := []struct{ in, msg, line string }{
		{"foo \"bar", "Unbalanced quotes in configuration line", `foo "bar`},
		{"foo \"bar\"x", "Unbalanced quotes in configuration line", `foo "bar"x`},
		{"sentinel monitor x", "sentinel directive while not in sentinel mode", "sentinel monitor x"},
		{"save 1", "Invalid save parameters", "save 1"},
		{"list-max-ziplist-value 5 6", "Bad directive or wrong number of arguments", "list-max-ziplist-value 5 6"},
		{"replicaof h 99999", "Invalid master port", "replicaof h 99999"},
		{"  \t bind " + strings.Repeat("a ", 17) + " \r", "Too many bind addresses specified.", "bind " + strings.Repeat("a ", 16) + "a"},
	}
	for _, tt := range text {
		c := newTestConfig(t)
		le := loadErr(t, c.LoadText("# comment\n\n"+tt.in+"\nport 1\n", "t"))
		if le.Line != 3 || le.Msg != tt.msg || le.Text != tt.line {
			t.Errorf("LoadText(%q) = line %d %q %q", tt.in, le.Line, le.Text, le.Msg)
		}
	}
}

func TestLoadFileAndArgs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.conf")
	if err := os.WriteFile(path, []byte("port 7000\nhz 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newTestConfig(t)
	le := loadErr(t, c.LoadArgs([]string{path, "--hz", "x"}))
	if le.Line != 4 || le.Text != `hz "x"` {
		t.Errorf("line %d %q", le.Line, le.Text)
	}
	c = newTestConfig(t)
	if err := c.LoadArgs([]string{path, "--hz", "7"}); err != nil {
		t.Fatal(err)
	}
	if c.Int("port") != 7000 || c.Int("hz") != 7 || c.Path() != path {
		t.Errorf("port=%d hz=%d path=%q", c.Int("port"), c.Int("hz"), c.Path())
	}
	err := newTestConfig(t).LoadFile(filepath.Join(dir, "missing.conf"))
	want := "Fatal error, can't open config file '" + filepath.Join(dir, "missing.conf") + "': No such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	le = loadErr(t, newTestConfig(t).LoadText("logfile "+filepath.Join(dir, "no/such.log"), "t"))
	if le.Line != 0 || le.Error() != "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory" {
		t.Errorf("logfile error: %q", le.Error())
	}
}

func TestLoadSemantics(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	if err := os.WriteFile(inc, []byte("save 5 5\nmaxmemory 1mb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		name string
		want string
	}{
		{"save 1 1\nsave 2 2", "save", "1 1 2 2"},
		{"save 1 1\nsave \"\"\nsave 3 3", "save", "3 3"},
		{"save \"1 1 2 2\"", "save", "1 1 2 2"},
		{"save '\"1'", "save", ""},
		{"save 1 1\ninclude " + inc + "\nsave 2 2", "save", "2 2"},
		{"include " + inc, "maxmemory", "1048576"},
		{"include " + filepath.Join(dir, "i*.conf"), "maxmemory", "1048576"},
		{"include " + filepath.Join(dir, "none*.conf") + "\nhz 3", "hz", "3"},
		{"MaxMemory 1KB", "maxmemory", "1024"},
		{"\"hz\" '7'", "hz", "7"},
		{"slaveof 1.2.3.4 6380", "replicaof", "1.2.3.4 6380"},
		{"replicaof \"1.2.3.4 6380\"", "replicaof", "1.2.3.4 6380"},
		{"replicaof 1.2.3.4 6380\nreplicaof no one", "replicaof", ""},
		{"bind \"\"", "bind", ""},
		{"bind '127.0.0.1 ::1'", "bind", "127.0.0.1 ::1"},
		{"client-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit pubsub 4 5 6", "client-output-buffer-limit",
			"normal 1 2 3 slave 268435456 67108864 60 pubsub 4 5 6"},
		{"list-max-ziplist-entries 5\nlua-replicate-commands yes\nhz 4", "hz", "4"},
		{"hz 0", "hz", "1"},
		{"unixsocketperm 0777", "unixsocketperm", "777"},
		{"unixsocketperm ''", "unixsocketperm", "0"},
		{"dir " + dir, "dir", dir},
		{"port 1 \x00 junk", "port", "1"},
		{"\vport 2", "port", "2"},
		{"\v", "port", "6379"},
		{"sentinel", "port", "6379"},
	}
	for _, tt := range tests {
		c := newTestConfig(t)
		if err := c.LoadText(tt.text, "t"); err != nil {
			t.Errorf("LoadText(%q): %v", tt.text, err)
			continue
		}
		if got := c.String(tt.name); got != tt.want {
			t.Errorf("LoadText(%q): %s = %q, want %q", tt.text, tt.name, got, tt.want)
		}
	}
}

func TestLoadBookkeeping(t *testing.T) {
	c := newTestConfig(t)
	c.SetDirectiveHook("rename-command", func(args []string) error {
		if args[0] == "nosuch" {
			return errors.New("No such command in rename-command")
		}
		return nil
	})
	text := "appendonly yes\nport 1\nrename-command flushall \"\"\nuser bob on >pw\nuser bob2\n" +
		"loadmodule /x.so a b\nmymod.opt 5\nactivedefrag no\nappendonly no\n"
	if err := c.LoadText(text, "t"); err != nil {
		t.Fatal(err)
	}
	want := []string{"appendonly", "rename-command", "user", "loadmodule", "activedefrag"}
	if got := c.NotImplementedSeen(); !reflect.DeepEqual(got, want) {
		t.Errorf("NotImplementedSeen = %q, want %q", got, want)
	}
	if got := c.Args("user"); !reflect.DeepEqual(got, [][]string{{"bob", "on", ">pw"}, {"bob2"}}) {
		t.Errorf("Args(user) = %q", got)
	}
	if got := c.Raw("rename-command"); !reflect.DeepEqual(got, []string{"flushall "}) {
		t.Errorf("Raw(rename-command) = %q", got)
	}
	if got := c.ModuleConfigs(); !reflect.DeepEqual(got, [][2]string{{"mymod.opt", "5"}}) {
		t.Errorf("ModuleConfigs = %q", got)
	}
	le := loadErr(t, c.LoadText("\nrename-command nosuch x", "t"))
	if le.Line != 2 || le.Msg != "No such command in rename-command" {
		t.Errorf("hook error: %+v", le)
	}
	if err := c.LoadText("include "+t.TempDir()+"/missing.conf", "t"); err == nil {
		t.Error("missing include accepted")
	}
}

func TestIncludeLoop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loop.conf")
	if err := os.WriteFile(path, []byte("include "+path+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	le := loadErr(t, newTestConfig(t).LoadFile(path))
	if le.Msg != "include nesting too deep" {
		t.Errorf("got %q", le.Msg)
	}
}

func TestFgetsText(t *testing.T) {
	long := strings.Repeat("x", 1030)
	tests := map[string]string{
		"a\nb\n":            "a\nb\n",
		"a\x00b\nc\n":       "ac\n",
		"a\nb":              "a\nb",
		long + "\x00y\nz\n": long + "z\n", // the NUL only hides the rest of its 1024-byte chunk
	}
	for in, want := range tests {
		if got := fgetsText([]byte(in)); got != want {
			t.Errorf("fgetsText(%q) = %q, want %q", in, got, want)
		}
	}
}
