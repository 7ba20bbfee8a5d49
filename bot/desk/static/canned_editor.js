/*
 * The supervisor's editor for canned replies (bot/desk/canned_replies.py): one language's list at a
 * time, each reply a shortcut, a title and the text; saving replaces that language's list at once
 * (PUT /api/canned-replies/{language}), and the desk keeps it in its YAML file.
 */

import { api, clear, el } from "./desk.js";

export class CannedEditor {
  constructor(i18n) {
    this.i18n = i18n;
    this.replies = { nb: [], sv: [] };
    this.$ = (id) => document.getElementById(id);
  }

  async start() {
    this.$("canned-language").addEventListener("change", () => this.render());
    this.$("canned-add").addEventListener("click", () => {
      this.collect();
      this.replies[this.language()].push({ shortcut: "", title: "", text: "" });
      this.render();
      this.$(`canned-shortcut-${this.replies[this.language()].length}`).focus();
    });
    this.$("canned-form").addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
    this.i18n.onChange(() => { this.collect(); this.render(); });
    try {
      const { data } = await api("GET", "/api/canned-replies", undefined, this.i18n);
      this.replies = data;
      this.render();
    } catch (error) {
      this.say(error.message);
    }
  }

  language() {
    return this.$("canned-language").value;
  }

  /** Draws the chosen language's replies as fields; what is typed lives in the fields until `collect`. */
  render() {
    const { i18n } = this;
    const list = this.$("canned-list");
    list.dataset.language = this.language();
    clear(list);
    this.replies[this.language()].forEach((reply, index) => {
      const n = index + 1;
      const field = (name, control) => el("div", { className: "canned-field" },
        el("label", { for: `canned-${name}-${n}` }, i18n.t(`canned_${name}`)), control);
      list.append(el("li", { className: "canned-reply" },
        el("fieldset", {},
          el("legend", {}, i18n.t("canned_reply_number", { n })),
          field("shortcut", el("input", { id: `canned-shortcut-${n}`, value: reply.shortcut, maxlength: "30", autocomplete: "off" })),
          field("title", el("input", { id: `canned-title-${n}`, value: reply.title, maxlength: "80" })),
          field("text", el("textarea", { id: `canned-text-${n}`, rows: "3", maxlength: "4000" }, reply.text)),
          el("button", { type: "button", className: "canned-remove", onclick: () => this.remove(index) },
            i18n.t("canned_remove", { n })))));
    });
  }

  /** The fields back into the list of the language they show. */
  collect() {
    const list = this.$("canned-list");
    const language = list.dataset.language;
    if (!language) return;
    this.replies[language] = [...list.children].map((item, index) => ({
      shortcut: this.$(`canned-shortcut-${index + 1}`).value.trim(),
      title: this.$(`canned-title-${index + 1}`).value.trim(),
      text: this.$(`canned-text-${index + 1}`).value.trim(),
    }));
  }

  remove(index) {
    this.collect();
    this.replies[this.language()].splice(index, 1);
    this.render();
    this.$("canned-add").focus();
  }

  async save() {
    this.collect();
    const language = this.language();
    try {
      const { data } = await api("PUT", `/api/canned-replies/${language}`, { replies: this.replies[language] }, this.i18n);
      this.replies[language] = data.replies;
      this.render();
      this.say(this.i18n.t("canned_saved", { language: this.i18n.label("language", language) }));
    } catch (error) {
      this.say(this.i18n.t("canned_not_saved", { reason: error.message }));
    }
  }

  say(text) {
    this.$("canned-status").textContent = text;
  }
}
