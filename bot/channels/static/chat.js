(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  /* The sender id is the only key to this chat's inbox: 128 bits from the browser's cryptographic generator.
     An id made the old, guessable way is replaced. */
  function newSender() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "p" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var sender = localStorage.getItem("clef-sender");
  if (!sender || !/^p[0-9a-f]{32}$/.test(sender)) {
    sender = newSender();
    localStorage.setItem("clef-sender", sender);
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function addMessage(text, who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;          /* never innerHTML: user and bot text stay text */
    log.appendChild(div);
    scroll();
    return div;
  }

  function disableOldButtons() {
    log.querySelectorAll(".buttons button").forEach(function (b) { b.disabled = true; });
  }

  function showBot(messages) {
    messages.forEach(function (m) {
      var div = addMessage(m.text || "", "bot");
      if (m.buttons && m.buttons.length) {
        var row = document.createElement("div");
        row.className = "buttons";
        m.buttons.forEach(function (b) {
          if (b.type === "web_url" && /^https?:\/\//.test(b.url || "")) {
            /* a link (the ENT's login): opened here; the login brings the browser back to this page */
            var link = document.createElement("a");
            link.className = "link-button";
            link.href = b.url;
            link.textContent = b.title;
            link.rel = "noopener noreferrer";
            row.appendChild(link);
            return;
          }
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = b.title;
          button.addEventListener("click", function () { send(b.payload, b.title); });
          row.appendChild(button);
        });
        div.appendChild(row);
      }
    });
  }

  function send(message, shown) {
    disableOldButtons();
    addMessage(shown, "me");
    var typing = document.createElement("div");
    typing.className = "typing";
    typing.textContent = "L'assistant écrit…";
    log.appendChild(typing);
    scroll();
    fetch("/webhooks/rest/webhook", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sender: sender, message: message})
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (messages) {
      typing.remove();
      showBot(messages);
    }).catch(function () {
      typing.remove();
      var e = addMessage("Le service ne répond pas. Réessayez dans un instant.", "error");
      e.className = "error";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  function poll() {
    fetch("/api/inbox?sender=" + encodeURIComponent(sender)).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (messages) { if (messages.length) { showBot(messages); } })
      .catch(function () {});
  }
  setInterval(poll, 5000);
  addMessage("Bonjour ! Décrivez votre problème de connexion ou posez votre question sur l'activation de votre compte ENT.", "bot");
  poll();  /* what came while the page was away (back from the ENT's login: the chat is linked) */
})();
