"""A library with one hub cited by many papers, to check the explorer stays fast.

Run as a script to build one and time how long the hub page takes to show rows::

    python tests/tui/biglib.py /tmp/big.db 100000
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path

from citetui.core.models import PaperRecord
from citetui.core.vocab import POLARITIES, ROLES
from citetui.store import Library, Writer

WORDS = [
    "policy",
    "gradient",
    "proximal",
    "optimization",
    "reinforcement",
    "learning",
    "agents",
    "robust",
    "scalable",
    "reward",
    "model",
    "language",
    "diffusion",
    "transformer",
    "offline",
    "online",
    "safe",
    "exploration",
    "benchmark",
    "theory",
    "sample",
    "efficient",
    "weak",
    "strong",
    "generalization",
]


def build(path: Path, n: int, *, seed: int = 7) -> int:
    """Create a library at ``path`` with one hub cited by ``n`` papers; return the hub id."""
    rng = random.Random(seed)
    lib = Library(path, create=True)
    try:
        with lib.transaction() as db:
            w = Writer(db, source="biglib")
            hub = w.upsert_paper(
                PaperRecord(title="A Much Cited Hub Paper", year=2017, arxiv="1707.00001")
            )
            w.mark_hub(hub, tier="mega hub", verdict="Mixed citations")
            for i in range(n):
                title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()
                summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 20)))
                pid = w.upsert_paper(
                    PaperRecord(
                        title=f"{title} {i}",
                        year=rng.randint(2017, 2025),
                        summary=summary,
                        citation_count=rng.randint(0, 500),
                        doi=f"10.5555/big.{i}",
                    )
                )
                w.upsert_citation(
                    pid, hub, roles=[rng.choice(ROLES[:5])], polarity=rng.choice(POLARITIES[:3])
                )
        return hub
    finally:
        lib.close()


async def time_hub_open(path: Path) -> tuple[float, int]:
    """Seconds from asking for the hub page to its explorer holding rows, and their count."""
    from citetui.tui.app import CitetuiApp
    from citetui.tui.screens.hub import HubScreen

    lib = Library(path)
    app = CitetuiApp(lib, settings_path=path.with_suffix(".tui.json"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        hub_id = next(iter(lib.hub_ids()))
        started = time.perf_counter()
        app.open_hub(hub_id)  # what Enter on the hub does
        while not (isinstance(app.screen, HubScreen) and app.screen.explorer.total):
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - started
        return elapsed, app.screen.explorer.total


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    if not target.exists():
        t0 = time.perf_counter()
        build(target, count)
        print(f"built {count} citing papers in {time.perf_counter() - t0:.1f} s")
    seconds, total = asyncio.run(time_hub_open(target))
    print(f"explorer showed its first {total} rows {seconds * 1000:.0f} ms after opening the hub")
