// Package config holds the table of every directive that Redis 7.0.15
// understands and the runtime values of those directives for one Redoubt
// server.
//
// One table serves four consumers:
//
//   - the configuration file and the command line (LoadFile, LoadText,
//     LoadArgs, LoadFileAndArgs), which follow redis-server's parser: the
//     file is split into lines, each line is tokenised with the same quoting
//     rules as Redis's sdssplitargs, and command-line options are turned
//     into extra lines appended after the file exactly the way redis-server
//     builds them (so line numbers in errors match too);
//   - CONFIG GET (Get, GetMulti), which matches glob patterns against both
//     canonical names and aliases and formats values byte-for-byte like
//     Redis does;
//   - CONFIG SET (Set, SetAs), which validates every pair before touching
//     anything, applies them atomically and reports Redis's exact error
//     texts;
//   - CONFIG REWRITE (Rewrite), which edits the original file in place,
//     keeping comments and unknown lines, the same way Redis does.
//
// Each Directive records its kind, default (as CONFIG GET prints it),
// bounds, enum values and flags (immutable, protected, sensitive, hidden,
// multi-argument). Directives that Redoubt does not act upon are still
// accepted and stored so that CONFIG GET returns what was configured;
// they are reported through NotImplementedSeen so the server can print a
// single warning at start-up.
//
// Behaviour that depends on the rest of the server (opening listeners,
// resizing the backlog, refusing writes while loading, ACL users, renamed
// commands) is left to the caller through OnChange, OnApply,
// SetDirectiveHook and SetRewriteLines.
//
// A Config is safe for concurrent use. Setting "dir" changes the process
// working directory, as redis-server does, unless SetChdir(false) is called.
package config
