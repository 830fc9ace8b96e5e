"""The language tools: the parser model is the official one, and its readings are the ones the tutor relies on."""

from __future__ import annotations

import json
from importlib import resources

from bot.language import PARSER_MODEL, is_negated, leans_back, noun_phrases, parse, rare_words, word_stems
from bot.tutor.phrases import proposition


def test_the_parser_is_the_official_small_english_model() -> None:
    meta = json.loads(resources.files(PARSER_MODEL).joinpath("meta.json").read_text(encoding="utf-8"))
    # a re-upload of en_core_web_sm 3.8.0 (renamed for PyPI): Explosion's build, its git version and accuracy
    assert meta["lang"] == "en" and meta["name"].startswith("core_web_sm") and meta["version"] == "3.8.0"
    assert meta["author"] == "Explosion" and meta["spacy_git_version"] == "5010fcbd3"
    assert round(meta["performance"]["dep_las"], 3) == 0.899
    assert {"tagger", "parser", "lemmatizer"} <= set(meta["pipeline"])
    assert {"neg", "ccomp", "nsubj", "attr"} <= set(meta["labels"]["parser"])


def test_negation_is_read_from_the_parse_not_from_a_word_list() -> None:
    root = next(t for t in parse("Stevens is not a museum piece.") if t.dep_ == "ROOT")
    assert is_negated(root)
    root = next(t for t in parse("Nothing stops him from noticing.") if t.dep_ == "ROOT")
    assert not is_negated(root)


def test_noun_phrases_are_whole_constituents() -> None:
    phrases = [p.text for p in noun_phrases(parse("The livery of the self is a uniform worn too long."))]
    assert any(p.startswith("The livery") for p in phrases)


def test_rare_words_are_rare_in_english_not_in_the_library() -> None:
    assert rare_words("i was thinking of the guy with the tattoos and the Polaroids, actually") == ["tattoos",
                                                                                                  "polaroids"]
    assert rare_words("ok so tomorrow is fine, literally") == []


def test_word_stems_match_word_forms() -> None:
    assert word_stems("Forgetting forgets forgotten's") == word_stems("forgetting forget forgotten")[:2] + [
        word_stems("forgotten")[0]]


def test_a_sentence_that_answers_the_one_before_leans_back() -> None:
    for text in ("It is not.", "This is why the film ends where it began.", "That reading misses the point.",
                 "They never meet again after the funeral."):
        assert leans_back(parse(text)), text
    for text in ("It would be easy to read this as consolation.", "It seems that nobody is to blame.",
                 "This film is about grief.", "Stevens resolves to practise bantering for his new employer."):
        assert not leans_back(parse(text)), text


def test_a_question_carries_claims_not_plot_events_or_lines_that_point_elsewhere() -> None:
    assert proposition("In fact, the real villain is the entire system and not Mark.") == \
        "the real villain is the entire system and not Mark"
    assert proposition("The film keeps refusing that reading of its villain.") is not None
    for event in ("In the 1930s Darlington orders the dismissal of two Jewish maids, Ruth and Sarah.",
                  "Five emotions share the control room called Headquarters.",
                  "Ffion did sleep with Jonas, and she lied about it.",
                  "The trouble is that Stevens never finds the moment when he is alone enough to take it off."):
        assert proposition(event) is None, event
