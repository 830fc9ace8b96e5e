"""Stance detection: generic cues on messages written for these tests, plus a regression guard on eval/stance.jsonl.

Topic similarity is the real one (bundled MiniLM against the essay's sentences), as in benchmarks/stance.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from benchmarks.stance import THESIS, TRANSFER_ESSAY, accuracy, essay_similarity, eternal_sunshine, load_cases
from bot.tutor.stance import Stance, StanceDetector, StanceResult
from tests.conftest import ROOT

AGREE, DISAGREE, QUESTION, OFFTOPIC = Stance.AGREE, Stance.DISAGREE, Stance.QUESTION, Stance.OFFTOPIC

# Measured by `python -m benchmarks.stance` (see benchmarks/stance.md); the guards allow one or two more misses.
MEASURED_ACCURACY = 0.983
MEASURED_HARD_ACCURACY = 0.966
MEASURED_RULES_ONLY_ACCURACY = 0.879
MEASURED_TRANSFER_ACCURACY = 1.0
MARGIN = 0.04


@pytest.fixture(scope="module")
def similarity() -> Callable[[str], float]:
    return essay_similarity()


@pytest.fixture(scope="module")
def detector(similarity: Callable[[str], float]) -> StanceDetector:
    return StanceDetector(similarity)


@pytest.fixture(scope="module")
def rules() -> StanceDetector:
    return StanceDetector()


def detect(detector: StanceDetector, message: str) -> StanceResult:
    return detector.detect(message, about=THESIS)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I completely agree with the essay's argument.", AGREE),
        ("This is spot on, great analysis of the show.", AGREE),
        ("You're right, the author makes a convincing case about work culture.", AGREE),
        ("Well said — that's exactly how I read the finale.", AGREE),
        ("What a thoughtful piece — the author nails the ending.", AGREE),
        ("I disagree with this reading of the show entirely.", DISAGREE),
        ("That's just wrong, the essay misses the point of the finale.", DISAGREE),
        ("I'm not convinced by this argument about the workplace at all.", DISAGREE),
        ("The author is overthinking a simple story about a grieving man.", DISAGREE),
        ("Weak argument, the finale proves nothing of the sort.", DISAGREE),
        ("What does the author mean by emotional compartmentalization?", QUESTION),
        ("Why would the innie choose to stay at Lumon?", QUESTION),
        ("Could you explain the last paragraph", QUESTION),
        ("I wonder what the essay would say about the other characters.", QUESTION),
        ("Does anyone want to grab lunch after class?", OFFTOPIC),
        ("my internet has been so slow today", OFFTOPIC),
        ("How do I get the moderator role?", OFFTOPIC),
        ("good morning everyone!", OFFTOPIC),
    ],
)
def test_clear_examples_of_each_class(detector: StanceDetector, message: str, expected: Stance) -> None:
    result = detect(detector, message)
    assert result.stance is expected, result.cues
    assert result.cues and 0.0 <= result.confidence <= 1.0
    assert not result.short


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I don't think that's wrong", AGREE),
        ("I don't think it's wrong to call the outie a warning.", AGREE),
        ("I don't agree with the essay.", DISAGREE),
        ("I don't disagree with the essay.", AGREE),
        ("I'm not convinced.", DISAGREE),
        ("That isn't true at all.", DISAGREE),
        ("I just don't think the show condemns anyone.", DISAGREE),
    ],
)
def test_negation_flips_the_cue(rules: StanceDetector, message: str, expected: Stance) -> None:
    assert detect(rules, message).stance is expected


def test_negated_cue_is_reported() -> None:
    result = StanceDetector().detect("I don't think that's wrong")
    assert result.stance is AGREE
    assert "negated" in result.cues and "disagree-word: wrong" in result.cues


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I see the point, but I still disagree", DISAGREE),
        ("I get what the essay is going for, but the outie is still the one I feel for.", DISAGREE),
        ("Good point, but the essay ignores how hard grief is.", DISAGREE),
        ("It's a bit long, but honestly the author is right.", AGREE),
        ("I used to think the outie was the victim, but now I agree with the essay.", AGREE),
        ("I agree with most of it, but why does the author blame the culture?", QUESTION),
    ],
)
def test_contrast_last_clause_dominates(rules: StanceDetector, message: str, expected: Stance) -> None:
    result = detect(rules, message)
    assert result.stance is expected, result.cues
    assert any(cue.startswith("contrast") for cue in result.cues) or expected is QUESTION


@pytest.mark.parametrize(
    "message",
    [
        "Oh sure, because everyone loves crying at their desk.",
        "Yeah right, great take.",
        "Wow, brilliant take on the show 🙄",
        "oh great, another essay telling me how to feel about my job",
        "Sure, because the company is the real victim here /s",
    ],
)
def test_sarcasm_reads_as_disagreement(detector: StanceDetector, message: str) -> None:
    result = detect(detector, message)
    assert result.stance is DISAGREE
    assert any(cue.startswith("sarcasm") for cue in result.cues)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("yes", AGREE),
        ("Yep!", AGREE),
        ("totally", AGREE),
        ("nope", DISAGREE),
        ("nah", DISAGREE),
        ("not really", DISAGREE),
        ("why?", QUESTION),
        ("idk", QUESTION),
        ("hmm", QUESTION),
        ("I don't know", QUESTION),
    ],
)
def test_short_replies_are_flagged(detector: StanceDetector, message: str, expected: Stance) -> None:
    result = detect(detector, message)
    assert result.short
    assert result.stance is expected, result.cues


def test_a_substantive_reply_is_not_short(detector: StanceDetector) -> None:
    assert not detect(detector, "Yes, because the show keeps blaming the company, not Mark.").short


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("👍", AGREE),
        ("👍🏽", AGREE),
        ("💯💯", AGREE),
        ("❤️", AGREE),
        ("👎👎", DISAGREE),
        ("🙄", DISAGREE),
        ("🤔", QUESTION),
        ("🤷", QUESTION),
        ("🎉", OFFTOPIC),
        ("😂😂😂", OFFTOPIC),
    ],
)
def test_emoji_only_replies(detector: StanceDetector, message: str, expected: Stance) -> None:
    result = detect(detector, message)
    assert result.stance is expected
    assert result.short


def test_a_stance_emoji_inside_text_is_a_weak_cue(rules: StanceDetector) -> None:
    result = detect(rules, "the ending of this essay hit me 👍")
    assert result.stance is AGREE and result.confidence < 0.6


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Stimme dir voll zu!", AGREE),
        ("Da hast du recht, die Firma ist das Problem.", AGREE),
        ("Das sehe ich anders.", DISAGREE),
        ("Ich stimme dem nicht zu.", DISAGREE),
        ("Estoy de acuerdo con el ensayo.", AGREE),
        ("No estoy de acuerdo con el autor.", DISAGREE),
        ("Je suis tout à fait d'accord.", AGREE),
        ("Je ne suis pas d'accord avec cet essai.", DISAGREE),
        ("¿Por qué el autor dice eso?", QUESTION),
        ("Warum sagt der Autor das?", QUESTION),
    ],
)
def test_other_languages(detector: StanceDetector, message: str, expected: Stance) -> None:
    assert detect(detector, message).stance is expected


@pytest.mark.parametrize(
    "message",
    [
        "When does the next season come out?",
        "what are the channel rules",
        "hi all 👋",
        "can someone send the zoom link for tomorrow",
    ],
)
def test_offtopic_rules_work_without_similarity(rules: StanceDetector, message: str) -> None:
    assert detect(rules, message).stance is OFFTOPIC


def test_low_similarity_makes_a_question_offtopic_unless_it_points_at_the_essay(detector: StanceDetector) -> None:
    assert detect(detector, "Is anyone else going to the gym tonight?").stance is OFFTOPIC
    assert detect(detector, "What does the essay mean by that word?").stance is QUESTION
    assert detect(StanceDetector(), "Is anyone else going to the gym tonight?").stance is QUESTION  # rules only


@pytest.mark.parametrize("message", ["", "   ", "\n\t  \n"])
def test_empty_messages(detector: StanceDetector, message: str) -> None:
    assert detect(detector, message) == StanceResult(OFFTOPIC, 1.0, ("empty",), short=True)


def test_a_20000_character_message_costs_about_what_its_analysed_start_does(detector: StanceDetector) -> None:
    """Only the start of a long message is analysed, so ten times the text is not ten times the work: compared
    with the cost of its first 2,000 characters, measured in the same run (no fixed bound for a loaded machine)."""
    message = "I disagree with the essay. " + "The outie had reasons, and the show gives them weight. " * 400
    message = message[:20_000]
    assert len(message) == 20_000
    detect(detector, "I disagree with the essay, and here is why.")  # warm: the model and parser are loaded
    start = time.perf_counter()
    detect(detector, message[:2_000])
    short = time.perf_counter() - start
    start = time.perf_counter()
    result = detect(detector, message)
    assert time.perf_counter() - start < 3 * short + 0.25, short
    assert result.stance is DISAGREE
    assert not result.short
    unbroken = detect(detector, "x" * 20_000)
    assert unbroken.stance in tuple(Stance)


@pytest.mark.parametrize(
    ("message", "expected", "short"),
    [
        ("@everyone **I agree** with this essay", AGREE, False),
        ("<@123456789> why?", QUESTION, True),
        ("> Mark's outie isn't a villain.\nI disagree with this line", DISAGREE, False),
        ("```python\nprint('hello')\n```", OFFTOPIC, True),
        ("__Totally__ wrong, see https://example.com/review", DISAGREE, False),
    ],
)
def test_discord_markup(detector: StanceDetector, message: str, expected: Stance, short: bool) -> None:
    result = detect(detector, message)
    assert (result.stance, result.short) == (expected, short)


@pytest.mark.parametrize("message", ["\x00", "???", "…", "<@&123>", "http://x.y", "ü" * 50, "😂 lol", "- - -", "?!"])
def test_odd_input_never_crashes(detector: StanceDetector, message: str) -> None:
    result = detector.detect(message)
    assert result.stance in tuple(Stance) and 0.0 <= result.confidence <= 1.0


def test_content_cue_uses_the_claim_passed_in() -> None:
    detector, claim = StanceDetector(), "Forgetting is not the same as healing."
    assert detector.detect("Forgetting is definitely not healing.", about=claim).stance is AGREE
    assert detector.detect("Forgetting is healing.", about=claim).stance is DISAGREE
    assert detector.detect("Forgetting is healing.").stance is AGREE  # no claim: the weak default


def test_the_module_does_not_import_discord() -> None:
    code = "import sys, bot.tutor.stance; assert 'discord' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_eval_set_accuracy_does_not_regress(detector: StanceDetector, rules: StanceDetector) -> None:
    cases = load_cases()
    gold = [case.stance for case in cases]
    predicted = [detect(detector, case.message).stance for case in cases]
    hard = [i for i, case in enumerate(cases) if case.hard]
    assert accuracy(gold, predicted) >= MEASURED_ACCURACY - MARGIN
    assert accuracy([gold[i] for i in hard], [predicted[i] for i in hard]) >= MEASURED_HARD_ACCURACY - 2 * MARGIN
    rules_only = [detect(rules, case.message).stance for case in cases]
    assert accuracy(gold, rules_only) >= MEASURED_RULES_ONLY_ACCURACY - MARGIN


def test_another_essay_does_not_regress() -> None:
    discussion = eternal_sunshine()
    assert discussion.about and TRANSFER_ESSAY.exists()
    detector = StanceDetector(discussion.similarity)
    predicted = [detector.detect(case.message, about=discussion.about).stance for case in discussion.cases]
    assert accuracy([case.stance for case in discussion.cases], predicted) >= MEASURED_TRANSFER_ACCURACY - MARGIN
