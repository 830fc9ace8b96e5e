"""Search options the tutor relies on: the essay filter, boosts for the conversation focus, routing by cues."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.library import Library
from bot.retrieval.late_interaction import maxsim
from bot.retrieval.search import Searcher, SearchParams
from tests.conftest import SECOND_ESSAY, SEED

QUESTION = "what does it mean to carry a painful memory instead of erasing it?"


@pytest.fixture
def two_essays(library_factory: Callable[..., Library]) -> Library:
    return library_factory([SEED, SECOND_ESSAY])


def _essays(hits: list) -> list[str]:
    return [h.passage.essay_id for h in hits]


def test_a_boost_lifts_an_essay_without_excluding_the_others(two_essays: Library) -> None:
    searcher = Searcher(two_essays.index, two_essays.embedder, SearchParams(route_weight=0.0))
    plain = searcher.search(QUESTION, k=6)
    assert _essays(plain)[0] == "eternal-sunshine"
    boosted = searcher.search(QUESTION, k=6, boost={"severance": 1.0})
    assert _essays(boosted)[0] == "severance"  # a full-range boost puts the essay first
    assert "eternal-sunshine" in _essays(boosted)  # ... but does not filter the other out
    nudged = searcher.search(QUESTION, k=6, boost={"severance": 0.01})
    assert _essays(nudged)[0] == "eternal-sunshine"  # a small boost only decides near-ties
    assert _essays(searcher.search(QUESTION, k=6, boost={"no-such-essay": 5.0})) == _essays(plain)


def test_the_essay_filter_keeps_one_essay(two_essays: Library) -> None:
    hits = two_essays.searcher.search(QUESTION, k=10, essay="severance")
    assert hits and set(_essays(hits)) == {"severance"}
    assert two_essays.searcher.search(QUESTION, k=10, essay="no-such-essay") == []


def test_a_question_that_names_an_essay_is_routed_to_it(two_essays: Library) -> None:
    searcher = two_essays.searcher
    question = "in the Lumon essay, why would someone want to forget their grief?"
    assert set(searcher.routing(question)) == {"severance"}  # Lumon is the company in Severance
    assert _essays(searcher.search(question, k=2)) == ["severance", "severance"]
    # routing alone: late interaction also matches the word "Lumon" (in the severance passages) and is off here
    unrouted = Searcher(two_essays.index, two_essays.embedder, SearchParams(route_weight=0.0, piece_share=0.0))
    assert unrouted.routing(question) == {}
    assert "eternal-sunshine" in _essays(unrouted.search(question, k=2))
    plain = Searcher(two_essays.index, two_essays.embedder, SearchParams(piece_share=0.0))
    assert _essays(unrouted.search(question, k=2)) == _essays(plain.search(question, k=2, route=False))


def test_talk_about_the_essay_is_not_searched_for(two_essays: Library) -> None:
    searcher = two_essays.searcher
    assert searcher.query_text("According to the author, why does Joel erase Clementine?") == \
        "Why does Joel erase Clementine?"
    raw = Searcher(two_essays.index, two_essays.embedder, SearchParams(content_only=False))
    assert raw.query_text("According to the author, why?") == "According to the author, why?"
    # the same ranking as searching for the content itself
    asked = searcher.search("does the writer think that forgetting heals grief?", k=3, route=False)
    direct = searcher.search("forgetting heals grief?", k=3, route=False)
    assert [h.passage.id for h in asked] == [h.passage.id for h in direct]


def test_late_interaction_reranks_the_candidates_by_word_pieces(two_essays: Library) -> None:
    """With all of the score given to MaxSim, the order is MaxSim's over the fused candidates, computed here
    from the stored pieces and the question's own; with none of it, the fused order."""
    index, embedder = two_essays.index, two_essays.embedder
    assert index.tokens is not None
    question = "why do people pretend that everything is fine?"
    pieces_only = Searcher(index, embedder, SearchParams(piece_share=1.0, route_weight=0.0))
    fused_only = Searcher(index, embedder, SearchParams(piece_share=0.0, route_weight=0.0))
    candidates = fused_only.search(question, k=len(index.passages))
    query = embedder.encode_tokens([pieces_only.query_text(question)])[1][0]
    rows = {p.id: row for row, p in enumerate(index.passages)}
    expected = sorted(candidates, key=lambda h: -maxsim(query, index.tokens.of(rows[h.passage.id])))
    got = pieces_only.search(question, k=3)
    assert [h.passage.id for h in got] == [h.passage.id for h in expected[:3]]
    assert [h.passage.id for h in got] != [h.passage.id for h in candidates[:3]]  # MaxSim changed the order


def test_per_essay_normalisation_takes_a_share_of_each_essays_three_best_from_its_passages() -> None:
    """A hub essay near every question loses its general closeness: each passage drops by `essay_norm` times the
    mean of its essay's three best dense scores, so a passage stands out only against its own essay."""
    import numpy as np

    from bot.retrieval.search import Searcher, SearchParams

    searcher = Searcher.__new__(Searcher)
    searcher.params = SearchParams(essay_norm=0.5)
    searcher._essay_ids = ["hub", "niche"]
    searcher._essay_of = np.array([0, 0, 0, 0, 1, 1])
    dense = np.array([0.6, 0.6, 0.6, 0.0, 0.62, 0.1])
    normalised = searcher._essay_normalised(dense)
    assert np.allclose(normalised[:4], dense[:4] - 0.5 * 0.6)
    assert np.allclose(normalised[4:], dense[4:] - 0.5 * 0.36)  # two passages: the mean of those two
    assert int(np.argmax(normalised)) == 4 and int(np.argmax(dense)) == 4  # the niche line leads by more now
    searcher.params = SearchParams(essay_norm=0.0)
    assert np.array_equal(searcher._essay_normalised(dense), dense)
