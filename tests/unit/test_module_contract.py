"""The module contract, read from the source (issue 10).

View modules parse, load through a scoped loader, call one service and render: the unit of
work (``marketplace/core/views.py``) commits and turns refused rules into messages, so no
view module commits, catches a ``DomainError`` (or any subclass, found by subclassing, not
by a list) or loads a row with ``db.session.get``. And ``marketplace/core`` is cross-cutting:
it imports no feature package.
"""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import marketplace
import referrals
from marketplace.core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "marketplace"
PLUGIN = ROOT / "referrals"
# The unit of work itself is the one place that commits and catches DomainError.
UNIT_OF_WORK = HOST / "core" / "views.py"
CORE_MAY_IMPORT = ("marketplace.core", "marketplace.extensions", "marketplace.config")


def _import_everything() -> None:
    """Import every module so that every DomainError subclass is defined."""
    for package in (marketplace, referrals):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


def domain_error_names() -> set[str]:
    _import_everything()
    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def host_view_modules() -> list[Path]:
    files = {
        *HOST.rglob("views.py"),
        *HOST.rglob("me.py"),
        *HOST.rglob("webhooks.py"),
        *HOST.rglob("review_page.py"),
        *(HOST / "api").glob("*.py"),
    }
    return sorted(f for f in files if f != UNIT_OF_WORK and f.name != "__init__.py")


def referral_view_modules() -> list[Path]:
    files = {
        *PLUGIN.glob("**/web/*.py"),
        *PLUGIN.glob("**/api/*.py"),
        *PLUGIN.glob("views_*.py"),
        *PLUGIN.glob("bank_*.py"),
        *PLUGIN.glob("admin_views.py"),
    }
    return sorted(f for f in files if f.name != "__init__.py")


def _names(node: ast.AST | None) -> list[str]:
    """The class names an ``except`` clause names (``X``, ``mod.X``, ``(X, Y)``)."""
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [name for element in node.elts for name in _names(element)]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    return []


def violations(path: Path, domain_errors: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "commit":
                found.append(f"{where} calls .commit(): let @unit_of_work commit")
            owner = node.func.value
            if (
                node.func.attr == "get"
                and isinstance(owner, ast.Attribute)
                and owner.attr == "session"
            ):
                found.append(f"{where} calls db.session.get(): load through a scoped loader")
        if isinstance(node, ast.ExceptHandler):
            caught = sorted(set(_names(node.type)) & domain_errors)
            if caught:
                found.append(f"{where} catches {', '.join(caught)}: use domain_errors()")
    return found


@pytest.fixture(scope="module")
def domain_errors_defined() -> set[str]:
    return domain_error_names()


def test_domain_error_subclasses_are_found_by_subclassing(domain_errors_defined):
    # A few that live in features: the scan must see them without a list.
    assert {"NotFound", "ValidationFailed", "ListingGateError", "LoginFailed"} <= (
        domain_errors_defined
    )


def test_view_modules_are_found():
    names = {str(p.relative_to(HOST)) for p in host_view_modules()}
    assert {"orders/views.py", "api/me.py", "payments/webhooks.py", "api/views.py"} <= names
    assert "core/views.py" not in names


@pytest.mark.parametrize("path", host_view_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_host_views_neither_commit_nor_catch_domain_errors(path, domain_errors_defined):
    assert violations(path, domain_errors_defined) == []


@pytest.mark.parametrize("path", referral_view_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_referral_views_neither_commit_nor_catch_domain_errors(path, domain_errors_defined):
    assert violations(path, domain_errors_defined) == []


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def test_core_imports_no_feature_package():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((HOST / "core").rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.split(".")[0] in ("marketplace", "referrals")
        and not any(
            module == allowed or module.startswith(allowed + ".") for allowed in CORE_MAY_IMPORT
        )
    ]
    assert offending == []


# POST-accepting views that write nothing, with the reason.
READS_ONLY = {"accounts.account": "renders the forms; they post to their own endpoints"}


def test_every_host_view_that_accepts_post_runs_in_a_unit_of_work():
    from tests.conftest import build_app

    app = build_app("sqlite://")
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ())
        and app.view_functions[rule.endpoint].__module__.startswith("marketplace.")
        and not getattr(app.view_functions[rule.endpoint], "unit_of_work", False)
        and rule.endpoint not in READS_ONLY
    )
    assert missing == []
