"""The Whoosh product index: the only module that talks to Whoosh.

It holds listed products only, is derived from the database, and can be rebuilt at any
time. Visibility filters are Whoosh ``filter=`` objects, never part of the user's query
text, so ``status:draft`` or ``chapter:x`` typed by a user is searched as plain words.

Speed (bench/search.py, 100k products; targets in QUALITY.md "Performance"):
- the words of name, description and business name go into one field, weighted 3 : 1.5 : 1
  per word, so a query word reads one posting list instead of three;
- typo variants are added only for words that are rare or unknown in the index;
- category, chapter, kota, halal, in stock, price and date are columns, not indexed
  terms; filters, facets and sorting read them as lists kept per segment (segments never
  change once written, so a refresh after a small change reads only the new segment);
- one long-lived searcher, replaced when the index changed, with the filter sets, typo
  variants and suggestions that hold until then;
- BM25F scores exactly as Whoosh's, with document lengths from those per-segment lists;
- the exact total and the facet counts, when asked for, come from one unscored pass.
"""

import bisect
import logging
import os
import shutil
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import columns, scoring, sorting
from whoosh import index as whoosh_index
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, Every, Or, Term
from whoosh.util.numeric import byte_to_length

from marketplace.search.analysis import SECTION, analyse, indonesian_analyzer

log = logging.getLogger("pasarkita.search")

FACET_FIELDS = ("category", "chapter", "kota", "halal")
SORTS = {
    "relevance": None,
    "price_asc": ("price", False),
    "price_desc": ("price", True),
    "newest": ("created", True),
}
POSITION_FILE = "feed_position"
# Bump when make_schema() or index_fields() change: an index of another version is
# replaced by an empty one at feed position 0 (the change feed refills it).
SCHEMA_VERSION = "2"
VERSION_FILE = "schema_version"
# Name over description over business name, as weights inside the one "text" field.
TEXT_BOOSTS = (3.0, 1.5, 1.0)
# A word of 4+ letters found in fewer products than this also matches the indexed name
# words one edit away ("kripik" finds "keripik"); a common word matches only itself.
FUZZY_BELOW = 3
FUZZY_BOOST = 0.5
CACHE_LIMIT = 4096  # entries per cache per searcher generation


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
    }


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    exact_total: bool
    page: int
    per_page: int
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    chapter: str | None = None
    kota: str | None = None
    halal: bool | None = None
    in_stock: bool | None = None
    min_price: int | None = None
    max_price: int | None = None

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
        return parts

    def has_price(self) -> bool:
        return self.min_price is not None or self.max_price is not None


class _Bounded(dict):
    """A dict that forgets everything when it grows past its limit (cheap and enough)."""

    def put(self, key, value):
        if len(self) >= CACHE_LIMIT:
            self.clear()
        self[key] = value
        return value


_LENGTH_OF_BYTE = [byte_to_length(b) or 0 for b in range(256)]


