"""How far an earlier claim stands out from the other assertions near a claim (matching v4).

Sentence-embedding cosines are not comparable from one claim to the next: a formulaic
sentence ("Present there were officials concerned") is about as close to a dozen earlier
claims as to any one of them, while a restatement of a fact in other words may be only fairly
close to the claim it restates, but much closer to it than to anything else. The `margin` of
a candidate is its cosine minus the mean cosine of the claim's NEIGHBOURS nearest candidates
that make other assertions (claims traced to another origin), so earlier restatements of the
candidate's own assertion do not count against it. Only earlier claims enter it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

NEIGHBOURS = 5     # other assertions whose mean cosine a candidate is measured against
STANDS_OUT = 0.15  # a margin at which a fairly close candidate is the claim's one match
                   # (v4: 0.20; v5, with name forms folded, 0.15: chosen on dev parts)
DISTINCT = 0.05    # a loose match (below CHANGE_MEANING) needs at least this margin


def margin(candidate: Any, cosine: float, pool: Sequence[tuple[float, Any]],
           origin: Callable[[Any], str], floor: float = 0.0) -> float:
    """`cosine` (the candidate's) minus the mean cosine of the NEIGHBOURS nearest entries of
    `pool` ((cosine, claim or None), nearest first) that make another assertion than
    `candidate`: claims whose `origin` differs, and entries too far to hold a claim or below
    `floor` (a claim index hands on no claim below it: they count as others wherever the
    claims are held). With no other assertion near, the margin is the cosine itself."""
    mine = origin(candidate)
    others = [cos for cos, other in pool if other is None or cos < floor
              or (other is not candidate and origin(other) != mine)]
    near = others[:NEIGHBOURS]
    return cosine - (sum(near) / len(near) if near else 0.0)
