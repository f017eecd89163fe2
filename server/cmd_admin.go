package server

import (
	"math"
	"math/rand/v2"
	"time"

	"redoubt/commands"
)

// SHUTDOWN, TIME, LASTSAVE, ROLE and LOLWUT.

const (
	errNoShutdown     = "ERR No shutdown in progress."
	errShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs."
)

func init() {
	adm := commands.Admin | commands.NoScript | commands.Loading | commands.Stale
	commands.Register(
		&commands.Command{Name: "shutdown", Arity: -1, Flags: adm | commands.NoMulti | commands.AllowBusy, Proc: shutdownCmd,
			Group: "server", Since: "1.0.0", Summary: "Synchronously save the dataset to disk and then shut down the server",
			Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
			ACL:        []string{"@admin", "@slow", "@dangerous"}},
		&commands.Command{Name: "time", Arity: 1, Flags: commands.Loading | commands.Stale | commands.Fast, Proc: timeCmd,
			Group: "server", Since: "2.6.0", Summary: "Return the current server time", Complexity: "O(1)",
			ACL: []string{"@fast"}, Tips: []string{"nondeterministic_output"}},
		&commands.Command{Name: "lastsave", Arity: 1, Flags: commands.Loading | commands.Stale | commands.Fast, Proc: lastsaveCmd,
			Group: "server", Since: "1.0.0", Summary: "Get the UNIX time stamp of the last successful save to disk", Complexity: "O(1)",
			ACL: []string{"@admin", "@fast", "@dangerous"}, Tips: []string{"nondeterministic_output"}},
		&commands.Command{Name: "role", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast, Proc: roleCmd,
			Group: "server", Since: "2.8.12", Summary: "Return the role of the instance in the context of replication", Complexity: "O(1)",
			ACL: []string{"@admin", "@fast", "@dangerous"}},
		&commands.Command{Name: "lolwut", Arity: -1, Flags: commands.ReadOnly | commands.Fast, Proc: lolwutCmd,
			Group: "server", Since: "5.0.0", Summary: "Display some computer art and the Redis version",
			ACL: []string{"@read", "@fast"}},
	)
}

