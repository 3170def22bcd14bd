"""Watch a real page: every request it makes, captured over the DevTools protocol, judged by
the engine beside the browser's own verdict."""
