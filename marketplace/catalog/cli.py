"""CLI for operators and scripts: the same services, so the same gate."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, ProductImage, ProductStatus
from marketplace.core import uploads
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.views import command_unit_of_work
from marketplace.extensions import db
from marketplace.legality import services as legality
from marketplace.legality.models import LegalityDocument

products = AppGroup("products", help="Publish or withdraw products (legality gate applies).")
permits = AppGroup("permits", help="Permit expiry and re-checks.")
uploads_cli = AppGroup("uploads", help="Stored files.")


@products.command("set-status")
@click.argument("product_id", type=int)
@click.argument(
    "status", type=click.Choice([ProductStatus.LISTED.value, ProductStatus.UNLISTED.value])
)
@click.option(
    "--without-photo", is_flag=True, help='List it although it has no photo ("tanpa foto").'
)
def set_status(product_id: int, status: str, without_photo: bool) -> None:
    """List or unlist a product as the platform (role: system)."""
    try:
        product = db.session.get(Product, parse_id(product_id))
    except NotFound:
        product = None  # an id no column can hold: no such product either
    if product is None:
        raise click.ClickException(f"no product {product_id}")
    with command_unit_of_work():
        catalog.set_status(product, status, actor=None, role="system", without_photo=without_photo)
    click.echo(f"product {product_id}: {product.status}")


@permits.command("expire")
def expire() -> None:
    """Mark lapsed permits expired, unlist what depended on them, warn 30 days ahead."""
    stats = legality.expire_permits()
    db.session.commit()
    click.echo(
        f"expired {stats['expired']} permit(s), unlisted {stats['unlisted']} product(s), "
        f"warned about {stats['warned']} permit(s) expiring within 30 days"
    )


@permits.command("recheck")
def recheck() -> None:
    """Re-check every listed product against the permit table; unlist what now fails.

    Run once after deploying a corrected permit table (issue 13), then `permits expire`
    keeps doing it daily."""
    unlisted = legality.recheck_listed(note="permit table corrected")
    db.session.commit()
    click.echo(f"unlisted {len(unlisted)} product(s): {[p.id for p in unlisted]}")


def referenced_keys() -> set[str]:
    """Every stored file a row points at: permit documents and both sizes of each photo."""
    keys = set(db.session.scalars(select(LegalityDocument.file_key)))
    for image in db.session.scalars(select(ProductImage)):
        keys.update(image.stored_keys())  # every rendition (issue 16), old sizes too
    from marketplace.reviews.models import ReviewPhoto  # buyers' review photos (issue 16)

    for photo in db.session.scalars(select(ReviewPhoto)):
        keys.update(photo.stored_keys())
    return keys


@uploads_cli.command("orphans")
@click.option("--delete", is_flag=True, help="Remove them (otherwise only list them).")
def orphans(delete: bool) -> None:
    """Files in the upload folder that no document or photo references, older than an hour
    (a crash between writing a file and the rollback that removes it leaves one)."""
    found = uploads.orphans(referenced_keys())
    db.session.rollback()
    for path in found:
        if delete:
            path.unlink(missing_ok=True)
        click.echo(f"{'removed' if delete else 'orphan'} {path.name}")
    verb = "removed" if delete else "found"
    click.echo(f"{verb} {len(found)} orphan file(s)")


@uploads_cli.command("renditions")
@click.option("--batch", default=100, show_default=True, help="Photos per transaction.")
def renditions(batch: int) -> None:
    """Make the responsive WebP/JPEG copies of photos stored before them (issue 16).

    Safe to run again and to stop: each batch commits on its own, and a photo that has its
    renditions is skipped. A photo whose file is missing is reported and left as it is."""
    done = failed = 0
    after = 0
    while True:
        images = catalog.images_without_renditions(after, batch)
        if not images:
            break
        for image in images:
            after = image.id
            try:
                with db.session.begin_nested():
                    catalog.backfill_renditions(image)
                done += 1
            except (OSError, ValidationFailed) as exc:
                failed += 1
                click.echo(f"photo {image.id} (product {image.product_id}): {exc}", err=True)
        db.session.commit()
    db.session.rollback()
    click.echo(f"made renditions for {done} photo(s); {failed} could not be read")
