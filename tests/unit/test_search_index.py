"""The product index at scale: bulk-built segments are Whoosh's own, searches read each
segment apart, and a new segment leaves what was read from the others alone."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from marketplace.search import index as search_index
from marketplace.search.analysis import SECTION, index_terms, indonesian_analyzer
from marketplace.search.index import Filters, ProductIndex, index_fields, make_schema

WORDS = [
    "keripik",
    "singkong",
    "pedas",
    "kepedasan",
    "sambal",
    "bawang",
    "batik",
    "tulis",
    "wanita",
    "pakaian",
    "kemeja",
    "pria",
    "kerajinan",
    "rotan",
    "pengrajin",
    "tas",
    "anyaman",
    "kue-kue",
    "kering",
    "madu",
    "hutan",
    "kopi",
    "arabika",
    "ikan",
    "asin",
    "lulur",
    "beras",
    "sabun",
    "sereh",
    "dan",
    "yang",
    "untuk",
    "di",
    "buku",
    "cerita",
    "anak",
]
CHAPTERS = ("tebet", "cakung", "senen", "menteng")
CATEGORIES = ("kuliner", "fashion", "kriya", "kosmetik")


def products(n: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for number in range(1, n + 1):
        chapter = rng.choice(CHAPTERS)
        out.append(
            {
                "id": str(number),
                "name": " ".join(rng.choices(WORDS, k=rng.randint(1, 4))).title(),
                "description": ". ".join(
                    " ".join(rng.choices(WORDS, k=rng.randint(2, 8))) for _ in range(3)
                ),
                "business_name": f"Toko {rng.choice(WORDS).title()}",
                "category": rng.choice(CATEGORIES),
                "chapter": chapter,
                "kota": f"31.7{CHAPTERS.index(chapter)}",
                "halal": rng.random() < 0.4,
                "in_stock": rng.random() < 0.8,
                "price": rng.randrange(1_000, 300_000, 500),
                "created": 1_704_067_200 + rng.randrange(0, 10**7),
            }
        )
    return out


QUERIES = [
    ("", Filters(), "relevance"),
    ("keripik", Filters(), "relevance"),
    ("kripik pedas", Filters(), "relevance"),
    ("pakaian wanita", Filters(category="fashion"), "relevance"),
    ("kerajinan rotan", Filters(in_stock=True, halal=False), "price_asc"),
    ("kue", Filters(min_price=50_000, max_price=200_000), "price_desc"),
    ("madu kopi", Filters(chapter="senen"), "newest"),
    ("batk tulis", Filters(), "relevance"),
    ("sabun", Filters(kota="31.71"), "relevance"),
]


def outcomes(index: ProductIndex) -> list:
    found = []
    for text, filters, sort in QUERIES:
        for page in (1, 2):
            r = index.search(text, filters, sort=sort, page=page, per_page=7, facets=True)
            found.append((r.ids, r.total, r.facets, r.suggestion))
    return found


@pytest.fixture(autouse=True)
def closing(monkeypatch):
    """Every ProductIndex a test opens is closed after it (its files stay open until then)."""
    opened = []
    original = ProductIndex.__init__

    def remember(self, path):
        original(self, path)
        opened.append(self)

    monkeypatch.setattr(ProductIndex, "__init__", remember)
    yield
    for index in opened:
        index.close()


def whoosh_written(path, documents) -> ProductIndex:
    """The same documents through Whoosh's own writer (the reference format)."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema())
    writer = ix.writer()
    for document in documents:
        writer.add_document(**index_fields(document))
    writer.commit()
    (path / search_index.VERSION_FILE).write_text(search_index.SCHEMA_VERSION)
    return ProductIndex(path)


@pytest.mark.parametrize("procs", [1, 2])
def test_bulk_built_index_answers_exactly_as_a_whoosh_written_one(tmp_path, procs):
    documents = products(600)
    reference = whoosh_written(tmp_path / "whoosh", documents)
    built = ProductIndex(tmp_path / "bulk")
    assert built.rebuild(iter(documents), position=7, procs=procs) == 600
    assert built.position() == 7
    assert built.doc_ids() == {int(d["id"]) for d in documents}
    assert outcomes(built) == outcomes(reference)


def test_bulk_built_segments_take_whoosh_updates_deletes_and_merges(tmp_path):
    documents = products(400)
    index = ProductIndex(tmp_path / "bulk")
    index.rebuild(iter(documents), position=0, procs=2)
    changed = {}
    for number, document in enumerate(documents[:40]):
        if number % 4 == 0:
            changed[int(document["id"])] = None  # unlisted
        else:
            changed[int(document["id"])] = dict(document, name=document["name"] + " Rendang")
    for position, (product_id, document) in enumerate(changed.items(), start=1):
        assert index.apply({product_id: document}, position=position)
    kept = [d for d in documents if changed.get(int(d["id"]), True) is not None]
    expected = [changed.get(int(d["id"])) or d for d in kept]
    reference = whoosh_written(tmp_path / "whoosh", expected)
    # Whoosh merges the small update segments (and then all of them) with its own reader.
    ix = index.open()
    with ix.writer() as writer:
        writer.optimize = True
    assert index.doc_ids() == {int(d["id"]) for d in expected}
    rendang = index.search("rendang", per_page=100)
    assert sorted(rendang.ids) == sorted(int(d["id"]) for d in expected if "Rendang" in d["name"])
    for (ids, total, facets, _), (ref_ids, ref_total, ref_facets, _) in zip(
        outcomes(index), outcomes(reference), strict=True
    ):
        assert total == ref_total
        assert facets == ref_facets
        assert sorted(ids) == sorted(ref_ids) or len(ids) == len(ref_ids)


