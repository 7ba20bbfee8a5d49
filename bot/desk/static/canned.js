/*
 * Canned replies in the agent's reply box (bot/desk/canned_replies.py): "/" + a shortcut, then Tab,
 * puts the reply of the conversation's language in its place; the list beside the box inserts one
 * at the caret. {agent} becomes the agent's first name. Texts go into the box as plain text.
 */

import { clear, el } from "./desk.js";

export class CannedReplies {
  /** `input`: the reply <textarea>; `select`: the list; `agentName`: the signature for {agent}. */
  constructor(input, select, agentName, i18n) {
    this.input = input;
    this.select = select;
    this.agentName = agentName;
    this.i18n = i18n;
    this.replies = { nb: [], sv: [] };
    this.language = null;
    input.addEventListener("keydown", (event) => {
      if (event.key === "Tab" && !event.shiftKey && this.expandShortcut()) event.preventDefault();
    });
    select.addEventListener("change", () => {
      const reply = this.current().find((candidate) => candidate.shortcut === select.value);
      select.value = "";
      if (reply) this.insert(reply, this.input.selectionStart, this.input.selectionEnd);
    });
  }

  /** The replies the desk keeps ({nb: [...], sv: [...]}), shown for `language` (the open conversation's). */
  show(replies, language) {
    if (replies) this.replies = replies;
    if (language) this.language = language;
    clear(this.select);
    this.select.append(el("option", { value: "" }, this.i18n.t("canned_choose")));
    for (const reply of this.current()) this.select.append(el("option", { value: reply.shortcut }, `/${reply.shortcut} – ${reply.title}`));
  }

  current() {
    return this.replies[this.language] || [];
  }

  /** "/shortcut" right before the caret becomes its reply; false when there is none (Tab then moves on as usual). */
  expandShortcut() {
    const caret = this.input.selectionStart;
    if (caret !== this.input.selectionEnd) return false;
    const typed = /(?:^|\s)\/([^\s/]+)$/.exec(this.input.value.slice(0, caret));
    const reply = typed && this.current().find((candidate) => candidate.shortcut === typed[1].toLowerCase());
    if (!reply) return false;
    this.insert(reply, caret - typed[1].length - 1, caret);
    return true;
  }

  insert(reply, from, to) {
    const text = reply.text.replace(/\{agent\}/g, this.agentName);
    const value = this.input.value;
    this.input.value = value.slice(0, from) + text + value.slice(to);
    this.input.focus();
    this.input.setSelectionRange(from + text.length, from + text.length);
  }
}
