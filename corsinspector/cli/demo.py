"""``demo``: play the gallery on loopback and inspect every scenario live."""

from __future__ import annotations

import argparse
import asyncio

from corsinspector.app.gallery import GalleryRow, load_gallery, run_gallery
from corsinspector.cli.exits import Exit
from corsinspector.engine.kinds import outcome_label

__all__ = ["run"]


def _table(rows: list[GalleryRow], with_browser: bool) -> str:
    header = ["scenario", "expected", "got", "culprit"] + (["Chromium"] if with_browser else [])
    body = []
    for row in rows:
        cells = [
            row.name,
            row.expected or "-",
            row.got + ("" if row.holds else "  <-- !"),
            row.culprit,
        ]
        if with_browser and row.browser is not None:
            agree = "agrees" if row.browser.agrees_with(row.verdict) else "DISAGREES"
            cells.append(f"{outcome_label(row.browser.allowed, row.browser.kind)} ({agree})")
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """OK when every scenario gave its expected verdict, BLOCKED otherwise."""
    real_browser: bool = args.real_browser

    async def demo() -> list[GalleryRow]:
        browser = None
        if real_browser:
            from corsinspector.realbrowser.browser import RealBrowser

            browser = RealBrowser()
        return await run_gallery(gallery, browser)

    gallery = load_gallery()
    rows = asyncio.run(demo())
    print(_table(rows, real_browser))
    held = sum(row.holds for row in rows)
    print(f"\n{held} of {len(rows)} scenarios gave their expected verdict.")
    if real_browser:
        agreed = sum(
            row.browser is not None and row.browser.agrees_with(row.verdict) for row in rows
        )
        print(f"Chromium agreed with the engine on {agreed} of {len(rows)}.")
    return Exit.OK if held == len(rows) else Exit.BLOCKED
