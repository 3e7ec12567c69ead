"""Claims: check-worthy assertions in sentences, with who asserts them and how surely.

Pure functions over a parsed spaCy sentence. A sentence is a claim candidate when it is a
declarative clause with something checkable in it (a named actor, a number or a date, or a
reporting verb); questions, headings, captions and boilerplate are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from extractors.quantities import Quantity, quantities

COMPONENT = "pactwatch.claims.v3.1"  # v2: greetings, wishes and praise are not claims;
# v3: nor evaluations (of a clause, by a demonstrative, credit "thanks to"); v3.1: a modal's
# perfect infinitive ("may have been given") hedges (believed)
REPORTING = {
    # lemma: certainty when someone other than the outlet asserts it
    "say": "reported", "tell": "reported", "state": "reported", "announce": "reported",
    "report": "reported", "confirm": "asserted", "add": "reported", "write": "reported",
    "note": "reported", "show": "reported", "reveal": "reported", "disclose": "reported",
    "explain": "reported", "declare": "reported", "testify": "reported",
    "warn": "reported", "insist": "reported", "acknowledge": "reported",
    "claim": "claimed", "allege": "claimed", "accuse": "claimed", "charge": "claimed",
    "assert": "claimed", "contend": "claimed", "maintain": "claimed",
    "believe": "believed", "estimate": "believed", "think": "believed", "suspect": "believed",
    "assess": "believed", "expect": "believed", "fear": "believed", "suggest": "believed",
    "indicate": "believed", "predict": "believed",
    "deny": "denied", "reject": "denied", "dismiss": "denied", "refute": "denied",
}
HEDGES = {"allegedly": "claimed", "reportedly": "reported", "purportedly": "claimed",
          "possibly": "believed", "probably": "believed", "likely": "believed",
          "apparently": "believed", "presumably": "believed"}
# A modal before a perfect infinitive judges what happened ("may have been given",
# "could have sent"): an inference, not a report. Before a bare verb it may grant leave
# ("may import no more than"), which hedges nothing.
EPISTEMIC_MODALS = frozenset({"may", "might", "could"})
CERTAINTY_RANK = {"asserted": 0, "reported": 1, "claimed": 2, "believed": 3, "denied": 4}
LIGHT_VERBS = frozenset({"be", "have", "do", "say", "make", "get", "take", "go", "come",
                         "include", "become", "remain", "seem"})
NAMED = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "LAW"})
BOILERPLATE = re.compile(
    r"©|getty images|\bphoto(graph)?:|\bfile photo\b|all rights reserved|sign up|subscribe|"
    r"read more|click here|^update:|this article (was|has been) updated|^watch:|^video:|"
    r"(first|originally) published (by|in|on)",
    re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One check-worthy assertion. Offsets are into the article text."""

    sentence_idx: int
    sentence: str
    start_char: int
    end_char: int
    claim_text: str
    claimant: str
    claimant_actors: tuple[str, ...]
    reporting_verb: str | None
    certainty: str
    predicate: str
    negated: bool
    actors: tuple[str, ...]
    quantities: tuple[Quantity, ...]
    dates: tuple[str, ...]
    lemmas: tuple[str, ...]
    verbs: tuple[str, ...]
    score: float


NEWS_MARGIN = 0.2  # how far below the threshold a concrete news sentence may score
# Ceremony, not assertion: "expressed belief that…", "extended congratulations…", "wished…".
CEREMONIAL_VERBS = frozenset({"wish", "hope", "congratulate", "thank", "toast", "praise",
                              "laud", "hail", "pray", "extol", "eulogize"})
CEREMONIAL_OBJECTS = frozenset({"belief", "hope", "gratitude", "thank", "thanks", "wish",
                                "congratulation", "greeting", "condolence", "sympathy",
                                "confidence", "expectation", "respect", "admiration",
                                "appreciation", "conviction", "willingness", "will"})
OFFERING_VERBS = frozenset({"express", "extend", "convey", "offer", "voice"})


def _concrete(sent: Any) -> bool:
    """Names two actors, or an actor and a number or date: the stuff of a news claim that
    a model trained on political debates tends to under-score."""
    named = {e.text for e in sent.ents if e.label_ in NAMED}
    figures = [e for e in sent.ents if e.label_ in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT",
                                                    "DATE")]
    return len(named) >= 2 or (len(named) >= 1 and bool(figures))


def form_problem(sent: Any) -> str | None:
    """Why a sentence cannot be a claim by its form (question, heading, caption,
    boilerplate), or None."""
    text = sent.text.strip()
    if text.endswith("?"):
        return "question"
    if BOILERPLATE.search(text):
        return "boilerplate or caption"
    words = [t for t in sent if t.is_alpha]
    if len(words) < 5 or not any(t.pos_ in ("VERB", "AUX") for t in sent):
        return "heading or fragment"
    if text[-1:] not in ".!\"'”’)" and len(words) < 14:
        return "heading or fragment"
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):  # no verb at the root: the parse failed, and the
        root = next((t for t in sent if t.pos_ == "VERB"), root)   # first verb stands in
    heads = [root, *(c for c in root.children if c.dep_ == "ccomp" and root.lemma_ in REPORTING)]
    if any(_ceremonial(h) for h in heads):
        return "greeting, wish or praise: nothing checkable"
    if any(_evaluative(h) for h in heads) or _credit(sent):
        return "evaluation, not an event: nothing checkable"
    return None


