"""The Whoosh product index: the only module that talks to Whoosh.

It holds listed products only, is derived from the database, and can be rebuilt at any
time. Visibility filters are Whoosh ``filter=`` objects, never part of the user's query
text, so ``status:draft`` or ``chapter:x`` typed by a user is searched as plain words.

Speed (bench/search.py; targets in issue 11 and QUALITY.md "Performance"):
- the words of name, description and business name go into one field, weighted 3 : 1.5 : 1
  per word, so a query word reads one posting list instead of three;
- typo variants are added only for words that are rare or unknown in the index;
- category, chapter, kota, halal, in stock, price and date are columns, not indexed terms;
- each segment is searched apart with arrays: posting lists decoded a block at a time,
  BM25F exactly as Whoosh scores it, filters as boolean masks, facets by ``bincount``, the
  best of each segment merged; everything read from a segment is cached by segment id
  (segments never change once written), so a new segment invalidates nothing else;
- facet counts are exact up to FACET_EXACT matches and estimated from as many above,
  unless asked for exactly;
- a rebuild writes Whoosh's own segments from arrays in worker processes (search/bulk.py).
"""

import bisect
import io
import logging
import os
import pickle
import shutil
import struct
import tempfile
import threading
import weakref
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import columns
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermsReader, _lenfield
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.index import LockError
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from marketplace.search import bulk
from marketplace.search.analysis import SECTION, analyse, indonesian_analyzer

log = logging.getLogger("pasarkita.search")

FACET_FIELDS = ("category", "chapter", "kota", "halal", "size")
SORTS = {
    "relevance": None,
    "price_asc": ("price", False),
    "price_desc": ("price", True),
    "newest": ("created", True),
    # Issue 16: best rated (average, then number of reviews: one composite key) and most sold.
    "rating": ("rating", True),
    "sold": ("sold", True),
}
POSITION_FILE = "feed_position"
# Bump when make_schema() or index_fields() change: an index of another version is
# replaced by an empty one at feed position 0 (the change feed refills it).
SCHEMA_VERSION = "4"
VERSION_FILE = "schema_version"
# Name over description over business name, as weights inside the one "text" field.
TEXT_BOOSTS = (3.0, 1.5, 1.0)
# A word of 4+ letters found in fewer products than this also matches the indexed name
# words one edit away ("kripik" finds "keripik"); a common word matches only itself.
FUZZY_BELOW = 3
FUZZY_BOOST = 0.5
CACHE_LIMIT = 4096  # entries per cache per searcher generation
# Filter masks kept per segment: one byte per document each (64 MB at 1M products).
MASK_LIMIT = 64
# Facet counts are exact up to this many matches, estimated from as many above (the
# page says so and offers the exact counts): their cost stays flat as matches grow.
FACET_EXACT = 1000
# Decoded posting lists kept per process (all segments together), in postings: 8 bytes
# each (int32 document number, float32 weight: the W3 weights are sums of the text boosts,
# exact in float32; a list whose weights are not stays float64), so 4M is 32 MB. A common
# word ("keripik" at 1M products) is decoded once per segment, not on every search.
POSTINGS_CACHE = 4_000_000


def make_schema() -> Schema:
    # No positions (phrase=False): nobody searches phrases on a phone, and it halves the
    # index and its build time.
    return Schema(
        id=ID(stored=True, unique=True),
        # The name's words as typed (not stemmed): the dictionary for typo variants and
        # "did you mean", and what those variants match.
        name=TEXT(analyzer=indonesian_analyzer(stemming=False), phrase=False, spelling=True),
        # Name, description and business name, weighted TEXT_BOOSTS: what words match.
        text=TEXT(analyzer=indonesian_analyzer(TEXT_BOOSTS), phrase=False),
        # Filters, facets and sorting read these as columns (lists per segment, see
        # _Segments), so they are not indexed: no postings to write (a NUMERIC field would
        # index 16 trie terms per value) and nothing to decode per matching document.
        category=COLUMN(columns.RefBytesColumn()),
        chapter=COLUMN(columns.RefBytesColumn()),
        kota=COLUMN(columns.RefBytesColumn()),
        halal=COLUMN(columns.BitColumn()),
        in_stock=COLUMN(columns.BitColumn()),
        price=COLUMN(columns.NumericColumn("Q")),
        created=COLUMN(columns.NumericColumn("Q")),
        # Issue 16: the in-stock sizes, "S,M,XL" (one value per combination, read as codes
        # like category; the size filter and facet split it). Bounded: a product has at most
        # variants.MAX_SIZES_PER_PRODUCT known sizes.
        sizes=COLUMN(columns.RefBytesColumn()),
        rating=COLUMN(columns.NumericColumn("Q")),
        sold=COLUMN(columns.NumericColumn("Q")),
    )


