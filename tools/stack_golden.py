"""Write the golden snippets of the stacks not in the issue's runnable list
(tests/fixes/stack_golden). Four of them (Cloudflare Workers, Rails' rack-cors, Go's rs/cors,
Next.js) are also proven live; the other five (Spring, ASP.NET Core, Laravel, S3, API
Gateway) only here, with a parser.

For every blocked gallery scenario, the fix in each of those stacks is written to
``tests/fixes/stack_golden/<stack>/<scenario>.txt``; tests/fixes/test_stack_coverage.py
compares the generated text with them. Run after a deliberate change to a snippet, and
review the diff before committing it:

    python tools/stack_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corsinspector.engine.judge import judge  # noqa: E402
from corsinspector.fixes.stacks import STACKS, stack_fix  # noqa: E402
from corsinspector.formats.scenario import load_scenario  # noqa: E402

GALLERY = ROOT / "resources" / "gallery"
GOLDEN = ROOT / "tests" / "fixes" / "stack_golden"
#: The issue's runnable stacks, proven live instead (tests/fixes/test_stack_proof.py).
LIVE = ("express", "fastify", "fastapi", "flask", "django", "nginx", "apache", "caddy")
GOLDEN_STACKS = tuple(stack for stack in STACKS if stack not in LIVE)


def blocked_gallery() -> list[str]:
    return [p.stem for p in sorted(GALLERY.glob("*.json")) if not judge(load_scenario(p)).allowed]


def golden_text(stack: str, name: str) -> str:
    verdict = judge(load_scenario(GALLERY / f"{name}.json"))
    assert verdict.error is not None
    assert verdict.fixes
    return stack_fix(stack, verdict.fixes[0], verdict.error.kind).snippet + "\n"


def main() -> int:
    written = 0
    for stack in GOLDEN_STACKS:
        folder = GOLDEN / stack
        folder.mkdir(parents=True, exist_ok=True)
        for name in blocked_gallery():
            path = folder / f"{name}.txt"
            text = golden_text(stack, name)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                written += 1
    print(f"{written} golden snippet(s) written under {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
