/*
 * Kundesenter web chat: the customer's side of the conversation (docs/design/desk-api.md).
 *
 *   <script src="https://DESK/widget.js" data-lang="sv" async></script>            a chat button in the corner
 *   <script src="https://DESK/widget.js" data-mode="page"></script>                fills <div id="kundesenter-chat">
 *
 * The chat is drawn in an open shadow root on #kundesenter-chat, with its own stylesheet there: the host
 * page's CSS cannot restyle it (an h1 rule, upper case, letter spacing) and its CSS cannot leak out.
 * Plain JS, no build step. Every text reaches the page through textContent, never innerHTML.
 * The customer's messages go to Rasa's socket.io channel; the desk serves config, history and the survey.
 */
(function () {
  "use strict";

  if (window.__kundesenterChat) return;
  window.__kundesenterChat = true;

  var SCRIPT = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var DESK = new URL(SCRIPT.src, location.href).origin;
  var MODE = SCRIPT.getAttribute("data-mode") === "page" ? "page" : "bubble";
  var STORAGE_KEY = "kundesenter.session";
  var LANGUAGES = ["nb", "sv"];
  var TYPING_TIMEOUT_MS = 20000;
  var RECONNECTED_NOTICE_MS = 4000;
  var MAX_MESSAGE_CHARACTERS = 4000; // bot/channels/channels.yml: the channel refuses longer messages
  var FULL_SCREEN = "(max-width: 600px)"; // widget.css: on a phone the open chat covers the page
  var LOCALES = { nb: "nb-NO", sv: "sv-SE" };
  // What becomes a link in a message: web addresses, e-mail addresses and phone numbers written as
  // Norwegians and Swedes write them (+47 22 03 00 00, 915 00 000, 08-123 456 78). Nothing else:
  // javascript:, data: and every other scheme stay text (safeHref checks the result once more).
  var LINKABLE = new RegExp([
    "https?:\\/\\/[^\\s<>\"]+",
    "(?:mailto:)?[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+",
    "\\+4[67](?: ?\\d){8,10}",
    "\\b0\\d{1,3}-\\d{2,3}(?: \\d{2,3}){1,3}\\b",
    "\\b\\d{2} \\d{2} \\d{2} \\d{2}\\b",
    "\\b\\d{3} \\d{2} \\d{3}\\b",
  ].join("|"), "g");
  var LINK_SCHEMES = ["http:", "https:", "mailto:", "tel:"];
  // Shown only when /chat/config itself cannot be read, so there are no texts to take it from.
  var UNREACHABLE = {
    nb: "Chatten er ikke tilgjengelig akkurat nå. Prøv igjen om litt.",
    sv: "Chatten är inte tillgänglig just nu. Försök igen om en stund.",
  };

  var config = null;
  var lang = chooseLanguage();
  var session = null; // {session_id, token}
  var socket = null;
  var state = {
    messages: [], // {role, text, agent, buttons}
    outbox: [], // not (yet) delivered: {message, display, at, failed}; failed ones wait for the customer's retry
    lastSent: null, // {message, display, at, entry}: what a message_refused frame refers to
    confirmed: false,
    everConfirmed: false,
    reloading: false,
    framesDuringReload: [],
    handoff: null, // null | {status, agent}
    ended: false,
    started: false,
  };
  var typingTimer = null;
  var noticeTimer = null;
  var ui = {};

  // ---------- language ----------

  function normaliseLanguage(value) {
    if (!value) return null;
    var code = String(value).trim().toLowerCase().replace("_", "-");
    var primary = code.split("-")[0];
    if (primary === "nb" || primary === "no" || primary === "nn") return "nb";
    if (primary === "sv") return "sv";
    return null;
  }

  function chooseLanguage() {
    var candidates = [SCRIPT.getAttribute("data-lang"), new URLSearchParams(location.search).get("lang"),
      document.documentElement.getAttribute("lang")];
    var browser = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    candidates = candidates.concat(Array.prototype.slice.call(browser));
    for (var i = 0; i < candidates.length; i++) {
      var found = normaliseLanguage(candidates[i]);
      if (found) return found;
    }
    return "nb";
  }

  function t(key, values) {
    var texts = (config && config.texts) || {};
    var text = (texts[lang] && texts[lang][key]) || "";
    if (!text) {
      for (var code in texts) if (texts[code] && texts[code][key]) { text = texts[code][key]; break; }
    }
    text = text || key;
    for (var name in values || {}) text = text.split("{" + name + "}").join(values[name]);
    return text;
  }

  // ---------- small DOM helpers (text only, never markup) ----------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function srOnly(text) {
    return el("span", { className: "ks-sr-only", text: text });
  }

  // The address a piece of text found by LINKABLE leads to, or null when it must stay text.
  function safeHref(found) {
    var href = /^https?:/i.test(found) ? found
      : found.indexOf("@") >= 0 ? "mailto:" + found.replace(/^mailto:/i, "")
      : "tel:" + found.replace(/[^\d+]/g, "");
    try {
      return LINK_SCHEMES.indexOf(new URL(href).protocol) >= 0 ? href : null;
    } catch (error) {
      return null;
    }
  }

  // A message's text as text nodes, with web and e-mail addresses and phone numbers as links.
  function linkedText(text) {
    var nodes = [];
    var at = 0;
    String(text).replace(LINKABLE, function (found, offset) {
      var trailing = /^https?:/i.test(found) ? found.match(/[.,;:!?)\]]*$/)[0] : "";
      var link = found.slice(0, found.length - trailing.length);
      var href = safeHref(link);
      if (!href) return found;
      nodes.push(document.createTextNode(text.slice(at, offset)));
      var web = /^https?:/.test(href);
      nodes.push(el("a", { href: href, rel: "noopener", target: web ? "_blank" : null, text: link }));
      at = offset + link.length;
      return found;
    });
    nodes.push(document.createTextNode(text.slice(at)));
    return nodes;
  }

  // When a message was written, as the customer's clock shows it (with the date when not today).
  function timeNode(iso) {
    var when = new Date(iso);
    if (!iso || isNaN(when.getTime())) return null;
    var today = when.toDateString() === new Date().toDateString();
    var format = today ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    return el("time", { className: "ks-msg-time", datetime: when.toISOString(),
      text: new Intl.DateTimeFormat(LOCALES[lang], format).format(when) });
  }

  function now() {
    return new Date().toISOString();
  }

  function firstName(name) {
    return String(name || "").trim().split(/\s+/)[0];
  }

  // ---------- network ----------

  function api(path, options) {
    return fetch(DESK + path, Object.assign({ credentials: "omit", cache: "no-store" }, options || {}));
  }

  function postJson(path, body) {
    return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = el("script", { src: src });
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function loadStyles(shadow) {
    return new Promise(function (resolve) {
      var link = el("link", { rel: "stylesheet", href: DESK + "/static/widget.css" });
      link.onload = resolve;
      link.onerror = resolve;
      shadow.appendChild(link);
    });
  }

  function readSession() {
    try {
      var stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      if (stored && typeof stored.session_id === "string" && typeof stored.token === "string") return stored;
    } catch (error) { /* storage blocked or garbled: start afresh */ }
    return null;
  }

  function newSession() {
    return postJson("/chat/api/sessions", {}).then(function (response) {
      if (!response.ok) throw new Error("session " + response.status);
      return response.json();
    }).then(function (created) {
      session = { session_id: created.session_id, token: created.token };
      try { localStorage.setItem(STORAGE_KEY, JSON.stringify(session)); } catch (error) { /* private mode */ }
      return session;
    });
  }

  function fetchHistory() {
    // POST, not GET: the token must never stand in a URL, where access logs would keep it.
    var owned = { session_id: session.session_id, token: session.token };
    return postJson("/chat/api/history", owned).then(function (response) {
      if (response.status === 403 || response.status === 404) return null; // not ours (any more): start afresh
      if (!response.ok) throw new Error("history " + response.status);
      return response.json();
    });
  }

  // Restores the stored conversation, or starts one when there is none or it is refused.
  function openConversation() {
    session = readSession();
    var start = session ? fetchHistory() : Promise.resolve(null);
    return start.then(function (history) {
      if (history) return history;
      return newSession().then(function () { return { messages: [], handoff: null }; });
    }).then(applyHistory);
  }

  // Shows the conversation as the desk has it. Messages already on screen keep their place (and are not
  // announced again); only what is new, e.g. missed while offline, is added.
  function applyHistory(history) {
    var shown = state.messages;
    var same = true;
    state.messages = (history.messages || []).map(function (message, index) {
      var next = {
        role: message.role === "agent" || message.role === "customer" ? message.role : "bot",
        text: message.text || "",
        agent: message.agent || null,
        buttons: message.buttons || [],
        at: message.at || null,
      };
      var old = shown[index];
      same = same && old && old.role === next.role && old.text === next.text && old.agent === next.agent;
      if (same) next.node = old.node;
      return next;
    });
    setHandoff(history.handoff || null, false);
    renderMessages();
  }

  // ---------- socket ----------

  function connectSocket() {
    socket = window.io(config.socket_url, { path: config.socket_path || "/socket.io", transports: ["websocket"] });
    socket.on("connect", function () {
      state.confirmed = false;
      socket.emit("session_request", { session_id: session.session_id, token: session.token });
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("session_refused", function () {
      // The stored token is not valid for this server any more: begin a new conversation once.
      if (state.refusedOnce) { setStatus("error"); return; }
      state.refusedOnce = true;
      startNewConversation();
    });
    socket.on("bot_uttered", onBotFrame);
    socket.on("message_refused", function () {
      // Too fast or not valid (bot/channels/validation.py): the conversation goes on; say so, do not start afresh,
      // and mark the message as not delivered, for the customer to send again.
      hideTyping();
      setStatus("message_refused", "warning");
      undelivered();
    });
    socket.on("disconnect", function (reason) {
      state.confirmed = false;
      hideTyping();
      if (reason !== "io client disconnect") setStatus("reconnecting", "warning");
    });
    socket.on("connect_error", function () {
      if (!socket.active) setStatus("unavailable", "warning"); // refused by the server: no retry
      else setStatus(state.everConfirmed ? "reconnecting" : "connecting", "warning");
    });
  }

  function onSessionConfirm() {
    var again = state.everConfirmed;
    state.confirmed = true;
    state.everConfirmed = true;
    if (!again) {
      setStatus("");
      flushOutbox();
      return;
    }
    // Messages sent while we were away are not replayed by Rasa: read them from the desk.
    state.reloading = true;
    state.framesDuringReload = [];
    fetchHistory().then(function (history) {
      if (history) applyHistory(history);
    }).catch(function () { /* keep what is shown */ }).then(function () {
      state.reloading = false;
      var frames = state.framesDuringReload;
      state.framesDuringReload = [];
      frames.forEach(function (frame) { if (!alreadyShown(frame)) onBotFrame(frame); });
      renderMessages();
      flushOutbox();
      setStatus("reconnected", "ok");
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(function () { if (state.confirmed) setStatus(""); }, RECONNECTED_NOTICE_MS);
    });
  }

  function alreadyShown(frame) {
    var tail = state.messages.slice(-10);
    return tail.some(function (message) { return message.role !== "customer" && message.text === frame.text; });
  }

  function emitUtterance(message, entry) {
    state.lastSent = { message: message, display: entry.text, at: entry.at, entry: entry };
    socket.emit("user_uttered", {
      message: message,
      session_id: session.session_id,
      token: session.token,
      customData: { language: lang },
    });
    showTyping();
  }

  // Sends what waited for the connection; a message marked as not delivered waits for the customer's retry.
  function flushOutbox() {
    var waiting = state.outbox.filter(function (item) { return !item.failed; });
    state.outbox = state.outbox.filter(function (item) { return item.failed; });
    waiting.forEach(function (item) {
      if (item.node) {
        item.node.classList.remove("ks-pending");
        var note = item.node.querySelector(".ks-msg-note");
        if (note) note.remove();
      }
      var entry = { role: "customer", text: item.display, agent: null, buttons: [], at: item.at, node: item.node };
      state.messages.push(entry);
      emitUtterance(item.message, entry);
    });
    if (waiting.length) renderMessages();
  }

  // The server refused the message sent last: it goes back to the outbox, marked, with a retry button.
  function undelivered() {
    var sent = state.lastSent;
    state.lastSent = null;
    var index = sent ? state.messages.indexOf(sent.entry) : -1;
    if (index < 0) return;
    state.messages.splice(index, 1);
    state.outbox.push({ message: sent.message, display: sent.display, at: sent.at, failed: true });
    renderMessages();
  }

  // The customer asks to send again what was not delivered: now if connected, else once the chat is (re)started.
  function retry() {
    state.outbox.forEach(function (item) { item.failed = false; item.node = null; });
    setStatus(state.confirmed ? "" : "connecting");
    if (state.confirmed) flushOutbox();
    else start();
    renderMessages();
    ui.input.focus();
  }

  function onBotFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    if (state.reloading) { state.framesDuringReload.push(frame); return; }
    hideTyping();
    if (frame.handoff) {
      setHandoff(frame.handoff === "closed" ? null : { status: frame.handoff, agent: frame.agent || null }, true);
    } else if (frame.agent && (!state.handoff || state.handoff.agent !== frame.agent)) {
      setHandoff({ status: "assigned", agent: frame.agent }, true);
    }
    var buttons = (frame.quick_replies || frame.buttons || []).map(function (reply) {
      return { title: reply.title, payload: reply.payload };
    });
    if (typeof frame.text === "string" && frame.text !== "" || buttons.length) {
      state.messages.push({
        role: frame.agent ? "agent" : "bot",
        text: frame.text || "",
        agent: frame.agent || null,
        buttons: buttons,
        at: now(),
      });
      renderMessages();
      if (MODE === "bubble" && ui.panel.hidden) ui.launcher.classList.add("ks-unread");
    }
    if (frame.survey) showSurvey();
  }

  // ---------- sending ----------

  function send(message, display) {
    message = String(message || "").trim();
    if (!message || state.ended) return;
    display = display || message;
    if (socket && state.confirmed) {
      var entry = { role: "customer", text: display, agent: null, buttons: [], at: now() };
      state.messages.push(entry);
      renderMessages();
      emitUtterance(message, entry);
    } else {
      // Not started means starting failed (no session could be had): the message cannot go until a retry.
      state.outbox.push({ message: message, display: display, at: now(), failed: !state.started });
      renderMessages();
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    var text = ui.input.value;
    if (!text.trim()) { ui.input.focus(); return; }
    ui.input.value = "";
    send(text);
    ui.input.focus();
  }

  // ---------- rendering ----------

  // delivery: "pending" (waits for the connection), "failed" (not delivered: retry), or none.
  function messageNode(message, delivery) {
    var node = el("div", { className: "ks-msg ks-msg-" + message.role + (delivery ? " ks-" + delivery : ""),
      "data-role": message.role });
    if (message.role === "agent") {
      node.appendChild(el("div", { className: "ks-msg-label" }, [
        el("span", { className: "ks-agent-name", text: firstName(message.agent) }),
        el("span", { className: "ks-agent-role", text: " · " + t("agent_label") }),
      ]));
    } else {
      node.appendChild(srOnly((message.role === "customer" ? t("you") : t("bot_name")) + ": "));
    }
    node.appendChild(el("div", { className: "ks-msg-text" }, linkedText(message.text)));
    if (delivery === "pending") node.appendChild(el("div", { className: "ks-msg-note", text: t("pending") }));
    if (delivery === "failed") {
      node.appendChild(el("div", { className: "ks-msg-note ks-msg-failed" }, [
        el("span", { text: t("not_delivered") + " " }),
        el("button", { type: "button", className: "ks-retry", text: t("retry"), onclick: retry }),
      ]));
    }
    var written = timeNode(message.at);
    if (written) node.appendChild(written);
    return node;
  }

  // Brings the log in line with state. Nodes are kept on their messages and only missing ones are
  // inserted, so the live region announces what is new rather than the whole conversation again.
  function renderMessages() {
    if (!ui.log) return;
    var nodes = [ui.greeting || (ui.greeting = greetingNode())];
    if (!state.ended && !state.messages.length && !state.outbox.length) {
      nodes.push(ui.topics || (ui.topics = topicsNode()));
    }
    state.messages.forEach(function (message) {
      nodes.push(message.node || (message.node = messageNode(message, null)));
    });
    state.outbox.forEach(function (item) {
      nodes.push(item.node || (item.node = messageNode({ role: "customer", text: item.display, at: item.at },
        item.failed ? "failed" : "pending")));
    });
    var last = state.messages[state.messages.length - 1];
    if (!state.ended && !state.outbox.length && last && last.role !== "customer" && last.buttons.length) {
      nodes.push(last.quickReplies || (last.quickReplies = quickRepliesNode(last.buttons)));
    }
    nodes.forEach(function (node, index) {
      if (ui.log.children[index] !== node) ui.log.insertBefore(node, ui.log.children[index] || null);
    });
    while (ui.log.children.length > nodes.length) ui.log.lastElementChild.remove();
    scrollToEnd();
  }

  function forgetNodes() {
    state.messages.concat(state.outbox).forEach(function (item) { item.node = null; item.quickReplies = null; });
    ui.greeting = null;
    ui.topics = null;
    if (ui.log) ui.log.replaceChildren();
  }

  // The chat's own first words, so an empty chat says what it can do (texts.yml: widget.greeting).
  function greetingNode() {
    var node = el("div", { className: "ks-msg ks-msg-bot ks-greeting", "data-role": "greeting" }, [
      srOnly(t("bot_name") + ": "),
    ]);
    node.appendChild(el("div", { className: "ks-msg-text", text: t("greeting") }));
    return node;
  }

  // Topic buttons under the greeting while nothing is said yet: each sends the customer's words for it.
  function topicsNode() {
    var topics = (config.texts[lang] && config.texts[lang].greeting_topics) || [];
    var group = el("div", { className: "ks-quick-replies ks-topics", role: "group", "aria-label": t("topics_label") });
    topics.forEach(function (topic) {
      group.appendChild(el("button", { type: "button", className: "ks-quick-reply", text: topic.title,
        onclick: function () { send(topic.message); ui.input.focus(); } }));
    });
    return group;
  }

  function quickRepliesNode(buttons) {
    var group = el("div", { className: "ks-quick-replies", role: "group", "aria-label": t("quick_replies_label") });
    buttons.forEach(function (button) {
      group.appendChild(el("button", {
        type: "button",
        className: "ks-quick-reply",
        text: button.title,
        onclick: function () {
          var last = state.messages[state.messages.length - 1];
          if (last) last.buttons = [];
          send(button.payload, button.title);
          ui.input.focus();
        },
      }));
    });
    return group;
  }

  function scrollToEnd() {
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var body = ui.body;
    if (!body) return;
    if (body.scrollTo) body.scrollTo({ top: body.scrollHeight, behavior: reduce ? "auto" : "smooth" });
    else body.scrollTop = body.scrollHeight;
  }

  // key: a text key (re-worded when the language changes) or "" to hide the line.
  function setStatus(key, kind) {
    state.status = { key: key, kind: kind };
    if (!ui.status) return;
    var text = key ? t(key) : "";
    ui.status.textContent = text;
    ui.status.className = "ks-status" + (kind ? " ks-status-" + kind : "");
    ui.status.hidden = !text;
  }

  // live: the change happened now (a frame), not read from history, so "Kari has joined" is said once.
  function setHandoff(handoff, live) {
    var before = state.handoff;
    state.handoff = handoff && (handoff.status === "waiting" || handoff.status === "assigned") ? handoff : null;
    if (state.handoff) hideTyping();
    var after = state.handoff;
    state.justJoined = Boolean(live && after && after.status === "assigned" && after.agent &&
      (!before || before.agent !== after.agent));
    renderHandoff();
  }

  function renderHandoff() {
    if (!ui.handoff) return;
    var handoff = state.handoff;
    var text = "";
    if (handoff && handoff.status === "waiting") text = t("handoff_waiting");
    if (handoff && handoff.status === "assigned") {
      var agent = { agent: firstName(handoff.agent) };
      text = !handoff.agent ? t("handoff_waiting") : state.justJoined ? t("agent_joined", agent) : t("handoff_assigned", agent);
    }
    ui.handoff.textContent = text;
    ui.handoff.hidden = !text;
  }

  function showTyping() {
    if (state.handoff) return; // a person is on the other end: we do not know whether they type
    ui.typing.hidden = false;
    scrollToEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    if (ui.typing) ui.typing.hidden = true;
  }

  // ---------- survey and ending ----------

  function scaleFieldset(name, legendKey, lowKey, highKey, from, to) {
    var scale = el("div", { className: "ks-scale ks-scale-" + name });
    for (var value = from; value <= to; value++) {
      var extra = value === from ? t(lowKey) : value === to ? t(highKey) : "";
      scale.appendChild(el("label", { className: "ks-scale-item" }, [
        el("input", { type: "radio", name: name, value: String(value) }),
        el("span", { className: "ks-scale-value", text: String(value) }),
        extra ? srOnly(" – " + extra) : null,
      ]));
    }
    return el("fieldset", { className: "ks-fieldset" }, [
      el("legend", { text: t(legendKey) }),
      scale,
      el("div", { className: "ks-scale-ends", "aria-hidden": "true" }, [
        el("span", { text: t(lowKey) }),
        el("span", { text: t(highKey) }),
      ]),
    ]);
  }

  function showSurvey() {
    var wrap = ui.surveyWrap;
    var error = el("p", { className: "ks-survey-error", id: "ks-survey-error", role: "alert", hidden: true });
    var form = el("form", { id: "ks-survey", className: "ks-survey", novalidate: true, "aria-labelledby": "ks-survey-title" }, [
      el("h2", { id: "ks-survey-title", className: "ks-survey-title", text: t("survey_title") }),
      el("p", { className: "ks-survey-intro", text: t("survey_intro") }),
      scaleFieldset("satisfaction", "survey_satisfaction", "survey_satisfaction_low", "survey_satisfaction_high", 1, 5),
      scaleFieldset("nps", "survey_nps", "survey_nps_low", "survey_nps_high", 0, 10),
      error,
      el("div", { className: "ks-survey-actions" }, [
        el("button", { type: "submit", className: "ks-button ks-primary", id: "ks-survey-submit", text: t("survey_submit") }),
        state.ended ? null : el("button", { type: "button", className: "ks-button", id: "ks-survey-skip",
          text: t("survey_skip"), onclick: function () { hideSurvey(); ui.input.focus(); } }),
      ]),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitSurvey(form, error);
    });
    wrap.replaceChildren(form);
    if (state.ended) wrap.appendChild(newConversationNode());
    wrap.hidden = false;
    scrollToEnd();
  }

  function hideSurvey() {
    ui.surveyWrap.hidden = true;
    ui.surveyWrap.replaceChildren();
  }

  function checkedValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? Number(checked.value) : null;
  }

  function submitSurvey(form, error) {
    var satisfaction = checkedValue(form, "satisfaction");
    var nps = checkedValue(form, "nps");
    function fail(text) {
      error.textContent = text;
      error.hidden = false;
    }
    if (satisfaction === null || nps === null) { fail(t("survey_missing")); return; }
    var submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    postJson("/chat/api/survey", {
      session_id: session.session_id,
      token: session.token,
      language: lang,
      satisfaction: satisfaction,
      nps: nps,
    }).then(function (response) {
      // 409: an answer about this conversation is stored already (a second tab, a double click).
      if (response.ok || response.status === 409) return thankForSurvey();
      fail(t("survey_error"));  // the server's reasons are for developers, in English
    }).catch(function () { fail(t("survey_error")); }).then(function () { submit.disabled = false; });
  }

  function thankForSurvey() {
    var thanks = el("p", { className: "ks-survey-thanks", id: "ks-survey-thanks", role: "status", tabindex: "-1",
      text: t("survey_thanks") });
    ui.surveyWrap.replaceChildren(thanks);
    if (state.ended) ui.surveyWrap.appendChild(newConversationNode());
    thanks.focus();
    scrollToEnd();
  }

  function newConversationNode() {
    return el("div", { className: "ks-ended" }, [
      el("p", { className: "ks-ended-text", text: t("chat_ended") }),
      el("button", { type: "button", id: "ks-new", className: "ks-button ks-primary", text: t("new_conversation"),
        onclick: startNewConversation }),
    ]);
  }

  function endChat() {
    if (state.ended) return;
    // Tell the desk, so a customer who gave up waiting is not left in the agents' queue.
    postJson("/chat/api/end", { session_id: session.session_id, token: session.token }).catch(function () {});
    state.ended = true;
    state.outbox = [];
    hideTyping();
    ui.root.classList.add("ks-is-ended");
    ui.composer.hidden = true;
    ui.end.hidden = true;
    renderMessages();
    showSurvey();
    var first = ui.surveyWrap.querySelector("input");
    if (first) first.focus();
  }

  function startNewConversation() {
    try { localStorage.removeItem(STORAGE_KEY); } catch (error) { /* ignore */ }
    state.ended = false;
    state.outbox = [];
    state.messages = [];
    state.everConfirmed = false;
    state.confirmed = false;
    setHandoff(null);
    hideSurvey();
    hideTyping();
    ui.root.classList.remove("ks-is-ended");
    ui.composer.hidden = false;
    ui.end.hidden = false;
    renderMessages();
    newSession().then(function () {
      if (socket) { socket.disconnect(); socket.connect(); }
      setStatus("connecting");
      ui.input.focus();
    }).catch(function () { setStatus("unavailable", "warning"); });
  }

  // ---------- the frame around it ----------

  function languageSwitch() {
    var group = el("div", { className: "ks-lang", role: "group", id: "ks-lang" });
    LANGUAGES.forEach(function (code) {
      if (config.languages && config.languages.indexOf(code) < 0) return;
      var texts = config.texts[code] || {};
      group.appendChild(el("button", {
        type: "button",
        className: "ks-lang-button",
        "data-lang": code,
        lang: code,
        "aria-label": texts.language_name || code,
        text: texts.language_short || code.toUpperCase(),
        onclick: function () { setLanguage(code); },
      }));
    });
    return group;
  }

  function setLanguage(code) {
    if (code === lang) return;
    lang = code;
    if (MODE === "page") {
      var url = new URL(location.href);
      url.searchParams.set("lang", code);
      history.replaceState(history.state, "", url);
    }
    var hadFocus = ui.shadow.activeElement;
    var surveyForm = !ui.surveyWrap.hidden && ui.surveyWrap.querySelector("form");
    var answers = surveyForm ? [checkedValue(surveyForm, "satisfaction"), checkedValue(surveyForm, "nps")] : null;
    applyTexts();
    forgetNodes();
    renderMessages();
    renderHandoff();
    if (state.status) setStatus(state.status.key, state.status.kind);
    if (surveyForm) {
      showSurvey();
      ["satisfaction", "nps"].forEach(function (name, index) {
        var input = ui.surveyWrap.querySelector('input[name="' + name + '"][value="' + answers[index] + '"]');
        if (input) input.checked = true;
      });
    }
    if (hadFocus && hadFocus.classList && hadFocus.classList.contains("ks-lang-button")) {
      var again = ui.root.querySelector('.ks-lang-button[data-lang="' + code + '"]');
      if (again) again.focus();
    }
  }

  // Puts the current language's words on the frame (header, labels, buttons).
  function applyTexts() {
    ui.root.setAttribute("lang", lang);
    if (MODE === "page") document.documentElement.setAttribute("lang", lang);
    ui.title.textContent = t("title");
    ui.langGroup.setAttribute("aria-label", t("language_label"));
    Array.prototype.forEach.call(ui.langGroup.children, function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
    ui.end.textContent = t("end_chat");
    ui.inputLabel.textContent = t("input_label");
    ui.input.placeholder = t("input_placeholder");
    ui.send.textContent = t("send");
    ui.typing.setAttribute("aria-label", t("typing"));
    ui.typingText.textContent = t("typing");
    if (ui.panel) ui.panel.setAttribute("aria-label", t("title"));
    if (ui.launcher) {
      ui.launcherText.textContent = t("launcher"); // its name; aria-expanded tells open from closed
      ui.launcher.title = t("open_chat");
      ui.close.setAttribute("aria-label", t("close_chat"));
      ui.close.title = t("close_chat");
    }
  }

  function build(root) {
    ui.root = root;
    root.classList.add("ks-root", "ks-mode-" + MODE);
    // The page's own heading in full-page mode; in the corner the host page has its h1 already.
    ui.title = el(MODE === "page" ? "h1" : "h2", { className: "ks-title", id: "ks-title" });
    ui.handoff = el("p", { className: "ks-handoff", id: "ks-handoff", role: "status", hidden: true });
    ui.langGroup = languageSwitch();
    ui.end = el("button", { type: "button", className: "ks-button ks-end", id: "ks-end", onclick: endChat });
    var headerActions = el("div", { className: "ks-header-actions" }, [ui.langGroup, ui.end]);
    if (MODE === "bubble") {
      ui.close = el("button", { type: "button", className: "ks-close", id: "ks-close", onclick: function () { toggle(false); } },
        [el("span", { "aria-hidden": "true", text: "×" })]);
      headerActions.appendChild(ui.close);
    }
    var header = el("div", { className: "ks-header" }, [
      el("div", { className: "ks-heading" }, [ui.title, ui.handoff]),
      headerActions,
    ]);
    ui.status = el("p", { className: "ks-status", id: "ks-status", role: "status", "aria-live": "polite", hidden: true });
    ui.log = el("div", { className: "ks-log", id: "ks-log", role: "log", "aria-live": "polite", "aria-labelledby": "ks-title" });
    ui.typingText = srOnly("");
    ui.typing = el("div", { className: "ks-typing", id: "ks-typing", role: "status", hidden: true }, [
      el("span", { className: "ks-dots", "aria-hidden": "true" }, [
        el("span", { className: "ks-dot", text: "." }), el("span", { className: "ks-dot", text: "." }),
        el("span", { className: "ks-dot", text: "." }),
      ]),
      ui.typingText,
    ]);
    ui.surveyWrap = el("div", { className: "ks-survey-wrap", id: "ks-survey-wrap", hidden: true });
    ui.body = el("div", { className: "ks-body" }, [ui.log, ui.typing, ui.surveyWrap]);
    ui.inputLabel = el("label", { className: "ks-input-label", for: "ks-input" });
    ui.input = el("input", { type: "text", id: "ks-input", className: "ks-input", autocomplete: "off",
      maxlength: MAX_MESSAGE_CHARACTERS, enterkeyhint: "send" });
    ui.send = el("button", { type: "submit", id: "ks-send", className: "ks-button ks-primary ks-send" });
    ui.composer = el("form", { className: "ks-composer", id: "ks-composer", onsubmit: onSubmit }, [
      ui.inputLabel, el("div", { className: "ks-composer-row" }, [ui.input, ui.send]),
    ]);
    var inner = [header, ui.status, ui.body, ui.composer];

    if (MODE === "page") {
      root.replaceChildren.apply(root, inner);
    } else {
      ui.panel = el("div", { className: "ks-panel", id: "ks-panel", role: "dialog", hidden: true }, inner);
      ui.launcherText = el("span", { className: "ks-launcher-text" });
      ui.launcher = el("button", { type: "button", className: "ks-launcher", id: "ks-launcher",
        "aria-expanded": "false", "aria-controls": "ks-panel", onclick: function () { toggle(); } }, [
        el("span", { className: "ks-launcher-icon", "aria-hidden": "true" }), ui.launcherText,
      ]);
      root.replaceChildren(ui.panel, ui.launcher);
      ui.panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); toggle(false); }
        else if (event.key === "Tab" && fullScreen()) keepFocusInside(event);
      });
    }
    applyTexts();
  }

  function fullScreen() {
    return window.matchMedia(FULL_SCREEN).matches;
  }

  // Full screen on a phone the chat is all there is to see: Tab goes round inside it, not to the hidden page.
  function keepFocusInside(event) {
    var focusable = Array.prototype.filter.call(
      ui.panel.querySelectorAll("button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])"),
      function (node) { return !node.disabled && node.getClientRects().length > 0; });
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var current = ui.shadow.activeElement;
    var outside = !ui.panel.contains(current);
    if (event.shiftKey && (current === first || outside)) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (current === last || outside)) { event.preventDefault(); first.focus(); }
  }

  function toggle(open) {
    var isOpen = ui.launcher.getAttribute("aria-expanded") === "true";
    open = open === undefined ? !isOpen : open;
    if (open === isOpen) return;
    ui.panel.hidden = !open;
    ui.panel.setAttribute("aria-modal", String(open && fullScreen()));
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.root.classList.toggle("ks-is-open", open);
    if (open) ui.launcher.classList.remove("ks-unread");
    applyTexts();
    if (open) {
      start();
      scrollToEnd();
      ui.input.focus();
    } else {
      ui.launcher.focus();
    }
  }

  // Opens the conversation and the socket: at once on the full page; in the corner when first opened,
  // or at once when a conversation is already under way, so an agent's reply is not missed.
  function start() {
    if (state.started) return;
    state.started = true;
    setStatus("connecting");
    var socketReady = window.io ? Promise.resolve() : loadScript(DESK + "/static/vendor/socket.io-4.8.4.min.js");
    Promise.all([openConversation(), socketReady]).then(connectSocket).catch(function () {
      state.started = false;
      setStatus("unavailable", "warning");
      // No session: what the customer wrote meanwhile cannot go; say so at each message, with a retry.
      state.outbox.forEach(function (item) { item.failed = true; item.node = null; });
      renderMessages();
    });
  }

  function hostElement() {
    var host = document.getElementById("kundesenter-chat");
    if (!host) {
      host = el("div", { id: "kundesenter-chat" });
      document.body.appendChild(host);
    }
    return host;
  }

  function init() {
    var host = hostElement();
    host.hidden = true;
    ui.shadow = host.attachShadow({ mode: "open" });
    var styles = loadStyles(ui.shadow);
    var root = el("div", {});
    ui.shadow.appendChild(root);
    api("/chat/config").then(function (response) {
      if (!response.ok) throw new Error("config " + response.status);
      return response.json();
    }).then(function (loaded) {
      config = loaded;
      if (config.languages && config.languages.length && config.languages.indexOf(lang) < 0) lang = config.languages[0];
      return styles;
    }).then(function () {
      build(root);
      host.hidden = false;
      if (MODE === "page") ui.input.focus();
      if (MODE === "page" || readSession()) start();
    }).catch(function () {
      if (MODE === "bubble") return; // no button in the corner that leads nowhere
      host.hidden = false;
      root.classList.add("ks-root", "ks-unavailable");
      root.replaceChildren(el("p", { className: "ks-status ks-status-warning", id: "ks-status", role: "status",
        text: UNREACHABLE[lang] }));
    });
  }

  if (document.body) init();
  else document.addEventListener("DOMContentLoaded", init);
})();
