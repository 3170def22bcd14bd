"""Live inspection: the engine's walk carried out on the network, collections replayed, and
the engine's verdict compared with a real browser's."""
