"""Files in and out, one module per format (its import and export together): json (the one
JSON reader and writer, and the field reader), atomic (safe writes), scenario (scenarios,
truths, verdicts), collection (collections, environments, merging, safe saves), curl (with
shell, its two lexers), har, postman, importing (what importers share), detect (which format
a file is: the import entry), secrets (redaction, credential extraction)."""
