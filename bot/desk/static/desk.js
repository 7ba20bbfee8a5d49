/*
 * Kundesenter agent desk (docs/design/desk-api.md, "Agent API").
 *
 * One ES module, no build step. It holds what the three staff pages share (texts and language,
 * building elements, calling the API) and starts the page named by <body data-page>:
 * "login" (log-in form messages) or "desk" (queue and conversation). supervisor.js imports
 * the shared part. Every text from the server goes in through textContent, never innerHTML.
 */

import { Alerts } from "./alerts.js";
import { CannedReplies } from "./canned.js";
import { renderCaseCard } from "./case_card.js";

// ---------------------------------------------------------------------------------------------
// Shared: language and texts
// ---------------------------------------------------------------------------------------------

export const LANGUAGES = ["nb", "sv"];
const LOCALES = { nb: "nb-NO", sv: "sv-SE" };
const LANGUAGE_KEY = "kundesenter.desk.language";

/** nb/no/nn → nb, sv → sv, else nb; a choice made with the switch wins. */
export function chooseLanguage() {
  try {
    const stored = localStorage.getItem(LANGUAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch (error) { /* storage blocked */ }
  const browser = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (const tag of browser) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (["nb", "no", "nn"].includes(base)) return "nb";
    if (base === "sv") return "sv";
  }
  return "nb";
}

/** The desk's texts ({nb: {...}, sv: {...}}); the pages keep their Bokmål wording when they cannot be read. */
export async function loadTexts() {
  try {
    const response = await fetch("/desk/texts", { headers: { Accept: "application/json" } });
    if (response.ok) return await response.json();
  } catch (error) { /* offline: fall back to the words in the HTML */ }
  return { nb: {}, sv: {} };
}

export class I18n {
  constructor(texts, language) {
    this.texts = texts || {};
    this.language = LANGUAGES.includes(language) ? language : "nb";
    this.listeners = [];
  }

  get locale() {
    return LOCALES[this.language];
  }

  has(key) {
    return typeof (this.texts[this.language] || {})[key] === "string" || typeof (this.texts.nb || {})[key] === "string";
  }

  /** The text `key` in the current language ({name} placeholders filled), else Bokmål, else `fallback`. */
  t(key, values = {}, fallback = key) {
    const own = (this.texts[this.language] || {})[key];
    const text = typeof own === "string" ? own : typeof (this.texts.nb || {})[key] === "string" ? this.texts.nb[key] : fallback;
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  /** A code from the server (topic, reason, language) in words, or the code itself when no text exists. */
  label(prefix, code) {
    if (code === null || code === undefined || code === "") return "–";
    return this.t(`${prefix}_${code}`, {}, String(code));
  }

  set(language) {
    if (!LANGUAGES.includes(language)) return;
    this.language = language;
    try { localStorage.setItem(LANGUAGE_KEY, language); } catch (error) { /* ignore */ }
    document.documentElement.lang = language;
    applyTexts(document, this);
    for (const listener of this.listeners) listener(language);
  }

  onChange(listener) {
    this.listeners.push(listener);
  }
}

/** Static words in the HTML: data-t (text), data-t-placeholder, data-t-aria (aria-label), data-t-title (title). */
export function applyTexts(root, i18n) {
  for (const node of root.querySelectorAll("[data-t]")) {
    if (i18n.has(node.dataset.t)) node.textContent = i18n.t(node.dataset.t);
  }
  for (const [attribute, dataKey] of [["placeholder", "tPlaceholder"], ["aria-label", "tAria"], ["title", "tTitle"]]) {
    for (const node of root.querySelectorAll(`[data-t-${attribute === "aria-label" ? "aria" : attribute}]`)) {
      if (i18n.has(node.dataset[dataKey])) node.setAttribute(attribute, i18n.t(node.dataset[dataKey]));
    }
  }
}

/** Loads the texts, applies them and wires the language switch (a <select id="language-switch">). */
export async function startI18n() {
  const i18n = new I18n(await loadTexts(), chooseLanguage());
  document.documentElement.lang = i18n.language;
  applyTexts(document, i18n);
  const select = document.getElementById("language-switch");
  if (select) {
    select.value = i18n.language;
    select.addEventListener("change", () => i18n.set(select.value));
  }
  return i18n;
}

// ---------------------------------------------------------------------------------------------
// Shared: elements, formatting, API
// ---------------------------------------------------------------------------------------------

/**
 * el("li", {className: "msg", dataset: {role: "bot"}}, "text", child) — children are nodes or strings,
 * and strings always become text nodes. There is no way to pass HTML.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "className") node.className = value;
    else if (name === "text") node.textContent = String(value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A date-time from the API ("2024-05-02T08:15:00+00:00") as a local time, with the date when not today. */
export function formatTime(iso, i18n) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const sameDay = when.toDateString() === new Date().toDateString();
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(i18n.locale, options).format(when);
}

/** Waited time as mm:ss (minutes keep counting past 59). */
export function formatClock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls the desk's API with the session cookie. Resolves {status, data}; a 401 sends the browser to
 * the log-in page; other failures throw ApiError carrying the server's `error` text.
 */
export async function api(method, path, body, i18n) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, i18n ? i18n.t("error_network") : "network error");
  }
  let data = null;
  if (response.status !== 204) {
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try { data = await response.json(); } catch (error) { data = null; }
    }
  }
  if (response.status === 401) {
    window.location.assign("/login");
    throw new ApiError(401, (data && data.error) || "not logged in");
  }
  if (!response.ok) {
    const fallback = i18n ? i18n.t("error_http", { status: response.status }) : `HTTP ${response.status}`;
    throw new ApiError(response.status, (data && typeof data.error === "string" && data.error) || fallback);
  }
  return { status: response.status, data };
}

