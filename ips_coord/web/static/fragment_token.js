// A link that carries a secret keeps it after "#": browsers never send that part to the server, so
// the secret is in no request line, proxy or access log, nor a Referer. Move it into the form's
// field marked data-fragment-token (sent in the POST body only) and off the address bar. A form
// marked data-fragment-submit is sent at once: it only asks what the link is for, and anything it
// changes still needs the person's own click on the page that comes back.
(function () {
  var field = document.querySelector("input[data-fragment-token]");
  var token = window.location.hash.slice(1);
  if (field && token) {
    field.value = decodeURIComponent(token);
    history.replaceState(null, "", window.location.pathname);
    if (field.form && field.form.hasAttribute("data-fragment-submit")) {
      field.form.submit();
    }
  }
})();
