"""Fixing the server: the generic fix (:mod:`~corsinspector.fixes.generic`, the exact headers
the server must send) and the same fix in each server stack's own options with that stack's
pitfalls (:mod:`~corsinspector.fixes.stacks`, one :class:`~corsinspector.fixes.stack.Stack`
record per stack in ``stacks_node``, ``stacks_python``, ``stacks_servers``, ``stacks_other``
and ``stacks_cloud``)."""