/** The header every staff page shares: first name, supervisor link, log-out. Resolves the /api/me answer. */
export async function startHeader(i18n) {
  const { data: me } = await api("GET", "/api/me", undefined, i18n);
  const name = document.getElementById("me-name");
  const paint = () => { if (name) name.textContent = i18n.t("logged_in_as", { name: me.first_name || me.username }); };
  paint();
  i18n.onChange(paint);
  const supervisorLink = document.getElementById("supervisor-link");
  if (supervisorLink) supervisorLink.hidden = me.role !== "supervisor";
  return me;
}

// ---------------------------------------------------------------------------------------------
// The log-in page
// ---------------------------------------------------------------------------------------------

async function startLogin() {
  const i18n = await startI18n();
  const error = document.getElementById("login-error");
  const code = new URLSearchParams(window.location.search).get("error");
  const paint = () => {
    if (!code) return;
    const key = ["wrong", "locked", "disabled"].includes(code) ? `login_error_${code}` : "login_error_other";
    error.textContent = i18n.t(key);
  };
  paint();
  i18n.onChange(paint);
  if (code) document.getElementById("password").focus();
}

// ---------------------------------------------------------------------------------------------
// The agent desk
// ---------------------------------------------------------------------------------------------

const QUEUE_POLL_MS = 2000;
const CONVERSATION_POLL_MS = 1500;
const OPEN_KEY = "kundesenter.desk.open";
const SEEN_KEY = "kundesenter.desk.seen"; // per agent: how many customer messages of each of my conversations I have seen

class Desk {
  constructor(i18n, me) {
    this.i18n = i18n;
    this.me = me;
    this.queue = { waiting: [], mine: [], callbacks: [] };
    this.queueFetchedAt = performance.now();
    this.conversation = null; // {id, rendered, notes, caseJson, pending: [], writable, timer}
    this.agents = [];
    this.$ = (id) => document.getElementById(id);
  }

