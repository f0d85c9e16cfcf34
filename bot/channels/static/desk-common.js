// What the agents' desk pages share, loaded before each page's own script: the agent's token, kept for the browser
// tab's session (so the desk's pages ask it once), the login form, and `api()`, the desk API's fetch that bears the
// token and shows the login form again on a wrong token (401) or too many wrong ones from the network (429).
// A page calls `clefDesk(texts, parts)`: `texts` holds its words `unknown_token` and `too_many_tries`, and may hold a
// `status_prefix` put before the HTTP status of a failure that says nothing; `parts` are the ids of the page's parts
// that the login form hides. Then `desk.start(load)` signs in with the token kept, or shows the login form.
window.clefDesk = function (texts, parts) {
  "use strict";
  var KEY = "clef-agent-token";
  var LOGIN = "401"; // the message of a failure the login form already answered
  var token = sessionStorage.getItem(KEY) || "";
  function $(id) { return document.getElementById(id); }
  function notice(text) { $("notice").textContent = text || ""; }
  // a text of the page's with its `{name}` placeholders filled from `values` (an unknown one is left as written)
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function showLogin(text) {
    $("login").hidden = false;
    parts.forEach(function (id) { $(id).hidden = true; });
    notice(text);
  }

  // signed in: the login form gives way to the part `id`
  function show(id) { $("login").hidden = true; $(id).hidden = false; }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.status === 401) { showLogin(texts.unknown_token); throw new Error(LOGIN); }
        if (response.status === 429) { showLogin(texts.too_many_tries); throw new Error(LOGIN); }
        if (!response.ok) { throw new Error(data.error || ((texts.status_prefix || "") + response.status)); }
        return data;
      });
    });
  }

  // a promise's `catch`: `say` the failure's message, unless the login form already answered it
  function failure(say) {
    return function (e) { if (e.message !== LOGIN) { say(e.message); } };
  }

  function start(load) {
    $("login").addEventListener("submit", function (event) {
      event.preventDefault();
      token = $("token").value.trim();
      sessionStorage.setItem(KEY, token);
      $("token").value = "";
      load();
    });
    if (token) { load(); } else { showLogin(""); }
  }

  return { $: $, notice: notice, fill: fill, show: show, api: api, failure: failure, start: start };
};
