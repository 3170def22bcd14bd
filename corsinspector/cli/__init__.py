"""The command line: one parser, one table of exit codes, a module per command."""
