"""The fix panel's server stacks: their names, and a generic fix written for one."""

from __future__ import annotations

from corsinspector.fixes.stacks import STACKS, stack_fix

__all__ = ["STACKS", "stack_fix"]
