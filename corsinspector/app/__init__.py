"""What the window needs from the core: the demo and its gallery, history, recent origins,
tasks, the verdict as words (report), the sequence view's steps, what-if, snippet highlighting."""
