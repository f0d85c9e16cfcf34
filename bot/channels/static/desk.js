(function () {
  "use strict";
  var desk = clefDesk({
    unknown_token: "Jeton inconnu.",
    too_many_tries: "Trop d'essais depuis votre réseau : patientez quelques minutes.",
    status_prefix: "erreur "
  }, ["list", "detail"]);
  var $ = desk.$, notice = desk.notice, api = desk.api;
  var current = null;

  function label(status) { return { open: "en attente", taken: "prise en charge", closed: "close" }[status] || status; }

  var page = 1;
  var pages = 1;
  var tenantsShown = false;

  function showTenants(tenants) {
    if (tenantsShown) { return; }
    tenantsShown = true;
    tenants.forEach(function (t) {
      var option = document.createElement("option");
      option.value = t.id;
      option.textContent = t.name;
      $("tenant").appendChild(option);
    });
  }

  function loadList() {
    var query = "?status=" + encodeURIComponent($("status").value) + "&tenant=" + encodeURIComponent($("tenant").value)
      + "&page=" + page + "&per_page=25";
    return api("GET", "/api/desk/tickets" + query).then(function (data) {
      desk.show("list");
      showTenants(data.tenants || []);
      pages = data.pages;
      if (page > pages) { page = pages; return loadList(); }
      $("pageinfo").textContent = "page " + data.page + " / " + data.pages + " · " + data.total + " demande(s)";
      $("prev").disabled = data.page <= 1;
      $("next").disabled = data.page >= data.pages;
      var list = $("tickets");
      list.textContent = "";
      if (!data.tickets.length) { var empty = document.createElement("li"); empty.textContent = "Aucune demande."; list.appendChild(empty); }
      data.tickets.forEach(function (t) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "n°" + t.id + " · " + (t.login || "identifiant inconnu") + " · " + label(t.status);
        button.addEventListener("click", function () { notice(""); open(t.id); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }).catch(desk.failure(notice));
  }

  function open(id) {
    return api("GET", "/api/desk/tickets/" + id).then(function (t) {
      current = t.id;
      $("detail").hidden = false;
      $("title").textContent = "Demande n°" + t.id + " (" + label(t.status) + ")";
      $("meta").textContent = "Canal : " + t.channel + " · ENT : " + (t.tenant || "inconnu") + " · diagnostic : " + (t.diagnosis || "-") + " · " + t.summary;
      $("transcript").textContent = t.transcript || "(vide)";
      $("messages").textContent = t.messages.map(function (m) { return (m.author === "agent" ? "Conseiller" : "Usager") + " : " + m.text; }).join("\n") || "(aucun)";
    }).catch(desk.failure(notice));
  }

  function act(action, body, done) {
    if (current === null) { return; }
    api("POST", "/api/desk/tickets/" + current + "/" + action, body).then(function () {
      notice(done); return Promise.all([open(current), loadList()]);
    }).catch(desk.failure(function (message) { notice("Impossible : " + message); }));
  }

  $("refresh").addEventListener("click", loadList);
  $("prev").addEventListener("click", function () { if (page > 1) { page -= 1; loadList(); } });
  $("next").addEventListener("click", function () { if (page < pages) { page += 1; loadList(); } });
  $("status").addEventListener("change", function () { page = 1; loadList(); });
  $("tenant").addEventListener("change", function () { page = 1; loadList(); });
  $("take").addEventListener("click", function () { act("take", null, "Demande prise en charge."); });
  $("close").addEventListener("click", function () { act("close", null, "Demande close ; l'usager est invité à la noter."); });
  $("send").addEventListener("click", function () {
    var text = $("reply").value.trim();
    if (!text) { notice("Écrivez d'abord une réponse."); return; }
    act("reply", { text: text }, "Réponse envoyée.");
    $("reply").value = "";
  });

  desk.start(loadList);
})();
