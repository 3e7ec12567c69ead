"""Render the demo corpus (deploy/demo/corpus/articles.toml) into static sites per edition.

Rendering is deterministic (same bytes, same ETags), so the demo renders into a temporary
folder at start. `python -m deploy.demo.build OUT` writes the sites to OUT for a look.
"""

from __future__ import annotations

import atexit
import functools
import html
import shutil
import sys
import tempfile
import tomllib
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"
EDITIONS = (1, 2)
NOTICE = "Sample article written for the pactwatch demo; not real reporting."


def _paragraphs(text: str) -> str:
    return "\n".join(f"    <p>{html.escape(p.strip())}</p>"
                     for p in text.strip().split("\n\n") if p.strip())


def render_page(outlet: dict[str, Any], a: dict[str, Any], text: str) -> str:
    """An article page; a `no-text` page carries only navigation and a video player stub."""
    e = html.escape
    head = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{e(a["title"])} | {e(outlet["name"])}</title>\n'
            f'<meta property="og:site_name" content="{e(outlet["name"])}">\n'
            f'<meta name="author" content="{e(a["author"])}">\n'
            f'<meta property="article:published_time" content="{a["date"]}">\n</head>\n')
    nav = (f'<body>\n<header><nav><a href="/">Home</a> | <a href="/{outlet["key"]}/">'
           f'{e(outlet["name"])}</a> | World | Politics | Opinion</nav></header>\n')
    if a.get("status") == "no-text":
        main = '<main><div class="player" data-video="v1"></div></main>\n'
    else:
        main = (f'<main><article>\n  <h1>{e(a["title"])}</h1>\n'
                f'  <p class="byline">By {e(a["author"])}, <time datetime="{a["date"]}">'
                f'{a["date"][:10]}</time></p>\n{_paragraphs(text)}\n</article></main>\n')
    return head + nav + main + f"<footer><p>{NOTICE}</p></footer>\n</body>\n</html>\n"


def _link(base: str, outlet: dict[str, Any], a: dict[str, Any], tracked: bool) -> str:
    url = f"{base}/{a['outlet']}/{a['slug']}.html"
    return url + (f"?utm_source={outlet['key']}&utm_medium=rss" if tracked else "")


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def render_feed(outlet: dict[str, Any], items: list[dict[str, Any]], base: str) -> str:
    """The outlet's feed in its format (rss2, atom or rss1), newest first."""
    e = html.escape
    rows = [(a, e(_link(base, outlet, a, a["outlet"] != outlet["key"]))) for a in items]
    title, home = e(outlet["name"]), f"{base}/{outlet['key']}/"
    if outlet["format"] == "atom":
        entries = "".join(
            f'<entry><title>{e(a["title"])}</title><link href="{link}"/>'
            f'<id>{link}</id><published>{a["date"]}</published>'
            f'<updated>{a.get("updated_at", a["date"])}</updated>'
            f'<author><name>{e(a["author"])}</name></author>'
            f'<summary>{e(a["summary"])}</summary></entry>\n' for a, link in rows)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                f'\n<title>{title}</title><id>{home}</id><link href="{home}"/>'
                f'<updated>{items[0]["date"] if items else "2024-06-01T00:00:00Z"}</updated>\n'
                f'{entries}</feed>\n')
    if outlet["format"] == "rss1":
        seq = "".join(f'<rdf:li rdf:resource="{link}"/>' for _a, link in rows)
        entries = "".join(
            f'<item rdf:about="{link}"><title>{e(a["title"])}</title><link>{link}</link>'
            f'<description>{e(a["summary"])}</description><dc:date>{a["date"]}</dc:date>'
            f'<dc:creator>{e(a["author"])}</dc:creator></item>\n' for a, link in rows)
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF '
                'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
                f'<channel rdf:about="{home}"><title>{title}</title><link>{home}</link>'
                f'<description>{title}</description><items><rdf:Seq>{seq}</rdf:Seq></items>'
                f'</channel>\n{entries}</rdf:RDF>\n')
    entries = "".join(
        f'<item><title>{e(a["title"])}</title><link>{link}</link><guid>{link}</guid>'
        f'<pubDate>{_rfc822(a["date"])}</pubDate><description>{e(a["summary"])}</description>'
        f'</item>\n' for a, link in rows)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f'<title>{title}</title><link>{home}</link><description>{title}</description>\n'
            f'{entries}</channel></rss>\n')


FEED_FILE = {"rss2": "feed.xml", "atom": "atom.xml", "rss1": "index.rdf"}


def build(out: Path, base: str = "") -> None:
    """Write day<N>/ under `out` for each edition. Links are root-relative unless `base` is
    given, so that the same files serve on any port."""
    corpus = tomllib.loads((CORPUS / "articles.toml").read_text(encoding="utf-8"))
    outlets = {o["key"]: o for o in corpus["outlets"]}
    shutil.rmtree(out, ignore_errors=True)
    for edition in EDITIONS:
        root = out / f"day{edition}"
        items = sorted((a for a in corpus["articles"] if a["edition"] <= edition),
                       key=lambda a: a["date"], reverse=True)
        for a in items:
            if a.get("status") in ("missing", "error"):
                continue
            text = a.get("updated", a["text"]) if edition > 1 else a["text"]
            page = root / a["outlet"] / f"{a['slug']}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(render_page(outlets[a["outlet"]], a, text), encoding="utf-8")
        for key, outlet in outlets.items():
            carried = [a for a in items if a["outlet"] == key or key in a.get("also_in", ())]
            if edition > 1:
                carried = [_as_updated(a) for a in carried]
            feed = root / key / FEED_FILE[outlet["format"]]
            feed.parent.mkdir(parents=True, exist_ok=True)
            feed.write_text(render_feed(outlet, carried, base), encoding="utf-8")


def _as_updated(a: dict[str, Any]) -> dict[str, Any]:
    if "updated" not in a:
        return a
    return {**a, "summary": a["updated_summary"], "updated_at": "2024-07-03T09:00:00Z"}


def error_pages() -> list[str]:
    """Paths the demo server answers with HTTP 500 (articles with status = "error")."""
    corpus = tomllib.loads((CORPUS / "articles.toml").read_text(encoding="utf-8"))
    return [f"/{a['outlet']}/{a['slug']}.html" for a in corpus["articles"]
            if a.get("status") == "error"]


@functools.cache
def rendered_site() -> Path:
    """The corpus rendered once per process into a temporary folder (removed at exit)."""
    out = Path(tempfile.mkdtemp(prefix="pactwatch-demo-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    build(out)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-site")
    build(target)
    print(f"rendered {target}")
