// The reset link carries its token after "#": browsers never send that part to the server, so
// the token is in no request line or log. Move it into the form (sent in the POST body only)
// and off the address bar.
(function () {
  var field = document.getElementById("reset-token");
  var token = window.location.hash.slice(1);
  if (field && token) {
    field.value = decodeURIComponent(token);
    history.replaceState(null, "", window.location.pathname);
  }
})();
