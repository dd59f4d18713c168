"""The product change feed: exact under concurrent writers, pruned, and rebuilt when far behind."""

import fcntl
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.catalog.models import Product
from marketplace.core.timeutil import utcnow
from marketplace.search import services as search
from marketplace.search.cli import search as search_cli
from marketplace.search.index import ProductIndex
from marketplace.search.models import SearchChange, SearchNode
from tests.factories import make_product


@pytest.fixture
def listed(world, db):
    return [
        make_product(business=world.biz_tebet, name="Keripik Singkong Pedas", status="listed"),
        make_product(business=world.biz_cakung, name="Kemeja Batik Pria", status="listed"),
    ]


def found(word) -> list[int]:
    return search.get_index().search(word).ids


def follow_once(app):
    result = app.test_cli_runner().invoke(search_cli, ["follow", "--once"])
    assert result.exit_code == 0, result.output
    return result


def use_index_folder(app, path):
    """Point this app at another index folder, as a second server would have."""
    index = app.extensions.pop("search_index", None)
    if index is not None:
        index.close()
    app.config["SEARCH_INDEX_DIR"] = str(path)


def rename(product_id, name):
    product = search.db.session.get(Product, product_id)
    product.name = name
    search.db.session.commit()


# --- concurrent writers --------------------------------------------------------------------


@pytest.mark.postgres
def test_a_row_that_commits_after_a_later_id_is_still_applied(app, db, listed):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two concurrent writers need PostgreSQL (DATABASE_URL_TEST)")
    first, second = listed
    search.apply_feed()
    writer_a = Session(db.engine)
    writer_b = Session(db.engine)
    try:
        # A writes first and takes feed row n, B takes n+1 and commits before A does.
        writer_a.get(Product, first.id).name = "Kopi Gayo Arabika"
        writer_a.flush()
        writer_b.get(Product, second.id).name = "Teh Tarik Melati"
        writer_b.commit()
        db.session.rollback()
        search.apply_feed()  # the node applies while A is still open
        writer_a.commit()
        db.session.rollback()
        search.apply_feed()
    finally:
        writer_a.close()
        writer_b.close()
    last_row = {
        pid: db.session.scalar(
            select(func.max(SearchChange.id)).where(SearchChange.product_id == pid)
        )
        for pid in (first.id, second.id)
    }
    assert last_row[first.id] < last_row[second.id]  # A's row has the lower id, committed last
    assert found("gayo") == [first.id]
    assert found("tarik") == [second.id]


def test_an_idle_node_after_a_rolled_back_writer_still_converges(app, db, listed):
    first, _ = listed
    search.apply_feed()
    other = Session(db.engine)
    try:
        other.get(Product, first.id).name = "Dodol Betawi"
        other.flush()
        other.rollback()
    finally:
        other.close()
    rename(first.id, "Kerak Telor Betawi")
    follow_once(app)
    assert found("telor") == [first.id]
    assert found("dodol") == []


# --- one applier per index folder ------------------------------------------------------------


def test_a_second_process_on_the_same_folder_waits_for_the_feed_lock(app, db, listed):
    first, _ = listed
    search.apply_feed()
    position = search.get_index().position()
    rename(first.id, "Bir Pletok")
    lock_path = search.get_index().path.with_name(search.get_index().path.name + ".feed-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another worker is applying
        assert search.apply_feed(timeout=0.1) == 0
        assert search.get_index().position() == position
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert search.apply_feed() == 1
    assert found("pletok") == [first.id]


# --- pruning and nodes far behind ------------------------------------------------------------


def feed_rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def test_follow_records_the_node_and_prune_keeps_what_it_has_not_applied(app, db, listed):
    first, _ = listed
    follow_once(app)
    node = db.session.scalar(select(SearchNode))
    assert node.position == search.get_index().position()
    rename(first.id, "Roti Buaya")  # committed, not applied yet
    before = feed_rows(db)
    assert search.prune() == before - 1
    assert feed_rows(db) == 1  # the row the node still needs
    follow_once(app)
    assert found("buaya") == [first.id]
    assert search.prune() == 1
    assert feed_rows(db) == 0


def test_prune_keeps_everything_while_no_node_reports(app, db, listed):
    rows = feed_rows(db)
    assert rows > 0
    assert search.prune() == 0
    assert feed_rows(db) == rows


def test_a_node_not_seen_for_a_day_no_longer_holds_the_feed(app, db, listed):
    follow_once(app)
    db.session.add(SearchNode(name="old-server", position=0, seen_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert search.prune(ttl_hours=24) > 0
    assert db.session.get(SearchNode, "old-server") is None


def test_a_node_behind_the_pruned_feed_rebuilds(app, db, listed, tmp_path):
    first, second = listed
    follow_once(app)
    rename(first.id, "Asinan Bogor")
    follow_once(app)
    search.prune()
    assert feed_rows(db) == 0
    # A second server's fresh index (position 0) cannot catch up from the pruned feed.
    use_index_folder(app, tmp_path / "second_server")
    assert search.apply_feed() == 0
    assert found("asinan") == []
    follow_once(app)  # follow rebuilds it from the database
    assert found("asinan") == [first.id]
    assert search.get_index().doc_ids() == {first.id, second.id}
    assert db.session.scalar(select(func.count()).select_from(SearchNode)) == 2


def test_an_index_folder_is_one_node_whatever_the_worker(app, db, listed):
    follow_once(app)
    follow_once(app)
    names = db.session.scalars(select(SearchNode.name)).all()
    assert names == [search.node_name()]
    assert str(ProductIndex(app.config["SEARCH_INDEX_DIR"]).path.resolve()) in names[0]


@pytest.mark.postgres
def test_an_index_from_before_txids_rebuilds_on_its_first_follow(app, db, listed):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("feed positions are transaction ids on PostgreSQL only")
    # The folder's position was written as a row id by the code before txids: as a txid it
    # could be anything (here far ahead, so every new row would look applied).
    search.get_index().advance(10**12)
    follow_once(app)
    assert search.get_index().doc_ids() == {p.id for p in listed}
    assert search.get_index().position() < 10**12
