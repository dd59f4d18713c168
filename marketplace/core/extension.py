"""The module contract: what a feature or a plug-in registers on the app.

Every registry lives on the app object (``app.extensions["pasarkita"]``), never in a module
global, so two apps in one process (the host alone and the host with the referral network,
as the tests build them) never share menus, labels or demo data. A feature registers in its
``init_app(app)``; the host's templates and services read the registry and never name a
plug-in's endpoint, label or status (CTFd's ``load(app)`` with menus on the app object).

Registries:
- areas (one per role: its menu heading, who holds it, its rank as a main role) and the
  role facts the menu reads with the login session (``register_area``, ``register_role_fact``);
- navigation entries per audience (``shopper``, ``owner``, ``lead``, ``bank``, ``admin``)
  and per page slot (``lead.dashboard``, ``lead.member``, ``admin.dashboard``, ...);
- labels per namespace (``status`` for every lifecycle's states);
- notification texts per kind;
- demo-data steps, pathway providers, dashboard figures, OpenAPI parts, migration folders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, url_for

KEY = "pasarkita"

AUDIENCES = ("shopper", "owner", "lead", "bank", "admin")


@dataclass(frozen=True)
class NavEntry:
    """A link in a menu or on a page.

    ``items(user, context)`` may yield several ``(label, url_values)`` pairs (one per
    chapter a lead leads, one per bank an officer works for); without it the entry is one
    link to ``endpoint`` with ``values(context)`` (or none). ``visible(user)`` hides it.
    """

    place: str
    endpoint: str
    label: Any
    order: int = 100
    values: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    items: Callable[[Any, Mapping[str, Any]], Iterable[tuple[Any, Mapping[str, Any]]]] | None = None
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Link:
    """A resolved navigation entry, ready for a template."""

    label: str
    url: str
    endpoint: str


@dataclass(frozen=True)
class Figure:
    """A dashboard figure: ``compute(context)`` returns ``[(label, value)]`` in one query."""

    place: str
    key: str
    compute: Callable[[Mapping[str, Any]], list[tuple[Any, Any]]]
    order: int = 100


@dataclass(frozen=True)
class Area:
    """A role's area of the site: its menu links are the nav entries of ``place`` and its
    home is the first of them. ``holds(user)`` says whether the user has the role;
    ``priority`` orders the areas (the lowest held one is the user's main role, where they
    land after logging in). The shop (``priority`` None) is everyone's and nobody's home."""

    place: str
    label: Any
    holds: Callable[[Any], bool]
    priority: int | None = None


@dataclass
class Registry:
    nav: dict[str, list[NavEntry]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, Any] = field(default_factory=dict)
    demo_steps: list[Callable] = field(default_factory=list)
    pathway_providers: list[Callable] = field(default_factory=list)
    figures: dict[str, list[Figure]] = field(default_factory=dict)
    openapi_parts: list[Callable[[], Mapping[str, Any]]] = field(default_factory=list)
    migration_folders: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    scope_resolvers: dict[str, Callable] = field(default_factory=dict)
    assist_endpoints: dict[str, set[str]] = field(default_factory=dict)
    personal_data: list[Callable] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    role_facts: dict[str, Callable] = field(default_factory=dict)
    summary_watches: dict[type, Callable[[Any], int | None]] = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    reg = app.extensions.get(KEY)
    if reg is None:
        reg = app.extensions[KEY] = Registry()
    return reg


def has_feature(name: str, app: Flask | None = None) -> bool:
    return name in registry(app).features


def register_feature(app: Flask, name: str) -> bool:
    """Mark ``name`` as installed; False when it already was (init_app twice is harmless)."""
    reg = registry(app)
    if name in reg.features:
        return False
    reg.features.append(name)
    return True


# --- navigation ----------------------------------------------------------------------------


def register_nav(
    app: Flask,
    place: str,
    endpoint: str,
    label: Any,
    *,
    order: int = 100,
    values: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    items: Callable[[Any, Mapping[str, Any]], Iterable[tuple[Any, Mapping[str, Any]]]]
    | None = None,
    visible: Callable[[Any], bool] | None = None,
) -> None:
    entries = registry(app).nav.setdefault(place, [])
    entries.append(NavEntry(place, endpoint, label, order, values, items, visible))
    entries.sort(key=lambda e: e.order)


def nav_links(place: str, user: Any = None, **context: Any) -> list[Link]:
    """The links registered for ``place`` that ``user`` may see, in order."""
    out = []
    for entry in registry().nav.get(place, ()):
        if entry.visible is not None and not entry.visible(user):
            continue
        if entry.items is not None:
            for label, values in entry.items(user, context):
                out.append(Link(str(label), url_for(entry.endpoint, **values), entry.endpoint))
            continue
        values = entry.values(context) if entry.values else {}
        out.append(Link(str(entry.label), url_for(entry.endpoint, **values), entry.endpoint))
    return out


def register_area(
    app: Flask, place: str, label: Any, *, holds: Callable[[Any], bool], priority: int | None
) -> None:
    """A role's area in the header menu (``place``'s nav entries under ``label``)."""
    reg = registry(app)
    if any(area.place == place for area in reg.areas):
        return
    reg.areas.append(Area(place, label, holds, priority))
    reg.areas.sort(key=lambda a: (a.priority is not None, a.priority or 0))


@dataclass(frozen=True)
class AreaLinks:
    place: str
    label: str
    links: list[Link]
    priority: int | None

    @property
    def home(self) -> Link | None:
        return self.links[0] if self.links else None


def areas(user: Any) -> list[AreaLinks]:
    """The areas ``user`` holds (the shop first), each with its links: the header menu and
    the role switcher."""
    out = []
    for area in registry().areas:
        if not area.holds(user):
            continue
        links = nav_links(area.place, user)
        if links:
            out.append(AreaLinks(area.place, str(area.label), links, area.priority))
    return out


def main_home(user: Any) -> str | None:
    """The URL of the home of ``user``'s main role (the held area of lowest priority), or
    None for someone who only shops (they go back where they were)."""
    for area in registry().areas:
        if area.priority is None or not area.holds(user):
            continue
        links = nav_links(area.place, user)
        if links:
            return links[0].url
    return None


def register_role_fact(app: Flask, name: str, column: Callable[[Any], Any]) -> None:
    """A fact about the signed-in user the menu needs (``"owner"``, ``"bank_officer"``):
    ``column(user_id_column)`` returns a scalar subquery, added to the one statement that
    loads the login session (so the header costs no statement of its own). The value is
    ``user.role_facts[name]``."""
    registry(app).role_facts.setdefault(name, column)


def role_fact(user: Any, name: str) -> Any:
    return (getattr(user, "role_facts", None) or {}).get(name)


# --- labels and messages -------------------------------------------------------------------


def register_labels(app: Flask, namespace: str, labels: Mapping[str, Any]) -> None:
    """Add labels; a value that is already labelled keeps the first feature's label."""
    table = registry(app).labels.setdefault(namespace, {})
    for key, label in labels.items():
        table.setdefault(str(key), label)