def index_fields(document: dict) -> dict:
    """The stored shape of a ``services.document_for`` dict."""

    def clean(value):
        return (value or "").replace(SECTION, " ")

    def key(value):
        return (value or "").encode()

    return {
        "id": document["id"],
        "name": clean(document["name"]),
        "text": SECTION.join(
            (
                clean(document["name"]),
                clean(document.get("description")),
                clean(document.get("business_name")),
            )
        ),
        "category": key(document["category"]),
        "chapter": key(document["chapter"]),
        "kota": key(document["kota"]),
        "halal": bool(document["halal"]),
        "in_stock": bool(document["in_stock"]),
        "price": int(document["price"]),
        "created": int(document["created"]),
        "sizes": key(",".join(document.get("sizes") or ())),
        "rating": int(document.get("rating", 0)),
        "sold": int(document.get("sold", 0)),
    }


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    page: int
    per_page: int
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    facets_exact: bool = True


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    chapter: str | None = None
    kota: str | None = None
    halal: bool | None = None
    in_stock: bool | None = None
    min_price: int | None = None
    max_price: int | None = None
    size: str | None = None

    def terms(self) -> list[tuple[str, object]]:
        """The (column, value) pairs a product must have; prices are checked apart."""
        parts = []
        for name in ("category", "chapter", "kota"):
            value = getattr(self, name)
            if value:
                parts.append((name, value))
        if self.halal is not None:
            parts.append(("halal", self.halal))
        if self.in_stock:
            parts.append(("in_stock", True))
        if self.size:
            parts.append(("size", self.size))
        return parts

    def has_price(self) -> bool:
        return self.min_price is not None or self.max_price is not None


class _Bounded(dict):
    """A dict that forgets everything when it grows past its limit (cheap and enough)."""

    def __init__(self, limit: int = CACHE_LIMIT):
        super().__init__()
        self.limit = limit

    def put(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)
_NO_IDS = np.empty(0, dtype=np.int64)
_NO_SCORES = np.empty(0, dtype=np.float64)
_BLOCK_LENGTH = struct.Struct("!i")
# BM25F parameters, the same as Whoosh's BM25F defaults: scores and ranks stay Whoosh's.
B, K1 = 0.75, 1.2