def test_a_new_segment_leaves_the_other_segments_arrays_alone(tmp_path):
    documents = products(500)
    index = ProductIndex(tmp_path / "bulk")
    index.rebuild(iter(documents), position=0, procs=1)
    filters = Filters(category="kuliner", in_stock=True, min_price=20_000)
    before = index.search("kue kering", filters, sort="price_asc", facets=True)
    (segment_id,) = index._segments._data
    arrays = dict(index._segments._data[segment_id])
    masks = dict(arrays["masks"])
    changed = dict(documents[3], name="Kue Kering Baru", category="kuliner")
    index.apply({int(changed["id"]): changed}, position=1)
    after = index.search("kue kering", filters, sort="price_asc", facets=True)
    assert len(index._segments._data) == 2  # the big segment and the update's
    kept = index._segments._data[segment_id]
    for key, value in arrays.items():
        if key != "masks":
            assert kept[key] is value, key  # not read again
    for key, value in masks.items():
        assert kept["masks"][key] is value
    assert after.total in (before.total, before.total + 1)


def test_a_words_posting_list_is_decoded_once_per_segment_and_a_new_segment_keeps_them(
    tmp_path,
):
    """A common word's posting list (tens of thousands of products at 1M) is decoded on
    its first search only; an update's new segment leaves the big segment's lists alone."""
    documents = products(500)
    index = ProductIndex(tmp_path / "bulk")
    index.rebuild(iter(documents), position=0, procs=1)
    first = outcomes(index)
    cached = dict(index._segments._postings)
    assert ("text", "keripik") in {key[1:] for key in cached}
    assert outcomes(index) == first
    for key, value in cached.items():
        assert index._segments._postings[key] is value, key  # not decoded again
    changed = dict(documents[3], name="Keripik Pedas Baru")
    index.apply({int(changed["id"]): changed}, position=1)
    after = index.search("keripik pedas", per_page=500)
    assert int(changed["id"]) in after.ids
    for key, value in cached.items():
        assert index._segments._postings[key] is value, key
    reference = whoosh_written(tmp_path / "whoosh", [changed, *documents[:3], *documents[4:]])
    assert sorted(after.ids) == sorted(reference.search("keripik pedas", per_page=500).ids)


def test_searches_answer_the_same_when_the_posting_cache_evicts(tmp_path):
    documents = products(400)
    index = ProductIndex(tmp_path / "bulk")
    index.rebuild(iter(documents), position=0, procs=2)
    expected = outcomes(index)
    small = ProductIndex(tmp_path / "bulk")
    small._segments = search_index._Segments(postings_limit=60)
    assert outcomes(small) == expected
    assert small._segments._postings_size <= 60


def test_facet_counts_above_the_bound_are_estimates_with_exact_counts_on_demand(
    tmp_path, monkeypatch
):
    documents = products(300)
    index = ProductIndex(tmp_path / "bulk")
    index.rebuild(iter(documents), position=0, procs=1)
    exact = index.search("", facets=True)
    assert exact.facets_exact
    assert sum(exact.facets["category"].values()) == 300
    monkeypatch.setattr(search_index, "FACET_EXACT", 50)
    estimated = index.search("", facets=True)
    assert not estimated.facets_exact
    assert estimated.total == 300  # the total stays exact
    for name in ("category", "chapter"):
        for value, count in exact.facets[name].items():
            assert abs(estimated.facets[name].get(value, 0) - count) <= 0.5 * count + 20
    asked = index.search("", facets=True, exact_facets=True)
    assert asked.facets_exact
    assert asked.facets == exact.facets


# Words, function words, sentence ends, long runs (a long section is cut at sentence ends)
# and letters whose lower case grows (İ).
TEXT = st.lists(
    st.sampled_from([*WORDS, " ", ". ", "! ", ".", ",", "-", "\n", "İ", "À", "é", "K", "a"]),
    max_size=60,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(name=TEXT, description=TEXT, business=TEXT)
def test_index_terms_are_what_the_field_analyzers_index(name, description, business):
    from whoosh.formats import Frequency

    value = SECTION.join((name, description, business))
    for boosts, stemming, text in (
        ((3.0, 1.5, 1.0), True, value),
        ((1.0,), False, name),
    ):
        analyzer = indonesian_analyzer(boosts, stemming=stemming)
        expected = {
            term: (freq, weight)
            for term, freq, weight, _ in Frequency().word_values(text, analyzer, mode="index")
        }
        freqs, weights, length = index_terms(text, boosts, stemming)
        assert {t: (freqs[t], weights[t]) for t in freqs} == expected
        assert length == sum(freq for freq, _ in expected.values())


@pytest.mark.parametrize(("size", "each"), [(300, 100), (60_000, 20_000), (200_000, 9_000)])
def test_intersecting_posting_lists_keeps_the_common_documents_and_sums_their_scores(size, each):
    import numpy as np

    rng = np.random.default_rng(size)
    a = np.sort(rng.choice(size, each, replace=False)).astype(np.int64)
    b = np.sort(rng.choice(size, each * 2, replace=False)).astype(np.int64)
    sa, sb = rng.random(len(a)), rng.random(len(b))
    common, where_a, where_b = np.intersect1d(a, b, return_indices=True)
    for first, second in (((a, sa), (b, sb)), ((b, sb), (a, sa))):
        ids, scores = search_index._intersect(*first, *second)
        assert np.array_equal(ids, common)
        assert np.allclose(scores, sa[where_a] + sb[where_b])
