"use strict";
(function () {
  // The target is set as a property, not an attribute: the page source names no app.
  var next = new URLSearchParams(window.location.search).get("next");
  if (next) document.getElementById("next").value = next;
  var err = document.getElementById("signin-error");
  if (!err.textContent.trim()) err.hidden = true;
})();
