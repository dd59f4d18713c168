"""The only code that talks to Stripe.

Real Stripe in production; localstripe (a Stripe emulator run as its own process) in
development and tests, through the same official ``stripe`` client. Amounts cross this
boundary in rupiah and are converted by ``core.money`` only.
"""

import logging
from dataclasses import dataclass

import stripe
from flask import current_app

from marketplace.core.money import from_stripe_amount, to_stripe_amount

log = logging.getLogger("pasarkita.payments")


class GatewayError(Exception):
    """Stripe could not be reached or failed (timeout, 5xx): safe to retry later."""


class CardDeclined(GatewayError):
    """The card was refused; the buyer may try another card."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount_idr: int
    currency: str
    client_secret: str | None
    checkout_id: int | None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class Refund:
    id: str
    amount_idr: int
    status: str
    order_id: int | None = None

    @property
    def counts(self) -> bool:
        """Money that left (or is leaving) the platform: Stripe's pending refunds succeed
        unless they fail, and then a human looks (a failed one we counted is flagged)."""
        return self.status in ("succeeded", "pending", "requires_action")


def _intent(obj) -> Intent:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    metadata = data.get("metadata") or {}
    checkout = metadata.get("checkout_id")
    return Intent(
        id=data["id"],
        status=data.get("status", ""),
        amount_idr=from_stripe_amount(int(data.get("amount", 0))),
        currency=(data.get("currency") or "").lower(),
        client_secret=data.get("client_secret"),
        checkout_id=int(checkout) if checkout and str(checkout).isdigit() else None,
    )


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str | None = None, timeout: float = 15.0):
        base = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=base,
            max_network_retries=1,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or "card declined") from exc
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            log.warning("stripe %s failed: %s", what, type(exc).__name__)
            raise GatewayError(what) from exc
        except stripe.StripeError as exc:
            log.error("stripe %s refused: %s", what, type(exc).__name__)
            raise GatewayError(what) from exc

    def create_payment_intent(
        self, *, amount_idr: int, checkout_id: int, idempotency_key: str
    ) -> Intent:
        params = {
            "amount": to_stripe_amount(amount_idr),
            "currency": "idr",
            "payment_method_types": ["card"],
            "metadata": {"checkout_id": str(checkout_id)},
        }
        obj = self._call(
            "create",
            self.client.v1.payment_intents.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return _intent(obj)

    def retrieve(self, intent_id: str) -> Intent:
        return _intent(self._call("retrieve", self.client.v1.payment_intents.retrieve, intent_id))

    def confirm_with_token(self, intent_id: str, token_id: str) -> Intent:
        """Attach the card that Stripe.js tokenised in the browser and confirm.

        The card number never reaches our server. Stripe takes the token through
        ``payment_method_data``; localstripe does not know that form, so the token's card
        id is used instead (the same card, the emulator's way).
        """
        try:
            self.client.v1.payment_intents.update(
                intent_id,
                params={"payment_method_data": {"type": "card", "card": {"token": token_id}}},
            )
        except stripe.InvalidRequestError:
            token = self._call("token", self.client.v1.tokens.retrieve, token_id)
            self._call(
                "update",
                self.client.v1.payment_intents.update,
                intent_id,
                params={"payment_method": token.card.id},
            )
        except (stripe.APIConnectionError, stripe.APIError) as exc:
            raise GatewayError("update") from exc
        return _intent(self._call("confirm", self.client.v1.payment_intents.confirm, intent_id))

    def confirm_with_test_card(self, intent_id: str, payment_method: str) -> Intent:
        """Tests and the seed only: localstripe's test cards (pm_card_visa, ...)."""
        self._call(
            "update",
            self.client.v1.payment_intents.update,
            intent_id,
            params={"payment_method": payment_method},
        )
        return _intent(self._call("confirm", self.client.v1.payment_intents.confirm, intent_id))

    def refund(
        self,
        intent_id: str,
        *,
        amount_idr: int,
        idempotency_key: str,
        order_id: int | None = None,
    ) -> str:
        params = {"payment_intent": intent_id, "amount": to_stripe_amount(amount_idr)}
        if order_id is not None:
            params["metadata"] = {"order_id": str(order_id)}
        obj = self._call(
            "refund",
            self.client.v1.refunds.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return obj.id

    def refunds_for(self, intent_id: str) -> list["Refund"]:
        """Every refund Stripe holds for the intent: the truth when events disagree."""
        page = self._call(
            "refunds",
            self.client.v1.refunds.list,
            params={"payment_intent": intent_id, "limit": 100},
        )
        refunds = []
        for obj in page.auto_paging_iter():
            data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
            metadata = data.get("metadata") or {}
            order = str(metadata.get("order_id") or "")
            refunds.append(
                Refund(
                    id=str(data["id"]),
                    amount_idr=from_stripe_amount(int(data.get("amount") or 0)),
                    status=str(data.get("status") or ""),
                    order_id=int(order) if order.isdigit() and len(order) < 19 else None,
                )
            )
        return refunds

    def cancel(self, intent_id: str) -> None:
        self._call("cancel", self.client.v1.payment_intents.cancel, intent_id)


def get_gateway():
    app = current_app._get_current_object()
    gateway = app.extensions.get("payment_gateway")
    if gateway is None:
        gateway = app.extensions["payment_gateway"] = StripeGateway(
            app.config["STRIPE_SECRET_KEY"], api_base=app.config.get("STRIPE_API_BASE")
        )
    return gateway
