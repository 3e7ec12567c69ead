"""The summary a monitor run publishes to Prefect (a markdown artifact on the run's page):
counts, what was flagged, what failed."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.db import dict_rows

KEY = "monitor-summary"
MAX_ROWS = 20
CHANGED = """
    SELECT outlet, changed_fields, sentence FROM v_new_claims
    WHERE status = 'changed' ORDER BY published_at LIMIT ?
"""
COUNTS = (("feeds polled", "feeds_polled"), ("not modified", "feeds_not_modified"),
          ("feeds failed", "feeds_failed"), ("not due", "feeds_not_due"),
          ("articles new", "articles_new"), ("updated", "articles_updated"),
          ("unchanged", "articles_unchanged"), ("skipped", "articles_skipped"),
          ("failed", "articles_failed"))


def _cell(value: object, width: int = 160) -> str:
    """One markdown table cell: pipes escaped, one line, cut at `width`."""
    s = " ".join(str(value).split()).replace("|", "\\|")
    return s if len(s) <= width else s[: width - 1] + "…"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_cell(v) for v in r) + " |" for r in rows)]


def changed_claims(snapshot: str) -> list[dict[str, Any]]:
    """The changed claims the run brought in, from the snapshot it published."""
    con = duckdb.connect(snapshot, read_only=True)
    try:
        return dict_rows(con, CHANGED, [MAX_ROWS])
    finally:
        con.close()


def summary_markdown(summary: Any, changed: list[dict[str, Any]]) -> str:
    """The artifact's text for a RunSummary (completed or skipped)."""
    if summary.status != "completed":
        return f"# pactwatch pass {summary.status}\n\n{_cell(summary.skip_reason, 1000)}\n"
    lines = [f"# pactwatch pass completed in {summary.elapsed_s:.1f} s", "",
             *_table([h for h, _k in COUNTS], [[summary.counts[k] for _h, k in COUNTS]]), "",
             "## Flagged", ""]
    claims = ", ".join(f"{k} {v}" for k, v in sorted(summary.claims.items())) or "none"
    lines.append(f"- claims judged: {claims}")
    framing = getattr(summary, "framing", {})
    lines.append(f"- framing changes: {framing.get('framing_changes', 0)} "
                 f"({framing.get('framed', 0)} versions framed)")
    if changed:
        lines += ["", "### Changed claims", "", *_table(
            ["outlet", "what changed", "sentence"],
            [[c["outlet"], ", ".join(c["changed_fields"] or ()), c["sentence"]]
             for c in changed])]
    lines += ["", f"## Failures ({len(summary.failures)})", ""]
    if summary.failures:
        lines += _table(["stage", "where", "why"],
                        [[stage, url, reason] for url, stage, reason
                         in summary.failures[:MAX_ROWS]])
    else:
        lines.append("none")
    return "\n".join(lines) + "\n"


def publish(summary: Any, log: Any) -> None:
    """Create the run's summary artifact. Never fails the run: a problem is logged."""
    from prefect.artifacts import create_markdown_artifact

    try:
        # none to list (and no snapshot to open) when no claim was judged changed
        changed = (changed_claims(summary.snapshot)
                   if summary.snapshot and summary.claims.get("changed") else [])
        create_markdown_artifact(markdown=summary_markdown(summary, changed), key=KEY,
                                 description=f"pactwatch pass {summary.run_id}: "
                                             f"{summary.status}")
    except Exception as exc:  # the pass is done and stored; its summary is a courtesy
        log.warning("could not publish the run's summary artifact: %s: %s",
                    exc.__class__.__name__, exc)
