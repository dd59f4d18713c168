"""Plain-language labels for statuses, shown as badges.

Each feature registers the labels of its own lifecycle's states (``register_labels(app,
"status", ...)`` in its ``init_app``); this is the one lookup templates and notifications use.
"""

from marketplace.core.extension import label


def status_label(status) -> str:
    return label("status", status)
