"""The Indonesian analyzer: tokenise, lower-case, drop function words, stem with Sastrawi.

"pakaian" -> "pakai", "kepedasan" -> "pedas", "kerajinan" -> "rajin", "kue-kue" -> "kue".
Typos ("kripik" for "keripik") are not a stemming matter: the query side adds fuzzy terms.
"""

import re
from collections import Counter
from functools import lru_cache

from whoosh.analysis import Filter, Token, Tokenizer

# Function words only: Sastrawi's 800-word list also drops product words such as
# "besar" or "panjang" ("lengan panjang"), which buyers do type.
STOP_WORDS = frozenset(
    [
        "ada",
        "adalah",
        "agar",
        "akan",
        "atau",
        "bagi",
        "bahwa",
        "belum",
        "bisa",
        "buat",
        "dan",
        "dari",
        "dengan",
        "di",
        "dalam",
        "dll",
        "hingga",
        "ini",
        "itu",
        "jika",
        "juga",
        "ke",
        "kami",
        "karena",
        "kita",
        "lagi",
        "maupun",
        "nya",
        "oleh",
        "pada",
        "para",
        "per",
        "saja",
        "sangat",
        "secara",
        "serta",
        "si",
        "sudah",
        "tapi",
        "tetapi",
        "tidak",
        "untuk",
        "yang",
        "yg",
    ]
)


@lru_cache(maxsize=1)
def _raw_stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # The factory's stemmer keeps an unbounded cache; use the plain one behind our LRU.
    return StemmerFactory().create_stemmer().delegatedStemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    return _raw_stemmer().stem(word) or word


class SastrawiStemFilter(Filter):
    is_morph = True

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


WORD = re.compile(r"[0-9a-zA-Z\u00c0-\u024f]+")
SECTION = "\x1f"


class IndonesianTokenizer(Tokenizer):
    """The whole chain in one pass: words, lower case, function words, Sastrawi stems.

    Yields the tokens of ``RegexTokenizer | LowercaseFilter | StopFilter(minsize=2) |
    SastrawiStemFilter`` with one generator instead of four per word. Honours
    ``no_morph=True`` (Whoosh asks for unstemmed words to fill a spelling field),
    ``removestops=False``, positions and character offsets. ``stemming=False`` keeps
    words as typed (lower case, function words dropped).

    With several ``boosts``, the value is sections joined by ``SECTION`` and each section's
    words carry its boost; a word's weight in a document is the sum. One field can so hold
    name, description and business name weighted 3 : 1.5 : 1, and a query word costs one
    posting list instead of three.
    """

    is_morph = True

    def __init__(self, boosts=(1.0,), stemming=True):
        self.boosts = tuple(boosts)
        # Whoosh reads is_morph: a spelling field on a morphing analyzer gets a second,
        # unstemmed copy of every word; without stemming the field is its own dictionary.
        self.is_morph = stemming

    def __eq__(self, other):
        return (
            self.__class__ is other.__class__
            and self.boosts == other.boosts
            and self.is_morph == other.is_morph
        )

    def __hash__(self):
        return hash((self.__class__, self.boosts, self.is_morph))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        no_morph=False,
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        no_morph = no_morph or not self.is_morph
        boosts = self.boosts
        sections = value.split(SECTION) if tokenize and len(boosts) > 1 else (value,)
        pos = start_pos
        offset = start_char
        for number, section in enumerate(sections):
            boost = boosts[min(number, len(boosts) - 1)]
            for match in WORD.finditer(section) if tokenize else (None,):
                original = section if match is None else match.group()
                text = original.lower()
                stopped = len(text) < 2 or text in STOP_WORDS
                if stopped and removestops:
                    continue
                t.text = text if stopped or no_morph else stem(text)
                t.stopped = stopped
                t.boost = boost
                if keeporiginal:
                    t.original = original
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = offset + (0 if match is None else match.start())
                    t.endchar = t.startchar + len(original)
                pos += 1
                yield t
            offset += len(section) + len(SECTION)


def indonesian_analyzer(boosts=(1.0,), stemming=True):
    return IndonesianTokenizer(boosts, stemming)


def analyse(text: str) -> list[str]:
    return [t.text for t in indonesian_analyzer()(text or "")]


# Word as found -> its term ("" for a function word), for index_terms; bounded.
_TERMS: dict[bool, dict[str, str]] = {True: {}, False: {}}
_TERMS_LIMIT = 500_000


def _learn(cache: dict[str, str], word: str, stemming: bool) -> str:
    text = word.lower()
    term = "" if len(text) < 2 or text in STOP_WORDS else text
    if term and stemming:
        term = stem(text)
    if len(cache) >= _TERMS_LIMIT:
        cache.clear()
    cache[word] = term
    return term


# Text found again and again (names, business names, the sentences of descriptions)
# -> its terms with their counts, and its token count; bounded.
_PIECES: dict[tuple[str, bool], tuple[tuple[tuple[str, int], ...], int]] = {}
# Where a section may be cut without cutting a word: after a sentence's end.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _piece_terms(piece: str, stemming: bool) -> tuple[tuple[tuple[str, int], ...], int]:
    key = (piece, stemming)
    found = _PIECES.get(key)
    if found is None:
        cache = _TERMS[stemming]
        words = WORD.findall(piece)
        terms = [
            term if term is not None else _learn(cache, word, stemming)
            for word, term in zip(words, map(cache.get, words), strict=True)
        ]
        counts = Counter(terms)
        counts.pop("", None)
        if len(_PIECES) >= _TERMS_LIMIT:
            _PIECES.clear()
        found = _PIECES[key] = (tuple(counts.items()), sum(counts.values()))
    return found


def index_terms(
    value: str, boosts=(1.0,), stemming=True
) -> tuple[dict[str, int], dict[str, float], int]:
    """Frequency and weight of each term, and the token count: what Whoosh's Frequency
    format records for ``IndonesianTokenizer(boosts, stemming)`` at index time.

    The bulk builder's path: the same terms, each sentence analysed once per process
    (catalogues repeat names, business names and sentences) instead of a token object
    per word. Cutting after a sentence's end never cuts a word (WORD has no spaces).
    """
    stemming = bool(stemming)
    freqs: dict[str, int] = {}
    weights: dict[str, float] = {}
    length = 0
    sections = value.split(SECTION) if len(boosts) > 1 else (value,)
    last = len(boosts) - 1
    for number, section in enumerate(sections):
        boost = boosts[min(number, last)]
        for piece in SENTENCE_END.split(section) if len(section) > 80 else (section,):
            counts, tokens = _piece_terms(piece, stemming)
            length += tokens
            for term, count in counts:
                freqs[term] = freqs.get(term, 0) + count
                weights[term] = weights.get(term, 0.0) + count * boost
    return freqs, weights, length
