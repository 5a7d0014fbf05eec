// graphmeet console: small enhancements only; every action works without this file.
(function () {
  "use strict";

  // The tenant picker switches on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The audit log's live tail: polls for entries after the newest shown and adds them on top.
  var status = document.getElementById("tail-status");
  var rows = document.getElementById("audit-rows");
  if (!status || !rows) return;
  var since = status.dataset.since, seen = status.dataset.seen, url = status.dataset.tail;
  var total = 0, failures = 0;
  status.classList.add("live");
  status.textContent = "Live: new entries appear here as they are written.";
  function poll() {
    var sep = url.indexOf("?") >= 0 ? "&" : "?";
    fetch(url + sep + "since=" + encodeURIComponent(since) + "&seen=" + seen, {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (r.status === 401) { throw new Error("signed out"); }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (tail) {
      failures = 0;
      since = tail.since; seen = tail.seen;
      if (tail.added > 0) {
        var holder = document.createElement("tbody");
        holder.innerHTML = tail.html;
        var fresh = Array.prototype.slice.call(holder.children);
        for (var i = fresh.length - 1; i >= 0; i--) {
          fresh[i].classList.add("fresh");
          rows.insertBefore(fresh[i], rows.firstChild);
        }
        total += tail.added;
        status.textContent = "Live: " + total + " new entr" + (total === 1 ? "y" : "ies") + " since this page loaded.";
      }
      setTimeout(poll, 1500);
    }).catch(function (e) {
      failures += 1;
      if (String(e.message) === "signed out") {
        status.classList.remove("live");
        status.textContent = "The session has ended: sign in again to follow the log.";
        return;
      }
      status.textContent = "Live tail paused (" + e.message + "); retrying.";
      setTimeout(poll, Math.min(30000, 1500 * Math.pow(2, failures)));
    });
  }
  setTimeout(poll, 1000);
})();
