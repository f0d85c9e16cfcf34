(function () {
  "use strict";
  // every word shown comes from knowledge/desk.yml, given by the page
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var desk = clefDesk(texts, ["list", "detail"]);
  var $ = desk.$, notice = desk.notice, fill = desk.fill, api = desk.api;
  var current = null;

  function state(status) { return texts["state_" + status] || status; }

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
      $("pageinfo").textContent = fill(texts.page_info, data);
      $("prev").disabled = data.page <= 1;
      $("next").disabled = data.page >= data.pages;
      var list = $("tickets");
      list.textContent = "";
      if (!data.tickets.length) { var empty = document.createElement("li"); empty.textContent = texts.empty; list.appendChild(empty); }
      data.tickets.forEach(function (t) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = fill(texts.entry, { id: t.id, login: t.login || texts.unknown_login, state: state(t.status) });
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
      $("title").textContent = fill(texts.title, { id: t.id, state: state(t.status) });
      $("meta").textContent = fill(texts.meta, {
        channel: t.channel, tenant: t.tenant || texts.unknown_tenant, diagnosis: t.diagnosis || texts.no_diagnosis,
        summary: t.summary
      });
      $("transcript").textContent = t.transcript || texts.no_transcript;
      $("messages").textContent = t.messages.map(function (m) {
        return fill(texts.line, { author: m.author === "agent" ? texts.author_agent : texts.author_user, text: m.text });
      }).join("\n") || texts.no_messages;
    }).catch(desk.failure(notice));
  }

  function act(action, body, done) {
    if (current === null) { return; }
    api("POST", "/api/desk/tickets/" + current + "/" + action, body).then(function () {
      notice(done); return Promise.all([open(current), loadList()]);
    }).catch(desk.failure(function (message) { notice(fill(texts.failed, { error: message })); }));
  }

  $("refresh").addEventListener("click", loadList);
  $("prev").addEventListener("click", function () { if (page > 1) { page -= 1; loadList(); } });
  $("next").addEventListener("click", function () { if (page < pages) { page += 1; loadList(); } });
  $("status").addEventListener("change", function () { page = 1; loadList(); });
  $("tenant").addEventListener("change", function () { page = 1; loadList(); });
  $("take").addEventListener("click", function () { act("take", null, texts.taken); });
  $("close").addEventListener("click", function () { act("close", null, texts.closed); });
  $("send").addEventListener("click", function () {
    var text = $("reply").value.trim();
    if (!text) { notice(texts.reply_first); return; }
    act("reply", { text: text }, texts.replied);
    $("reply").value = "";
  });

  desk.start(loadList);
})();
