/* Nothing typed is lost when a session has expired.
 *
 * Before a form is sent (a normal post, or an htmx request such as an autosave) the page asks
 * the portal whether the session is still there (GET /sessie). If it is, the form goes with the
 * session's current CSRF token. If it is not, nothing is sent: a message beside the form says
 * so, with a link to log in again in a new tab; what was typed stays on the screen, and the next
 * click sends it (with the new session's token). Without this script the server still refuses
 * safely; the page then says how to get the text back.
 */
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.getAttribute("data-session-url");
  if (!stateUrl) {
    return; // not signed in: nothing to guard
  }
  var userId = body.getAttribute("data-user");
  var loginUrl = body.getAttribute("data-login-url") || "/login";

  // The session's state: {ok: true, token} | {ok: false, why}; a network error lets the form go
  // (the server refuses it safely if it must).
  function check() {
    return fetch(stateUrl, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.status !== 200) {
        return { ok: false, why: "verlopen" };
      }
      return response.json().then(function (data) {
        if (!data.ingelogd) {
          return { ok: false, why: "verlopen" };
        }
        if (userId && String(data.gebruiker) !== userId) {
          return { ok: false, why: "ander" };
        }
        return { ok: true, token: data.csrf };
      });
    }, function () {
      return { ok: true, token: null };
    });
  }

  function useToken(token) {
    if (!token) {
      return;
    }
    document.querySelectorAll('input[name$="csrf_token"]').forEach(function (input) {
      input.value = token;
    });
    var headers = {};
    try {
      headers = JSON.parse(body.getAttribute("data-hx-headers") || "{}");
    } catch (ignored) {
      headers = {};
    }
    headers["X-CSRFToken"] = token;
    body.setAttribute("data-hx-headers", JSON.stringify(headers));
  }

  function message(why, buttonLabel) {
    var box = document.createElement("div");
    box.className = "utrecht-alert utrecht-alert--warning session-warning";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    var text = document.createElement("p");
    text.className = "utrecht-paragraph";
    if (why === "ander") {
      text.textContent = "U bent in een ander tabblad als iemand anders ingelogd, daarom is er " +
        "niets verstuurd. Log in dat tabblad weer in als uzelf en klik dan hier opnieuw" +
        (buttonLabel ? " op \u2018" + buttonLabel + "\u2019." : ".");
      box.appendChild(text);
      return box;
    }
    text.appendChild(document.createTextNode(
      "Uw sessie is verlopen, daarom is er nog niets verstuurd. Wat u typte staat hier nog. "));
    var link = document.createElement("a");
    link.className = "utrecht-link";
    link.href = loginUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Log opnieuw in (opent een nieuw tabblad)";
    text.appendChild(link);
    text.appendChild(document.createTextNode(
      " en klik daarna hier opnieuw" + (buttonLabel ? " op \u2018" + buttonLabel + "\u2019." : ".")));
    box.appendChild(text);
    return box;
  }

  function warnAt(form, why, submitter) {
    var previous = form.previousElementSibling;
    if (previous && previous.classList.contains("session-warning")) {
      previous.remove();
    }
    var label = submitter ? submitter.textContent.trim() : "";
    var box = message(why, label);
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-no-session-check")) {
      return;
    }
    if (form.dataset.sessionChecked === "1") {
      delete form.dataset.sessionChecked; // the click after the check: let it go
      return;
    }
    if (event.defaultPrevented) {
      return; // htmx sends this one itself (htmx:confirm below)
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    check().then(function (state) {
      if (!state.ok) {
        warnAt(form, state.why, submitter);
        return;
      }
      useToken(state.token);
      form.dataset.sessionChecked = "1";
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      } else {
        form.submit();
      }
    });
  });

  // htmx's requests that change something (autosaves, the class register, the table).
  document.addEventListener("htmx:confirm", function (event) {
    if ((event.detail.verb || "get").toLowerCase() === "get") {
      return;
    }
    event.preventDefault();
    check().then(function (state) {
      if (!state.ok) {
        var status = document.getElementById("sessie-status");
        if (status) {
          status.replaceChildren(message(state.why, ""));
        }
        return;
      }
      useToken(state.token);
      var status2 = document.getElementById("sessie-status");
      if (status2 && status2.querySelector(".session-warning")) {
        status2.replaceChildren();
      }
      event.detail.issueRequest(true);
    });
  });
})();
