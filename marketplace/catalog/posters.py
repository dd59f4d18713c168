"""Printable A5 posters (issue 16): a storefront's or a chapter's QR code for market stalls
and bazaars. The QR code is drawn by segno as inline SVG (no image request, crisp in print)
and opens the storefront's or chapter's public URL (PUBLIC_BASE_URL)."""

import io
from dataclasses import dataclass

from markupsafe import Markup

from marketplace.core.urls import external_url


def qr_svg(url: str, *, title: str) -> Markup:
    """The QR code of ``url`` as an inline <svg> that scales with its box (a viewBox, no
    fixed size), error correction M (a poster gets folded and taped), with a title for
    screen readers."""
    import segno

    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        xmldecl=False,
        svgns=True,
        omitsize=True,
        title=title,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    svg = out.getvalue().decode()
    # segno escapes the title and writes only numbers into the path: the SVG is ours.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


@dataclass(frozen=True)
class Poster:
    title: str
    subtitle: str
    url: str
    qr: Markup
    verified: bool


def business_poster(business, permits) -> Poster:
    url = external_url("catalog.business", business_id=business.id)
    return Poster(
        title=business.name,
        subtitle=f"{business.chapter.name}, {business.chapter.kota}",
        url=url,
        qr=qr_svg(url, title=business.name),
        verified=any(p.kind == "nib" for p in permits),
    )


def chapter_poster(chapter) -> Poster:
    url = external_url("chapters.show", slug=chapter.slug)
    return Poster(
        title=chapter.name,
        subtitle=chapter.kota,
        url=url,
        qr=qr_svg(url, title=chapter.name),
        verified=True,  # a chapter's storefront shows only products past the legality gate
    )
