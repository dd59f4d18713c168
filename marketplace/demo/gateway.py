"""An in-process payment gateway for the demo data, with StripeGateway's interface.

`flask seed-demo` runs before localstripe starts (and must not need it), yet its orders
are paid the way real ones are: an intent made by ``payments.ensure_intent``, confirmed
with a test card, and a ``payment_intent.succeeded`` event handled by the webhook's own
``payments.handle_event``. Refunds go through ``payments.refund_order``.
"""

from contextlib import contextmanager
from dataclasses import replace

from marketplace.core.money import to_stripe_amount
from marketplace.payments.gateway import Intent


class DemoGateway:
    """Remembers intents in memory; every card succeeds."""

    def __init__(self):
        self.intents: dict[str, Intent] = {}
        self.refunds: list[tuple[str, int, str]] = []  # (intent, amount, refund id)

    def create_payment_intent(
        self, *, amount_idr: int, checkout_id: int, idempotency_key: str
    ) -> Intent:
        intent_id = f"pi_demo_{idempotency_key}"
        intent = self.intents.setdefault(
            intent_id,
            Intent(intent_id, "requires_payment_method", amount_idr, "idr", None, checkout_id),
        )
        return intent

    def retrieve(self, intent_id: str) -> Intent:
        return self.intents[intent_id]

    def confirm_with_test_card(self, intent_id: str, payment_method: str) -> Intent:
        intent = self.intents[intent_id] = replace(self.intents[intent_id], status="succeeded")
        return intent

    def refund(
        self, intent_id: str, *, amount_idr: int, idempotency_key: str, order_id=None
    ) -> str:
        refund_id = f"re_demo_{idempotency_key}"
        if all(known != refund_id for _i, _a, known in self.refunds):  # idempotent
            self.refunds.append((intent_id, amount_idr, refund_id))
        return refund_id

    def refunds_for(self, intent_id: str) -> list:
        from marketplace.payments.gateway import Refund

        return [
            Refund(id=refund_id, amount_idr=amount, status="succeeded")
            for intent, amount, refund_id in self.refunds
            if intent == intent_id
        ]

    def cancel(self, intent_id: str) -> None:
        self.intents[intent_id] = replace(self.intents[intent_id], status="canceled")

    @staticmethod
    def succeeded_event(intent: Intent) -> dict:
        """The webhook event Stripe would send for ``intent`` (already verified)."""
        return {
            "id": f"evt_demo_{intent.id}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": intent.id,
                    "object": "payment_intent",
                    "amount": to_stripe_amount(intent.amount_idr),
                    "currency": intent.currency,
                    "status": intent.status,
                    "metadata": {"checkout_id": str(intent.checkout_id)},
                }
            },
        }


@contextmanager
def installed(app):
    """Use a DemoGateway as the app's payment gateway inside the block."""
    key = "payment_gateway"
    previous = app.extensions.get(key)
    gateway = app.extensions[key] = DemoGateway()
    try:
        yield gateway
    finally:
        if previous is None:
            app.extensions.pop(key, None)
        else:
            app.extensions[key] = previous
