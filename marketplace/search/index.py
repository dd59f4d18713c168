"""The Whoosh product index: the only module that talks to Whoosh.

It holds listed products only, is derived from the database, and can be rebuilt at any
time. Visibility filters are Whoosh ``filter=`` objects, never part of the user's query
text, so ``status:draft`` or ``chapter:x`` typed by a user is searched as plain words.
"""

import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import sorting
from whoosh.fields import BOOLEAN, ID, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, Every, FuzzyTerm, NumericRange, Or, Term

from marketplace.search.analysis import analyse, indonesian_analyzer

log = logging.getLogger("pasarkita.search")

FACET_FIELDS = ("category", "chapter", "kota", "halal")
SORTS = {
    "relevance": None,
    "price_asc": ("price", False),
    "price_desc": ("price", True),
    "newest": ("created", True),
}
POSITION_FILE = "feed_position"


def make_schema() -> Schema:
    analyzer = indonesian_analyzer()
    # No positions (phrase=False): nobody searches phrases on a phone, and it halves the
    # index and its build time. Boosts: name over description over business name.
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=analyzer, phrase=False, field_boost=3.0, spelling=True),
        description=TEXT(analyzer=analyzer, phrase=False, field_boost=1.5),
        business_name=TEXT(analyzer=analyzer, phrase=False, field_boost=1.0),
        category=ID(sortable=True),
        chapter=ID(sortable=True),
        kota=ID(sortable=True),
        halal=BOOLEAN(),
        in_stock=BOOLEAN(),
        price=NUMERIC(bits=64, sortable=True, signed=False),
        created=NUMERIC(bits=64, sortable=True, signed=False),
    )


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

    def query(self):
        parts = []
        for name in ("category", "chapter", "kota"):
            value = getattr(self, name)
            if value:
                parts.append(Term(name, value))
        if self.halal is not None:
            parts.append(Term("halal", self.halal))
        if self.in_stock:
            parts.append(Term("in_stock", True))
        if self.min_price is not None or self.max_price is not None:
            parts.append(NumericRange("price", self.min_price, self.max_price))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)


class ProductIndex:
    """One per process and index folder; thread-safe for searching."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ix = None
        self._searcher = None

    # --- lifecycle ---------------------------------------------------------------------

    def open(self):
        if self._ix is None:
            with self._lock:
                if self._ix is None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    if whoosh_index.exists_in(str(self.path)):
                        self._ix = whoosh_index.open_dir(str(self.path))
                    else:
                        self._ix = whoosh_index.create_in(str(self.path), make_schema())
        return self._ix

    def close(self):
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._ix = None

    def searcher(self):
        """One long-lived searcher, refreshed (cheaply) when the index changed."""
        ix = self.open()
        with self._lock:
            if self._searcher is None:
                self._searcher = ix.searcher()
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
            return self._searcher

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
                    writer.update_document(**document)
            writer.commit()
        except Exception:
            writer.cancel()
            raise
        # A crash here re-applies the same rows next time: upserts are idempotent.
        self._set_position(position)
        return True

    def rebuild(self, documents, position: int, procs: int = 1) -> int:
        """Build a fresh index beside the live one and swap it in; returns the count."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="reindex-", dir=self.path.parent))
        ix = whoosh_index.create_in(str(tmp), make_schema())
        kwargs = {"limitmb": 256}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        writer = ix.writer(**kwargs)
        count = 0
        for document in documents:
            writer.add_document(**document)
            count += 1
        writer.commit()
        (tmp / POSITION_FILE).write_text(str(position))
        self.close()
        old = self.path.with_name(self.path.name + ".old")
        if self.path.exists():
            os.replace(self.path, old)
        os.replace(tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)
        return count

    def doc_ids(self) -> set[int]:
        with self.open().searcher() as s:
            return {int(fields["id"]) for fields in s.all_stored_fields()}

    # --- searching -----------------------------------------------------------------------

    def _words_query(self, words: list[str], conjunction):
        fields_ = ("name", "description", "business_name")
        clauses = []
        for word in words:
            alternatives = [Term(f, word) for f in fields_]
            if len(word) >= 4 and word.isalpha():
                # One edit away, same first letter: "kripik" finds "keripik".
                alternatives.append(FuzzyTerm("name", word, maxdist=1, prefixlength=1, boost=0.5))
            clauses.append(Or(alternatives))
        return conjunction(clauses) if len(clauses) > 1 else clauses[0]

    def build_query(self, text: str, any_word: bool = False):
        """Query for the user's text. Whatever they type becomes plain words."""
        words = analyse(text)
        if not words:
            return Every()
        conjunction = Or if any_word else And
        return self._words_query(list(dict.fromkeys(words)), conjunction)

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
        searcher = self.searcher()
        query = self.build_query(text)
        sortedby = None
        reverse = False
        if SORTS.get(sort):
            name, reverse = SORTS[sort]
            sortedby = sorting.FieldFacet(name, reverse=reverse)
        groupedby = None
        if facets:
            groupedby = {
                name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACET_FIELDS
            }
        filter_query = filters.query()
        limit = page * per_page

        def run(q):
            return searcher.search(
                q,
                limit=limit,
                filter=filter_query,
                sortedby=sortedby,
                groupedby=groupedby,
                terms=False,
            )

        results = run(query)
        if results.is_empty() and text.strip() and len(analyse(text)) > 1:
            # All words did not meet in one product: fall back to any word, best first.
            results = run(self.build_query(text, any_word=True))
        hits = results[(page - 1) * per_page : limit]
        ids = [int(hit["id"]) for hit in hits]
        if exact_total or facets:
            total, exact = len(results), True
        else:
            exact = results.has_exact_length()
            total = len(results) if exact else results.estimated_length()
        counts = {}
        if facets:
            for name in FACET_FIELDS:
                counts[name] = dict(results.groups(name))
        suggestion = None
        if text.strip() and total < 3:
            suggestion = self.suggest(searcher, text)
        return SearchResult(
            ids=ids,
            total=total,
            exact_total=exact,
            page=page,
            per_page=per_page,
            facets=counts,
            suggestion=suggestion,
        )

    def suggest(self, searcher, text: str) -> str | None:
        """'Did you mean': each unknown word replaced by the closest indexed name word."""
        corrector = searcher.corrector("name")
        words = analyse(text)
        changed = False
        out = []
        for word in words:
            if searcher.doc_frequency("name", word) or not word.isalpha():
                out.append(word)
                continue
            candidates = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            if candidates:
                out.append(candidates[0])
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None
