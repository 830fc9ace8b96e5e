"""What readers call an essay: its title, author and the names and subjects it discusses.

Readers rarely type an essay's title. They say "the butler essay", "the one on Inside Out", "what does the Parfit
piece say", "Stevens". The catalog keeps, per essay, the words that identify it, and `named_in` finds the essays a
message points at. Search uses it to route a query that names an essay; the tutor uses it to set and change a
conversation's focus.

Names are capitalised words and runs of them inside sentences ("Miss Kenton", "Black Mirror", "Lumon"), counted
per essay; a name that several essays use ("Severance" comes up in passing elsewhere) counts for each in
proportion to how often that essay uses it. Subjects are the essay's most distinctive words (tf-idf over the
library), matched only when the message uses them as a label ("the essay on butlers", "the grief one").
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.corpus.models import Passage
from bot.corpus.text import words as text_words
from bot.language import rare_words, stem, word_stems

# A capitalised run: "Miss Kenton", "The Remains of the Day", "Lacuna Inc".
_NAME_RUN = re.compile(r"\b([A-Z][\w’'-]+(?:\s+(?:of\s+the|of|the|and|de)?\s*[A-Z][\w’'-]+)*)")
# The few characters before a word that starts a sentence (capitalised whatever it is).
_SENTENCE_START = re.compile(r"(?:[.!?:][”’\"]?\s+|[“\"(‘]\s*)\Z")
_LEADING = frozenset({"in", "on", "at", "the", "a", "an", "of", "and", "to", "for", "with", "by", "from", "as"})
_LABEL_NOUNS = frozenset({"essay", "piece", "article", "one", "text", "post", "reading", "blog"})
_TITLE_SPLIT = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
SUBJECT_TERMS = 12
RARE_ESSAYS = 2  # a word that at most this many essays use points at them (see EssayCatalog.distinctive)
MIN_NAME_SHARE = 0.2
TITLE_WEIGHT = 5  # a name in the title counts as this many uses in the text
OWNED_NAME = 0.6  # an essay with this share of the uses of a name of several words is labelled by its words


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # a word list only: the parser is not loaded

    return frozenset(STOP_WORDS) | {"essay", "author", "writer", "story", "film", "book", "show", "novel"}


@dataclass
class EssayProfile:
    id: str
    title: str
    author: str | None
    added_at: str
    title_stems: frozenset[str]
    author_stems: frozenset[str]
    names: dict[str, float] = field(default_factory=dict)  # name stem sequence -> share of the library's uses
    common_names: frozenset[str] = frozenset()  # names that are also everyday words ("Joy"): need a capital
    subjects: frozenset[str] = frozenset()  # distinctive word stems
    title_phrases: frozenset[str] = frozenset()  # stretches of the title no other essay uses ("case against forget")
    name_forms: dict[str, frozenset[str]] = field(default_factory=dict)  # one-word name -> its word forms, singular

    @property
    def short_title(self) -> str:
        return _TITLE_SPLIT.split(self.title, maxsplit=1)[0].strip() or self.title


@dataclass(frozen=True)
class Naming:
    """An essay a message points at, how strongly (1 = its title or author), and the words that did it."""

    essay_id: str
    strength: float
    words: str


class EssayCatalog:
    def __init__(self, profiles: Sequence[EssayProfile], rare: dict[str, dict[str, int]] | None = None) -> None:
        self.profiles = {p.id: p for p in profiles}
        self._rare = rare or {}  # word stem -> the few essays that use it -> how often
        self._stop = _stop_words()
        # Inverted indexes, so that reading a message costs a few dictionary look-ups per word, not a pass over
        # every essay (1,000 essays: about 0.1 ms).
        self._names: dict[str, list[tuple[EssayProfile, float]]] = defaultdict(list)  # name -> (essay, share)
        self._title_words: dict[str, list[EssayProfile]] = defaultdict(list)
        self._short_titles: dict[str, list[EssayProfile]] = defaultdict(list)
        self._surnames: dict[str, list[EssayProfile]] = defaultdict(list)
        self._labels: dict[str, list[EssayProfile]] = defaultdict(list)  # subject or title word -> essays
        self._title_phrases: dict[str, list[EssayProfile]] = defaultdict(list)
        for profile in self.profiles.values():
            for name, share in profile.names.items():
                self._names[name].append((profile, share))
            for word in profile.title_stems - self._stop:
                self._title_words[word].append(profile)
            short = " ".join(s for s in word_stems(profile.short_title) if s not in self._stop and len(s) > 2)
            if " " in short:
                self._short_titles[short].append(profile)
            if profile.author_stems and (surname := _surname(profile)):
                self._surnames[surname].append(profile)
            # "the remains essay": a word of a name of several words that the essay owns ("The Remains of the Day")
            owned = {w for name, share in profile.names.items() if " " in name and share >= OWNED_NAME
                     for w in name.split() if w not in self._stop and len(w) > 2}
            for word in profile.subjects | profile.title_stems | owned:
                self._labels[word].append(profile)
            for phrase in profile.title_phrases:
                self._title_phrases[phrase].append(profile)
        self._longest = max((len(key.split()) for key in (*self._names, *self._short_titles, *self._title_phrases)),
                            default=1)

    @classmethod
    def build(cls, records: Sequence[object], passages: Sequence[Passage]) -> EssayCatalog:
        """From the manifest's essay records (id, title, author, added_at) and the index's passages."""
        stop = _stop_words()
        texts: dict[str, list[str]] = {}
        for passage in passages:
            texts.setdefault(passage.essay_id, []).append(passage.text)
        name_counts: dict[str, Counter[str]] = {}
        word_counts: dict[str, Counter[str]] = {}
        titles = {r.id: r.title for r in records}  # type: ignore[attr-defined]
        sequences: dict[str, list[str]] = defaultdict(list)  # each essay's words as stems, in order
        everyday: set[str] = set()  # one-word names that are everyday English words ("Joy", "Inside", "Mark")
        forms: dict[str, set[str]] = defaultdict(set)  # one-word name stem -> the words the essays spell it with
        for essay_id, parts in texts.items():
            names: Counter[str] = Counter()
            words: Counter[str] = Counter()
            for text in parts:
                for run in _name_runs(text):
                    for name in _name_keys(run, stop):
                        names[name] += 1
                    for word in text_words(run):
                        forms[stem(word)].add(_singular(word))
                        if not rare_words(word):
                            everyday.add(stem(word))
                stems = word_stems(text)
                sequences[essay_id].extend(stems)
                words.update(s for s in stems if len(s) > 2 and s not in stop)
            # a name the text uses that the title carries too is the essay's own (title case makes every word
            # of a title look like a name, so only names the text also uses count)
            title_names = {n for part in _TITLE_SPLIT.split(titles.get(essay_id, "")) for n in _name_keys(part, stop)}
            for name in title_names & set(names):
                names[name] += TITLE_WEIGHT
            name_counts[essay_id], word_counts[essay_id] = names, words
        totals: Counter[str] = Counter()
        for names in name_counts.values():
            totals.update(names)
        document_frequency: Counter[str] = Counter()
        for words in word_counts.values():
            document_frequency.update(set(words))
        # a one-word name that is an everyday English word ("Joy", "Inside", "Mark", "Day") names an essay only
        # when the reader capitalises it; "leonard" or "bartleby" in lower case is still the name
        common = frozenset(n for n in totals if " " not in n and n in everyday)
        # which essays use each title's stretches: one pass over every essay's n-grams of the candidate lengths
        stretches = {r.id: _title_stretches(r.title, stop) for r in records}  # type: ignore[attr-defined]
        wanted = {p for ps in stretches.values() for p in ps}
        lengths = {len(p.split()) for p in wanted}
        users: dict[str, set[str]] = defaultdict(set)
        for essay_id, all_stems in sequences.items():
            for n in lengths:
                for i in range(len(all_stems) - n + 1):
                    if (gram := " ".join(all_stems[i:i + n])) in wanted:
                        users[gram].add(essay_id)
        rare = {w: {e: counts[w] for e, counts in word_counts.items() if w in counts}
                for w, n in document_frequency.items() if n <= RARE_ESSAYS and len(word_counts) > RARE_ESSAYS}
        profiles = []
        for record in records:
            essay_id = record.id  # type: ignore[attr-defined]
            names = name_counts.get(essay_id, Counter())
            words = word_counts.get(essay_id, Counter())
            idf = {w: math.log((1 + len(word_counts)) / (1 + document_frequency[w])) for w in words}
            subjects = sorted(words, key=lambda w: -words[w] * idf[w])[:SUBJECT_TERMS]
            title, author = record.title, record.author  # type: ignore[attr-defined]
            profiles.append(EssayProfile(
                essay_id, title, author, record.added_at,  # type: ignore[attr-defined]
                frozenset(s for s in word_stems(title) if s not in stop and len(s) > 2),
                frozenset(s for s in word_stems(_author_name(author)) if len(s) > 2),
                {n: share for n, c in names.items() if (share := _name_share(n, c, names, totals)) >= MIN_NAME_SHARE},
                frozenset(n for n in names if n in common),
                frozenset(subjects),
                frozenset(p for p in stretches.get(essay_id, []) if not users.get(p, set()) - {essay_id}),
                {n: frozenset(forms[n]) for n in names if " " not in n and n in forms},
            ))
        return cls(profiles, rare)

    def newest(self) -> EssayProfile | None:
        """The essay added last (ties: the first by title)."""
        return max(self.profiles.values(), key=lambda p: (_parse_time(p.added_at), p.title), default=None)

    def distinctive(self, text: str) -> dict[str, dict[str, int]]:
        """Essay id -> the words of `text` (as stems) that it is one of the very few essays to use, among the words
        uncommon in English (see language.rare_words), with how often the essay uses each: "tattoos" and
        "Polaroids" point at the Memento essay without naming it. Empty for a library of too few essays to tell."""
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for word in set(word_stems(" ".join(rare_words(text)))) - self._stop:
            for essay_id, uses in self._rare.get(word, {}).items():
                found[essay_id][word] = uses
        return dict(found)

    def named_in(self, text: str) -> list[Naming]:
        """The essays a message names, strongest first: by title or author (1.0), by the names it discusses
        (their share of the library's uses of that name), or by a subject used as a label ("the grief essay")."""
        every = word_stems(text)
        stems = [s for s in every if s not in self._stop]
        present = set(stems)
        capitalised = {stem(w) for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+", text)}
        labels = _labelled_subjects(text)
        uncommon = set(word_stems(" ".join(rare_words(text))))
        typed: dict[str, set[str]] = defaultdict(set)  # the reader's words by stem, singular
        for word in text_words(text):
            typed[stem(word)].add(_singular(word))
        found: dict[str, Naming] = {}

        def offer(essay_id: str, strength: float, words: str) -> None:
            if essay_id not in found or found[essay_id].strength < strength:
                found[essay_id] = Naming(essay_id, strength, words)

        # title words, scattered: only the telling ones count ("Parfit", "Theseus"), or capitalised ones; a long
        # message has "inside", "know" and "feel" in it without meaning "What Inside Out Knows About Feelings"
        telling = present & (uncommon | capitalised)
        title_hits: Counter[str] = Counter(p.id for word in telling for p in self._title_words.get(word, ()))
        for essay_id, shared in title_hits.items():
            distinctive_title = self.profiles[essay_id].title_stems - self._stop
            if len(distinctive_title) >= 2 and shared >= max(2, len(distinctive_title) // 2):
                offer(essay_id, 1.0, "title")
        for surname in present & self._surnames.keys():
            for profile in self._surnames[surname]:
                # in lower case an everyday surname ("team", "marsh") is the word, unless the whole name is typed
                if surname in capitalised or surname in uncommon or profile.author_stems <= present:
                    offer(profile.id, 1.0, "author")
        named_words: set[str] = set()  # stems that are part of a name found: not labels on their own
        keys = _ngrams(stems, self._longest) | _ngrams(every, self._longest)
        for key in sorted(keys, key=lambda k: (-k.count(" "), k)):  # the longest name that matches says why
            for profile in (*self._short_titles.get(key, ()), *self._title_phrases.get(key, ())):
                offer(profile.id, 1.0, "title")
            # typed in lower case, a one-word name counts only where neither the essay's name nor the reader's word
            # is an everyday word: "leonard" names him, "sad" does not name Sadness
            plain = " " in key or key in uncommon
            for profile, share in self._names.get(key, ()):
                # and in the name's own word form: "offended" is not the "Offenders" of an Act's name
                spelt = " " in key or key not in profile.name_forms or typed[key] & profile.name_forms[key]
                if key in capitalised or plain and key not in profile.common_names and spelt:
                    offer(profile.id, share, key)
                    named_words.update(key.split())
        for label in labels:
            if label not in named_words:
                for profile in self._labels.get(label, ()):
                    offer(profile.id, 0.6, label)
        return sorted(found.values(), key=lambda n: -n.strength)


def _name_share(name: str, count: int, names: Counter[str], totals: Counter[str]) -> float:
    """How surely `name` names this essay: its share of the library's uses of it. A name of several words is no
    surer than the surest of its words that are names on their own: The Long Self's one "Melville's Bartleby" does
    not name it before the essay that says "Bartleby" forty times."""
    share = count / totals[name]
    parts = [w for w in name.split() if totals.get(w)]
    if " " in name and parts:
        share = min(share, max(names.get(w, 0) / totals[w] for w in parts))
    return share


def _singular(word: str) -> str:
    word = word.removesuffix("'s").removesuffix("’s")
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _title_stretches(title: str, stop: frozenset[str]) -> list[str]:
    """Stretches of a title from one content word to the next, as stem sequences ("case against forget"): a reader
    who uses one that no other essay uses names the essay ("the 'case against forgetting' one"), while one that
    half the library discusses ("clean slate") names none."""
    words = re.findall(r"[\w']+", title.lower().replace("’", "'"))
    content = [i for i, w in enumerate(words) if w not in stop]
    return [" ".join(stem(w) for w in words[a:b + 1]) for a, b in zip(content, content[1:], strict=False)
            if b - a <= 3]


def _ngrams(words: Sequence[str], longest: int) -> set[str]:
    """Every run of 1 to `longest` consecutive words, joined by spaces."""
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + longest) + 1)}


