"""Bulk index building: segments written straight from arrays, in worker processes.

Whoosh's own writer analyses every field through token objects, pushes every posting
through an external sort and a call per posting (417 s for 1M products). Here each
worker takes every ``procs``-th batch of documents, analyses them with
``analysis.index_terms`` (the same terms, weights and lengths as the field analyzers),
keeps the postings as arrays per term and writes one segment of Whoosh's own format
(W3 codec: the same blocks, term infos, columns and stored fields that Whoosh's writer
produces), so Whoosh reads, updates and merges these segments as its own.
"""

import multiprocessing
import pickle
import queue
import zlib
from array import array
from itertools import count, repeat
from pathlib import Path

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
    _lenfield,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from marketplace.search.analysis import index_terms

BATCH = 2000  # documents per message to a worker
BLOCK = 128  # postings per block, as W3Codec writes them
COLUMN_FIELDS = (
    "category",
    "chapter",
    "created",
    "halal",
    "in_stock",
    "kota",
    "price",
    "rating",
    "sizes",
    "sold",
)


class _Postings:
    """Every (term, document, frequency, weight) of one field, as flat arrays."""

    def __init__(self):
        self.vocabulary: dict[str, int] = {}
        self.next_code = 0
        self.codes = array("I")
        self.docnums = array("I")
        self.freqs = array("I")
        self.weights = array("f")
        self.lengths = array("I")

    def add(self, docnum: int, freqs: dict, weights: dict, length: int) -> None:
        # C-level extends only: no Python step per posting.
        self.codes.extend(map(self.vocabulary.setdefault, freqs, count(self.next_code)))
        self.next_code += len(freqs)
        self.docnums.extend(repeat(docnum, len(freqs)))
        self.freqs.extend(freqs.values())
        self.weights.extend(weights.values())
        self.lengths.append(length)

    def by_term(self):
        """(term, ids, weights, freqs) in the term order of the term index."""
        codes = np.frombuffer(self.codes, dtype=np.uint32)
        order = np.argsort(codes, kind="stable")  # document order kept within a term
        codes = codes[order]
        docnums = np.frombuffer(self.docnums, dtype=np.uint32)[order].astype(np.int64)
        weights = np.frombuffer(self.weights, dtype=np.float32)[order]
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[order]
        del order
        present, first = np.unique(codes, return_index=True)
        ends = np.append(first[1:], len(codes))
        where = dict(
            zip(present.tolist(), zip(first.tolist(), ends.tolist(), strict=True), strict=True)
        )
        for term in sorted(self.vocabulary, key=str.encode):
            lo, hi = where[self.vocabulary[term]]
            yield term, docnums[lo:hi], weights[lo:hi], freqs[lo:hi]


