"""Questions without their talk about the essay (the parser decides what goes)."""

from __future__ import annotations

import pytest

from bot.retrieval.query import content_of


@pytest.mark.parametrize(("question", "content"), [
    ("According to the author, what counts as real defiance in the show?", "What counts as real defiance in the show?"),
    ("does the writer think the innie is being selfish?", "the innie is being selfish?"),
    ("Does the author claim that grief is useful?", "Grief is useful?"),
    ("per the essay, why does Stevens stay?", "why does Stevens stay?"),
    ("what is the essay's final message for parents?", "what is final message for parents?"),
    ("in the butler essay, what were those nightly cocoa chats really?",
     "butler, what were those nightly cocoa chats really?"),  # the cue stays for BM25 and the catalog
    ("does the essay mention the homunculus", "the homunculus"),
])
def test_talk_about_the_text_goes(question: str, content: str) -> None:
    assert content_of(question) == content


@pytest.mark.parametrize("question", [
    "why do bosses want you to keep your problems out of the office?",  # nothing to remove
    "did you read the essay?",  # the essay is what it is about
    "what does the essay say?",  # nothing would be left
    "after a bad breakup is it normal to wish you could erase them?",
])
def test_other_questions_stay_as_they_are(question: str) -> None:
    assert content_of(question) == question
