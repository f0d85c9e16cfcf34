(function () {
  "use strict";
  // every word shown comes from knowledge/desk-teach.yml, given by the page
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var token = sessionStorage.getItem("clef-agent-token") || "";
  function $(id) { return document.getElementById(id); }
  function notice(text) { $("notice").textContent = text || ""; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function showLogin(text) { $("login").hidden = false; $("misses").hidden = true; notice(text); }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.status === 401) { showLogin(texts.unknown_token); throw new Error("401"); }
        if (response.status === 429) { showLogin(texts.too_many_tries); throw new Error("401"); }
        if (!response.ok) { throw new Error(data.error || String(response.status)); }
        return data;
      });
    });
  }

  function row(group, intents, offTopic) {
    var item = $("group-row").content.firstElementChild.cloneNode(true);
    var examples = item.querySelector(".examples");
    group.examples.forEach(function (text) {
      var line = document.createElement("li");
      line.textContent = text;
      examples.appendChild(line);
    });
    item.querySelector(".count").textContent = fill(texts.count, group);
    item.querySelector(".suggested").textContent =
      group.suggested_label ? fill(texts.suggested, { intent: group.suggested_label }) : "";
    var select = item.querySelector(".intent");
    intents.forEach(function (intent) {
      var option = document.createElement("option");
      option.value = intent.name;
      option.textContent = intent.label;
      select.appendChild(option);
    });
    if (group.suggested && group.suggested !== offTopic) { select.value = group.suggested; }
    item.querySelector(".assign").addEventListener("click", function () {
      if (!select.value) { notice(texts.choose_first); return; }
      label(group, select.value);
    });
    item.querySelector(".off-topic").addEventListener("click", function () { label(group, offTopic); });
    return item;
  }

  function label(group, intent) {
    api("POST", "/api/desk/misses/label", { keys: group.keys, intent: intent }).then(function (done) {
      notice(fill(texts.saved, { count: done.labelled, intent: done.label }));
      return load(true);
    }).catch(function (e) { if (e.message !== "401") { notice(fill(texts.failed, { error: e.message })); } });
  }

  function load(keepNotice) {
    return api("GET", "/api/desk/misses").then(function (data) {
      $("login").hidden = true; $("misses").hidden = false;
      if (!keepNotice) { notice(""); }
      var summary = fill(texts.summary, { messages: data.messages, groups: data.groups_total });
      if (data.groups_total > data.groups.length) { summary += " " + fill(texts.more_groups, { shown: data.groups.length }); }
      $("summary").textContent = data.groups.length ? summary : texts.empty;
      var list = $("groups");
      list.textContent = "";
      data.groups.forEach(function (group) { list.appendChild(row(group, data.intents, data.off_topic)); });
    }).catch(function (e) { if (e.message !== "401") { notice(fill(texts.failed, { error: e.message })); } });
  }

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("token").value.trim();
    sessionStorage.setItem("clef-agent-token", token);
    $("token").value = "";
    load(false);
  });
  $("refresh").addEventListener("click", function () { load(false); });
  if (token) { load(false); } else { showLogin(""); }
})();
