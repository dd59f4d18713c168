"""The OpenAPI 3.1 document served at ``/api/v1/openapi.json``.

The host documents its own public catalogue API; each plug-in registers its part with
``register_openapi(app, part)`` and ``build()`` merges them. The schemas are built from the
same constants the views validate against (categories, sorts, page sizes), and the
schemathesis run in the tests checks every response against the served document, so it
cannot drift from the code unnoticed.
"""

from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from marketplace.core.extension import registry


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(name: str) -> dict:
    """A shared error response (BadRequest, NotFound, Conflict, or one a part adds)."""
    return {"$ref": f"#/components/responses/{name}"}


def id_parameter(name: str, maximum: int) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": maximum},
    }


def _product_detail(product: dict) -> dict:
    """One product as GET /products/{id} answers: the list item plus its weight and its
    seller's delivery options (issue 15; the list leaves them out, one query less each)."""
    return {
        **product,
        "required": [*product["required"], "weight_grams", "delivery"],
        "properties": {
            **product["properties"],
            "weight_grams": nullable("integer", minimum=1),
            "delivery": {
                "type": "array",
                "items": ref("DeliveryOption"),
                "description": "The seller's delivery options; empty: the seller arranges "
                "delivery with ongkir included. Prices depend on the buyer's kelurahan and "
                "are shown at checkout.",
            },
        },
    }


def _delivery_option() -> dict:
    return {
        "type": "object",
        "required": ["kind", "courier", "zones", "cod"],
        "additionalProperties": False,
        "properties": {
            "kind": {"type": "string", "enum": ["pickup", "seller", "courier"]},
            "courier": nullable(
                "string",
                enum=["jne", "jnt", "sicepat", "anteraja", "pos", "gosend", "grabexpress", None],
            ),
            "zones": {
                "type": "array",
                "items": {"type": "string", "enum": ["kelurahan", "kecamatan", "kota", "jakarta"]},
                "description": "Where it delivers, seen from the seller (empty for pickups).",
            },
            "cod": {"type": "boolean", "description": "Pay on delivery or at pickup offered."},
        },
    }


def _schemas() -> dict:
    schemas = _base_schemas()
    schemas["ProductDetail"] = _product_detail(schemas["Product"])
    schemas["DeliveryOption"] = _delivery_option()
    _add_variants(schemas)
    return schemas


def _add_variants(schemas: dict) -> None:
    """Issue 16: every product's variants (sizes, colours, one named option), [] when none."""
    schemas["Variant"] = {
        "type": "object",
        "required": ["id", "label", "options", "price_idr", "in_stock"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string", "description": 'What the buyer picks, e.g. "M / Merah".'},
            "options": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": 'Option name to value, e.g. {"Ukuran": "M", "Warna": "Merah"}.',
            },
            "price_idr": {
                "type": "integer",
                "minimum": 1,
                "description": "The product's price plus this variant's difference.",
            },
            "in_stock": {"type": "boolean"},
        },
    }
    variants = {
        "type": "array",
        "items": ref("Variant"),
        "description": "The variants a buyer picks from (one is required to buy); empty: none.",
    }
    for name in ("Product", "ProductDetail"):
        schema = schemas[name]
        schema["required"] = [*schema["required"], "variants"]
        schema["properties"] = {**schema["properties"], "variants": variants}


def _base_schemas() -> dict:
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {
                            "type": "string",
                            "description": "Stable machine code: unauthorized, not_found, "
                            "invalid, invalid_parameter, illegal_transition, ...",
                        },
                        "message": {"type": "string"},
                        "request_id": {"type": "string"},
                        "field": {"type": "string"},
                        "state": {"type": "string"},
                        "action": {"type": "string"},
                    },
                }
            },
        },
        "Chapter": {
            "type": "object",
            "required": ["slug", "name", "code", "kota", "members_count"],
            "additionalProperties": False,
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "code": {"type": "string"},
                "kota": {"type": "string"},
                "members_count": {"type": "integer", "minimum": 0},
            },
        },
        "Product": {
            "type": "object",
            "required": [
                "id",
                "name",
                "price_idr",
                "category",
                "halal",
                "permits",
                "business",
                "url",
                "images",
                "rating",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "price_idr": {"type": "integer", "minimum": 0},
                "category": {"type": "string"},
                "halal": {"type": "boolean"},
                "permits": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "number"],
                        "properties": {"kind": {"type": "string"}, "number": {"type": "string"}},
                    },
                },
                "business": {
                    "type": "object",
                    "required": ["id", "name", "chapter"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "chapter": {
                            "type": "object",
                            "required": ["slug", "name"],
                            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
                "url": {"type": "string", "format": "uri"},
                "images": {
                    "type": "array",
                    "description": "The product's photos, the cover first (at most 5).",
                    "maxItems": 5,
                    "items": ref("ProductImage"),
                },
                "rating": {
                    "oneOf": [ref("Rating"), {"type": "null"}],
                    "description": "Over the visible reviews; null without any "
                    "(GET /api/v1/products/{id}/reviews lists them).",
                },
            },
        },
        "Rating": {
            "type": "object",
            "required": ["average", "count"],
            "additionalProperties": False,
            "properties": {
                "average": {"type": "number", "minimum": 1, "maximum": 5},
                "count": {"type": "integer", "minimum": 1},
            },
        },
        "ProductImage": {
            "type": "object",
            "required": ["id", "cover", "sizes"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "cover": {"type": "boolean", "description": "True for the first photo only."},
                "sizes": {
                    "type": "array",
                    "description": "Smallest first. URLs carry the content's digest and are "
                    "cacheable for a year.",
                    "items": {
                        "type": "object",
                        "required": ["width", "height", "jpeg"],
                        "additionalProperties": False,
                        "properties": {
                            "width": {"type": "integer", "minimum": 1},
                            "height": {"type": "integer", "minimum": 1},
                            "jpeg": {"type": "string", "format": "uri"},
                            "webp": {"type": "string", "format": "uri"},
                        },
                    },
                },
            },
        },
        "ProductPage": {
            "type": "object",
            "required": ["items", "total", "page"],
            "additionalProperties": False,
            "properties": {
                "items": {"type": "array", "items": ref("Product")},
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
            },
        },
    }


