package config

import (
	"math"
	"strconv"
)

// Bounds of the C types Redis uses for numeric directives.
const (
	intMin   = math.MinInt32
	intMax   = math.MaxInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	ullMax   = -1 // with Unsigned: 2^64-1
)

// opt tweaks a directive while building the table.
type opt func(*Directive)

func alias(names ...string) opt {
	return func(d *Directive) { d.Aliases = append(d.Aliases, names...) }
}

func immutable(d *Directive)   { d.Immutable = true }
func implemented(d *Directive) { d.Implemented = true }
func protected(d *Directive)   { d.Protected = true }
func sensitive(d *Directive)   { d.Sensitive = true }
func hidden(d *Directive)      { d.Hidden = true }
func denyLoading(d *Directive) { d.DenyLoading = true }
func unsigned(d *Directive)    { d.Unsigned = true }
func percent(d *Directive)     { d.Percent = true }
func emptyIsNull(d *Directive) { d.EmptyIsNull = true }
func multiArg(d *Directive)    { d.MultiArg = true }
func multi(d *Directive)       { d.Multi = true }
func fileOnly(d *Directive)    { d.FileOnly = true }

func validator(fn func(x *setCtx, v any) error) opt {
	return func(d *Directive) { d.validate = fn }
}

func build(d *Directive, opts []opt) *Directive {
	for _, o := range opts {
		o(d)
	}
	return d
}

func boolDir(name string, def bool, doc string, opts ...opt) *Directive {
	v := "no"
	if def {
		v = "yes"
	}
	return build(&Directive{Name: name, Kind: Bool, Default: v, Doc: doc}, opts)
}

func intDir(name string, def, min, max int64, doc string, opts ...opt) *Directive {
	return build(&Directive{Name: name, Kind: Int, Default: strconv.FormatInt(def, 10),
		Min: min, Max: max, Doc: doc}, opts)
}

func memDir(name string, def, min, max int64, doc string, opts ...opt) *Directive {
	return build(&Directive{Name: name, Kind: Memory, Default: strconv.FormatInt(def, 10),
		Min: min, Max: max, Doc: doc}, opts)
}

func strDir(name, def, doc string, opts ...opt) *Directive {
	return build(&Directive{Name: name, Kind: String, Default: def, Doc: doc}, opts)
}

func enumDir(name, def string, values []string, doc string, opts ...opt) *Directive {
	return build(&Directive{Name: name, Kind: Enum, Default: def, Enum: values, Doc: doc}, opts)
}

func specialDir(name, def, doc string, opts ...opt) *Directive {
	return build(&Directive{Name: name, Kind: Special, Default: def, Doc: doc}, opts)
}