def _name_runs(text: str) -> list[str]:
    """The capitalised runs of a text that are names. A word that starts a sentence is capitalised anyway, so a
    run starting a sentence counts only if it is several capitalised words ("Kazuo Ishiguro’s The Remains of the
    Day", "Pixar’s Inside Out"); its first word alone ("Stevens") counts where the text also uses it inside a
    sentence."""
    runs = []
    for match in _NAME_RUN.finditer(text):
        run = match.group(1)
        start = match.start()
        if (start == 0 or _SENTENCE_START.search(text, max(0, start - 4), start)) and " " not in run:
            continue
        runs.append(run)
    return runs


def _name_keys(run: str, stop: frozenset[str]) -> list[str]:
    """Stem sequences a reader could use for a capitalised run: the whole run and each of its words (stop words
    left out on both sides, so "the remains of the day" finds "Remains … Day"), and its parts with the stop words
    inside them kept ("Inside Out", whose "out" is a stop word; "Remains of the Day")."""
    every = [w for w in run.replace("’s", "").replace("'s", "").split() if "’" not in w and "'" not in w]  # no "Don’t"
    words = [w for w in every if w.lower() not in stop]
    stems = [stem(w) for w in words if len(w) > 2]
    keys = [" ".join(stems[i:j]) for i in range(len(stems)) for j in range(i + 1, min(len(stems), i + 4) + 1)]
    kept = [w.lower() not in stop for w in every]
    all_stems = [stem(w) for w in every]
    for i in range(len(every)):  # runs with a stop word inside, starting and ending on a word that is not one,
        for j in range(i + 2, min(len(every), i + 6) + 1):  # or made only of capitalised words ("Inside Out")
            if kept[i] and kept[j - 1] and not all(kept[i:j]) or every[i].lower() not in _LEADING and all(
                    w[:1].isupper() for w in every[i:j]):
                keys.append(" ".join(all_stems[i:j]))
    return keys


def _author_name(author: str | None) -> str:
    return re.split(r"\s+[·|•]\s+|,", author or "")[0]


def _surname(profile: EssayProfile) -> str:
    words = _author_name(profile.author).split()
    return stem(words[-1]) if words else ""


_DETERMINERS = ("the", "this", "that", "an", "a")


def _labelled_subjects(text: str) -> list[str]:
    """Words used as an essay's label: "the essay on/about X", "the X essay/one/piece"."""
    words = re.findall(r"[\w’'-]+", text.lower())
    labels: list[str] = []
    for i, word in enumerate(words):
        if word not in _LABEL_NOUNS:
            continue
        if i + 2 < len(words) and words[i + 1] in ("on", "about", "regarding"):
            labels += [stem(w) for w in words[i + 2:i + 5] if w not in ("the", "a", "an", "his", "her", "how")][:2]
        # "the X one", "that Severance essay", "the digital declutter one"; not "been inside reading"
        if i >= 2 and words[i - 1] not in _DETERMINERS + ("other", "first", "second", "same") and any(
                w in _DETERMINERS for w in words[max(0, i - 3):i - 1]):
            labels.append(stem(words[i - 1]))
    return labels


def _parse_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.min
