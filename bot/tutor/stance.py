"""Stance of a discussion message towards the claim under discussion: agree, disagree, question or off-topic.

The detector is rule-based on purpose: it must work for any essay, so it reads generic language cues (agreement and
disagreement words and their negation, "X, but Y" contrast where Y dominates, sarcasm markers, question forms, emoji,
short replies, a few German/Spanish/French phrases) instead of anything learnt from one essay's discussion. Off-topic
detection adds an optional `topic_similarity` (the tutor's embedder against its essays). benchmarks/stance.md holds
the measurements behind this choice and behind OFFTOPIC_THRESHOLD.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

MAX_CHARS = 2000  # longer messages are cut: the opening says where the writer stands, and the rules stay fast
OFFTOPIC_THRESHOLD = 0.35  # below this max cosine similarity to the essays a message is off-topic (measured)
_NEGATION_WINDOW = 6  # tokens before a cue that a negator may reach ("I don't really think it's wrong")


class Stance(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    QUESTION = "question"
    OFFTOPIC = "offtopic"


@dataclass(frozen=True)
class StanceResult:
    stance: Stance
    confidence: float  # 0..1
    cues: tuple[str, ...]  # human-readable reasons, e.g. ("agree-word: agree", "negated")
    short: bool  # a low-content reply ("yes", "idk", "why?", a lone emoji): the tutor will scaffold


@dataclass(frozen=True)
class _Finding:
    stance: Stance
    confidence: float
    cues: tuple[str, ...]


@dataclass(frozen=True)
class _Cue:
    """A stance word or phrase; `weight` 2 for stance verbs ("agree", "buy that"), 1 for evaluations ("wrong")."""

    pattern: re.Pattern[str]
    stance: Stance
    weight: int


def _cues(stance: Stance, weight: int, *patterns: str) -> list[_Cue]:
    return [_Cue(re.compile(rf"(?<![\w']){p}(?![\w'])"), stance, weight) for p in patterns]


AGREE, DISAGREE, QUESTION, OFFTOPIC = Stance.AGREE, Stance.DISAGREE, Stance.QUESTION, Stance.OFFTOPIC

_POLAR_CUES: list[_Cue] = [
    *_cues(
        AGREE, 2,
        r"agree[ds]?", r"couldn't agree more", r"can'?t argue with", r"hard to argue with",
        r"no argument (?:here|from me)",
        r"buy(?:ing)? (?:it|that|this)", r"convinc(?:ed|ing)", r"persuasive", r"compelling",
        r"changed my (?:mind|view|perspective)", r"after reading (?:this|that|it|the essay)",
        r"never thought i'?d say(?: this| it)?", r"(?:have|got|need) to admit", r"must admit", r"i stand corrected",
        r"stimme (?:(?!nicht\b)\w+ )?(?:voll(?:kommen)? |völlig |absolut |total )?zu", r"einverstanden",
        r"sehe ich (?:auch|genauso) so", r"(?:du hast|sie haben|da hast du) recht",
        r"de acuerdo", r"(?:tienes|tiene) razón", r"d'accord", r"tout à fait", r"(?:tu as|vous avez) raison",
        r"(?:sono|sou|estou) d[e']\s?acc?ordo", r"concordo",
    ),
    *_cues(
        AGREE, 1,
        r"spot on", r"well (?:said|put)", r"nail(?:s|ed)? (?:it|the)", r"exactly", r"precisely", r"fair enough",
        r"holds? up", r"checks out", r"(?:so|that'?s|this is|it'?s|very|how) true", r"true that", r"rings true",
        r"(?:good|great|fair|excellent|valid|strong) point", r"makes? (?:a lot of |total |perfect |so much )?sense",
        r"(?:that'?s|this is) (?:exactly |precisely )?the point",
        r"\w+(?:'s|'re| is| are)(?: so| exactly| absolutely| totally| completely)? right(?! to\b)",
        r"(?:so|exactly|absolutely|totally|completely) right(?! to\b)", r"right (?:about|on)",
        r"(?:really )?(?:landed|resonated|resonates|clicked) (?:with|for) me", r"resonat\w*",
        r"(?:great|excellent|brilliant|fantastic|amazing|insightful|thoughtful|powerful|beautiful|best|strong|solid)"
        r" (?:essay|piece|argument|analysis|read|writing|article)", r"love (?:this|it|the essay|the argument)",
        r"genau", r"stimmt", r"exacto", r"es (?:cierto|verdad)", r"exactement", r"c'est vrai",
    ),
    *_cues(
        DISAGREE, 2,
        r"disagree[ds]?", r"unconvinc\w*", r"stimme (?:\w+ )?(?:überhaupt |gar )?nicht zu",
        r"sehe (?:ich |das |es |ganz |völlig )*(?:anders|nicht so)", r"en desacuerdo", r"discordo",
    ),
    *_cues(
        DISAGREE, 1,
        r"wrong", r"incorrect", r"untrue", r"(?:not|isn'?t|ain'?t|wasn'?t|aren'?t) (?:really |entirely |quite )?true",
        r"(?:that'?s|it'?s) false", r"nonsense", r"rubbish", r"ridiculous", r"absurd", r"bs", r"bullshit",
        r"overthink\w*", r"over-think\w*", r"overanaly[sz]\w*", r"over-analy[sz]\w*",
        r"read(?:s|ing)? (?:way |far |a bit |a lot )?too much into", r"(?:a|such a|bit of a|big) (?:reach|stretch)",
        r"far-?fetched", r"cop-?out", r"(?:miss(?:es|ed|ing)?|misread(?:s|ing)?) the point", r"off the hook",
        r"(?:terrible|weak|bad|awful|lazy|shallow|poor|flimsy|sloppy|worst) "
        r"(?:essay|piece|argument|analysis|take|reasoning|article|point)",
        r"oversimplif\w*", r"simplistic", r"romantici[sz]\w*", r"one-?sided", r"misguided", r"flawed", r"overrated",
        r"no way", r"not really", r"(?:that'?s|this is|it'?s|that is) not what",
        r"(?:essay|author|writer|article|piece|argument|it|this|you)(?:'s)? (?:\w+ )?"
        r"(?:ignores|overlooks|glosses over|exaggerates|overstates|oversells|cherry-picks|misreads)",
        r"whatever",
        r"(?:it'?s|this is|that'?s) (?:just|only|merely) a (?:tv )?(?:show|series|movie|film|story|book|novel)",
        r"more than the (?:essay|author|article|writer) (?:allows|admits|says|lets on|gives (?:\w+ )?credit)",
        r"(?:too|overly) (?:harsh|cynical|preachy)", r"unfair",
        r"stimmt (?:so )?nicht", r"quatsch", r"unsinn", r"falsch", r"no es (?:así|cierto|verdad)", r"tonterías",
        r"n'importe quoi", r"faux",
    ),
]
_DOUBT = re.compile(r"(?<![\w'])(?:(?:don'?t|do not|didn'?t) (?:really )?(?:think|believe)|i doubt|doubtful)(?![\w'])")
_NEGATORS = frozenset({"not", "no", "never", "hardly", "nicht", "kein", "keine", "pas", "non", "nunca", "jamais"})

# "oh sure, because ..." style irony: the literal words say the opposite of what the writer means about the claim.
_SARCASM = re.compile(
    r"(?<![\w'])(?:sure,? because|yeah,? right|(?:great|nice|brilliant|genius|hot|galaxy[- ]brain(?:ed)?) take|"
    r"because that makes (?:total )?sense)(?![\w'])|(?:^|[.!?]\s*)as if\b|(?<!\w)/s\b|🙄|😒"
)
# Ironic interjections are just as common in chit-chat ("oh great, my cat ..."): they count only on topic.
_IRONIC_INTERJECTION = re.compile(r"(?<![\w'])oh,? (?:sure|great|wow|please|totally)(?![\w'])")

_LEAD_CONCESSION = re.compile(
    r"^(?:although|though|even though|while|whilst|granted|admittedly|obwohl|aunque|bien que|"
    r"(?:it'?s |it is )?not that)\b[^,;—–]*[,;—–]\s*"
)
_CONTRAST = re.compile(
    r"(?:^|[\s,;—–(])(?:but|however|that said|even so|nevertheless|nonetheless|aber|trotzdem|dennoch|pero|"
    r"sin embargo|mais|cependant)(?![\w'])"
)
_CONCEDES = re.compile(
    r"(?<![\w'])(?:i (?:get|see|understand|know|hear|appreciate|agree|admit)|i can see|(?:good|fair|valid) point|"
    r"sure|granted|true|of course|not that)(?![\w'])"
)
_PERSUADED = re.compile(
    r"(?<![\w'])(?:i used to (?:think|believe|feel|pity|see|like|agree)|i was (?:skeptical|sceptical|unsure|doubtful))"
    r"(?![\w'])"
)
_STILL = re.compile(r"(?<![\w'])still(?![\w'])")

_QUESTION_START = re.compile(
    r"^(?:(?:what|how|who|where|when|why)'s|"
    r"(?:what|why|how|who|whom|whose|which|where|when)(?![\w'])(?! (?:a|an|i|we)\b)(?! (?:true|right)\b)|"
    r"(?:can|could|would|will) (?:you|someone|anyone|somebody)\b|(?:explain|clarify|elaborate)\b|"
    r"(?:is|are|was|were|do|does|did|has|have|should|isn'?t|doesn'?t|didn'?t) "
    r"(?:the|this|it|he|she|they|we|you|that|there|anyone|someone|anybody|somebody)\b|"
    r"(?:warum|wieso|weshalb|was|wie|wer|wo|wann|qué|por qué|cómo|quién|dónde|cuándo|cuál|pourquoi|comment|"
    r"qu'est-ce|que veut|où|quand)(?![\w']))"
)
_QUESTION_PHRASE = re.compile(
    r"(?<![\w'])(?:i wonder|i'?m (?:curious|wondering|confused|lost|not sure)|curious (?:how|why|whether|what|if)|"
    r"not sure (?:i|what|how|why|if|whether|about)|"
    r"(?:don'?t|do not) (?:really |quite |fully )?(?:understand|get (?:it|this|that|the|what|why|how))|"
    r"confusing|what do you mean|(?:can|could) (?:you|someone) (?:explain|clarify|elaborate)|please explain|"
    r"any idea|anyone know|idk|i don'?t know|no idea|dunno|help me understand)(?![\w'])"
)

_GREETING = re.compile(
    r"^(?:gm|gn|good (?:morning|night|evening|afternoon)|morning|hi|hello|hey|yo|sup|howdy|hallo|hola|bonjour|"
    r"buenos días|guten (?:morgen|tag|abend)|bye|cya|thanks|thank you|danke|gracias|merci)"
    r"(?: (?:all|everyone|everybody|guys|folks|y'all|people|team|friends|chat))?[\s!.,]*$"
)
_SERVER_TALK = re.compile(
    r"(?<![\w'])(?:server|channel|discord|nickname|nick|roles?|mods?|moderators?|admins?|invite link|dm me|"
    r"bot commands?)(?:'s)?(?![\w'])"
)
_MEDIA_TRIVIA = re.compile(
    r"(?<![\w'])(?:when (?:does|is|will) .{1,60} (?:come out|released?|premiere|air|drop)|release date|trailer|"
    r"(?:has|have) (?:anyone|anybody|you) (?:seen|watched|read)|worth (?:it|watching|reading)|"
    r"any (?:recommendations|recs)|season \d+ (?:come out|release|premiere))(?![\w'])"
)
# Logistics words can be an essay's own subject (an essay on schooling discusses homework), hence the claim check.
_LOGISTICS = re.compile(
    r"(?<![\w'])(?:zoom link|meeting link|lecture|deadline|homework|syllabus|office hours|exam|timetable)(?![\w'])"
)
_REFERS_TO_DISCUSSION = re.compile(
    r"(?<![\w'])(?:essay|author|writer|article|the text|piece|thesis|argument|claim|paragraph|passage|"
    r"th(?:is|e) part|context|the point|mean(?:s|t|ing)?|quote|the line|ensayo|autor|aufsatz|artikel|essai|auteur|"
    r"quiere decir|significa|bedeutet|veut dire|signifie)(?![\w'])"
)

_WEAK_AGREE = re.compile(r"^(?:yeah|yes|yep|yup|ya|indeed|ok|okay)(?![\w'])(?!,? (?:right|sure)\b)|(?<![\w'])so yeah\b")
_WEAK_DISAGREE = re.compile(r"^(?:no|nah|nope|meh)(?![\w'])")

_EMOJI: dict[Stance, frozenset[str]] = {
    AGREE: frozenset("👍💯🙌👏✅✔☑🎯👌🤝🔥❤♥💪➕😍🥰"),
    DISAGREE: frozenset("👎❌✖🙄😒🤦🚫🙅😤😠😡➖"),
    QUESTION: frozenset("🤔❓❔🧐😕🤨🤷"),
}

_SHORT_REPLIES: dict[Stance, frozenset[str]] = {
    AGREE: frozenset({"yes", "yeah", "yea", "yep", "yup", "ya", "y", "ok", "okay", "sure", "agreed", "agree", "true",
                      "exactly", "right", "correct", "totally", "absolutely", "definitely", "indeed", "fair", "same",
                      "interesting", "this", "1", "100", "k", "kk", "ja", "genau", "stimmt", "sí", "si", "claro",
                      "vale", "oui", "exactement"}),
    DISAGREE: frozenset({"no", "nah", "nope", "meh", "disagree", "wrong", "false", "never", "nein", "non",
                         "not really", "hard disagree", "no way", "not at all", "absolutely not", "definitely not",
                         "of course not"}),
    QUESTION: frozenset({"why", "how", "what", "huh", "idk", "dunno", "hmm", "hm", "maybe", "really", "so", "eh",
                         "why though", "how so", "says who", "not sure", "i don't know", "i dont know", "no idea",
                         "what do you mean", "warum", "wieso", "por qué", "pourquoi", "qué", "quoi"}),
    OFFTOPIC: frozenset({"lol", "lmao", "haha", "hahaha", "rofl", "xd"}),
}
_SHORT_WORDS = 3
_SHORT_VOCABULARY = frozenset(
    {word for replies in _SHORT_REPLIES.values() for reply in replies for word in reply.split()}
    | {"i", "don't", "dont", "know", "not", "sure", "though"}
)

_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "the a an and or but if of to in on at by for with about from into that this these those it its it's is are "
        "was were be been being have has had do does did not no nor so than then too very can could should would will "
        "just i me my we our you your he him his she her they them their what which who whom why how when where there "
        "here all any some more most such only own same other also really",
    )
)
_TOKEN = re.compile(r"[\w']+")
_CLAUSE_BREAK = re.compile(r"[,;:.!?…()\"]+|\s[—–-]+\s|[—–]")
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_DISCORD_TOKENS = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b|https?://\S+")
_MARKUP = re.compile(r"\|\||\*\*|__|~~|[*_]")
_QUOTE_LINE = re.compile(r"^\s*>+ ?.*$", re.MULTILINE)


class StanceDetector:
    """Classifies a message's stance towards the claim under discussion with generic, language-level rules."""

    def __init__(
        self, topic_similarity: Callable[[str], float] | None = None, *, threshold: float = OFFTOPIC_THRESHOLD
    ) -> None:
        """topic_similarity(message) -> max cosine similarity (-1..1) between the message and the essays
        (the tutor passes one backed by its sentence-transformers embedder and index). None: rules only.
        `threshold`: similarity below which a message without a stance cue is off-topic."""
        self._topic_similarity = topic_similarity
        self._threshold = threshold

    def detect(self, message: str, *, about: str | None = None, context: str | None = None) -> StanceResult:
        """`about`: the thesis or claim under discussion (may be None). `context`: the tutor's last question; a
        reply to it ("the companies, obviously") is on topic if it is on topic read together with the question."""
        if not message.strip():
            return StanceResult(OFFTOPIC, 1.0, ("empty",), short=True)
        text = _normalise(message)
        if not text:
            return StanceResult(OFFTOPIC, 0.9, ("no text (only code, mentions or links)",), short=True)
        if _is_emoji_only(text):
            finding = _emoji_reply(text)
            return StanceResult(finding.stance, finding.confidence, finding.cues, short=True)
        short = _is_short(text)
        finding = self._classify(text, about, short, context)
        return StanceResult(finding.stance, round(finding.confidence, 3), finding.cues, short)

    def _classify(self, text: str, about: str | None, short: bool, context: str | None) -> _Finding:
        similarity = None if self._topic_similarity is None else float(self._topic_similarity(text))
        if similarity is not None and similarity < self._threshold and context:
            similarity = max(similarity, float(self._topic_similarity(f"{context} {text}")))
        dissimilar = similarity is not None and similarity < self._threshold
        return (
            (_short_reply(text) if short else None)
            or _sarcasm(text, interjections=not dissimilar)
            or _stance_words(text)  # before similarity: MiniLM is English-only, "estoy de acuerdo" scores low
            or _offtopic_rule(text, about)
            or self._off_topic(similarity, text, about)
            or _question(text)
            or _weak_cue(text)
            or _claim_echo(text, about)
            or _Finding(AGREE, 0.3, ("no cue: on-topic statement, default agree",))
        )

    def _off_topic(self, similarity: float | None, text: str, about: str | None) -> _Finding | None:
        """Off-topic by similarity, unless the message points at the essay or the claim ("what does X mean?")."""
        if similarity is None or similarity >= self._threshold or _refers_to(text, about):
            return None
        confidence = min(0.95, 0.5 + 2.5 * (self._threshold - similarity))
        return _Finding(OFFTOPIC, confidence, (f"topic similarity {similarity:.2f} < {self._threshold:.2f}",))