def label(namespace: str, value: Any) -> str:
    key = str(getattr(value, "value", value))
    return str(registry().labels.get(namespace, {}).get(key, key))


def register_messages(app: Flask, messages: Mapping[str, Any]) -> None:
    """Notification texts by kind (``%(name)s`` placeholders); kinds are unique."""
    table = registry(app).messages
    for kind, text in messages.items():
        if kind in table and table[kind] is not text:
            raise ValueError(f"notification kind {kind!r} is registered twice")
        table[kind] = text


def message(kind: str) -> Any:
    try:
        return registry().messages[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind}") from None


# --- demo data, pathway, figures, API, migrations ------------------------------------------


def register_demo_step(app: Flask, step: Callable) -> None:
    """``step(make_user)`` adds a feature's demo data through its services and returns login
    lines ``[(role, e-mail, start page)]``; ``make_user(email, name)`` gives a demo account."""
    steps = registry(app).demo_steps
    if step not in steps:
        steps.append(step)


def register_pathway_provider(app: Flask, provider: Callable) -> None:
    """``provider(business_ids)`` (a SELECT of ids, never a list; None for every business)
    returns ``{fact: SELECT}``: per fact (``"endorsed"``, ``"permodalan"``) a SELECT of
    ``(business_id, value)`` with at most one row per business, not executed. The host
    outer-joins them to one member's or one page's members, or counts them per chapter
    (``mentoring.pathway``), so a provider costs no statement of its own."""
    providers = registry(app).pathway_providers
    if provider not in providers:
        providers.append(provider)


