"""Demo data for `flask seed-demo` (and `make run`): development only.

Nothing on a production start imports this package (create_app and wsgi do not); the
seed-demo command imports it when it runs. Every row is made through the real services,
deterministically (fixed seeds) and once (a second run adds nothing).

Plug-ins add their part with ``core.extension.register_demo_step(app, step)``:
``step(make_user) -> [(role, e-mail, start page)]``, where ``make_user(email, name)``
returns the demo account of that e-mail.
"""

from marketplace.demo.accounts import DEMO_PASSWORD, demo_user

DEMO_SEED = 2026

__all__ = ["DEMO_PASSWORD", "DEMO_SEED", "demo_user", "seed"]


def seed() -> list[tuple[str, str, str]]:
    """Load reference data and the demo; returns (role, e-mail, start page) login lines.
    The caller commits."""
    from faker import Faker  # a development dependency, like this package
    from flask import current_app

    from marketplace.chapters import services as chapters
    from marketplace.core.extension import registry
    from marketplace.demo.aftersales import seed_aftersales, seed_cod
    from marketplace.demo.books import seed_books
    from marketplace.demo.mentoring import seed_mentoring
    from marketplace.demo.orders import seed_orders
    from marketplace.demo.photos import seed_catalogue
    from marketplace.demo.shipping import seed_shipping
    from marketplace.demo.smes import seed_smes, verified_owners
    from marketplace.demo.tools import seed_tools

    fake = Faker("id_ID")
    Faker.seed(DEMO_SEED)
    chapters.ensure_reference_data()

    logins: list[tuple[str, str, str]] = []
    admin = demo_user("admin@pasarkita.test", "Admin Pasarkita", is_admin=True)
    logins.append(("admin", admin.email, "/admin/"))

    for slug, email in (
        ("tebet", "pengurus.tebet@pasarkita.test"),
        ("cakung", "pengurus.cakung@pasarkita.test"),
    ):
        chapter = chapters.get_chapter_by_slug(slug)
        lead = demo_user(email, fake.name(), fake.numerify("0812########"))
        if not chapters.is_lead(lead, chapter):
            chapters.assign_lead(chapter, lead.email, admin=admin)
        logins.append((f"chapter lead ({chapter.name})", lead.email, f"/lead/{slug}/"))

    consumers = []
    for i in range(1, 5):
        consumer = demo_user(f"pembeli{i}@pasarkita.test", fake.name())
        consumers.append(consumer)
        if i == 1:
            logins.append(("consumer", consumer.email, "/orders"))

    logins.extend(seed_smes(fake, admin))
    seed_catalogue(admin)  # issue 16: 62 more sellers, 310 products with illustrations
    seed_orders(fake, consumers, admin)
    seed_aftersales(consumers, admin)
    seed_shipping()  # after the year of orders: those stay orders from before the options
    seed_cod(consumers)  # COD orders need the delivery options: one per COD state
    seed_books(verified_owners())
    seed_mentoring()
    from marketplace.demo.pdp import seed_assist

    seed_assist()
    seed_tools()
    from marketplace.demo.variants import seed_variants

    seed_variants()  # issue 16: sizes and colours on the clothes, after the orders
    from marketplace.demo.reviews import seed_reviews

    seed_reviews(consumers)  # issue 16: reviews on about half the listed products
    for step in registry(current_app).demo_steps:
        logins.extend(step(lambda email, name: demo_user(email, name)))
    from marketplace.demo.coherence import registered_before_their_first_activity
    from marketplace.demo.rest11 import seed_summaries

    registered_before_their_first_activity()  # the pathway's first step comes first
    seed_summaries()
    return logins
