// A guest's catalog page carries its forms without a CSRF token, so the page starts no
// session and is the same for every guest (marketplace/catalog/pagecache.py). When such a
// form (data-lazy-csrf="/csrf-token") is submitted, this fetches the visitor's token (which
// starts their session), fills it in and submits. Without JavaScript the server answers the
// tokenless post with the same form and a token (one more tap).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-lazy-csrf]")) { return; }
    var field = form.querySelector('input[name="csrf_token"]');
    if (!field || field.value) { return; }
    event.preventDefault();
    fetch(form.dataset.lazyCsrf, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) { field.value = data.csrf_token; form.submit(); })
      .catch(function () { form.submit(); });
  });
})();
