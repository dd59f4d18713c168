"""Money is integer rupiah; Stripe gets rupiah x 100 from one function (IDR has decimals
at Stripe)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.money import format_rupiah, from_stripe_amount, to_stripe_amount


@pytest.mark.parametrize(
    ("idr", "stripe_amount"),
    [(55_000, 5_500_000), (10_000, 1_000_000), (25_000, 2_500_000), (0, 0)],
)
def test_rupiah_to_stripe_amount(idr, stripe_amount):
    assert to_stripe_amount(idr) == stripe_amount
    assert from_stripe_amount(stripe_amount) == idr


@pytest.mark.parametrize("bad", [25_000.0, -1, "25000", True, None])
def test_floats_negatives_and_non_integers_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        to_stripe_amount(bad)


def test_a_stripe_amount_with_sen_is_refused():
    with pytest.raises(ValueError, match="whole number of rupiah"):
        from_stripe_amount(2_500_050)


@pytest.mark.parametrize(
    ("idr", "text"),
    [
        (25_000, "Rp25.000"),
        (1_500_000, "Rp1.500.000"),
        (0, "Rp0"),
        (999, "Rp999"),
        (-5_000, "-Rp5.000"),
    ],
)
def test_rupiah_display(idr, text):
    assert format_rupiah(idr) == text


carts = st.lists(
    st.tuples(st.integers(min_value=1, max_value=50_000_000), st.integers(1, 99)),
    min_size=1,
    max_size=30,
)


@given(carts)
def test_a_cart_total_converts_without_loss(cart):
    total = sum(price * qty for price, qty in cart)
    assert to_stripe_amount(total) == sum(to_stripe_amount(price * qty) for price, qty in cart)
    assert from_stripe_amount(to_stripe_amount(total)) == total
