(function () {
  "use strict";
  var token = sessionStorage.getItem("clef-agent-token") || "";
  var messages = JSON.parse(document.body.dataset.messages || "{}");
  var choicesShown = false;
  function $(id) { return document.getElementById(id); }
  function notice(text) { $("notice").textContent = text || ""; }

  function showLogin(text) { $("login").hidden = false; $("board").hidden = true; notice(text); }

  function option(select, value, text) {
    var item = document.createElement("option");
    item.value = value;
    item.textContent = text;
    select.appendChild(item);
  }

  function showChoices(data) {
    if (choicesShown) { return; }
    choicesShown = true;
    data.tenants.forEach(function (t) { option($("tenant"), t.id, t.name); });
    data.top_by.forEach(function (t) { option($("top_by"), t.id, t.name); });
  }

  function showFilters(asked) {
    $("tenant").value = asked.tenant || "";
    $("uai").value = asked.uai || "";
    $("from").value = asked.from;
    $("to").value = asked.to;
    $("top_by").value = asked.top_by;
  }

  function showCharts(charts) {
    var box = $("charts");
    box.textContent = "";
    charts.forEach(function (chart) {
      var figure = document.createElement("figure");
      figure.id = "chart-" + chart.id;
      figure.className = "chart";
      // the server's SVG: drawn by matplotlib, written back by ElementTree (every label escaped), no style or script
      figure.innerHTML = chart.svg;
      box.appendChild(figure);
    });
  }

  function query() {
    var fields = ["tenant", "uai", "from", "to", "top_by"];
    if (!choicesShown) { return ""; }
    return "?" + fields.map(function (name) { return name + "=" + encodeURIComponent($(name).value.trim()); }).join("&");
  }

  function load() {
    document.body.classList.add("busy");
    notice(messages.loading);
    return fetch("/api/desk/dashboard" + query(), { headers: { "Authorization": "Bearer " + token } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.status === 401) { showLogin(messages.unknown_token); return; }
          if (response.status === 429) { showLogin(messages.too_many_tries); return; }
          if (!response.ok) { notice(data.error || String(response.status)); return; }
          $("login").hidden = true; $("board").hidden = false;
          showChoices(data);
          showFilters(data.filters);
          $("summary").textContent = data.summary;
          showCharts(data.charts);
          notice("");
          document.body.dataset.loaded = data.filters.from + "/" + data.filters.to + "/" + (data.filters.tenant || "") + "/" + (data.filters.uai || "") + "/" + data.filters.top_by;
        });
      })
      .catch(function (e) { notice(e.message); })
      .then(function () { document.body.classList.remove("busy"); });
  }

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("token").value.trim();
    sessionStorage.setItem("clef-agent-token", token);
    $("token").value = "";
    load();
  });
  $("filters").addEventListener("submit", function (event) { event.preventDefault(); load(); });

  if (token) { load(); } else { showLogin(""); }
})();