class SegmentBuilder:
    """Writes one segment of documents in ``index_fields`` shape."""

    def __init__(self, folder: str, indexname: str, schema):
        self.storage = FileStorage(folder)
        self.schema = schema
        self.codec = W3Codec()
        self.segment = self.codec.new_segment(self.storage, indexname)
        self.count = 0
        self.ids: list[str] = []
        self.fields = {"name": _Postings(), "text": _Postings()}
        self.analysis = {
            "name": ((1.0,), False),
            "text": (schema["text"].analyzer.boosts, True),
        }
        self.columns: dict[str, list] = {name: [] for name in COLUMN_FIELDS}

    def add(self, fields: dict) -> None:
        docnum = self.count
        self.ids.append(fields["id"])
        for name, postings in self.fields.items():
            boosts, stemming = self.analysis[name]
            postings.add(docnum, *index_terms(fields[name], boosts, stemming))
        for name, values in self.columns.items():
            values.append(fields[name])
        self.count += 1

    def _write_columns(self) -> None:
        """Stored ids, field lengths and the value columns, as W3PerDocWriter would."""
        schema = self.schema
        perdoc = self.codec.per_document_writer(self.storage, self.segment)
        count = self.count
        stored = perdoc._get_column("_stored")
        for docnum, product_id in enumerate(self.ids):
            stored.add(docnum, {"id": product_id})
        perdoc._doccount = count
        for name, postings in self.fields.items():
            lengths = np.frombuffer(postings.lengths, dtype=np.uint32)
            perdoc._fieldlengths[name] = int(lengths.sum())
            values, inverse = np.unique(lengths, return_inverse=True)
            table = np.array([length_to_byte(int(v)) for v in values], dtype=np.uint8)
            coded = table[inverse].astype(np.uint8)
            _numbers(perdoc, _lenfield(name), LENGTHS_COLUMN, coded)
        for name, values in self.columns.items():
            column = schema[name].column_type
            if isinstance(column, columns.NumericColumn):
                data = np.array(values, dtype=np.uint64).astype(">" + column._typecode)
                _numbers(perdoc, name, column, data)
            elif isinstance(column, columns.BitColumn):
                perdoc._create_column(name, column)
                bits = np.packbits(np.array(values, dtype=bool), bitorder="little")
                perdoc._get_column(name)._bitset.bits = array("B", bits.tobytes())
            else:
                perdoc._create_column(name, column)
                writer = perdoc._get_column(name)
                for docnum, value in enumerate(values):
                    writer.add(docnum, value)
        perdoc.close()

    def finish(self):
        """Write the columns and postings and close the segment; returns it (picklable)."""
        self._write_columns()
        self.columns.clear()
        self.segment.set_doc_count(self.count)
        writer = self.codec.field_writer(self.storage, self.segment)
        postfile = writer._postfile
        tindex = writer._tindex
        fieldmap = writer._fieldmap
        for fieldid, fieldname in enumerate(("id", "name", "text")):
            fieldmap[fieldname] = fieldid
            prefix = pack_ushort(fieldid)
            if fieldname == "id":
                # One document per id: the postings inlined in the term info (no block
                # to read for a delete by id).
                for docnum, text in sorted(enumerate(self.ids), key=lambda item: item[1].encode()):
                    info = W3TermInfo(weight=1.0, df=1, maxweight=1.0, minid=docnum, maxid=docnum)
                    info.set_inlined((docnum,), (1.0,), (b"",))
                    tindex.add(prefix + text.encode(), info.to_bytes())
                continue
            postings = self.fields[fieldname]
            lengths = _quantised(postings.lengths)
            for term, ids, weights, freqs in postings.by_term():
                info = _write_term(postfile, ids, weights, freqs, lengths)
                tindex.add(prefix + term.encode(), info.to_bytes())
            self.fields[fieldname] = _Postings()  # free the arrays before the next field
        writer.close()
        return self.segment


def _numbers(perdoc, name, column, data: np.ndarray) -> None:
    """A fixed-width column written at once (what its writer's add() per document does)."""
    perdoc._create_column(name, column)
    writer = perdoc._get_column(name)
    writer._dbfile.write(data.tobytes())
    writer._count = len(data)


def _quantised(lengths: array) -> np.ndarray:
    """Each document's field length as the per-document reader returns it (one byte)."""
    values, inverse = np.unique(np.frombuffer(lengths, dtype=np.uint32), return_inverse=True)
    table = np.array([byte_to_length(length_to_byte(int(v))) for v in values], dtype=np.int64)
    return table[inverse]