  start() {
    // The page arrives with "take next" disabled: a click before this script listens would be lost.
    this.$("take-next").addEventListener("click", () => this.takeNext());
    this.$("take-next").disabled = false;
    this.$("reply-form").addEventListener("submit", (event) => { event.preventDefault(); this.sendReply(); });
    this.$("reply-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendReply();
      }
    });
    this.$("note-form").addEventListener("submit", (event) => { event.preventDefault(); this.sendNote(); });
    this.$("transfer-form").addEventListener("submit", (event) => { event.preventDefault(); this.transfer(); });
    this.$("transfer-agent").addEventListener("change", () => this.syncTransferMode());
    this.$("close-form").addEventListener("submit", (event) => { event.preventDefault(); this.close(); });
    this.$("conversation-hide").addEventListener("click", () => this.hideConversation());
    this.canned = new CannedReplies(this.$("reply-input"), this.$("canned-select"), this.me.first_name || "", this.i18n);
    this.alerts = new Alerts(this.$("notify-enable"));
    this.known = null; // ids of waiting hand-offs already seen; null until the first poll
    this.counts = new Map(); // my conversations' customer message counts at the last poll
    this.seen = this.readSeen();
    document.addEventListener("keydown", (event) => this.shortcut(event));
    this.i18n.onChange(() => this.repaint());

    setInterval(() => this.tick(), 1000);
    this.pollQueue(true);
    this.loadAgents();
    this.loadCannedReplies();
  }

  async loadCannedReplies() {
    try {
      const { data } = await api("GET", "/api/canned-replies", undefined, this.i18n);
      this.canned.show(data, null);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Alt+N takes the next customer, Alt+J opens the next of my conversations, Alt+K closes and hands back. */
  shortcut(event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const actions = {
      KeyN: () => this.takeNext(),
      KeyJ: () => this.openNextOfMine(),
      KeyK: () => { if (this.conversation && this.conversation.writable) this.close(); },
    };
    if (!(event.code in actions)) return;
    event.preventDefault(); // by key position (event.code): Alt+N types "˜" on some keyboards
    actions[event.code]();
  }

  openNextOfMine() {
    const mine = this.queue.mine;
    if (!mine.length) return;
    const at = this.conversation ? mine.findIndex((item) => String(item.id) === String(this.conversation.id)) : -1;
    this.open(mine[(at + 1) % mine.length].id);
  }

  // -- messages to the agent ------------------------------------------------------------------

  status(text, kind = "error") {
    const box = this.$("desk-status");
    box.textContent = text || "";
    box.dataset.kind = kind;
    box.hidden = !text;
  }

  fail(error) {
    if (error.status === 401) return;
    this.status(error.message, "error");
  }

  // -- queue ----------------------------------------------------------------------------------

  async pollQueue(first = false) {
    await this.refreshQueue();
    if (first) this.reopen();
    setTimeout(() => this.pollQueue(), QUEUE_POLL_MS);
  }

  /** Fetches the queue once; also called right after the agent changed it (claim, close, transfer). */
  async refreshQueue() {
    try {
      const { data } = await api("GET", "/api/queue", undefined, this.i18n);
      this.queue = { waiting: data.waiting || [], mine: data.mine || [], callbacks: data.callbacks || [] };
      this.queueFetchedAt = performance.now();
      this.watch();
      if (this.$("desk-status").dataset.kind === "offline") this.status("");
      this.renderQueue();
    } catch (error) {
      if (error.status === 0) this.status(error.message, "offline");
      else this.fail(error);
    }
  }

  /** New customers for my skills and new messages in my conversations: a tone, a notification, unread marks. */
  watch() {
    const { i18n } = this;
    const first = this.known === null;
    const fresh = this.queue.waiting.filter((item) => !first && !this.known.has(String(item.id)));
    this.known = new Set(this.queue.waiting.map((item) => String(item.id)));
    if (fresh.length) {
      const item = fresh[0];
      this.alerts.notify(i18n.t("notify_handoff", { count: fresh.length }),
        [item.customer_name || item.customer_contact, i18n.label("topic", item.topic), i18n.label("language", item.language)]
          .filter(Boolean).join(" · "), "handoff");
    }
    const openId = this.conversation && String(this.conversation.id);
    for (const item of this.queue.mine) {
      const id = String(item.id);
      const count = item.customer_messages || 0;
      const before = this.counts.get(id);
      this.counts.set(id, count);
      const looking = id === openId && document.visibilityState === "visible";
      if (!this.seen.has(id) || id === openId) this.seen.set(id, count);
      if (before !== undefined && count > before && !looking) {
        this.alerts.notify(i18n.t("notify_message", { who: item.customer_name || item.customer_contact || i18n.t("customer_unknown") }),
          item.latest_words || "", `message-${id}`);
      }
    }
    const mine = new Set(this.queue.mine.map((item) => String(item.id)));
    for (const id of [...this.seen.keys()]) if (!mine.has(id)) this.seen.delete(id);
    try { localStorage.setItem(`${SEEN_KEY}.${this.me.username}`, JSON.stringify([...this.seen])); } catch (error) { /* ignore */ }
  }

  readSeen() {
    try {
      return new Map(JSON.parse(localStorage.getItem(`${SEEN_KEY}.${this.me.username}`) || "[]"));
    } catch (error) {
      return new Map();
    }
  }

  unread(item) {
    return Math.max(0, (item.customer_messages || 0) - (this.seen.get(String(item.id)) ?? (item.customer_messages || 0)));
  }

  waitedNow(item) {
    return (item.waited_seconds || 0) + (performance.now() - this.queueFetchedAt) / 1000;
  }

  renderQueue() {
    const { i18n } = this;
    const list = this.$("queue");
    const existing = new Map([...list.children].map((row) => [row.dataset.id, row]));
    const keep = new Set();
    this.queue.waiting.forEach((item, index) => {
      const id = String(item.id);
      keep.add(id);
      let row = existing.get(id);
      if (!row) {
        row = el("li", { className: "queue-item", dataset: { id } },
          el("div", { className: "q-customer" }),
          el("div", { className: "q-topic" }),
          el("div", { className: "q-language" }),
          el("div", { className: "q-waited" }),
          el("div", { className: "q-action" }, el("button", { type: "button", className: "claim", onclick: () => this.claim(item.id) })));
      }
      const part = (name) => row.querySelector(`.q-${name}`);
      clear(part("customer"));
      part("customer").append(
        el("span", { className: "q-who" }, item.customer_name || item.customer_contact || i18n.t("customer_unknown")),
        ...(item.latest_words ? [el("q", { className: "q-words" }, item.latest_words)] : []));
      clear(part("topic"));
      part("topic").append(i18n.label("topic", item.topic), el("span", { className: "q-reason" }, i18n.label("reason", item.reason)));
      part("language").textContent = i18n.label("language", item.language);
      part("waited").textContent = i18n.t("waited", { time: formatClock(this.waitedNow(item)) });
      const button = row.querySelector(".claim");
      button.textContent = i18n.t("claim");
      button.setAttribute("aria-label", i18n.t("claim_label", { topic: i18n.label("topic", item.topic), language: i18n.label("language", item.language) }));
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
    });
    for (const [id, row] of existing) if (!keep.has(id)) row.remove();
    this.$("queue-empty").hidden = this.queue.waiting.length > 0;
    this.$("queue-count").textContent = String(this.queue.waiting.length);
    document.title = (this.queue.waiting.length ? `(${this.queue.waiting.length}) ` : "") + i18n.t("desk_title");

    this.renderMine();
    this.renderCallbacks();
  }

  renderMine() {
    const { i18n } = this;
    const list = this.$("mine");
    const openId = this.conversation && String(this.conversation.id);
    clear(list);
    for (const item of this.queue.mine) {
      const current = openId === String(item.id);
      list.append(el("li", {},
        el("button", {
          type: "button",
          className: "mine-item" + (current ? " current" : ""),
          dataset: { id: String(item.id) },
          "aria-current": current ? "true" : undefined,
          onclick: () => this.open(item.id),
        }, [item.customer_name || item.customer_contact, i18n.label("topic", item.topic), i18n.label("language", item.language),
          formatTime(item.queued_at, i18n)].filter(Boolean).join(" · "),
        this.unread(item) ? el("span", { className: "unread" }, i18n.t("unread", { count: this.unread(item) })) : null)));
    }
    this.$("mine-empty").hidden = this.queue.mine.length > 0;
  }

  renderCallbacks() {
    const { i18n } = this;
    const list = this.$("callbacks");
    const focusedId = document.activeElement && document.activeElement.classList.contains("callback-done") ? document.activeElement.dataset.id : null;
    clear(list);
    for (const callback of this.queue.callbacks) {
      const button = el("button", {
        type: "button", className: "callback-done", dataset: { id: String(callback.id) },
        "aria-label": i18n.t("callback_done_label", { contact: callback.contact || "" }),
        onclick: () => this.callbackDone(callback.id, button),
      }, i18n.t("callback_done"));
      list.append(el("li", { className: "callback", dataset: { id: String(callback.id) } },
        el("span", { className: "callback-contact" }, callback.contact || ""),
        el("span", { className: "callback-when" }, callback.preferred_time ? i18n.t("callback_preferred", { time: callback.preferred_time }) : ""),
        el("span", { className: "callback-meta" }, `${i18n.label("topic", callback.topic)} · ${i18n.label("language", callback.language)} · ${formatTime(callback.created_at, i18n)}`),
        button));
      if (focusedId === String(callback.id)) button.focus();
    }
    this.$("callbacks-empty").hidden = this.queue.callbacks.length > 0;
  }

  tick() {
    const byId = new Map(this.queue.waiting.map((item) => [String(item.id), item]));
    for (const row of this.$("queue").children) {
      const item = byId.get(row.dataset.id);
      if (item) row.querySelector(".q-waited").textContent = this.i18n.t("waited", { time: formatClock(this.waitedNow(item)) });
    }
  }

  async takeNext() {
    const button = this.$("take-next");
    button.disabled = true;
    this.$("queue-message").textContent = "";
    try {
      const { status, data } = await api("POST", "/api/handoffs/next", undefined, this.i18n);
      if (status === 204 || !data) this.$("queue-message").textContent = this.i18n.t("nothing_waiting");
      else this.show(data);
      this.refreshQueue();
    } catch (error) {
      this.fail(error);
    } finally {
      button.disabled = false;
    }
  }

  async claim(id) {
    try {
      const { data } = await api("POST", `/api/handoffs/${encodeURIComponent(id)}/claim`, undefined, this.i18n);
      this.show(data);
    } catch (error) {
      this.fail(error);
    }
    this.refreshQueue();
  }

  async callbackDone(id, button) {
    button.disabled = true;
    try {
      await api("POST", `/api/callbacks/${encodeURIComponent(id)}/done`, undefined, this.i18n);
      this.queue.callbacks = this.queue.callbacks.filter((callback) => String(callback.id) !== String(id));
      this.renderCallbacks();
      this.$("queue-message").textContent = this.i18n.t("callback_marked_done");
    } catch (error) {
      button.disabled = false;
      this.fail(error);
    }
  }

  // -- one conversation -----------------------------------------------------------------------

  reopen() {
    let id = null;
    try { id = sessionStorage.getItem(OPEN_KEY); } catch (error) { /* ignore */ }
    if (id && this.queue.mine.some((item) => String(item.id) === id)) this.open(id);
  }

  async open(id) {
    try {
      const { data } = await api("GET", `/api/handoffs/${encodeURIComponent(id)}`, undefined, this.i18n);
      this.show(data);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Shows a Conversation from the API (claim, take next, or a click in "mine"). */
  show(conversation) {
    const id = conversation.handoff.id;
    // Shown again (a poll or a second click racing the first): what the agent has begun to write stays.
    const again = this.conversation && this.conversation.id === id;
    const drafts = again ? { reply: this.$("reply-input").value, note: this.$("note-input").value } : { reply: "", note: "" };
    this.stopConversation();
    // writable: null, not true: setWritable must set the controls for this conversation, whatever the last one left.
    this.conversation = { id, rendered: 0, notes: 0, caseJson: null, pending: [], writable: null, timer: null, data: conversation };
    try { sessionStorage.setItem(OPEN_KEY, String(id)); } catch (error) { /* ignore */ }
    clear(this.$("transcript"));
    clear(this.$("notes"));
    this.$("reply-input").value = drafts.reply;
    this.$("note-input").value = drafts.note;
    this.$("close-resolution").value = "";
    this.$("transfer-agent").value = "";
    this.syncTransferMode();
    this.status("");
    this.$("no-conversation").hidden = true;
    this.$("conversation").hidden = false;
    this.$("main").classList.add("conversation-open");
    this.update(conversation, true);
    const transcript = this.$("transcript");
    transcript.scrollTop = transcript.scrollHeight;
    this.renderMine();
    this.fillTransferTargets();
    // Back to the queue means, by default, the queue it came from.
    this.$("transfer-topic").value = conversation.handoff.topic || this.$("transfer-topic").value;
    this.$("transfer-language").value = conversation.handoff.language || this.$("transfer-language").value;
    this.canned.show(null, conversation.handoff.language);
    if (this.counts.has(String(id))) this.seen.set(String(id), this.counts.get(String(id))); // read now
    this.$("reply-input").focus();
    this.conversation.timer = setTimeout(() => this.pollConversation(), CONVERSATION_POLL_MS);
  }

  async pollConversation() {
    const current = this.conversation;
    if (!current) return;
    try {
      const { data } = await api("GET", `/api/handoffs/${encodeURIComponent(current.id)}`, undefined, this.i18n);
      if (this.conversation === current) this.update(data, false);
    } catch (error) {
      if (this.conversation !== current) return;
      if (error.status === 404) {
        this.hideConversation();
        this.status(error.message);
        return;
      }
      if (error.status === 0) this.status(error.message, "offline");
      else this.fail(error);
    }
    if (this.conversation === current) current.timer = setTimeout(() => this.pollConversation(), CONVERSATION_POLL_MS);
  }

  stopConversation() {
    if (this.conversation && this.conversation.timer) clearTimeout(this.conversation.timer);
    this.conversation = null;
  }

  hideConversation() {
    this.stopConversation();
    try { sessionStorage.removeItem(OPEN_KEY); } catch (error) { /* ignore */ }
    this.$("conversation").hidden = true;
    this.$("no-conversation").hidden = false;
    this.$("main").classList.remove("conversation-open");
    this.renderMine();
    this.$("take-next").focus();
  }

  /** Brings the open conversation up to date: new messages and notes are appended, nothing is redrawn. */
  update(conversation, first) {
    const state = this.conversation;
    state.data = conversation;
    const { handoff } = conversation;
    this.renderMeta(handoff);
    // The server's warning is English for API clients; the agent reads it in the desk's language.
    this.$("conversation-warning").textContent = conversation.warning ? this.i18n.t("transcript_unavailable") : "";
    this.$("conversation-warning").hidden = !conversation.warning;

    const caseJson = JSON.stringify(conversation.case || []);
    if (caseJson !== state.caseJson) {
      state.caseJson = caseJson;
      this.renderCase(conversation.case);
    }

    const messages = conversation.transcript || [];
    if (messages.length > state.rendered) {
      const list = this.$("transcript");
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
      const firstPending = list.querySelector(".msg-pending");
      const customerSaid = [];
      for (const message of messages.slice(state.rendered)) {
        if (message.role === "agent") this.dropPending(message.text);
        list.insertBefore(this.messageNode(message), list.querySelector(".msg-pending") || null);
        if (!first && message.role === "customer") customerSaid.push(message.text);
      }
      state.rendered = messages.length;
      if (atBottom || first || firstPending) list.scrollTop = list.scrollHeight;
      if (customerSaid.length) this.announce(customerSaid);
    }

    const notes = conversation.notes || [];
    for (const note of notes.slice(state.notes)) this.$("notes").append(this.noteNode(note));
    state.notes = Math.max(state.notes, notes.length);
    this.$("notes-empty").hidden = state.notes > 0;

    const mineNow = handoff.status === "assigned" && handoff.agent_username === this.me.username;
    this.setWritable(mineNow);
  }

  renderMeta(handoff) {
    const { i18n } = this;
    this.$("conversation-meta").textContent = i18n.t("conversation_meta", {
      topic: i18n.label("topic", handoff.topic),
      language: i18n.label("language", handoff.language),
      reason: i18n.label("reason", handoff.reason),
      channel: handoff.channel || "",
      since: formatTime(handoff.queued_at, i18n),
    });
  }

  setWritable(writable) {
    const state = this.conversation;
    if (state.writable === writable) return;
    state.writable = writable;
    for (const id of ["reply-input", "reply-send", "note-input", "note-send", "transfer-agent", "transfer-topic", "transfer-language", "transfer-send", "close-resolution", "close-send"]) {
      this.$(id).disabled = !writable;
    }
    if (writable) this.syncTransferMode();
    const notice = this.$("conversation-readonly");
    notice.hidden = writable;
    notice.textContent = writable ? "" : this.i18n.t("not_yours");
  }

  messageNode(message) {
    const { i18n } = this;
    const who = message.role === "customer" ? i18n.t("role_customer")
      : message.role === "agent" ? (message.agent || i18n.t("role_agent"))
      : i18n.t("role_bot");
    const node = el("li", { className: `msg msg-${message.role}`, dataset: { role: message.role } },
      el("div", { className: "msg-head" },
        el("span", { className: "msg-who" }, who),
        message.at ? el("time", { className: "msg-at", datetime: message.at }, formatTime(message.at, i18n)) : null),
      el("p", { className: "msg-text" }, message.text || ""));
    if (message.buttons && message.buttons.length) {
      node.append(el("ul", { className: "msg-buttons", "aria-label": i18n.t("offered_buttons") },
        message.buttons.map((button) => el("li", {}, button.title || button.payload || ""))));
    }
    return node;
  }

  noteNode(note) {
    return el("li", { className: "note" },
      el("div", { className: "msg-head" },
        el("span", { className: "note-author" }, note.author || ""),
        note.at ? el("time", { datetime: note.at }, formatTime(note.at, this.i18n)) : null),
      el("p", { className: "note-text" }, note.text || ""));
  }

  renderCase(sections) {
    this.$("case-empty").hidden = renderCaseCard(this.$("case-card"), sections, this.i18n) > 0;
  }

  announce(texts) {
    const live = this.$("live-customer");
    live.textContent = texts.map((text) => this.i18n.t("customer_wrote", { text })).join(" ");
  }

  dropPending(text) {
    const state = this.conversation;
    const index = state.pending.findIndex((pending) => pending.text === text);
    if (index < 0) return;
    state.pending[index].node.remove();
    state.pending.splice(index, 1);
  }

  async sendReply() {
    const state = this.conversation;
    const input = this.$("reply-input");
    const text = input.value.trim();
    if (!state || !text || !state.writable) return;
    const button = this.$("reply-send");
    button.disabled = true;
    try {
      await api("POST", `/api/handoffs/${encodeURIComponent(state.id)}/messages`, { text }, this.i18n);
      input.value = "";
      if (this.conversation === state) {
        // Shown at once; replaced by the transcript's own copy when the next poll brings it.
        const node = el("li", { className: "msg-pending", dataset: { role: "agent" } },
          el("div", { className: "msg-head" }, el("span", { className: "msg-who" }, this.me.first_name || ""), el("span", { className: "msg-at" }, this.i18n.t("sending"))),
          el("p", { className: "msg-text" }, text));
        this.$("transcript").append(node);
        state.pending.push({ text, node });
        this.$("transcript").scrollTop = this.$("transcript").scrollHeight;
      }
    } catch (error) {
      this.fail(error);
    } finally {
      button.disabled = !(this.conversation && this.conversation.writable);
      input.focus();
    }
  }

  async sendNote() {
    const state = this.conversation;
    const input = this.$("note-input");
    const text = input.value.trim();
    if (!state || !text) return;
    const button = this.$("note-send");
    button.disabled = true;
    try {
      const { data } = await api("POST", `/api/handoffs/${encodeURIComponent(state.id)}/notes`, { text }, this.i18n);
      input.value = "";
      if (this.conversation === state) {
        this.$("notes").append(this.noteNode(data || { author: this.me.first_name, text, at: new Date().toISOString() }));
        state.notes += 1;
        this.$("notes-empty").hidden = true;
      }
    } catch (error) {
      this.fail(error);
    } finally {
      button.disabled = !(this.conversation && this.conversation.writable);
    }
  }

  // -- transfer and close ---------------------------------------------------------------------

  async loadAgents() {
    try {
      const { data } = await api("GET", "/api/agents", undefined, this.i18n);
      this.agents = Array.isArray(data) ? data : [];
      this.fillTransferTargets();
    } catch (error) {
      this.fail(error);
    }
  }

  fillTransferTargets() {
    const { i18n } = this;
    const agentSelect = this.$("transfer-agent");
    const chosen = agentSelect.value;
    clear(agentSelect);
    agentSelect.append(el("option", { value: "" }, i18n.t("transfer_no_agent")));
    for (const agent of this.agents) {
      if (agent.username === this.me.username) continue;
      const skills = [...(agent.languages || []).map((code) => i18n.label("language", code))].join(", ");
      agentSelect.append(el("option", { value: agent.username, disabled: agent.active === false },
        `${agent.first_name || agent.username}${skills ? ` (${skills})` : ""}${agent.active === false ? ` – ${i18n.t("agent_inactive")}` : ""}`));
    }
    agentSelect.value = [...agentSelect.options].some((option) => option.value === chosen) ? chosen : "";

    // Queues are the topics and languages some agent serves: the contract has no list of its own.
    const topics = new Set(this.me.topics || []);
    const languages = new Set(this.me.languages || []);
    for (const agent of this.agents) {
      (agent.topics || []).forEach((topic) => topics.add(topic));
      (agent.languages || []).forEach((language) => languages.add(language));
    }
    const handoff = this.conversation && this.conversation.data && this.conversation.data.handoff;
    if (handoff && handoff.topic) topics.add(handoff.topic);
    if (handoff && handoff.language) languages.add(handoff.language);
    this.fillSelect("transfer-topic", [...topics].sort(), "topic", handoff && handoff.topic);
    this.fillSelect("transfer-language", [...languages].sort(), "language", handoff && handoff.language);
    this.syncTransferMode();
  }

  fillSelect(id, codes, prefix, current) {
    const select = this.$(id);
    const chosen = select.value || current || "";
    clear(select);
    for (const code of codes) select.append(el("option", { value: code }, this.i18n.label(prefix, code)));
    if (codes.includes(chosen)) select.value = chosen;
  }

  /** A colleague chosen → topic and language do not apply. */
  syncTransferMode() {
    const toAgent = Boolean(this.$("transfer-agent").value);
    const writable = !this.conversation || this.conversation.writable;
    this.$("transfer-topic").disabled = toAgent || !writable;
    this.$("transfer-language").disabled = toAgent || !writable;
  }

  async transfer() {
    const state = this.conversation;
    if (!state) return;
    const agent = this.$("transfer-agent").value;
    const topic = this.$("transfer-topic").value;
    const language = this.$("transfer-language").value;
    if (!agent && !topic && !language) {
      this.status(this.i18n.t("transfer_choose"));
      return;
    }
    const body = agent ? { agent } : { topic, language };
    const colleague = this.agents.find((candidate) => candidate.username === agent);
    await this.finish(`/api/handoffs/${encodeURIComponent(state.id)}/transfer`, body, "transfer-send",
      agent ? "transferred_to_agent" : "transferred_to_queue", { agent: colleague ? colleague.first_name : agent });
  }

  async close() {
    const state = this.conversation;
    if (!state) return;
    const resolution = this.$("close-resolution").value.trim();
    await this.finish(`/api/handoffs/${encodeURIComponent(state.id)}/close`, { resolution }, "close-send", "closed_done", {});
  }

  /** Transfer or close: on success the conversation leaves this desk and the view closes. */
  async finish(path, body, buttonId, doneKey, values) {
    const button = this.$(buttonId);
    button.disabled = true;
    try {
      await api("POST", path, body, this.i18n);
      this.hideConversation();
      this.status(this.i18n.t(doneKey, values), "info");
      this.queue.mine = this.queue.mine.filter((item) => !path.includes(`/${item.id}/`));
      this.renderMine();
      this.refreshQueue();
    } catch (error) {
      this.fail(error);
    } finally {
      button.disabled = !(this.conversation && this.conversation.writable);
    }
  }

  // -- language switch ------------------------------------------------------------------------

  repaint() {
    // Messages already shown were in the other language: drop them rather than mix languages.
    this.$("queue-message").textContent = "";
    if (this.$("desk-status").dataset.kind === "info") this.status("");
    this.renderQueue();
    this.fillTransferTargets();
    this.canned.show(null, null);
    const state = this.conversation;
    if (!state) return;
    this.renderMeta(state.data.handoff);
    this.renderCase(state.data.case);
    if (!state.writable) this.$("conversation-readonly").textContent = this.i18n.t("not_yours");
    // Who/when labels of messages already shown follow the language too.
    const list = this.$("transcript");
    const pending = [...list.querySelectorAll(".msg-pending")];
    clear(list);
    for (const message of (state.data.transcript || []).slice(0, state.rendered)) list.append(this.messageNode(message));
    pending.forEach((node) => list.append(node));
    const notes = this.$("notes");
    clear(notes);
    for (const note of (state.data.notes || []).slice(0, state.notes)) notes.append(this.noteNode(note));
  }
}

async function startDesk() {
  const i18n = await startI18n();
  let me;
  try {
    me = await startHeader(i18n);
  } catch (error) {
    if (error.status !== 401) {
      const box = document.getElementById("desk-status");
      box.textContent = error.message;
      box.hidden = false;
    }
    return;
  }
  new Desk(i18n, me).start();
}

const PAGE = document.body && document.body.dataset.page;
if (PAGE === "login") startLogin();
else if (PAGE === "desk") startDesk();
