"""The digest's ranking, grouping and cap, on claims written into a real warehouse through
the real loader (and, for the mail, a real Prefect run and a real SMTP server)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from flows.config import ConfigError, load_settings
from flows.digest.flow import build_digest, digest, preview, store
from flows.digest.render import render_html, render_text
from tests.conftest import Inbox, query, row
from tests.flows.digest.test_digest import email_config
from warehouse.db import open_warehouse, publish_snapshot, utcnow
from warehouse.load import Batch, load_batch
from warehouse.schemas import ArticleRow, ArticleVersionRow, ClaimJudgementRow, ClaimRow, DigestRow

DAY = datetime(2024, 11, 5, 9)


@dataclass(frozen=True)
class Claim:
    """One claim as the matcher left it: `origin` names the claim it repeats (else itself)."""

    key: str
    article: str
    sentence: str
    status: str = "new"
    origin: str | None = None
    cw: float = 0.6
    actors: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    changes: tuple[tuple[str, str, str], ...] = ()
    matched: str | None = None


@dataclass(frozen=True)
class Article:
    key: str
    outlet: str
    published: datetime = DAY
    extra: dict[str, object] = field(default_factory=dict)


def _article_rows(a: Article) -> tuple[ArticleRow, ArticleVersionRow]:
    url = f"https://{a.outlet.lower().replace(' ', '-')}.example/{a.key}"
    return (row(ArticleRow, article_id=a.key, canonical_url=url, url=url, outlet=a.outlet,
                feed_id=None, is_seed=False, first_seen_at=a.published, run_id="r1"),
            row(ArticleVersionRow, version_id=f"v-{a.key}", article_id=a.key,
                content_hash=a.key, fetched_at=a.published, run_id="r1", title=a.key,
                published_at=a.published, text="…", extraction_method="test",
                relevant=True))


def _claim_rows(c: Claim, n: int, article: Article, judged_at: datetime
                ) -> tuple[ClaimRow, ClaimJudgementRow]:
    claim = row(
        ClaimRow, claim_id=c.key, sentence_id=c.key, version_id=f"v-{c.article}",
        article_id=c.article, sentence_idx=n, start_char=0, end_char=1,
        sentence=c.sentence, claim_text=c.sentence, claimant="",
        certainty="asserted", negated=False, actors=list(c.actors),
        quantities=[{"text": q, "value": 1.0, "unit": "troop", "bound": "="}
                    for q in c.figures],
        dates=list(c.dates), checkworthiness=c.cw, method="test", run_id="r1")
    judgement = row(
        ClaimJudgementRow, judgement_id=f"j-{c.key}", claim_id=c.key, run_id="r1",
        judged_at=judged_at, status=c.status,
        matched_claim_id=c.matched,
        changes=[{"field": f, "old": o, "new": w} for f, o, w in c.changes],
        origin_claim_id=c.origin or c.key, first_seen_at=article.published,
        method="test")
    return claim, judgement


def load(wh: Path, articles: list[Article], claims: list[Claim],
         judged_at: datetime | None = None, earlier_digest: datetime | None = None) -> None:
    """Write the articles and claims, judged at `judged_at` (default: 5 minutes ago), with
    the real loader in one batch; `earlier_digest`: a digest covering until then."""
    batch = Batch()
    if earlier_digest:
        batch.add(row(DigestRow, digest_id="earlier", created_at=earlier_digest,
                      covers_until=earlier_digest, subject="", text_body="",
                      html_body="", recipients=[], item_count=0))
    by_key = {a.key: a for a in articles}
    for a in articles:
        art, version = _article_rows(a)
        batch.add(art, version)
    for n, c in enumerate(claims):
        when = judged_at or utcnow() - timedelta(minutes=5)
        if c.key.startswith("old"):  # judged before the earlier digest
            when = DAY - timedelta(days=9)
        claim, judgement = _claim_rows(c, n, by_key[c.article], when)
        batch.add(claim, judgement)
    with open_warehouse(wh) as con:
        load_batch(con, batch)


def config(tmp_path: Path, feeds: list[tuple[str, float]], extra: str = "") -> Path:
    text = "[warehouse]\npath = 'wh/pactwatch.duckdb'\n" + extra
    for name, weight in feeds:
        text += (f"\n[[feeds]]\nname = '{name}'\nurl = 'https://{name.lower()}.example/rss'\n"
                 f"weight = {weight}\n")
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- ranking ---------------------------------------------------------------------------

ARTICLES = [Article("a1", "Wire"), Article("b1", "Wire"), Article("b2", "Courier"),
            Article("b3", "Review"), Article("c1", "Wire"), Article("d1", "Courier"),
            Article("e1", "Heavy"), Article("f1", "Review"), Article("old", "Review",
                                                                     DAY - timedelta(days=9))]
RANKED = [
    # 3 (changed number) x 1 (one outlet) x (0.6 + 1.0) / 2 = 2.40
    Claim("A", "a1", "Officials now say North Korea has sent 3,000 troops to Russia.",
          "changed", origin="old0", cw=0.6, actors=("North Korea", "Russia"),
          figures=("3,000 troop",), changes=(("quantity", "1,500 troop", "3,000 troop"),),
          matched="old0"),
    # 1 (new) x log2(1 + 3) = 2 (three outlets) x (0.9 + 1.0) / 2 = 1.90
    Claim("B", "b1", "Russia will open a consulate in Wonsan in March, the ministry said.",
          cw=0.9, actors=("Russia", "Wonsan"), dates=("March",)),
    Claim("B2", "b2", "Russia is to open a consulate in Wonsan in March.", "repeated",
          origin="B"),
    Claim("B3", "b3", "A Russian consulate will open in Wonsan in March.", "repeated",
          origin="B"),
    # 2 (changed attribution) x 1 x (0.8 + 0.25) / 2 = 1.05
    Claim("C", "c1", "The Kremlin denied the reports about the shipments.", "changed",
          origin="old1", cw=0.8, actors=("Russia",),
          changes=(("attribution", "(the outlet)", "The Kremlin"),), matched="old1"),
    # 1 x 1 x (0.95 + 1.0) / 2 = 0.975
    Claim("D", "d1", "Kim Jong Un inspected 40 new rocket launchers bound for Russia.",
          cw=0.95, actors=("Kim Jong Un", "Russia"), figures=("40 launcher",)),
    # 1 x log2(1 + 3) = 2 (one outlet of weight 3) x (0.7 + 0.5) / 2 = 1.20
    Claim("E", "e1", "Pyongyang and Moscow agreed to cooperate in tourism.", cw=0.7,
          actors=("North Korea", "Russia")),
    # 1 x 1 x (0.4 + 0) / 2 = 0.20
    Claim("F", "f1", "Relations are said to be at their best in decades.", cw=0.4),
    Claim("old0", "old", "Officials say North Korea has sent 1,500 troops to Russia.",
          "repeated"),
    Claim("old1", "old", "The reports about the shipments are accurate.", "repeated"),
]


def test_items_are_ranked_by_novelty_reach_and_evidence(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, [("Wire", 1), ("Courier", 1), ("Review", 1),
                                               ("Heavy", 3.0)]))
    load(settings.warehouse_path, ARTICLES, RANKED, earlier_digest=DAY - timedelta(days=8))
    with open_warehouse(settings.warehouse_path) as con:
        d = build_digest(con, settings=settings)
        unweighted = build_digest(con)
    assert [i.lead.claim_id for i in d.items] == ["A", "B", "E", "C", "D", "F"]
    assert [round(i.score, 3) for i in d.items] == [2.4, 1.9, 1.2, 1.05, 0.975, 0.2]
    top, consulate = d.items[0], d.items[1]
    assert top.scoring.explain() == (
        "score 2.40 = novelty 3 (changed number) × reach 1.00 (1 outlet, weight 1) × "
        "evidence 0.80 (check-worthiness 0.60, concreteness 1.00)")
    assert consulate.outlets == ["Courier", "Review", "Wire"]
    # the feed weight is what lifts E above C and D: at weight 1 it falls below them
    assert [i.lead.claim_id for i in unweighted.items] == ["A", "B", "C", "D", "E", "F"]
    text = render_text(d)
    assert text.index("3,000 troops") < text.index("consulate") < text.index("tourism")
    assert "Why: changed quantity: 1,500 troop -> 3,000 troop" in text
    assert "Earlier (Review https://review.example/old): Officials say North Korea has sent " \
           "1,500 troops" in text
    assert "Why: new: first time this assertion appears" in text


# --- grouping --------------------------------------------------------------------------

GROUPED_ARTICLES = [Article("x1", "Wire"), Article("y1", "Courier"), Article("z1", "Review"),
                    Article("s1", "Wire"), Article("s2", "Courier")]
GROUPED = [
    # two new assertions of one article: one event
    Claim("X1", "x1", "Shoigu arrived in Pyongyang on 13 September for talks.", cw=0.9,
          actors=("Sergei Shoigu", "North Korea"), dates=("13 September",)),
    Claim("X2", "x1", "He brought a message from Putin <script>alert(1)</script>.", cw=0.7,
          actors=("Vladimir Putin",)),
    # the same event told by two outlets in other words (the matcher kept both new)
    Claim("Y1", "y1", "Kim Jong Un received a Russian delegation on 2 September in "
          "Pyongyang and discussed cooperation.", cw=0.8,
          actors=("Kim Jong Un", "Russia"), dates=("2 September",)),
    Claim("Z1", "z1", "On 2 September Kim Jong Un received the Russian delegation in "
          "Pyongyang to discuss cooperation.", cw=0.7,
          actors=("Kim Jong Un", "Russia"), dates=("2 September",)),
    # the same formula about another day: another event
    Claim("S1", "s1", "Kim Jong Un received a Russian delegation on 9 September in "
          "Pyongyang and discussed cooperation.", cw=0.8,
          actors=("Kim Jong Un", "Russia"), dates=("9 September",)),
    # a repeat elsewhere is one more source of its assertion, not an item
    Claim("S2", "s2", "Kim received Russia's delegation on 9 September.", "repeated",
          origin="S1"),
]


def test_claims_about_one_event_are_one_item(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, [("Wire", 1), ("Courier", 1), ("Review", 1)]))
    load(settings.warehouse_path, GROUPED_ARTICLES, GROUPED)
    with open_warehouse(settings.warehouse_path) as con:
        d = build_digest(con, settings=settings)
    items = {frozenset(a.claim_id for a in i.assertions): i for i in d.items}
    assert set(items) == {frozenset({"X1", "X2"}), frozenset({"Y1", "Z1"}), frozenset({"S1"})}
    shoigu, delegation, other_day = (items[frozenset(k)] for k in
                                     (("X1", "X2"), ("Y1", "Z1"), ("S1",)))
    assert shoigu.grouped_by == ("same article",) and shoigu.lead.claim_id == "X1"
    assert delegation.grouped_by == ("same actors, date and wording",)
    assert delegation.lead.claim_id == "Y1" and delegation.outlets == ["Courier", "Review"]
    assert other_day.grouped_by == () and other_day.outlets == ["Courier", "Wire"]
    assert set(other_day.claim_ids) == {"S1", "S2"}
    assert d.subject.startswith("pactwatch: 3 items: 5 new claims, 0 changed")
    text, page = render_text(d), render_html(d)
    assert "Same event (same article):" in text and "* [NEW] He brought a message" in text
    assert "Same event (same actors, date and wording):" in text
    # the sentence grouped under the lead is escaped like every other value
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the cap -----------------------------------------------------------------------------

def many(n: int, key: str = "m") -> tuple[list[Article], list[Claim]]:
    """n unrelated events in n articles, check-worthiness falling with the index."""
    arts = [Article(f"{key}{i}", "Wire") for i in range(n)]
    claims = [Claim(f"{key}{i:02d}", f"{key}{i}", f"Event number {i} happened in place {i * 7}.",
                    cw=round(0.99 - i / 100, 2)) for i in range(n)]
    return arts, claims


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_the_mail_shows_the_top_items_and_a_query_for_the_rest(
        tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    path = config(tmp_path, [("Wire", 1)], email_config(port) + "max_items = 20\n")
    settings = load_settings(path)
    load(settings.warehouse_path, *many(27))
    summary = digest(str(path))
    assert summary.sent and summary.subject.startswith("pactwatch: 27 items: 27 new claims")
    [msg] = box.messages
    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    shown = re.findall(r"^\d+\. \[NEW\] Event number (\d+) ", text, re.M)
    assert shown == [str(i) for i in range(20)]
    line = next(x for x in text.splitlines() if x.startswith("... and "))
    assert line.startswith("... and 7 more items (ranked 21 to 27), not shown. List them: ")
    sql = line.split("List them: ", 1)[1]
    rows = query(settings.snapshot_path, sql)
    assert [(r[0], r[1], r[4]) for r in rows] == [
        (n, "new", f"Event number {n - 1} happened in place {(n - 1) * 7}.")
        for n in range(21, 28)]
    assert sql.replace("'", "&#x27;") in page and "7 more items (ranked 21 to 27)" in page
    assert query(settings.snapshot_path, "SELECT count(*), count(*) FILTER (WHERE shown) "
                                         "FROM v_digest_items") == [(27, 20)]


def test_the_cap_is_configurable_and_a_preview_says_it_stores_nothing(tmp_path: Path) -> None:
    path = config(tmp_path, [("Wire", 1)], "[email]\nsmtp_host = 'localhost'\nsender = "
                  "'a@b.example'\nrecipients = ['c@d.example']\nmax_items = 3\n")
    settings = load_settings(path)
    load(settings.warehouse_path, *many(5))
    with open_warehouse(settings.warehouse_path) as con:
        d = build_digest(con, settings=settings)
        assert len(d.shown) == 3 and d.not_shown == 2
        store(con, d, ("c@d.example",))
    snap = publish_snapshot(settings.warehouse_path)
    assert len(query(snap, d.more_query)) == 2
    # the next window: four more events, previewed from the snapshot
    load(settings.warehouse_path, *many(4, "late"), judged_at=utcnow())
    snap = publish_snapshot(settings.warehouse_path)
    previewed = preview(settings, tmp_path / "p.html")
    assert [i.lead.claim_id for i in previewed.items] == ["late00", "late01", "late02",
                                                          "late03"]
    assert previewed.not_shown == 1 and "a preview stores nothing" in previewed.more_line
    assert "a preview stores nothing" in (tmp_path / "p.html").read_text()
    assert query(snap, previewed.more_query) == []


@pytest.mark.parametrize(("extra", "feed_extra", "message"), [
    ("", "weight = -1\n", "[feeds[0]].weight must be between 0 and 10, got -1"),
    ("", "weight = 'high'\n", "[feeds[0]].weight must be number, got 'high'"),
    ("[email]\nsmtp_host = 'h'\nsender = 'a@b.c'\nrecipients = ['c@d.e']\nmax_items = 0\n", "",
     "[email].max_items must be between 1 and 500, got 0"),
    ("[email]\nsmtp_host = 'h'\nsender = 'a@b.c'\nrecipients = ['c@d.e']\nmax_items = 501\n",
     "", "[email].max_items must be between 1 and 500, got 501"),
])
def test_weight_and_cap_are_checked_at_load_time(tmp_path: Path, extra: str, feed_extra: str,
                                                 message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f"[warehouse]\npath = 'w.duckdb'\n{extra}[[feeds]]\nname = 'a'\n"
                    f"url = 'https://a.example/rss'\n{feed_extra}")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value) == f"{path}: {message}"
