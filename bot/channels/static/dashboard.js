(function () {
  "use strict";
  var messages = JSON.parse(document.getElementById("board").dataset.messages || "{}");
  var desk = clefDesk(messages, ["board"]);
  var $ = desk.$, notice = desk.notice;
  var choicesShown = false;

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
    return desk.api("GET", "/api/desk/dashboard" + query())
      .then(function (data) {
        desk.show("board");
        showChoices(data);
        showFilters(data.filters);
        $("summary").textContent = data.summary;
        showCharts(data.charts);
        notice("");
        document.body.dataset.loaded = data.filters.from + "/" + data.filters.to + "/" + (data.filters.tenant || "") + "/" + (data.filters.uai || "") + "/" + data.filters.top_by;
      })
      .catch(desk.failure(notice))
      .then(function () { document.body.classList.remove("busy"); });
  }

  $("filters").addEventListener("submit", function (event) { event.preventDefault(); load(); });

  desk.start(load);
})();