// shutdownFlags are SHUTDOWN's modifiers.
type shutdownFlags struct {
	noSave, save, now, force bool
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. ABORT cannot be combined
// with anything and, as no shutdown ever waits here (there are no
// replicas to wait for), always answers that none is in progress. On
// success nothing is replied: the connection closes once what was
// already answered is written, and the server stops.
func shutdownCmd(c *commands.Ctx) {
	var f shutdownFlags
	abort := false
	for _, a := range c.Args[1:] {
		switch {
		case commands.Is(a, "nosave"):
			f.noSave = true
		case commands.Is(a, "save"):
			f.save = true
		case commands.Is(a, "now"):
			f.now = true
		case commands.Is(a, "force"):
			f.force = true
		case commands.Is(a, "abort"):
			abort = true
		default:
			c.SyntaxError()
			return
		}
	}
	if (abort && f != shutdownFlags{}) || (f.noSave && f.save) {
		c.SyntaxError()
		return
	}
	if abort {
		c.Error(errNoShutdown)
		return
	}
	cli := cl(c)
	s := cli.srv
	s.admin.shutdown = f
	if s.admin.prepareShutdown != nil {
		if err := s.admin.prepareShutdown(f); err != nil {
			s.log.Warn(err.Error())
			c.Error(errShutdownFailed)
			return
		}
	}
	cli.flags |= flagCloseAfterReply
	go func() {
		<-cli.done
		s.Shutdown()
	}()
}

// ShutdownRequest reports the flags of the SHUTDOWN command that stopped
// the server (zero values after a signal), for the shutdown hooks.
func (s *Server) ShutdownRequest() (noSave, save, now, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.admin.shutdown
	return f.noSave, f.save, f.now, f.force
}

// TIME replies [unix seconds, microseconds] as bulk strings.
func timeCmd(c *commands.Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkInt(now.Unix())
	c.W.BulkInt(int64(now.Nanosecond() / 1000))
}

func lastsaveCmd(c *commands.Ctx) { c.W.Int(cl(c).srv.admin.lastSave) }

// ROLE: a master gives [master, offset, replicas]; a replica [slave,
// host, port, link state, offset] (cmd_replicaof.go).
func roleCmd(c *commands.Ctx) {
	s := cl(c).srv
	if s.ks.Replica {
		s.roleReplica(c.W)
		return
	}
	c.W.Array(3)
	c.W.BulkString("master")
	c.W.Int(s.stream.Offset)
	s.roleReplicas(c.W)
}

// LOLWUT [VERSION v [args...]]: version 5 draws Georg Nees's
// "Schotter" in braille characters (columns, squares per row, squares
// per column); every other version, the default included, prints only
// the version line.
func lolwutCmd(c *commands.Ctx) {
	ver := int64(0)
	if len(c.Args) >= 3 && commands.Is(c.Args[1], "version") {
		v, ok := commands.ParseIntArg(c.Args[2])
		if !ok {
			c.Error(commands.ErrNotInt)
			return
		}
		ver = v
	}
	if ver != 5 {
		c.W.Verbatim("Redis ver. "+Version+"\n", "txt")
		return
	}
	params := []int64{66, 8, 12}
	for i := 3; i < len(c.Args) && i-3 < len(params); i++ {
		v, ok := commands.ParseIntArg(c.Args[i])
		if !ok {
			c.Error(commands.ErrNotInt)
			return
		}
		params[i-3] = v
	}
	cols := clamp(params[0], 1, 1000)
	perRow := clamp(params[1], 1, 200)
	perCol := clamp(params[2], 1, 200)
	art := drawSchotter(int(cols), int(perRow), int(perCol)).render()
	c.W.Verbatim(art+"\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. "+Version+"\n", "txt")
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

// canvas is a one-bit drawing surface.
type canvas struct {
	w, h int
	px   []bool
}

func newCanvas(w, h int) *canvas { return &canvas{w: w, h: h, px: make([]bool, w*h)} }

func (cv *canvas) set(x, y int) {
	if x >= 0 && y >= 0 && x < cv.w && y < cv.h {
		cv.px[y*cv.w+x] = true
	}
}

func (cv *canvas) get(x, y int) bool {
	return x >= 0 && y >= 0 && x < cv.w && y < cv.h && cv.px[y*cv.w+x]
}

// line draws with Bresenham's algorithm.
func (cv *canvas) line(x1, y1, x2, y2 int) {
	dx, dy := abs(x2-x1), abs(y2-y1)
	sx, sy := 1, 1
	if x1 >= x2 {
		sx = -1
	}
	if y1 >= y2 {
		sy = -1
	}
	err := dx - dy
	for {
		cv.set(x1, y1)
		if x1 == x2 && y1 == y2 {
			return
		}
		e2 := err * 2
		if e2 > -dy {
			err -= dy
			x1 += sx
		}
		if e2 < dx {
			err += dx
			y1 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// square draws a square centred on (x, y), rotated by angle.
func (cv *canvas) square(x, y int, size, angle float32) {
	size = float32(math.Round(float64(size / 1.4142135623)))
	var px, py [4]int
	k := float32(math.Pi/4) + angle
	for j := 0; j < 4; j++ {
		px[j] = int(math.Round(math.Sin(float64(k))*float64(size) + float64(x)))
		py[j] = int(math.Round(math.Cos(float64(k))*float64(size) + float64(y)))
		k += float32(math.Pi / 2)
	}
	for j := 0; j < 4; j++ {
		cv.line(px[j], py[j], px[(j+1)%4], py[(j+1)%4])
	}
}

// drawSchotter lays out rows of squares that are rotated and shifted
// more and more at random going down.
func drawSchotter(cols, perRow, perCol int) *canvas {
	width := cols * 2
	padding := 0
	if width > 4 {
		padding = 2
	}
	side := float32(width-padding*2) / float32(perRow)
	height := int(side*float32(perCol)) + padding*2
	cv := newCanvas(width, height)
	for y := 0; y < perCol; y++ {
		for x := 0; x < perRow; x++ {
			sx := int(float32(x)*side + side/2 + float32(padding))
			sy := int(float32(y)*side + side/2 + float32(padding))
			angle := float32(0)
			if y > 1 {
				r := func() float32 {
					v := rand.Float32() / float32(perCol) * float32(y)
					if rand.IntN(2) == 1 {
						v = -v
					}
					return v
				}
				angle = r()
				sx = int(float32(sx) + r()*side/3)
				sy = int(float32(sy) + r()*side/3)
			}
			cv.square(sx, sy, side, angle)
		}
	}
	return cv
}

// render turns each 2x4 block of pixels into one braille character.
func (cv *canvas) render() string {
	var out []byte
	for y := 0; y < cv.h; y += 4 {
		for x := 0; x < cv.w; x += 2 {
			bitsSet := 0
			for i, p := range [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}} {
				if cv.get(x+p[0], y+p[1]) {
					bitsSet |= 1 << i
				}
			}
			code := 0x2800 + bitsSet
			out = append(out, byte(0xE0|code>>12), byte(0x80|(code>>6)&0x3F), byte(0x80|code&0x3F))
		}
		if y != cv.h-1 {
			out = append(out, '\n')
		}
	}
	return string(out)
}
