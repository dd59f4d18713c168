"""The Indonesian analyzer: tokenise, lower-case, drop function words, stem with Sastrawi.

"pakaian" -> "pakai", "kepedasan" -> "pedas", "kerajinan" -> "rajin", "kue-kue" -> "kue".
Typos ("kripik" for "keripik") are not a stemming matter: the query side adds fuzzy terms.
"""

from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter

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


def indonesian_analyzer():
    return (
        RegexTokenizer(r"[0-9a-zA-Z\u00c0-\u024f]+")
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | SastrawiStemFilter()
    )


def analyse(text: str) -> list[str]:
    return [t.text for t in indonesian_analyzer()(text or "")]
