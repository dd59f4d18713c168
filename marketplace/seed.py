"""Demo data that later features add to `flask seed-demo` (businesses, products, ...)."""


def extend_demo(fake, admin) -> list[tuple[str, str, str]]:
    """Create feature demo data; returns extra (role, email, start page) login lines."""
    return []
