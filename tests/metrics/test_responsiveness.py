"""Hand-computed responsiveness and dialogical structure. Semantic similarity is switched
off (threshold above 1) where a test isolates lexical uptake."""

import pytest

from polyphony.conversation import Participant
from polyphony.metrics import MetricsConfig, compute_metrics
from polyphony.metrics.dialogical import reflecting_sequences, semantic_dominance
from polyphony.metrics.responsiveness import lexical_uptake
from polyphony.metrics.turns import build_turns
from tests.helpers import conv

LEXICAL_ONLY = MetricsConfig(similarity_threshold=1.01)


def test_lexical_uptake_by_hand():
    assert lexical_uptake(frozenset({"sleep", "night"}), frozenset({"sleep", "quiet"})) == 0.5
    assert lexical_uptake(frozenset({"sleep"}), frozenset()) == 0.0


def meeting():
    # A asks about sleep; B takes it up; A answers B with new words; B's question goes
    # unanswered by C's unrelated remark.
    return conv([
        ("a", 0, 2, "Has Mira been sleeping at night?"),
        ("b", 2.5, 4, "Mira has not been sleeping at night."),
        ("a", 4.5, 6, "Bananas are yellow."),
        ("b", 6.5, 8, "Could we meet on Friday?"),
        ("c", 8.5, 10, "Trains leave from the station."),
    ], [Participant("a", "clinician"), Participant("b", "family"),
        Participant("c", "network"), Participant("d", "person")])


@pytest.mark.models
def test_responsiveness_questions_and_uptake_network():
    m = compute_metrics(meeting(), LEXICAL_ONLY)
    p = m["participants"]
    # pairs: a->b responsive (uptake 1.0), b->a not, a->b not (no shared lemma), b->c not
    assert p["a"]["responded_to_rate"] == pytest.approx(1 / 2)
    assert p["b"]["responded_to_rate"] == 0.0
    assert p["b"]["responsiveness"] == pytest.approx(1 / 2)
    assert p["c"]["responded_to_rate"] is None  # c's turn is never followed
    assert p["d"]["responsiveness"] is None     # silent roster member: null, not 0
    assert p["a"]["questions_asked"] == 1 and p["a"]["questions_answered"] == 1
    assert p["b"]["questions_asked"] == 1 and p["b"]["questions_answered"] == 0
    assert m["responsiveness"]["uptake_network"]["a"]["b"] == 1
    assert sum(sum(r.values()) for r in m["responsiveness"]["uptake_network"].values()) == 1


@pytest.mark.models
def test_semantic_dominance_counts_who_introduced_what_others_took_up():
    c = meeting()
    turns = build_turns(c)
    from polyphony.language import analyse

    content = [a.content for a in analyse([t.text for t in turns])]
    dominance = semantic_dominance(turns, c.speakers, content)
    # 'mira', 'sleep', 'night' introduced by a and taken up by b; nothing else is shared
    assert dominance == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 0.0}


@pytest.mark.models
def test_interactional_dominance_counts_questions_and_topic_shifts():
    m = compute_metrics(meeting(), MetricsConfig(similarity_threshold=1.01))
    shares = {k: v["interactional_dominance"] for k, v in m["participants"].items()}
    # initiatives: turn 1 (first, a question), turn 3 (a: topic shift), turn 4 (b: question),
    # turn 5 (c: topic shift) -> a 2, b 1, c 1 of 4; turn 2 takes up turn 1.
    assert shares["a"] == pytest.approx(0.5)
    assert shares["b"] == pytest.approx(0.25)
    assert shares["c"] == pytest.approx(0.25)
    assert shares["d"] == 0.0


def test_reflecting_sequences_are_runs_of_four_professional_turns():
    roster = [Participant("c1", "clinician"), Participant("c2", "peer_practitioner"),
              Participant("f", "family")]
    c = conv([("f", 0, 1, "So."), ("c1", 1, 2, "I wonder."), ("c2", 2, 3, "Me too."),
              ("c1", 3, 4, "Perhaps."), ("c2", 4, 5.5, "Yes, perhaps."), ("f", 6, 7, "Hm.")],
             roster)
    assert reflecting_sequences(build_turns(c, "include"), c) == [
        {"start": 1, "end": 5.5, "speakers": ["c1", "c2"]}]
    assert reflecting_sequences(build_turns(c, "include")[:4], c) == []


@pytest.mark.models
def test_empty_text_turns_are_not_judged():
    c = conv([("a", 0, 2, "Has Mira been sleeping?"), ("b", 2.5, 4, ""),
              ("a", 4.5, 6, "Mira needs sleep.")])
    p = compute_metrics(c, LEXICAL_ONLY)["participants"]
    assert p["a"]["responded_to_rate"] is None
    assert p["b"]["responsiveness"] is None