def _ceremonial(verb: Any) -> bool:
    """A wish, thanks, praise or an expressed belief: what a message feels, not a fact; also
    through the verb someone is asked to ("asked her to convey his greetings")."""
    if verb.lemma_ in CEREMONIAL_VERBS or _feeling(verb):
        return True
    if any(c.dep_ == "dobj" for c in verb.children) and \
            any(c.dep_ == "xcomp" and _ceremonial(c) for c in verb.children):
        return True
    # its object, also where the parser read "extended congratulations" as a noun phrase
    objects = [c for c in verb.children if c.dep_ == "dobj"] + \
        ([verb.head] if verb.dep_ == "amod" else [])
    return verb.lemma_ in OFFERING_VERBS and any(
        o.lemma_.lower() in CEREMONIAL_OBJECTS for o in objects)


DEMONSTRATIVES = frozenset({"it", "this", "that"})
FEELINGS = frozenset({"pleased", "glad", "happy", "delighted", "honoured", "honored",
                      "grateful", "thankful", "proud", "sad", "sorry", "saddened"})
# feelings only with a degree ("deeply moved"; "the troops were moved" is an event)
STIRRED = frozenset({"moved", "touched", "encouraged", "inspired"})
DEGREE = frozenset({"deeply", "greatly", "very", "much", "profoundly", "so", "truly"})


def _feeling(head: Any) -> bool:
    """A feeling told, not an event, with no number or date in it: "she was pleased to
    attend…", "they were deeply moved"."""
    if any(_figure(t) for t in head.subtree):
        return False
    if any(c.dep_ == "auxpass" for c in head.children) and (head.lower_ in FEELINGS or (
            head.lower_ in STIRRED and any(c.lower_ in DEGREE for c in head.children))):
        return True
    return head.lemma_ == "be" and any(c.dep_ == "acomp" and c.lower_ in FEELINGS
                                       for c in head.children)


def _figure(token: Any) -> bool:
    """Part of a number or date that can be checked: an amount, a figure in digits, a named
    day or month ("3 May", "Monday", "1,500"); not "the two countries" or "those days"."""
    if token.ent_type_ in ("QUANTITY", "MONEY", "PERCENT"):
        return True
    return token.ent_type_ in ("CARDINAL", "DATE", "TIME") and \
        (any(ch.isdigit() for ch in token.text) or token.text[:1].isupper())


def _evaluative(head: Any) -> bool:
    """A judgement, not an event, and no number or date in it to check: a clause whose
    subject is itself a clause ("what is important is that…", "strengthening cooperation
    serves…"), or a copula on a pronoun that stands for a clause it judges ("it is the
    consistent stand of X to…", "this is a clear proof that…"; "it is the largest…"
    compares, so it can be checked)."""
    if any(_figure(t) for t in head.subtree):
        return False   # a number or a date can be checked
    if any(c.dep_ in ("csubj", "csubjpass") for c in head.children):
        return True
    complements = [c for c in head.children if c.dep_ in ("attr", "acomp")]
    if head.lemma_ != "be" or not complements or not any(
            c.dep_ == "nsubj" and c.lower_ in DEMONSTRATIVES for c in head.children):
        return False
    inside = [t for c in complements for t in c.subtree]
    superlative = any(t.tag_ in ("JJS", "RBS") for t in inside)
    clauses = [*inside, *(t for c in head.children if c.dep_ in ("xcomp", "ccomp")
                          for t in c.subtree)]
    judged = any((t.dep_, t.lower_) in (("aux", "to"), ("mark", "that")) for t in clauses)
    return judged and not superlative


def _credit(sent: Any) -> bool:
    """Credit given ("…has prospered thanks to the leader's wise guidance"): praise, unless
    there is a number or date to check ("exports rose 20% thanks to oil prices")."""
    return any(t.lower_ == "thanks" and t.i + 1 < sent.end and t.nbor().lower_ == "to"
               for t in sent) and not any(_figure(t) for t in sent)


def skip_reason(sent: Any, score: float, threshold: float) -> str | None:
    """Why a sentence is not a claim, or None when it is one: its form, or a check-worthiness
    `score` below `threshold` with nothing checkable (no entity, number or date) in it."""
    problem = form_problem(sent)
    if problem is not None:
        return problem
    if score >= threshold or (score >= threshold - NEWS_MARGIN and _concrete(sent)):
        return None
    checkable = any(e.label_ in NAMED or e.label_ in ("CARDINAL", "QUANTITY", "MONEY",
                                                      "PERCENT", "DATE") for e in sent.ents)
    if not checkable:
        return f"not check-worthy ({score:.2f} < {threshold:.2f}), nothing checkable in it"
    return f"not check-worthy ({score:.2f} < {threshold:.2f})"


