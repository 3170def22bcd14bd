"""What the window needs from the core, so that ``ui/`` imports only this package and the public
face: the demo gallery (gallery), the request editor's live hints (editor), the verdict as
words (report), the exchanges' CORS pair, exposure marks and body (exchanges), the fix panel's
stacks (stacks) and highlighting (highlight), Ask the real browser (ask), the sequence view's
steps (sequence), what-if (whatif), history, recent origins, files (workspace), what a paste
into the URL bar fills (paste) and the one door to tasks (tasks)."""
