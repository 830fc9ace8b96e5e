"""The essay catalog: which essays a message names, from titles, authors, names and subjects."""

from __future__ import annotations

from dataclasses import dataclass

from bot.corpus.models import Passage
from bot.retrieval.catalog import EssayCatalog


@dataclass
class Record:
    id: str
    title: str
    author: str | None
    added_at: str


ESSAYS = {
    "remains": ("Dignity Is a Costume That Grows Into the Skin", None, [
        "Kazuo Ishiguro’s The Remains of the Day looks at first like a gentle novel about an English butler.",
        "Stevens serves Lord Darlington for decades. The butler Stevens never tells Miss Kenton what he feels.",
        "At the end of The Remains of the Day, Stevens weeps on a pier, and wonders what the day was for.",
    ]),
    "pixar": ("The Circle of Sadness: What a Film Knows About Feelings", "Priya Raman", [
        "Pixar’s Inside Out follows Riley, whose emotions run headquarters in her mind.",
        "In the film, Joy learns that Sadness summons help. Riley cries, and her parents come.",
    ]),
    "long": ("The Long Self: Theseus’s Ship and the Right to Be Forgotten", "Helena Marsh", [
        "The ship of Theseus loses a plank a day. Derek Parfit said identity is a matter of degree.",
        "In a thirty-day experiment the records fade; Stevens in The Remains of the Day narrates a triumph.",
    ]),
}


def _catalog() -> EssayCatalog:
    records = [Record(key, title, author, f"2025-01-0{i + 1}T00:00:00+00:00")
               for i, (key, (title, author, _)) in enumerate(ESSAYS.items())]
    passages = [Passage(f"{key}:{n:04d}", key, ESSAYS[key][0], None, text, 0, len(text))
                for key, (_, _, texts) in ESSAYS.items() for n, text in enumerate(texts)]
    return EssayCatalog.build(records, passages)


def _named(text: str) -> dict[str, float]:
    return {n.essay_id: n.strength for n in _catalog().named_in(text)}


def test_names_that_open_a_paragraph_count() -> None:
    # both names only ever open a paragraph, where every word is capitalised: the run of capitals tells
    assert _named("is what Pixar made really for children?") == {"pixar": 1.0}
    assert _named("what did Kazuo Ishiguro mean by it?").get("remains") == 1.0


def test_a_name_with_a_stop_word_in_it_is_found_in_lower_case() -> None:
    assert "pixar" in _named("how is forgetting in inside out different?")


def test_title_author_and_short_title() -> None:
    assert _named("what does The Long Self say about records?").get("long") == 1.0
    assert _named("In Priya Raman's essay, what is the film about?").get("pixar") == 1.0
    remains = _named("does the remains of the day essay mention the pier?")
    assert remains["remains"] > remains.get("long", 0.0)  # both use the name; one uses it more


def test_a_shared_name_counts_for_each_essay_by_its_share() -> None:
    named = _named("Does Stevens ever cry?")
    assert named["remains"] > named.get("long", 0.0) > 0.0


def test_a_label_inside_a_name_is_not_a_label_of_its_own() -> None:
    # "day" before "essay" is part of "The Remains of the Day", not "the day essay": "day" is one of the long
    # essay's subjects (a thirty-day experiment, a plank a day), which would name it at 0.6 as a label
    assert _named("what does the day essay say?").get("long") == 0.6  # as a label, it does
    assert _named("does the remains of the day essay mention the pier?").get("long", 0.0) < 0.6


def test_newest_and_no_naming() -> None:
    catalog = _catalog()
    assert catalog.newest() is not None and catalog.newest().id == "long"
    assert catalog.named_in("why do people pretend to be fine?") == []


def test_a_name_of_several_words_names_an_essay_no_surer_than_its_words_do() -> None:
    # the long essay's one "Melville's Bartleby" is a two-word name only it uses; the essay about Bartleby, which
    # never puts the two words side by side, is still the one "melville's bartleby" means
    essays = {
        "bart": ("I Would Prefer Not To", [
            "Herman Melville wrote “Bartleby, the Scrivener” in 1853. Bartleby is a copyist.",
            "He prefers not to. The lawyer tolerates Bartleby, then leaves Bartleby behind, and Bartleby dies.",
        ]),
        "long": ("The Long Self", ["Herman Melville’s Bartleby, with his gentle refusal, is sometimes read as a rebel.",
                                   "Derek Parfit said identity is a matter of degree."]),
    }
    records = [Record(key, title, None, f"2025-01-0{i + 1}T00:00:00+00:00")
               for i, (key, (title, _)) in enumerate(essays.items())]
    passages = [Passage(f"{key}:{n:04d}", key, essays[key][0], None, text, 0, len(text))
                for key, (_, texts) in essays.items() for n, text in enumerate(texts)]
    named = {n.essay_id: n.strength for n in EssayCatalog.build(records, passages).named_in(
        "someone linked me the essay about melville's bartleby")}
    assert named["bart"] > named.get("long", 0.0)


def test_an_everyday_surname_in_lower_case_is_the_word_unless_the_whole_name_is_typed() -> None:
    records = [Record("team", "The Stain That Stays", "Tutor Eval Team", "2025-01-01T00:00:00+00:00"),
               Record("long", "The Long Self", "Helena Marsh", "2025-01-02T00:00:00+00:00")]
    texts = {"team": "Joel erases Clementine.", "long": "Old records should fade."}
    catalog = EssayCatalog.build(records, [Passage(f"{k}:0000", k, k, None, t, 0, len(t)) for k, t in texts.items()])
    assert catalog.named_in("i manage a team at work") == []
    assert {n.essay_id for n in catalog.named_in("the essay by helena marsh")} == {"long"}
    assert {n.essay_id for n in catalog.named_in("what does Marsh think")} == {"long"}


def test_a_name_typed_in_lower_case_counts_only_in_its_own_word_form() -> None:
    records = [Record("long", "The Long Self", None, "2025-01-01T00:00:00+00:00")]
    text = "In Britain, the Rehabilitation of Offenders Act lets convictions become spent. Offenders move on."
    catalog = EssayCatalog.build(records, [Passage("long:0000", "long", "long", None, text, 0, len(text))])
    assert catalog.named_in("honestly i was offended by it") == []
    assert {n.essay_id for n in catalog.named_in("what about the offenders act")} == {"long"}


def test_a_word_of_a_name_the_essay_owns_labels_it() -> None:
    # "The Remains of the Day" is mostly the remains essay's (two uses to one): "the remains essay" names it; the
    # long essay, which mentions the novel once, is not named by the word alone
    named = _named("does the remains essay mention the film at all?")
    assert set(named) == {"remains"}
    assert _named("does the remains of the day come up here?").get("long", 0) < named["remains"]