def _reporting_verb(sent: Any) -> tuple[Any | None, Any | None]:
    """The reporting verb governing the sentence, and the clause it reports (or None)."""
    root = sent.root
    for verb in [root, *[t for t in sent if t.dep_ in ("advcl", "conj", "relcl")]]:
        if verb.lemma_ in REPORTING:
            clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp")]
            # "X is Y: it is believed that Z" — the reported clause is the one after the verb
            after = [c for c in clauses if c.i > verb.i]
            return verb, (after or clauses or [None])[0]
    return None, None


def _according_to(sent: Any) -> list[Any]:
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.nbor().lower_ == "to":
            objs = [c for c in tok.nbor().children if c.dep_ == "pobj"]
            if objs:
                return [t for t in objs[0].subtree if not t.is_punct]
    return []


def _subject(verb: Any) -> list[Any]:
    """Who asserts: the active subject of the reporting verb, or the agent of a passive one
    ("is believed by analysts"); "the containers are believed to …" names no claimant."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        objs = [c for c in agent.children if c.dep_ == "pobj"]
        return [t for t in objs[0].subtree if not t.is_punct] if objs else []
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.lower_ in ("it", "there"):
        return []
    appos = {t.i for c in subj.children if c.dep_ == "appos" for t in c.subtree}
    return [t for t in subj.subtree if t.i not in appos and not t.is_punct]


def _inferred(head: Any) -> bool:
    """The asserted verb is a modal's perfect infinitive ("may have been given")."""
    aux = [c.lower_ for c in head.children if c.dep_ == "aux"]
    return any(m in aux for m in EPISTEMIC_MODALS) and "have" in aux and head.tag_ == "VBN"


def _certainty(sent: Any, verb: Any | None, claimant: str, head: Any = None) -> str:
    if verb is not None and any(c.dep_ == "neg" for c in verb.children) and \
            REPORTING.get(verb.lemma_) == "reported":
        return "denied"
    level = "asserted"
    if verb is not None:
        level = REPORTING[verb.lemma_]
        if level == "reported" and not claimant:
            level = "asserted"
    elif claimant:
        level = "reported"
    for tok in sent:
        hedge = HEDGES.get(tok.lower_)
        if hedge and CERTAINTY_RANK[hedge] > CERTAINTY_RANK[level]:
            level = hedge
    if head is not None and _inferred(head) and CERTAINTY_RANK["believed"] > CERTAINTY_RANK[level]:
        level = "believed"
    return level


def _content_lemmas(span: Any) -> tuple[str, ...]:
    keep = ("NOUN", "PROPN", "VERB", "ADJ", "NUM")
    return tuple(sorted({t.lemma_.lower() for t in span
                         if t.pos_ in keep and not t.is_stop and t.is_alpha}))


def extract(sent: Any, sentence_idx: int, canonical: dict[int, str], score: float,
            threshold: float, units: Mapping[str, str]) -> Claim | None:
    """The claim in one parsed sentence, or None when `skip_reason` says it is not one.

    `canonical` maps token index → canonical entity name (from the entity normaliser);
    `score` is the sentence's check-worthiness; `units` folds what its numbers count into
    the story's classes (`quantities`).
    """
    if skip_reason(sent, score, threshold) is not None:
        return None
    verb, clause = _reporting_verb(sent)
    who = (_subject(verb) if verb is not None else []) or _according_to(sent)
    claimant = "".join(t.text_with_ws for t in who).strip()
    span = sent.doc[clause.left_edge.i:clause.right_edge.i + 1] if clause is not None else sent
    head = clause if clause is not None else sent.root
    actors = tuple(dict.fromkeys(canonical[t.i] for t in span if t.i in canonical))
    return Claim(
        sentence_idx=sentence_idx, sentence=sent.text.strip(), start_char=span.start_char,
        end_char=span.end_char, claim_text=span.text.strip(), claimant=claimant,
        claimant_actors=tuple(dict.fromkeys(canonical[t.i] for t in who if t.i in canonical)),
        reporting_verb=verb.lemma_ if verb is not None else None,
        certainty=_certainty(sent, verb, claimant, head), predicate=head.lemma_.lower(),
        negated=any(c.dep_ == "neg" for c in head.children),
        actors=actors, quantities=quantities(span, units),
        dates=tuple(e.text for e in span.ents if e.label_ == "DATE"),
        lemmas=_content_lemmas(span), score=score,
        verbs=tuple(sorted({t.lemma_.lower() for t in span if t.pos_ == "VERB"} - LIGHT_VERBS)))