class _Segments:
    """Values read once per index segment, by segment id.

    A segment never changes once written: a deletion only marks documents, which every
    query skips anyway, so a filter set that still holds a deleted document is harmless.
    A refresh after a small change therefore reads only the new segment. Entries of
    segments that are gone (merged, or a rebuilt index) are dropped by ``keep_only``.
    """

    def __init__(self):
        self._data: dict[str, dict] = {}

    def _of(self, reader) -> dict:
        return self._data.setdefault(reader.segment().segment_id(), {})

    def keep_only(self, leaves) -> None:
        live = {reader.segment().segment_id() for reader, _ in leaves}
        for key in [k for k in self._data if k not in live]:
            self._data.pop(key, None)

    def column(self, reader, name) -> list:
        """The column's value for each of the segment's documents (bytes decoded)."""
        data = self._of(reader)
        values = data.get(("column", name))
        if values is None:
            if reader.has_column(name):
                values = list(reader.column_reader(name))
                if values and isinstance(values[0], bytes):
                    values = [v.decode() for v in values]
            else:
                values = [None] * reader.doc_count_all()
            data[("column", name)] = values
        return values

    def documents_by_value(self, reader, name) -> dict[object, list[int]]:
        """The segment's document numbers for each value of a column."""
        data = self._of(reader)
        found = data.get(("by_value", name))
        if found is None:
            found = {}
            for docnum, value in enumerate(self.column(reader, name)):
                found.setdefault(value, []).append(docnum)
            data[("by_value", name)] = found
        return found

    def global_set(self, reader, offset, name, value) -> set[int]:
        """Global document numbers (segment's + offset) whose column ``name`` is ``value``.

        Kept per offset: a segment's offset changes only when a segment before it goes.
        """
        data = self._of(reader)
        key = ("set", name, value, offset)
        found = data.get(key)
        if found is None:
            docnums = self.documents_by_value(reader, name).get(value, ())
            found = data[key] = set(map(offset.__add__, docnums))
        return found

    def price_order(self, reader) -> tuple[list[int], list[int]]:
        """(prices ascending, the segment's document numbers in that order)."""
        data = self._of(reader)
        found = data.get("price_order")
        if found is None:
            prices = self.column(reader, "price")
            order = sorted(range(len(prices)), key=prices.__getitem__)
            found = data["price_order"] = ([prices[i] for i in order], order)
        return found

    def lengths(self, reader, fieldname) -> list[int]:
        """Field length of each document (Whoosh would decode a column cell per score)."""
        data = self._of(reader)
        lengths = data.get(("lengths", fieldname))
        if lengths is None:
            perdoc = getattr(reader, "_perdoc", None)
            column = None
            if perdoc is not None and hasattr(perdoc, "_cached_reader"):
                from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

                column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is not None:
                lengths = [_LENGTH_OF_BYTE[b] for b in column]
            else:  # another codec: the public (slower) way
                lengths = [
                    reader.doc_field_length(n, fieldname, 0) or 0
                    for n in range(reader.doc_count_all())
                ]
            data[("lengths", fieldname)] = lengths
        return lengths


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
        self.term_sets = _Bounded()
        self.filter_sets = _Bounded()
        self.variants = _Bounded()
        self.suggestions = _Bounded()
        self._columns = {}

    def term_set(self, name, value) -> set[int]:
        key = (name, value)
        found = self.term_sets.get(key)
        if found is None:
            parts = [self.segments.global_set(r, offset, name, value) for r, offset in self.leaves]
            found = self.term_sets.put(key, set().union(*parts))
        return found

    def column(self, name) -> list:
        """A column as a list by (global) document number."""
        values = self._columns.get(name)
        if values is None:
            values = []
            for reader, _ in self.leaves:
                values += self.segments.column(reader, name)
            self._columns[name] = values
        return values

    def price_set(self, low: int | None, high: int | None) -> set[int]:
        found = set()
        for reader, offset in self.leaves:
            prices, order = self.segments.price_order(reader)
            lo = 0 if low is None else bisect.bisect_left(prices, low)
            hi = len(prices) if high is None else bisect.bisect_right(prices, high)
            found.update(map(offset.__add__, order[lo:hi]))
        return found

    def allowed(self, filters: "Filters") -> set[int] | None:
        """Document numbers the filters allow (None: all), cached per Filters value."""
        if filters in self.filter_sets:
            return self.filter_sets[filters]
        sets = [self.term_set(name, value) for name, value in filters.terms()]
        if filters.has_price():
            sets.append(self.price_set(filters.min_price, filters.max_price))
        if not sets:
            allowed = None
        else:
            sets.sort(key=len)
            allowed = sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]
        return self.filter_sets.put(filters, allowed)

    def matching(self, query, allowed: set[int] | None) -> list[int]:
        """Every document number the query matches and the filters allow."""
        docs = self.searcher.docs_for_query(query)
        if allowed is None:
            return list(docs)
        return [d for d in docs if d in allowed]

    def facet_counts(self, docnums: list[int]) -> dict[str, dict]:
        counts = {}
        for name in FACET_FIELDS:
            if name == "halal":
                # True/False keys, as templates/catalog/search.html reads them (Whoosh's
                # groupedby gave the raw terms "t"/"f", so the page always showed 0).
                halal = len(self.term_set("halal", True).intersection(docnums))
                found = {True: halal, False: len(docnums) - halal}
                counts[name] = {key: n for key, n in found.items() if n}
            else:
                counts[name] = dict(Counter(map(self.column(name).__getitem__, docnums)))
        return counts

    def fuzzy_variants(self, word: str) -> tuple[str, ...]:
        """Indexed name words one edit from a rare or unknown ``word`` (same first letter)."""
        if len(word) < 4 or not word.isalpha():
            return ()
        found = self.variants.get(word)
        if found is None:
            searcher = self.searcher
            if searcher.doc_frequency("text", word) >= FUZZY_BELOW:
                found = ()
            else:
                words = searcher.reader().terms_within("name", word, 1, prefix=1)
                found = tuple(sorted(set(words) - {word}))
            self.variants.put(word, found)
        return found


# --- scoring and sorting from plain lists ------------------------------------------------


