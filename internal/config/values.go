package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// setCtx is the context of one parse: the Config (whose lock is held), the
// values already accepted earlier in the same CONFIG SET, and whether a
// configuration file is being read.
type setCtx struct {
	c       *Config
	pending map[*Directive]any
	loading bool
}

// cur returns the value of d as seen by this parse.
func (x *setCtx) cur(d *Directive) any {
	if v, ok := x.pending[d]; ok {
		return v
	}
	return x.c.vals[d]
}

func (x *setCtx) curByName(name string) any { return x.cur(Lookup(name)) }

// parseValue turns arguments into a stored value for d, or returns the
// error text Redis would report.
func parseValue(x *setCtx, d *Directive, args []string) (any, error) {
	var v any
	var err error
	switch d.Kind {
	case Special:
		v, err = d.parse(x, d, args)
	case Enum:
		v, err = parseEnum(d, args)
	default:
		if len(args) != 1 {
			return nil, errors.New("wrong number of arguments")
		}
		switch d.Kind {
		case Bool:
			switch asciiLower(args[0]) {
			case "yes":
				v = true
			case "no":
				v = false
			default:
				return nil, errors.New("argument must be 'yes' or 'no'")
			}
		case String:
			v = args[0]
		default:
			v, err = parseNumeric(d, args[0])
		}
	}
	if err != nil {
		return nil, err
	}
	if d.validate != nil {
		if err := d.validate(x, v); err != nil {
			return nil, err
		}
	}
	if d.fixup != nil {
		v = d.fixup(v)
	}
	return v, nil
}

// parseNumeric parses and bounds-checks Int, Memory and Octal values with
// Redis's rules and messages.
func parseNumeric(d *Directive, s string) (int64, error) {
	v, ok := int64(0), false
	if d.Kind == Memory {
		var u uint64
		if u, ok = ParseMemory(s); ok {
			v = int64(u)
		}
	}
	if !ok && d.Percent && len(s) > 1 && s[len(s)-1] == '%' {
		if p, pok := parseStrictInt(s[:len(s)-1]); pok && p >= 0 {
			v, ok = -p, true
		}
	}
	if !ok && d.Kind == Octal {
		n, rest, over := cStrtoll(s, 8)
		if !over && rest == "" {
			v, ok = n, true
		}
	}
	if !ok && d.Kind == Int {
		v, ok = parseStrictInt(s)
	}
	if !ok {
		switch {
		case d.Kind == Memory && d.Percent:
			return 0, errors.New("argument must be a memory or percent value")
		case d.Kind == Memory:
			return 0, errors.New("argument must be a memory value")
		case d.Kind == Octal:
			return 0, errors.New("argument couldn't be parsed as an octal number")
		}
		return 0, errors.New("argument couldn't be parsed into an integer")
	}
	return v, checkBounds(d, v)
}

func checkBounds(d *Directive, v int64) error {
	if d.Unsigned {
		u, lo, hi := uint64(v), uint64(d.Min), uint64(d.Max)
		if u > hi || u < lo {
			if d.Kind == Octal {
				return fmt.Errorf("argument must be between %o and %o inclusive", lo, hi)
			}
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		return nil
	}
	if d.Percent && v < 0 {
		if v < d.Min {
			return fmt.Errorf("percentage argument must be less or equal to %d", -d.Min)
		}
		return nil
	}
	if v > d.Max || v < d.Min {
		return fmt.Errorf("argument must be between %d and %d inclusive", d.Min, d.Max)
	}
	return nil
}

// parseEnum matches each argument case-insensitively; flag enums OR the
// values of several arguments together.
func parseEnum(d *Directive, args []string) (int64, error) {
	if len(args) == 0 || (!d.Flags && len(args) != 1) {
		return 0, errors.New("argument(s) must be one of the following: " + d.enumNames())
	}
	var val int64
	for _, a := range args {
		matched := false
		for i, name := range d.Enum {
			if strings.EqualFold(a, name) && isASCII(a) {
				val |= d.enumValue(i)
				matched = true
			}
		}
		if !matched {
			return 0, errors.New("argument(s) must be one of the following: " + d.enumNames())
		}
	}
	return val, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// enumName renders an enum value: an entry with exactly that value wins,
// otherwise (for flag enums) the names of the set bits in table order, or
// "unknown".
func enumName(d *Directive, v int64) string {
	var names []string
	unmatched := v
	for i, name := range d.Enum {
		ev := d.enumValue(i)
		if ev == v {
			return name
		}
		if d.Flags && ev != 0 && ev == unmatched&ev {
			names = append(names, name)
			unmatched &^= ev
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

// formatValue renders a stored value the way CONFIG GET prints it.
func formatValue(d *Directive, v any) string {
	switch d.Kind {
	case Bool:
		if v.(bool) {
			return "yes"
		}
		return "no"
	case Int:
		if d.Unsigned {
			return strconv.FormatUint(uint64(v.(int64)), 10)
		}
		return strconv.FormatInt(v.(int64), 10)
	case Memory:
		n := v.(int64)
		if d.Percent && n < 0 {
			return strconv.FormatInt(-n, 10) + "%"
		}
		return strconv.FormatUint(uint64(n), 10)
	case Octal:
		return strconv.FormatUint(uint64(v.(int64)), 8)
	case String:
		return v.(string)
	case Enum:
		return enumName(d, v.(int64))
	case Special:
		if d.format != nil {
			return d.format(v)
		}
	}
	return ""
}

// sameValue reports whether two stored values print identically.
func sameValue(d *Directive, a, b any) bool {
	return formatValue(d, a) == formatValue(d, b)
}