def register_summary_watch(app: Flask, model: type, business_of: Callable[[Any], int | None]):
    """Changes to ``model`` rows may change the 7 PAS facts of the member
    ``business_of(row)`` returns (a pathway provider's facts): after each flush touching one,
    that member's summary rows are recomputed (``mentoring.summaries``)."""
    registry(app).summary_watches[model] = business_of


def register_figure(
    app: Flask,
    place: str,
    key: str,
    compute: Callable[[Mapping[str, Any]], list[tuple[Any, Any]]],
    *,
    order: int = 100,
) -> None:
    figures = registry(app).figures.setdefault(place, [])
    figures.append(Figure(place, key, compute, order))
    figures.sort(key=lambda f: f.order)


def figures(place: str, **context: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for figure in registry().figures.get(place, ()):
        out.extend((str(label), value) for label, value in figure.compute(context))
    return out


def register_openapi(app: Flask, part: Callable[[], Mapping[str, Any]]) -> None:
    """``part()`` returns ``{"paths": {...}, "components": {...}, "tags": [...]}`` to merge."""
    registry(app).openapi_parts.append(part)


def register_migrations(app: Flask, folder: str) -> None:
    """An Alembic version folder (a branch that depends on the host's revisions)."""
    folders = registry(app).migration_folders
    if folder not in folders:
        folders.append(folder)


def plugin_names(spec: str | Iterable[str]) -> tuple[str, ...]:
    """Plug-in package names from a comma-separated string (``PASARKITA_PLUGINS``) or a list."""
    names = spec.split(",") if isinstance(spec, str) else spec
    return tuple(name.strip() for name in names if name.strip())


def install_plugins(app: Flask, spec: str | Iterable[str]) -> tuple[str, ...]:
    """Call each named plug-in package's ``init_app(app)``; the host never names one itself."""
    from importlib import import_module

    names = plugin_names(spec)
    for name in names:
        import_module(name).init_app(app)
    return names


def register_scope_resolver(app: Flask, name: str, resolver: Callable) -> None:
    """A feature answers a question core's scope checks ask, e.g. ``"lead_chapter"``:
    ``resolver(user, slug)`` -> the chapter ``user`` leads under ``slug``, or None."""
    registry(app).scope_resolvers[name] = resolver


def scope_resolver(name: str) -> Callable | None:
    return registry().scope_resolvers.get(name)


def register_assist_endpoints(app: Flask, task: str, endpoints: Iterable[str]) -> None:
    """Endpoints a helper in assisted mode may open for ``task`` (every other page is closed
    while acting for a member; the services check the grant again)."""
    registry(app).assist_endpoints.setdefault(task, set()).update(endpoints)


def register_personal_data(app: Flask, provider: Callable) -> None:
    """``provider(user)`` returns ``[(section, label, rows)]``: what a feature holds about
    ``user`` for the "My data" page and its export (rows: a list of flat dicts). ``provider.
    on_delete(user)``, when present, returns what happens to it on a deletion request."""
    providers = registry(app).personal_data
    if provider not in providers:
        providers.append(provider)


def plugin_version_locations(config):
    """Alembic reads the host's versions plus the folders the current app's plug-ins registered.

    Registered once on the module-level ``migrate``; it reads ``current_app``'s registry, so a
    host built without the referral network never sees (nor applies) that branch.
    """
    import os

    folders = registry(current_app).migration_folders
    if folders:
        host = os.path.join(config.get_main_option("script_location"), "versions")
        # ConfigParser interpolates "%"; path_separator=os splits on os.pathsep only.
        locations = os.pathsep.join([host, *folders]).replace("%", "%%")
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", locations)
    return config


def init_app(app: Flask) -> None:
    """Create the registry and expose it to templates."""
    from marketplace.core.statemachine import allowed_actions, can
    from marketplace.extensions import migrate

    registry(app)
    if plugin_version_locations not in migrate.configure_callbacks:
        migrate.configure(plugin_version_locations)
    app.jinja_env.globals.update(
        nav_links=nav_links,
        figures=figures,
        label=label,
        can=can,
        allowed_actions=allowed_actions,
        user_areas=areas,
    )
