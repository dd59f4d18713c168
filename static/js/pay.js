// Card payment with Stripe.js: the card is tokenised in the browser (the number never
// reaches our server); the server confirms the PaymentIntent; a 3-D Secure step, when the
// bank asks for one, runs here; then the success page re-reads the payment.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("pay-error");

  function fail(message) {
    errorBox.textContent = message || form.dataset.failed;
    button.disabled = false;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;  // one click, one payment
    errorBox.textContent = "";
    var result = await stripe.createToken(card);
    if (result.error) { return fail(result.error.message); }
    var body = new FormData(form);
    body.set("token", result.token.id);
    var response = await fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": body.get("csrf_token")},
    });
    var data = await response.json().catch(function () { return {}; });
    if (!response.ok) { return fail(data.error); }
    if (data.status === "requires_action") {
      var auth = await stripe.confirmCardPayment(data.client_secret);
      if (auth.error) { return fail(auth.error.message); }
    }
    window.location.assign(data.next);
  });
})();