def _responses() -> dict:
    content = {"application/json": {"schema": ref("Error")}}
    return {
        "BadRequest": {
            "description": "Invalid parameters or body (`invalid`, "
            "`invalid_parameter`, `bad_request`).",
            "content": content,
        },
        "NotFound": {
            "description": "Missing, or out of scope (`not_found`): another tenant's object "
            "answers exactly like a missing one.",
            "content": content,
        },
        "Conflict": {
            "description": "Not allowed from the object's current status (`illegal_transition`).",
            "content": content,
        },
    }


# The sizes the search facet knows (catalog.variants._SIZE_LABEL), upper case.
SIZE_PATTERN = r"^(?:\d{1,3}|[2-6]?X{0,4}[SML]|ALL ?SIZE|FREE ?SIZE|JUMBO)$"


def _products_parameters() -> list[dict]:
    from marketplace.catalog.categories import CATEGORIES
    from marketplace.catalog.params import MAX_PAGE, MAX_QUERY, kota_slugs
    from marketplace.search.index import SORTS

    def query(name, schema, description=None):
        param = {"name": name, "in": "query", "required": False, "schema": schema}
        if description:
            param["description"] = description
        return param

    price = {"type": "integer", "minimum": 0, "maximum": 10**12}
    return [
        query("q", {"type": "string", "maxLength": MAX_QUERY}, "Words to search for."),
        query("category", {"type": "string", "enum": list(CATEGORIES)}),
        query(
            "chapter",
            {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9-]+$"},
            "Chapter slug.",
        ),
        query("kota", {"type": "string", "enum": list(kota_slugs())}),
        query("halal", {"type": "boolean"}),
        query("in_stock", {"type": "boolean"}),
        query(
            "size",
            {"type": "string", "maxLength": 20, "pattern": SIZE_PATTERN},
            "A size in stock (issue 16), e.g. M, XL or 40; case does not matter.",
        ),
        query("min_price", price, "Rupiah."),
        query("max_price", price, "Rupiah; not below min_price."),
        query("sort", {"type": "string", "enum": list(SORTS)}),
        query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
    ]


def _paths() -> dict:
    return {
        "/api/v1/chapters": {
            "get": {
                "operationId": "listChapters",
                "tags": ["public"],
                "security": [],
                "summary": "Chapters (kecamatan) with their member counts.",
                "responses": {
                    "200": json_response({"type": "array", "items": ref("Chapter")}, "Chapters")
                },
            }
        },
        "/api/v1/products": {
            "get": {
                "operationId": "listProducts",
                "tags": ["public"],
                "security": [],
                "summary": "Search listed products.",
                "parameters": _products_parameters(),
                "responses": {
                    "200": json_response(ref("ProductPage"), "One page of results"),
                    "400": error("BadRequest"),
                },
            }
        },
        "/api/v1/products/{product_id}": {
            "get": {
                "operationId": "getProduct",
                "tags": ["public"],
                "security": [],
                "summary": "One listed product.",
                "parameters": [id_parameter("product_id", 10**18 - 1)],
                "responses": {
                    "200": json_response(ref("ProductDetail"), "The product"),
                    "404": error("NotFound"),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "tags": ["public"],
                "security": [],
                "summary": "This document.",
                "responses": {"200": json_response({"type": "object"}, "OpenAPI 3.1 document")},
            }
        },
    }


def host_document() -> dict:
    """The host's own part: the public catalogue API and the shared error shapes."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pasarkita API",
            "version": "1.0.0",
            "description": "Public catalogue data. "
            'Errors are JSON `{"error": {"code", "message"}}`.',
        },
        "tags": [{"name": "public", "description": "No authentication."}],
        "paths": _paths(),
        "components": {"schemas": _schemas(), "responses": _responses()},
    }


def merge(document: dict, part: Mapping[str, Any]) -> dict:
    """Add a plug-in's paths, components and tags; a name defined twice is an error."""
    for path, item in part.get("paths", {}).items():
        if path in document["paths"]:
            raise ValueError(f"OpenAPI path {path!r} is documented twice")
        document["paths"][path] = deepcopy(item)
    for section, entries in part.get("components", {}).items():
        target = document["components"].setdefault(section, {})
        for name, value in entries.items():
            if name in target:
                raise ValueError(f"OpenAPI component {section}/{name} is defined twice")
            target[name] = deepcopy(value)
    known = {tag["name"] for tag in document["tags"]}
    document["tags"].extend(deepcopy(t) for t in part.get("tags", ()) if t["name"] not in known)
    if part.get("description"):
        document["info"]["description"] += " " + part["description"]
    return document


def build(app=None) -> dict:
    """The whole document for ``app`` (default: the current app): the host's part and every
    registered part, as a JSON-serialisable dict."""
    document = host_document()
    for part in registry(app).openapi_parts:
        merge(document, part())
    return document