def _decode_w3(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of a W3 posting list, decoded a block at a time.

    Layout (whoosh.codec.whoosh3.W3PostingsWriter): a 4-byte tag, then blocks of
    ``!i`` length (negative for the last), a pickled info tuple, and the zlib'd pickle
    of (delta-coded ids, weights, values). Each block's first delta is absolute.
    """
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a W3 posting list")
    deltas: list[int] = []
    weights: list[float] = []
    starts: list[int] = []
    previous: list[int] = []
    stream = io.BytesIO(data)
    position, last_id, last = 4, 0, False
    while not last:
        (length,) = _BLOCK_LENGTH.unpack_from(data, position)
        last = length < 0
        stream.seek(position + 4)
        count, max_id, _, compression, _, _ = pickle.load(stream)  # noqa: S301 (our own index)
        position += 4 + abs(length)
        raw = data[stream.tell() : position]
        ids, block_weights, _ = pickle.loads(zlib.decompress(raw) if compression else raw)  # noqa: S301
        starts.append(len(deltas))
        previous.append(last_id)
        deltas.extend(ids)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        last_id = max_id
    numbers = np.array(deltas, dtype=np.int64)
    numbers[starts] -= previous
    return np.cumsum(numbers), np.array(weights, dtype=np.float64)


def _postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(ascending document numbers, weights) of one term in one segment, deleted included."""
    terms = getattr(reader, "_terms", None)
    btext = text.encode()
    if isinstance(terms, W3TermsReader):
        try:
            info = terms.term_info(fieldname, btext)
        except TermNotFound:
            return _NO_IDS, _NO_SCORES
        if info.is_inlined():
            ids, weights, _ = info.inlined_postings()
            return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it unpacked
            length = length[0]
        return _decode_w3(terms._postfile.get(offset, length))
    # Another codec (an in-memory index): the public, slower way.
    if (fieldname, btext) not in reader:
        return _NO_IDS, _NO_SCORES
    matcher = reader.postings(fieldname, btext)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _intersect(a, sa, b, sb):
    """Documents in both sorted arrays, with their scores summed."""
    if len(a) > len(b):
        a, sa, b, sb = b, sb, a, sa
    if not len(a):
        return _NO_IDS, _NO_SCORES
    if len(b) > 4096 and b[-1] < 16 * len(b):
        # Dense document numbers (a segment's postings of common words): a lookup table of
        # b's positions, two vectorised passes instead of a binary search per document.
        where = np.full(max(int(a[-1]), int(b[-1])) + 1, -1, dtype=np.int32)
        where[b] = np.arange(len(b), dtype=np.int32)
        pos = where[a]
        hit = pos >= 0
        return a[hit], sa[hit] + sb[pos[hit]]
    pos = np.minimum(np.searchsorted(b, a), len(b) - 1)
    hit = b[pos] == a
    return a[hit], sa[hit] + sb[pos[hit]]


def _union(parts):
    """Documents in any of the (ids, scores) parts, with their scores summed."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _NO_IDS, _NO_SCORES
    if len(parts) == 1:
        return parts[0]
    ids, inverse = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]))
    return ids, scores


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best by (score descending, document number ascending)."""
    n = len(ids)
    if n > k:
        threshold = np.partition(scores, n - k)[n - k]
        better = np.flatnonzero(scores > threshold)
        equal = np.flatnonzero(scores == threshold)[: k - len(better)]
        chosen = np.concatenate([better, equal])
    else:
        chosen = np.arange(n)
    return chosen[np.lexsort((ids[chosen], -scores[chosen]))]


class _Segments:
    """Arrays read once per index segment, by segment id.

    A segment never changes once written (a deletion only marks documents, and
    deletions are applied per searcher generation), so nothing here is read again when
    another segment is added: a refresh after a one-product update reads only the new,
    small segment. Entries of segments that are gone (merged, rebuilt) are dropped by
    ``keep_only``. Everything is by the segment's own document numbers, never by a
    global number, so a segment that moves in the list keeps its entries.
    """

    def __init__(self, postings_limit: int = POSTINGS_CACHE):
        self._data: dict[str, dict] = {}
        # (segment id, field, term) -> (ids, weights), least recently used first.
        self._postings: OrderedDict = OrderedDict()
        self._postings_size = 0
        self._postings_limit = postings_limit
        self._postings_lock = threading.Lock()

    def _of(self, reader) -> dict:
        return self._data.setdefault(reader.segment().segment_id(), {})

    def keep_only(self, leaves) -> None:
        live = {reader.segment().segment_id() for reader, _ in leaves}
        for key in [k for k in self._data if k not in live]:
            self._data.pop(key, None)
        with self._postings_lock:
            for key in [k for k in self._postings if k[0] not in live]:
                self._postings_size -= len(self._postings.pop(key)[0])

    def postings(self, reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``_postings`` of one term in one segment, decoded once while it stays in the
        (least recently used, POSTINGS_CACHE postings) cache."""
        key = (reader.segment().segment_id(), fieldname, text)
        with self._postings_lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        ids, weights = _postings(reader, fieldname, text)
        narrow = weights.astype(np.float32)
        found = (ids.astype(np.int32), narrow if np.array_equal(narrow, weights) else weights)
        if len(ids) > self._postings_limit:
            return found
        with self._postings_lock:
            if key not in self._postings:
                self._postings[key] = found
                self._postings_size += len(ids)
                while self._postings_size > self._postings_limit:
                    _, (old, _) = self._postings.popitem(last=False)
                    self._postings_size -= len(old)
        return found

    def codes(self, reader, name) -> tuple[np.ndarray, list[str]]:
        """A text column as (a value number per document, the values)."""
        data = self._of(reader)
        found = data.get(("codes", name))
        if found is None:
            count = reader.doc_count_all()
            column = reader.column_reader(name) if reader.has_column(name) else None
            if isinstance(column, columns.RefBytesColumn.Reader):
                raw = column._dbfile.get(column._basepos, count * column._itemsize)
                codes = np.frombuffer(raw, dtype=">" + column._typecode).astype(np.int32)
                values = [v.decode() for v in column._uniques]
            else:
                cells = [] if column is None else [v.decode() for v in column]
                values = sorted(set(cells))
                number = {v: i for i, v in enumerate(values)}
                codes = np.array([number[v] for v in cells], dtype=np.int32)
                if column is None:
                    codes = np.zeros(count, dtype=np.int32)
                    values = [""]
            found = data[("codes", name)] = (codes, values)
        return found

    def bits(self, reader, name) -> np.ndarray:
        data = self._of(reader)
        found = data.get(("bits", name))
        if found is None:
            found = np.zeros(reader.doc_count_all(), dtype=bool)
            if reader.has_column(name):
                column = reader.column_reader(name)
                bitset = column.id_set() if hasattr(column, "id_set") else None
                if bitset is not None:
                    found[np.fromiter(iter(bitset), dtype=np.int64)] = True
                else:
                    found[:] = list(column)
            data[("bits", name)] = found
        return found

    def numbers(self, reader, name) -> np.ndarray:
        data = self._of(reader)
        found = data.get(("numbers", name))
        if found is None:
            count = reader.doc_count_all()
            column = reader.column_reader(name) if reader.has_column(name) else None
            if isinstance(column, columns.NumericColumn.Reader) and column._count == count:
                raw = column._dbfile.get(column._basepos, count * column._fixedlen)
                found = np.frombuffer(raw, dtype=">" + column._typecode).astype(np.int64)
            else:
                found = np.array([] if column is None else list(column), dtype=np.int64)
                if column is None:
                    found = np.zeros(count, dtype=np.int64)
            data[("numbers", name)] = found
        return found

    def lengths(self, reader, fieldname) -> np.ndarray:
        """Field length of each document, as BM25F reads it (the length byte decoded)."""
        data = self._of(reader)
        found = data.get(("lengths", fieldname))
        if found is None:
            count = reader.doc_count_all()
            perdoc = getattr(reader, "_perdoc", None)
            column = None
            if perdoc is not None and hasattr(perdoc, "_cached_reader"):
                column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is not None:
                raw = column._dbfile.get(column._basepos, column._count)
                found = np.zeros(count, dtype=np.float64)
                found[: column._count] = _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]
            else:  # another codec: the public (slower) way
                found = np.array(
                    [reader.doc_field_length(n, fieldname, 0) or 0 for n in range(count)],
                    dtype=np.float64,
                )
            data[("lengths", fieldname)] = found
        return found

    def allowed(self, reader, filters: "Filters") -> np.ndarray | None:
        """The segment's documents the filters allow, as a mask (None: all)."""
        if not filters.terms() and not filters.has_price():
            return None
        data = self._of(reader)
        masks = data.setdefault("masks", _Bounded(MASK_LIMIT))
        found = masks.get(filters)
        if found is None:
            found = np.ones(reader.doc_count_all(), dtype=bool)
            for name, value in filters.terms():
                if name in ("halal", "in_stock"):
                    found &= self.bits(reader, name) == bool(value)
                elif name == "size":
                    found &= np.isin(self.codes(reader, "sizes")[0], self.size_codes(reader, value))
                else:
                    codes, values = self.codes(reader, name)
                    found &= codes == (values.index(value) if value in values else -1)
            if filters.has_price():
                prices = self.numbers(reader, "price")
                if filters.min_price is not None:
                    found &= prices >= filters.min_price
                if filters.max_price is not None:
                    found &= prices <= filters.max_price
            masks.put(filters, found)
        return found

    def size_codes(self, reader, size: str) -> np.ndarray:
        """The codes of the segment's ``sizes`` values that hold ``size``."""
        _, values = self.codes(reader, "sizes")
        return np.array([i for i, v in enumerate(values) if size in v.split(",")], dtype=np.int32)

    def variants(self, reader, word: str) -> tuple[str, ...]:
        """This segment's name words one edit from ``word`` (same first letter)."""
        data = self._of(reader)
        cache = data.setdefault("variants", _Bounded())
        found = cache.get(word)
        if found is None:
            found = cache.put(word, tuple(reader.terms_within("name", word, 1, prefix=1)))
        return found


def _has_segment(reader) -> bool:
    return getattr(reader, "segment", None) is not None and reader.segment() is not None


def _leaves(searcher) -> list:
    """(segment reader, first global document number) pairs; none for an empty index."""
    reader = searcher.reader()
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    return [(r, offset) for r, offset in leaves if _has_segment(r)]


class _Generation:
    """One searcher and what stays true until the index changes."""

    def __init__(self, searcher, segments: _Segments):
        self.searcher = searcher
        self.segments = segments
        self.leaves = _leaves(searcher)
        segments.keep_only(self.leaves)
        self.offsets = [offset for _, offset in self.leaves]
        self.deleted = [
            np.array(sorted(reader.segment().deleted_docs()), dtype=np.int64)
            for reader, _ in self.leaves
        ]
        self.variants = _Bounded()
        self.suggestions = _Bounded()
        self.closer = None  # set by ProductIndex: closes the searcher, once

    def fuzzy_variants(self, word: str) -> tuple[str, ...]:
        """Indexed name words one edit from a rare or unknown ``word`` (same first letter)."""
        if len(word) < 4 or not word.isalpha():
            return ()
        found = self.variants.get(word)
        if found is None:
            if self.searcher.doc_frequency("text", word) >= FUZZY_BELOW:
                found = ()
            else:
                words = set()
                for reader, _ in self.leaves:
                    words.update(self.segments.variants(reader, word))
                found = tuple(sorted(words - {word}))
            self.variants.put(word, found)
        return found

    def clauses(self, words: list[str]) -> list[list[tuple[str, str, float]]]:
        """Per word, the (field, term, boost) alternatives that match it."""
        return [
            [("text", word, 1.0)] + [("name", v, FUZZY_BOOST) for v in self.fuzzy_variants(word)]
            for word in words
        ]

    def _term(self, reader, fieldname, text, boost):
        ids, weights = self.segments.postings(reader, fieldname, text)
        if not len(ids):
            return ids.astype(np.int64), weights.astype(np.float64)
        ids, weights = ids.astype(np.int64), weights.astype(np.float64)
        searcher = self.searcher
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        lengths = self.segments.lengths(reader, fieldname)[ids]
        scores = idf * (K1 + 1) * weights / (weights + K1 * (1 - B) + K1 * B / avgfl * lengths)
        return ids, scores * boost if boost != 1.0 else scores

    def match(self, number: int, clauses, every_word: bool, filters: "Filters"):
        """(document numbers, scores) of one segment's matches the filters allow."""
        reader, _ = self.leaves[number]
        if clauses:
            matched = None
            for alternatives in sorted(clauses, key=len):
                part = _union([self._term(reader, *alt) for alt in alternatives])
                if matched is None:
                    matched = part
                elif every_word:
                    matched = _intersect(*matched, *part)
                else:
                    matched = _union([matched, part])
                if every_word and not len(matched[0]):
                    break
            ids, scores = matched
        else:
            ids = np.arange(reader.doc_count_all(), dtype=np.int64)
            scores = np.zeros(len(ids), dtype=np.float64)
        allowed = self.segments.allowed(reader, filters)
        if allowed is not None and len(ids):
            keep = allowed[ids]
            ids, scores = ids[keep], scores[keep]
        deleted = self.deleted[number]
        if len(deleted) and len(ids):
            keep = ~np.isin(ids, deleted)
            ids, scores = ids[keep], scores[keep]
        return ids, scores

    def stored_id(self, docnum: int) -> int:
        number = bisect.bisect_right(self.offsets, docnum) - 1
        reader, offset = self.leaves[number]
        return int(reader.stored_fields(docnum - offset)["id"])


def _facet_counts(generation: _Generation, matched, total: int, exact: bool):
    """Counts per facet value of the matches: all of them, or an even sample."""
    sample = matched
    scale = 1.0
    if not exact and total > FACET_EXACT:
        # FACET_EXACT matches evenly spaced over all of them, segment by segment.
        positions = np.linspace(0, total - 1, FACET_EXACT).astype(np.int64)
        bounds = np.cumsum([0] + [len(ids) for ids in matched])
        sample = [
            ids[positions[(positions >= lo) & (positions < hi)] - lo]
            for ids, lo, hi in zip(matched, bounds[:-1], bounds[1:], strict=True)
        ]
        scale = total / FACET_EXACT
    counts: dict[str, dict] = {}
    segments = generation.segments
    for name in FACET_FIELDS:
        found: Counter = Counter()
        for (reader, _), ids in zip(generation.leaves, sample, strict=True):
            if not len(ids):
                continue
            if name == "halal":
                # True/False keys, as templates/catalog/search.html reads them.
                halal = int(segments.bits(reader, name)[ids].sum())
                found[True] += halal
                found[False] += len(ids) - halal
            elif name == "size":
                codes, values = segments.codes(reader, "sizes")
                tally = np.bincount(codes[ids], minlength=len(values))
                for code in np.flatnonzero(tally):
                    for size in values[code].split(","):
                        if size:
                            found[size] += int(tally[code])
            else:
                codes, values = segments.codes(reader, name)
                tally = np.bincount(codes[ids], minlength=len(values))
                for code in np.flatnonzero(tally):
                    found[values[code]] += int(tally[code])
        if scale != 1.0:
            found = Counter({key: _round(n * scale) for key, n in found.items()})
        counts[name] = {key: n for key, n in found.items() if n}
    return counts, scale == 1.0


def _round(estimate: float) -> int:
    """An estimate to two significant figures (1234 -> 1200): no false precision."""
    n = max(1, int(round(estimate)))
    digits = len(str(n))
    return n if digits <= 2 else int(round(n, 2 - digits))


class ProductIndex:
    """One per process and index folder; thread-safe for searching."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ix = None
        self._generation = None
        self._segments = _Segments()

    # --- lifecycle ---------------------------------------------------------------------

    def open(self):
        if self._ix is None:
            with self._lock:
                if self._ix is None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    if whoosh_index.exists_in(str(self.path)):
                        self._ix = self._open_current()
                    else:
                        self._ix = whoosh_index.create_in(str(self.path), make_schema())
                        (self.path / VERSION_FILE).write_text(SCHEMA_VERSION)
        return self._ix

    def _open_current(self):
        try:
            version = (self.path / VERSION_FILE).read_text().strip()
        except FileNotFoundError:
            version = None
        if version == SCHEMA_VERSION:
            return whoosh_index.open_dir(str(self.path))
        # Written by another version of this module: start an empty index at feed position
        # 0, which the change feed refills (`flask search reindex` does it at once).
        log.warning("search index at %s is of schema %s; starting it afresh", self.path, version)
        self._swap_in(self._build([], 0, procs=1))
        return whoosh_index.open_dir(str(self.path))

    def close(self):
        with self._lock:
            if self._generation is not None:
                self._generation.closer()  # closes its searcher, once
            self._generation = None
            self._ix = None

    def _current(self) -> _Generation:
        ix = self.open()
        with self._lock:
            generation = self._generation
            if generation is None or not generation.searcher.up_to_date():
                # A new searcher (~5 ms), not Searcher.refresh(): Whoosh 2.7's refresh keeps
                # the old reader of a segment that has new deletions (deleted products stay
                # findable), re-adds segments merged away, and fails on an empty index.
                # What is costly to read per segment stays in self._segments. The old
                # searcher closes when the last search holding its generation ends.
                searcher = ix.searcher()
                generation = self._generation = _Generation(searcher, self._segments)
                generation.closer = weakref.finalize(generation, searcher.close)
            return generation

    def searcher(self):
        """One long-lived searcher, replaced when the index changed."""
        return self._current().searcher

    # --- the feed position ---------------------------------------------------------------

    def position(self) -> int:
        try:
            return int((self.path / POSITION_FILE).read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _set_position(self, value: int) -> None:
        tmp = self.path / f"{POSITION_FILE}.tmp"
        tmp.write_text(str(value))
        os.replace(tmp, self.path / POSITION_FILE)

    def advance(self, position: int) -> None:
        """Record a feed position that needs no document change (no commit: searchers stay)."""
        self.open()
        self._set_position(position)

    # --- writing -------------------------------------------------------------------------

    def apply(self, documents: dict[int, dict | None], position: int, timeout: float = 5.0) -> bool:
        """Upsert (dict) or delete (None) products, then record the feed position.

        Returns False, without raising, when another writer holds the lock past
        ``timeout``: the feed rows stay and the next apply picks them up.
        """
        ix = self.open()
        try:
            writer = ix.writer(timeout=timeout)
        except LockError:
            log.info("search index busy; feed position %s kept for later", self.position())
            return False
        try:
            for product_id, document in documents.items():
                if document is None:
                    writer.delete_by_term("id", str(product_id))
                else:
                    writer.update_document(**index_fields(document))
            writer.commit()
        except Exception:
            writer.cancel()
            raise
        # A crash here re-applies the same rows next time: upserts are idempotent.
        self._set_position(position)
        return True

    def _build(self, documents, position: int, procs: int) -> tuple[Path, int]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="reindex-", dir=self.path.parent))
        ix = whoosh_index.create_in(str(tmp), make_schema())
        try:
            count = bulk.build(tmp, ix.indexname, ix.schema, documents, max(1, procs), index_fields)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for leftover in tmp.glob("*.tmp"):  # the per-document writers' scratch folders
            shutil.rmtree(leftover, ignore_errors=True)
        (tmp / POSITION_FILE).write_text(str(position))
        (tmp / VERSION_FILE).write_text(SCHEMA_VERSION)
        return tmp, count

    def _swap_in(self, built: tuple[Path, int]) -> int:
        tmp, count = built
        old = self.path.with_name(self.path.name + ".old")
        if self.path.exists():
            os.replace(self.path, old)
        os.replace(tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)
        return count

    def rebuild(self, documents, position: int, procs: int = 1) -> int:
        """Build a fresh index beside the live one and swap it in; returns the count."""
        built = self._build(documents, position, procs)
        self.close()
        return self._swap_in(built)

    def doc_ids(self) -> set[int]:
        with self.open().searcher() as s:
            return {int(fields["id"]) for fields in s.all_stored_fields()}

    # --- searching -----------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: Filters = Filters(),
        *,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        facets: bool = False,
        exact_facets: bool = False,
    ) -> SearchResult:
        """One page of matches, the exact total and (asked for) the facet counts.

        Every segment is searched apart with arrays (posting lists decoded a block at
        a time, BM25F as Whoosh scores it, filters as cached per-segment masks); the
        segments' best ``page * per_page`` are merged. Facet counts are exact up to
        FACET_EXACT matches; above, they are estimated from an even sample of that many
        matches (``facets_exact`` False) unless ``exact_facets`` asks for all. The total
        is always exact.
        """
        generation = self._current()
        words = list(dict.fromkeys(analyse(text)))
        clauses = generation.clauses(words)
        limit = page * per_page
        found = self._collect(generation, clauses, True, filters, sort, limit)
        if not found[0] and len(words) > 1:
            # All words did not meet in one product: fall back to any word, best first.
            found = self._collect(generation, clauses, False, filters, sort, limit)
        total, best, matched = found
        ids = [generation.stored_id(int(d)) for d in best[(page - 1) * per_page : limit]]
        counts: dict = {}
        facets_exact = True
        if facets:
            counts, facets_exact = _facet_counts(
                generation, matched, total, exact_facets or total <= FACET_EXACT
            )
        suggestion = None
        if words and total < 3:
            suggestion = self._suggest(generation, text)
        return SearchResult(
            ids=ids,
            total=total,
            page=page,
            per_page=per_page,
            facets=counts,
            suggestion=suggestion,
            facets_exact=facets_exact,
        )

    def _collect(self, generation, clauses, every_word, filters, sort, limit):
        """(total, best global document numbers in order, per-segment matches)."""
        order = SORTS.get(sort)
        total = 0
        matched = []
        best_ids, best_keys = [], []
        for number, (reader, offset) in enumerate(generation.leaves):
            ids, scores = generation.match(number, clauses, every_word, filters)
            matched.append(ids)
            total += len(ids)
            if not len(ids):
                continue
            if order:
                name, reverse = order
                values = self._segments.numbers(reader, name)[ids].astype(np.float64)
                scores = values if reverse else -values
            chosen = _top(ids, scores, limit)
            best_ids.append(ids[chosen] + offset)
            best_keys.append(scores[chosen])
        if not best_ids:
            return total, _NO_IDS, matched
        ids = np.concatenate(best_ids)
        keys = np.concatenate(best_keys)
        return total, ids[_top(ids, keys, limit)], matched

    def _suggest(self, generation: _Generation, text: str) -> str | None:
        key = text.strip().lower()
        if key in generation.suggestions:
            return generation.suggestions[key]
        return generation.suggestions.put(key, self.suggest(generation.searcher, text))

    def suggest(self, searcher, text: str) -> str | None:
        """'Did you mean': each unknown word replaced by the closest indexed name word."""
        corrector = searcher.corrector("name")
        words = analyse(text)
        changed = False
        out = []
        for word in words:
            if searcher.doc_frequency("text", word) or not word.isalpha():
                out.append(word)
                continue
            candidates = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            if candidates:
                out.append(candidates[0])
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None
