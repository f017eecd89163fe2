// Package config holds the table of every directive that Redis 7.0.15
// understands and the runtime values of those directives for one Redoubt
// server.
//
// # One table, four consumers
//
//   - The configuration file and the command line (LoadFile, LoadText,
//     LoadArgs) follow redis-server's parser: the text is split into lines,
//     each line is tokenised with the quoting rules of Redis's sdssplitargs
//     (see SplitArgs), and command-line options are turned into extra lines
//     appended after the file exactly the way redis-server builds them (see
//     CommandLineToText), so the line numbers in errors match too.
//   - CONFIG GET (Get, GetMulti) matches glob patterns against canonical
//     names and aliases and formats values byte for byte like Redis.
//   - CONFIG SET (Set, SetAs) validates every pair before touching anything,
//     applies them all or none, and reports Redis's exact error texts.
//   - CONFIG REWRITE (Rewrite) edits the original file in place, keeping
//     comments and unknown lines, the same way Redis does.
//
// # Directives
//
// Each Directive records its kind, its default (as CONFIG GET prints it),
// its bounds, enum values and flags: immutable, protected, sensitive,
// hidden, multi-argument, file-only. Directives that Redoubt does not act
// upon (Implemented == false) are still accepted and stored so that CONFIG
// GET returns what was configured; NotImplementedSeen lists the ones that
// appeared in the configuration so the server can print one warning.
//
// Values are kept in the form Redis keeps them, which shows in a few
// corner cases that this package reproduces on purpose: memory units are
// decimal for "k", "m", "g" and binary for "kb", "mb", "gb"; "save" lines
// read from a file accumulate while CONFIG SET replaces them; hz is clamped
// to 1..500; a percentage for maxmemory-clients is stored negated.
//
// # Hooks
//
// Behaviour that needs the rest of the server is left to the caller:
//
//   - OnChange callbacks run after a successful load and after CONFIG SET
//     changed a value, so the server can cache hot values;
//   - OnApply callbacks run inside CONFIG SET and may veto it (opening a
//     new listener for "port", for instance), which rolls every value back;
//   - SetDirectiveHook validates file-only directives such as
//     rename-command and user while loading;
//   - SetRewriteLines supplies the "user" and "loadmodule" lines for
//     CONFIG REWRITE;
//   - SetInternal changes values the server owns, such as "replicaof" after
//     a REPLICAOF command.
//
// A typical start-up is:
//
//	cfg := config.New()
//	if err := cfg.LoadArgs(os.Args[1:]); err != nil {
//		var le *config.LoadError
//		if errors.As(err, &le) {
//			os.Stderr.WriteString(le.Report())
//		} else {
//			log.Print(err)
//		}
//		os.Exit(1)
//	}
//
// # Concurrency and the working directory
//
// A Config is safe for concurrent use. Writers (Load*, Set*, Rewrite) are
// serialised; callbacks run without the internal lock and may read the
// Config but must not call Set or Load. Setting "dir" changes the process
// working directory, as redis-server does, unless SetChdir(false) is
// called first (tests do that).
package config