def _write_term(postfile, ids, weights, freqs, lengths) -> W3TermInfo:
    """One posting list in W3PostingsWriter's blocks; returns its term info."""
    info = W3TermInfo()
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    count = len(ids)
    deltas = np.diff(ids, prepend=0)
    deltas[::BLOCK] = ids[::BLOCK]  # each block's first id is absolute
    doclengths = lengths[ids]
    values = freqs.astype(">u4")
    minlength, maxlength, maxweight = None, 0, 0.0
    for first in range(0, count, BLOCK):
        end = min(first + BLOCK, count)
        block_weights = weights[first:end]
        if (block_weights == 1.0).all():
            mini = None
        elif (block_weights == block_weights[0]).all():
            mini = float(block_weights[0])
        else:
            mini = tuple(block_weights.tolist())
        block_lengths = doclengths[first:end]
        present = block_lengths[block_lengths > 0]
        low = int(present.min()) if len(present) else None
        high = int(block_lengths.max())
        top = max(0.0, float(block_weights.max()))
        data = pickle.dumps(
            (tuple(deltas[first:end].tolist()), mini, values[first:end].tobytes()), 2
        )
        data = zlib.compress(data, 3)
        header = pickle.dumps(
            (end - first, int(ids[end - 1]), top, 3, length_to_byte(low), length_to_byte(high)), 2
        )
        size = len(header) + len(data)
        postfile.write_int(-size if end == count else size)
        postfile.write(header)
        postfile.write(data)
        if low is not None:
            minlength = low if minlength is None else min(minlength, low)
        maxlength = max(maxlength, high)
        maxweight = max(maxweight, top)
    info._weight = float(weights.sum(dtype=np.float64))
    info._df = count
    info._minlength = minlength
    info._maxlength = maxlength
    info._maxweight = maxweight
    info._minid = int(ids[0])
    info._maxid = int(ids[-1])
    info.set_extent(start, postfile.tell() - start)
    return info


def _work(number, folder, indexname, schema, prepare, inbox, results) -> None:
    """A worker process: documents from ``inbox`` until None, then its segment."""
    try:
        builder = SegmentBuilder(folder, indexname, schema)
        while (batch := inbox.get()) is not None:
            for document in batch:
                builder.add(prepare(document))
        results.put((number, builder.finish() if builder.count else None, None))
    except BaseException as error:  # reported to the parent, which raises
        results.put((number, None, repr(error)))


def _put(box, item, worker, results) -> None:
    """Put, unless the worker behind ``box`` died (then raise with its message)."""
    while True:
        try:
            box.put(item, timeout=1.0)
            return
        except queue.Full:
            if not worker.is_alive():
                try:
                    _, _, error = results.get(timeout=1.0)
                except queue.Empty:
                    error = "no message"
                raise RuntimeError(f"a search index worker stopped: {error}") from None


def build(folder: Path, indexname: str, schema, documents, procs: int, prepare) -> int:
    """Write ``documents`` as new segments of the (empty) index in ``folder``: one per
    process, batches dealt in turn; ``prepare`` (a module-level function, run in the
    workers) gives a document's ``index_fields`` dict. Returns the count."""
    segments = []
    count = 0
    if procs <= 1:
        builder = SegmentBuilder(str(folder), indexname, schema)
        for document in documents:
            builder.add(prepare(document))
        count = builder.count
        if count:
            segments.append(builder.finish())
    else:
        # fork: no re-import per worker. A forked worker never touches the parent's
        # database connections and ends with os._exit (multiprocessing), so it closes
        # none of them.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        inboxes = [context.Queue(maxsize=4) for _ in range(procs)]
        results = context.Queue()
        workers = [
            context.Process(
                target=_work,
                args=(n, str(folder), indexname, schema, prepare, inboxes[n], results),
                daemon=True,
            )
            for n in range(procs)
        ]
        for worker in workers:
            worker.start()
        try:
            batch: list[dict] = []
            turn = 0
            for document in documents:
                batch.append(document)
                count += 1
                if len(batch) == BATCH:
                    _put(inboxes[turn % procs], batch, workers[turn % procs], results)
                    batch, turn = [], turn + 1
            if batch:
                _put(inboxes[turn % procs], batch, workers[turn % procs], results)
            for box, worker in zip(inboxes, workers, strict=True):
                _put(box, None, worker, results)
            found = {}
            while len(found) < procs:
                try:
                    number, segment, error = results.get(timeout=1.0)
                except queue.Empty:
                    # A worker gone without its message (killed, out of memory).
                    waiting = [w for n, w in enumerate(workers) if n not in found]
                    if not any(w.is_alive() for w in waiting) and results.empty():
                        raise RuntimeError("a search index worker stopped") from None
                    continue
                if error:
                    raise RuntimeError(f"search index worker failed: {error}")
                found[number] = segment
            segments = [found[n] for n in range(procs) if found[n] is not None]
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
                worker.join()
    storage = FileStorage(str(folder))
    TOC(schema, segments, 1).write(storage, indexname)
    clean_files(storage, indexname, 1, segments)
    return count