class _Scorer(scoring.BM25FScorer):
    """Whoosh's BM25F scorer with the document length taken from a list."""

    def __init__(self, searcher, fieldname, text, B, K1, lengths, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self._lengths = lengths
        self._top = self.idf * (K1 + 1)
        self._k = K1 * (1 - B)
        self._kb = K1 * B / self.avgfl

    def score(self, matcher):
        tf = matcher.weight()
        return self._top * tf / (tf + self._k + self._kb * self._lengths[matcher.id()])


class Weighting(scoring.BM25F):
    """BM25F (same parameters, same scores) without a column read per scored document."""

    def __init__(self, segments: _Segments | None = None, **kwargs):
        super().__init__(**kwargs)
        self.segments = segments or _Segments()

    def scorer(self, searcher, fieldname, text, qf=1):
        reader = searcher.reader()
        one_segment = reader.is_atomic() and _has_segment(reader)
        if one_segment and searcher.schema[fieldname].scorable:
            lengths = self.segments.lengths(reader, fieldname)
            B = self._field_B.get(fieldname, self.B)
            return _Scorer(searcher, fieldname, text, B, self.K1, lengths, qf=qf)
        return super().scorer(searcher, fieldname, text, qf)


class _ColumnFacet(sorting.FacetType):
    """Sort by a numeric column read into per-segment lists (Whoosh decodes a cell per doc)."""

    def __init__(self, segments: _Segments, name: str, reverse: bool = False):
        self.segments = segments
        self.name = name
        self.reverse = reverse

    def categorizer(self, global_searcher):
        return _ColumnCategorizer(self.segments, self.name, self.reverse)


class _ColumnCategorizer(sorting.Categorizer):
    def __init__(self, segments, name, reverse):
        self.segments = segments
        self.name = name
        self.sign = -1 if reverse else 1
        self.values = []

    def set_searcher(self, segment_searcher, offset):
        self.values = self.segments.column(segment_searcher.reader(), self.name)

    def key_for(self, matcher, segment_docnum):
        return self.sign * self.values[segment_docnum]


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
                self._generation.searcher.close()
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
                # searcher is not closed: a search in another thread may still use it.
                searcher = ix.searcher(weighting=Weighting(self._segments))
                generation = self._generation = _Generation(searcher, self._segments)
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
        kwargs = {"limitmb": 512}  # per process; 256 spills sorted runs to disk and merges
        if procs > 1:
            # One segment per process, not merged: merging would cost as much again.
            kwargs.update(procs=procs, multisegment=True, batchsize=500)
        writer = ix.writer(**kwargs)
        count = 0
        try:
            for document in documents:
                writer.add_document(**index_fields(document))
                count += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
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

    def _words_query(self, generation: _Generation, words: list[str], conjunction):
        clauses = []
        for word in words:
            alternatives = [Term("text", word)]
            alternatives += [
                Term("name", variant, boost=FUZZY_BOOST)
                for variant in generation.fuzzy_variants(word)
            ]
            clauses.append(alternatives[0] if len(alternatives) == 1 else Or(alternatives))
        return conjunction(clauses) if len(clauses) > 1 else clauses[0]

    def build_query(self, text: str, any_word: bool = False):
        """Query for the user's text. Whatever they type becomes plain words."""
        words = analyse(text)
        if not words:
            return Every()
        conjunction = Or if any_word else And
        return self._words_query(self._current(), list(dict.fromkeys(words)), conjunction)

    def search(
        self,
        text: str,
        filters: Filters = Filters(),
        *,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        facets: bool = False,
        exact_total: bool = False,
    ) -> SearchResult:
        generation = self._current()
        searcher = generation.searcher
        words = list(dict.fromkeys(analyse(text)))
        allowed = generation.allowed(filters)
        suggestion = None
        if allowed is not None and not allowed:
            # Nothing passes the filters (and Whoosh reads an empty filter set as "none").
            if words:
                suggestion = self._suggest(generation, text)
            counts = {name: {} for name in FACET_FIELDS} if facets else {}
            return SearchResult([], 0, True, page, per_page, counts, suggestion)

        sortedby = None
        if SORTS.get(sort):
            name, reverse = SORTS[sort]
            sortedby = _ColumnFacet(self._segments, name, reverse=reverse)
        limit = page * per_page

        def run(q):
            return searcher.search(q, limit=limit, filter=allowed, sortedby=sortedby, terms=False)

        query = self._words_query(generation, words, And) if words else Every()
        results = run(query)
        if results.is_empty() and len(words) > 1:
            # All words did not meet in one product: fall back to any word, best first.
            query = self._words_query(generation, words, Or)
            results = run(query)
        hits = results[(page - 1) * per_page : limit]
        ids = [int(hit["id"]) for hit in hits]
        counts = {}
        if exact_total or facets:
            # One unscored pass over the matches; counts come from per-generation lists
            # (Whoosh's groupedby would score, sort and decode columns for every match).
            matched = generation.matching(query, allowed)
            total, exact = len(matched), True
            if facets:
                counts = generation.facet_counts(matched)
        else:
            exact = results.has_exact_length()
            total = len(results) if exact else results.estimated_length()
        if words and total < 3:
            suggestion = self._suggest(generation, text)
        return SearchResult(
            ids=ids,
            total=total,
            exact_total=exact,
            page=page,
            per_page=per_page,
            facets=counts,
            suggestion=suggestion,
        )

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