class EmbeddingTopicSimilarity:
    """A topic_similarity over fixed reference texts (e.g. an essay's sentences) and any sentence encoder.

    `encode` must return L2-normalised rows (bot.retrieval.embedder.Embedder.encode does), so a dot product is the
    cosine similarity.
    """

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], references: Sequence[str]) -> None:
        if not references:
            raise ValueError("EmbeddingTopicSimilarity needs at least one reference text")
        self._encode = encode
        self._references = encode(list(references))

    def __call__(self, message: str) -> float:
        return float((self._encode([message[:MAX_CHARS]]) @ self._references.T).max())


def _normalise(message: str) -> str:
    """The words a stance can be read from: no code, mentions, links, markdown or (if anything else is left) quotes."""
    text = message[:MAX_CHARS]
    text = _CODE_BLOCK.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _DISCORD_TOKENS.sub(" ", text)
    unquoted = _QUOTE_LINE.sub(" ", text)
    text = unquoted if unquoted.strip() else text.replace(">", " ")
    text = _MARKUP.sub("", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def _is_emoji_only(text: str) -> bool:
    return not any(ch.isalnum() for ch in text) and any(_is_emoji(ch) for ch in text)


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk") or ch in "\u200d\ufe0f\ufe0e"


def _emoji_reply(text: str) -> _Finding:
    """A lone emoji reply, by majority of the recognised emoji; unrecognised ones (🍕, 😂) are off-topic."""
    votes = {stance: sum(ch in chars for ch in text) for stance, chars in _EMOJI.items()}
    stance, count = max(votes.items(), key=lambda item: item[1])
    if count == 0:
        return _Finding(OFFTOPIC, 0.6, ("emoji only: no stance emoji",))
    shown = "".join(ch for ch in text if ch in _EMOJI[stance])
    return _Finding(stance, 0.75, (f"emoji: {shown}",))


def _is_short(text: str) -> bool:
    """A low-content reply: a few words, every one of them from the short-reply vocabulary."""
    words = _TOKEN.findall(text)
    if len(words) > _SHORT_WORDS:
        return False
    return all(word in _SHORT_VOCABULARY for word in words)


def _short_reply(text: str) -> _Finding | None:
    phrase = " ".join(_TOKEN.findall(text))
    for stance, replies in _SHORT_REPLIES.items():
        if phrase in replies:
            return _Finding(stance, 0.7, (f"short reply: {phrase}",))
    if "?" in text:
        return _Finding(QUESTION, 0.6, (f"short question: {phrase}",))
    return None


def _sarcasm(text: str, *, interjections: bool) -> _Finding | None:
    """Sarcasm mocks the claim under discussion, so its literal agreement reads as disagreement."""
    match = _SARCASM.search(text) or (_IRONIC_INTERJECTION.search(text) if interjections else None)
    return _Finding(DISAGREE, 0.7, (f"sarcasm: {match.group(0).strip(' .!?')}",)) if match else None


def _stance_words(text: str) -> _Finding | None:
    """Agreement/disagreement language in the dominant clause ("X, but Y": Y), or a concession pattern."""
    concession, dominant = _split_contrast(text)
    finding = _polar(dominant)
    if concession and finding:
        return _Finding(finding.stance, finding.confidence - 0.05, (*finding.cues, "contrast: last clause dominates"))
    if not concession or finding or _is_question_text(dominant):
        return finding
    if _PERSUADED.search(concession):
        return _Finding(AGREE, 0.7, ("contrast: persuaded (used to think ..., but)",))
    if _CONCEDES.search(concession) or _STILL.search(dominant):
        return _Finding(DISAGREE, 0.65, ("contrast: concedes, then objects",))
    earlier = _polar(concession)
    if earlier is None:
        return None
    return _Finding(earlier.stance, earlier.confidence - 0.15, (*earlier.cues, "contrast: from the first clause"))


def _split_contrast(text: str) -> tuple[str, str]:
    """(concession, dominant part): "I see X, but Y" -> ("i see x", "y"); no contrast -> ("", text)."""
    lead = _LEAD_CONCESSION.match(text)
    if lead and len(_TOKEN.findall(text[lead.end():])) >= 2:
        return text[: lead.end()].strip(" ,;—–"), text[lead.end():]
    matches = [m for m in _CONTRAST.finditer(text) if len(_TOKEN.findall(text[m.end():])) >= 2]
    if not matches or matches[-1].start() == 0:
        return "", text
    last = matches[-1]
    return text[: last.start()].strip(" ,;—–"), text[last.end():].strip(" ,;—–")


def _polar(text: str) -> _Finding | None:
    """Weighted agree/disagree cues from the declarative sentences of `text`, each flipped by a preceding negator."""
    scores = {AGREE: 0, DISAGREE: 0}
    cues: dict[Stance, list[str]] = {AGREE: [], DISAGREE: []}
    for sentence in _SENTENCE.findall(text):
        if _is_question_sentence(sentence):
            continue
        for clause in _CLAUSE_BREAK.split(sentence):
            for stance, weight, cue in _clause_cues(clause):
                scores[stance] += weight
                cues[stance].extend(cue)
    if scores[AGREE] == scores[DISAGREE]:
        return None
    stance = AGREE if scores[AGREE] > scores[DISAGREE] else DISAGREE
    margin = abs(scores[AGREE] - scores[DISAGREE])
    return _Finding(stance, min(0.9, 0.6 + 0.15 * margin), tuple(cues[stance]))


def _clause_cues(clause: str) -> list[tuple[Stance, int, tuple[str, ...]]]:
    """(stance, weight, cues) per cue in the clause; a preceding negator flips it ("I don't think it's wrong")."""
    found: list[tuple[Stance, int, tuple[str, ...]]] = []
    matches = _non_overlapping(clause)
    for cue, match in matches:
        label = f"{cue.stance.value}-word: {match.group(0)}"
        if _negations(_TOKEN.findall(clause[: match.start()])[-_NEGATION_WINDOW:]) % 2:
            found.append((_flip(cue.stance), cue.weight, (label, "negated")))
        else:
            found.append((cue.stance, cue.weight, (label,)))
    doubt = _DOUBT.search(clause)
    if doubt and not any(match.start() > doubt.start() for _, match in matches):
        found.append((DISAGREE, 1, (f"doubt: {doubt.group(0)}",)))
    return found


def _non_overlapping(clause: str) -> list[tuple[_Cue, re.Match[str]]]:
    """All cue matches in the clause, the earliest (then longest) winning where they overlap."""
    matches = [(cue, m) for cue in _POLAR_CUES for m in cue.pattern.finditer(clause)]
    matches.sort(key=lambda item: (item[1].start(), -(item[1].end() - item[1].start())))
    kept: list[tuple[_Cue, re.Match[str]]] = []
    for cue, match in matches:
        if not kept or match.start() >= kept[-1][1].end():
            kept.append((cue, match))
    return kept


def _negations(tokens: list[str]) -> int:
    return sum(token in _NEGATORS or token.endswith("n't") or token in {"dont", "cant", "isnt", "doesnt", "wont"}
               for token in tokens)


def _flip(stance: Stance) -> Stance:
    return DISAGREE if stance is AGREE else AGREE


def _offtopic_rule(text: str, about: str | None) -> _Finding | None:
    """Greetings, server/admin talk, logistics and media trivia: generic chat that is not about any essay's claim."""
    if _GREETING.match(_strip_emoji(text)):
        return _Finding(OFFTOPIC, 0.85, ("offtopic: greeting",))
    rules = [("server", _SERVER_TALK), ("media trivia", _MEDIA_TRIVIA)]
    if not _claim_overlap(text, about):
        rules.append(("logistics", _LOGISTICS))
    for name, pattern in rules:
        if match := pattern.search(text):
            return _Finding(OFFTOPIC, 0.75, (f"offtopic: {name} ({match.group(0)})",))
    return None


def _strip_emoji(text: str) -> str:
    return "".join(ch for ch in text if not _is_emoji(ch)).strip()


def _refers_to(text: str, about: str | None) -> bool:
    """Points at the essay or the claim ("what does X mean", "the author"): on topic even when similarity is low."""
    return bool(_REFERS_TO_DISCUSSION.search(text)) or bool(_claim_overlap(text, about))


def _question(text: str) -> _Finding | None:
    _, dominant = _split_contrast(text)
    if "?" in dominant or dominant.startswith("¿"):
        return _Finding(QUESTION, 0.85, ("question mark",))
    if match := _QUESTION_PHRASE.search(dominant):
        return _Finding(QUESTION, 0.75, (f"question phrase: {match.group(0)}",))
    if match := _QUESTION_START.match(dominant):
        return _Finding(QUESTION, 0.7, (f"question form: {match.group(0).strip()}",))
    return None


def _is_question_sentence(sentence: str) -> bool:
    sentence = sentence.strip()
    return (
        sentence.endswith("?")
        or sentence.startswith("¿")
        or bool(_QUESTION_START.match(sentence))
        or bool(_QUESTION_PHRASE.search(sentence))
    )


def _is_question_text(text: str) -> bool:
    return any(_is_question_sentence(sentence) for sentence in _SENTENCE.findall(text))


def _weak_cue(text: str) -> _Finding | None:
    """A leading "yeah"/"no", or a stance emoji inside text: enough to lean one way with low confidence."""
    if match := _WEAK_AGREE.search(text):
        return _Finding(AGREE, 0.5, (f"weak agree: {match.group(0)}",))
    if match := _WEAK_DISAGREE.search(text):
        return _Finding(DISAGREE, 0.5, (f"weak disagree: {match.group(0)}",))
    for stance in (AGREE, DISAGREE):
        if shown := [ch for ch in text if ch in _EMOJI[stance]]:
            return _Finding(stance, 0.5, (f"emoji: {''.join(shown)}",))
    return None


def _claim_echo(text: str, about: str | None) -> _Finding | None:
    """Content-level cue: the message restates words of the claim with the same (agree) or opposite polarity.

    Polarity is the parity of negators in a clause, so "X isn't the victim" echoes "the story is not about pitying
    X" as agreement. Weak on purpose: it only decides when no language cue did.
    """
    if not about:
        return None
    claim_clauses = [(_content_stems(c), _negated(c)) for c in _CLAUSE_BREAK.split(_normalise(about))]
    _, dominant = _split_contrast(text)
    best: tuple[int, bool] | None = None
    for clause in _CLAUSE_BREAK.split(dominant):
        stems, negated = _content_stems(clause), _negated(clause)
        for claim_stems, claim_negated in claim_clauses:
            shared = len(stems & claim_stems)
            if shared and (best is None or shared > best[0]):
                best = (shared, negated == claim_negated)
    if best is None:
        return None
    stance = AGREE if best[1] else DISAGREE
    return _Finding(stance, 0.4, (f"echoes the claim with {'same' if best[1] else 'opposite'} polarity",))


def _negated(clause: str) -> bool:
    return _negations(_TOKEN.findall(clause)) % 2 == 1


def _claim_overlap(text: str, about: str | None) -> set[str]:
    return _content_stems(text) & _content_stems(_normalise(about)) if about else set()


def _content_stems(text: str) -> set[str]:
    return {_stem(word) for word in _TOKEN.findall(text.lower()) if len(word) > 3 and word not in _STOPWORDS}


def _stem(word: str) -> str:
    """A crude stem, enough to match "pitying"/"pity" and "systems"/"system" across a claim and a message."""
    word = word.removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word

