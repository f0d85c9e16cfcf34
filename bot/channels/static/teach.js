(function () {
  "use strict";
  // every word shown comes from knowledge/desk-teach.yml, given by the page
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var desk = clefDesk(texts, ["misses"]);
  var $ = desk.$, notice = desk.notice, fill = desk.fill;

  function failed(message) { notice(fill(texts.failed, { error: message })); }

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
    desk.api("POST", "/api/desk/misses/label", { keys: group.keys, intent: intent }).then(function (done) {
      notice(fill(texts.saved, { count: done.labelled, intent: done.label }));
      return load(true);
    }).catch(desk.failure(failed));
  }

  function load(keepNotice) {
    return desk.api("GET", "/api/desk/misses").then(function (data) {
      desk.show("misses");
      if (!keepNotice) { notice(""); }
      var summary = fill(texts.summary, { messages: data.messages, groups: data.groups_total });
      if (data.groups_total > data.groups.length) { summary += " " + fill(texts.more_groups, { shown: data.groups.length }); }
      $("summary").textContent = data.groups.length ? summary : texts.empty;
      var list = $("groups");
      list.textContent = "";
      data.groups.forEach(function (group) { list.appendChild(row(group, data.intents, data.off_topic)); });
    }).catch(desk.failure(failed));
  }

  $("refresh").addEventListener("click", function () { load(false); });
  desk.start(function () { load(false); });
})();
