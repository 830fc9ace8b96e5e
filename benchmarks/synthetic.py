"""A synthetic essay corpus for the speed benchmarks: `python -m benchmarks.synthetic DIR --essays N [--seed S]`.

Each essay is a markdown file with front matter (title, author, thesis), 3-5 sections with headings and 800-1,500
words of paragraphs, about one invented film, novel or series. Sentences come from templates whose slots draw
on word lists (works, characters, themes, verbs, images), so they are varied and nearly never repeat across a
large corpus (repeated text would flatter the embedding cache). Essay `i` depends only on (seed, i): the first
100 essays of a 1,000-essay corpus are the 100-essay corpus, and essay 1,000 can be added to it later.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

_WORK_FIRST = ("Glass", "Silent", "Borrowed", "Northern", "Paper", "Hollow", "Iron", "Quiet", "Last", "Burning",
               "Salt", "Winter", "Broken", "Hidden", "Distant", "Second", "Copper", "Empty", "Golden", "Sleeping",
               "Crooked", "Painted", "Lonely", "Drowned", "Velvet", "Open", "Long", "Bitter", "Small", "Wild")
_WORK_SECOND = ("Harbor", "Orchard", "Archive", "Country", "Lantern", "Garden", "Station", "Mirror", "River",
                "Machine", "House", "Frontier", "Choir", "Ledger", "Summer", "Bridge", "Museum", "Signal",
                "Kingdom", "Factory", "Island", "Letters", "Tide", "Parade", "Clock", "Wedding", "Border", "Voyage")
_KINDS = ("film", "novel", "series", "play", "graphic novel", "miniseries", "documentary", "short story collection")
_NAMES = ("Ada", "Bruno", "Celia", "Dmitri", "Esme", "Farid", "Greta", "Hugo", "Ines", "Jonah", "Kaito", "Lena",
          "Marek", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Silas", "Tamsin", "Ulla", "Viktor", "Wren",
          "Ximena", "Yusuf", "Zora", "Anselm", "Beatrix", "Cyrus", "Delphine", "Emil", "Fenna", "Gideon", "Hana",
          "Ivo", "Juno", "Kasimir", "Lior", "Maren", "Nico")
_THEMES = ("memory", "grief", "work", "freedom", "identity", "loyalty", "ambition", "class", "faith", "exile",
           "childhood", "power", "shame", "forgiveness", "technology", "family", "solitude", "justice", "desire",
           "language", "home", "debt", "courage", "envy", "care", "surveillance", "tradition", "luck", "time",
           "inheritance", "ruin", "trust", "beauty", "violence", "hope")
_QUALITIES = ("a burden", "a gift", "a wound", "a trap", "a debt", "a habit", "a performance", "a choice",
              "an accident", "a bargain", "a refuge", "a disguise", "an inheritance", "a contract", "a rumour",
              "a craft", "a cage", "a promise", "a symptom", "a language")
_VERBS = ("hides", "refuses", "remembers", "betrays", "rebuilds", "abandons", "questions", "inherits", "confesses",
          "forgives", "misreads", "protects", "sells", "counts", "burns", "rewrites", "waits for", "returns to",
          "imitates", "measures")
_OBJECTS = ("the letters", "the old photographs", "a locked drawer", "the family farm", "the last train",
            "a borrowed coat", "the broken radio", "the hospital ward", "an unpaid loan", "the harbour wall",
            "the night shift", "a wedding ring", "the town archive", "the empty classroom", "a stolen map",
            "the garden gate", "a missing brother", "the factory floor", "a recorded voice", "the frozen lake")
_PLACES = ("a coastal town", "a hospital", "a border village", "a failing factory", "an island", "a city at war",
           "a mountain school", "a newsroom", "a prison", "a department store", "an observatory", "a ferry",
           "a vineyard", "a mining town", "a theatre", "a suburb")
_IMAGES = ("rain on a window", "a door left ajar", "an empty chair", "a clock that runs slow", "snow on a grave",
           "a lamp in a distant house", "a bird against glass", "a river in flood", "smoke over the roofs",
           "a child's drawing", "a ringing telephone", "salt on the lips")
_CRITICS = ("Some critics", "Many viewers", "A first reading", "The marketing", "Early reviews", "Readers",
            "A cynical viewer", "Its admirers", "Its detractors", "Classroom discussions")
_OPENERS = ("Tellingly, ", "In the second hour, ", "Early on, ", "Later, ", "Put simply, ", "At first glance, ",
            "On a second viewing, ", "To be fair, ", "Crucially, ", "In the {place_short} scenes, ",
            "For {b}, at least, ", "Oddly enough, ", "By contrast, ", "Looked at closely, ", "Near the end, ",
            "In the same way, ", "As {a} discovers, ", "Without saying so, ", "Here, ", "Once again, ")
_CLOSERS = (", and the {kind} knows it", ", at least on the surface", ", which is the point",
            ", though not for long", ", whatever {a} claims", " in a way that feels earned", ", for better or worse",
            " with unusual care", ", as the {theme} motif insists", ", and {b} is the proof",
            " more than any speech could", ", if only for a moment")
_HEADINGS = ("The problem of {theme}", "What {a} wants", "Reading {work} against the grain", "{image_title}",
             "Why {theme} is never simple", "The case for {b}", "A world built on {theme}", "The ending",
             "Where the {kind} falters", "Objections and replies", "{a} and {b}", "The cost of {theme}",
             "Beyond {theme}", "What the {kind} asks of us", "The politics of {theme}", "Scenes of {theme}")
_TEMPLATES = (
    "{work} treats {theme} as {quality} rather than {quality2}.",
    "When {a} {verb} {object}, the {kind} quietly changes its subject from {theme} to {theme2}.",
    "{critics} read {a} as a victim, but the {kind} keeps showing us a person who {verb} {object} on purpose.",
    "The setting matters: {place} is a place where {theme} is cheap and {theme2} is expensive.",
    "It is hard to forget the image of {image}.",
    "Nothing about {b} is accidental.",
    "Consider the scene in which {b} {verb} {object} while {a} watches and says nothing.",
    "The {kind} never tells us whether {a} is right, and that silence is its argument.",
    "If {theme} is {quality}, then {a}'s choice looks less like weakness and more like arithmetic.",
    "{critics} call this {kind} a story about {theme}; it is really a story about who pays for {theme2}.",
    "By the middle of the {kind}, {a} has learned that {theme} cannot be owned, only borrowed.",
    "The dialogue is spare, almost clipped, as if every word about {theme} cost something.",
    "Again and again the camera returns to {object}, as though the {kind} itself could not let go.",
    "{b} is the character who sees most clearly that {theme} and {theme2} were never opposites.",
    "This is where the {kind} is at its weakest.",
    "The final act turns on a single decision: whether {a} {verb} {object} or walks away from it.",
    "One could object that {theme} is simply the backdrop here, not the subject.",
    "That objection misses how carefully the {kind} links {theme} to {place}.",
    "Even the minor characters in {place} seem to be bargaining over {theme}.",
    "What {a} wants is not {theme} but permission to stop wanting it.",
    "The {kind}'s title is a joke at first and a verdict by the end.",
    "{a} {verb} {object} three times, and each time the meaning shifts.",
    "It would be easy to call {b} a villain.",
    "The script refuses that comfort, giving {b} the most honest lines about {theme}.",
    "Seen this way, {image} is less a symbol of {theme} than a record of {theme2}.",
    "The pacing is deliberately slow, so that {theme} accumulates like dust rather than arriving as a twist.",
    "In an early scene {a} says that {theme} is {quality}; by the last scene {a} no longer believes it.",
    "Few works have been this patient with a character who {verb} {object}.",
    "The argument of the {kind} is finally a moral one: {theme} without {theme2} curdles into {quality}.",
    "{critics} have praised the performances, yet the writing deserves more of the credit.",
    "Small details carry the weight: {object}, {object2}, and {image}.",
    "The question the {kind} leaves us with is whether {theme} can survive {place}.",
    "There is no speech that explains it.",
    "Instead, {a} simply {verb} {object2}, and the audience is left to do the explaining.",
    "That restraint is what separates {work} from the many lesser stories about {theme}.",
    "It is a bleak conclusion, but not a hopeless one.",
    "The {kind} suggests that {theme2} begins exactly where {theme} ends.",
    "Whatever one thinks of {a}, the {kind} makes it impossible to look away from {theme}.",
)


def essay_markdown(seed: int, number: int) -> tuple[str, str]:
    """(file name, markdown) of essay `number` of the corpus with `seed`."""
    rng = random.Random(f"{seed}:{number}")
    work = f"The {rng.choice(_WORK_FIRST)} {rng.choice(_WORK_SECOND)}"
    kind = rng.choice(_KINDS)
    a, b = rng.sample(_NAMES, 2)
    theme, theme2 = rng.sample(_THEMES, 2)
    slots = {"work": work, "kind": kind, "a": a, "b": b}

    def fill(template: str) -> str:
        values = {
            **slots,
            "theme": rng.choice((theme, theme, rng.choice(_THEMES))),
            "theme2": rng.choice((theme2, rng.choice(_THEMES))),
            "quality": rng.choice(_QUALITIES), "quality2": rng.choice(_QUALITIES),
            "verb": rng.choice(_VERBS), "object": rng.choice(_OBJECTS), "object2": rng.choice(_OBJECTS),
            "place": rng.choice(_PLACES), "image": rng.choice(_IMAGES), "critics": rng.choice(_CRITICS),
            "image_title": rng.choice(_IMAGES).capitalize(), "place_short": rng.choice(_PLACES).split()[-1],
        }
        return template.format(**values)

    def sentence(used: set[str]) -> str:
        """A sentence not yet used in this essay, sometimes with an opening or closing phrase."""
        while True:
            text = fill(rng.choice(_TEMPLATES))
            if rng.random() < 0.4:
                text = fill(rng.choice(_OPENERS)) + text[0].lower() + text[1:]
            if rng.random() < 0.3 and text.endswith("."):
                text = text[:-1] + fill(rng.choice(_CLOSERS)) + "."
            text = text[0].upper() + text[1:]
            if text not in used:
                used.add(text)
                return text

    target_words = rng.randint(800, 1500)
    sections = rng.randint(3, 5)
    headings = rng.sample(_HEADINGS, sections)
    body: list[str] = []
    used: set[str] = set()
    words = 0
    for index, heading in enumerate(headings):
        title_case = fill(heading)
        body.append(f"## {title_case[0].upper()}{title_case[1:]}")
        section_words = 0
        while section_words < target_words / sections or (index == sections - 1 and words < target_words):
            sentences = [sentence(used) for _ in range(rng.randint(3, 7))]
            paragraph = " ".join(sentences)
            body.append(paragraph)
            section_words += len(paragraph.split())
            words += len(paragraph.split())
    title = f"{work}: {theme.capitalize()} and {theme2.capitalize()}"
    thesis = f"{work} argues that {theme} is {rng.choice(_QUALITIES)}, and that {theme2} is its price."
    front = f'---\ntitle: "{title}"\nauthor: "Synthetic author {number % 97}"\nthesis: "{thesis}"\n---\n'
    return f"essay-{seed}-{number:05d}.md", front + "\n" + "\n\n".join(body) + "\n"


def write_corpus(directory: Path, essays: int, *, seed: int = 0, start: int = 0) -> list[Path]:
    """Write essays number `start` .. `start + essays - 1` into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number in range(start, start + essays):
        name, text = essay_markdown(seed, number)
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--essays", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write_corpus(args.directory, args.essays, seed=args.seed)
    print(f"wrote {len(paths)} essays to {args.directory}")


if __name__ == "__main__":
    main()
