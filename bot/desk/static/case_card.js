/*
 * The case card beside a conversation: what the bot learned, as the server arranged it
 * (bot/desk/case_card.py: every fact once, in its section). This module only puts the agent's
 * words to it: section headings, labels and codes (topic, reason, language, ...) from texts.yml,
 * so no raw intent or slot name reaches the agent. Values go in as text, never as HTML.
 */

import { clear, el } from "./desk.js";

/** The words for one fact's value: a code's own text, yes/no, a date as the agent writes dates, or the value as given. */
function valueText(fact, i18n) {
  if (fact.kind === "flag") return i18n.t(fact.value ? "yes" : "no");
  if (fact.kind === "code") return i18n.label(fact.fact, fact.value);
  if (fact.kind === "date") {
    const day = new Date(`${fact.value}T12:00:00`);
    if (!Number.isNaN(day.getTime())) return new Intl.DateTimeFormat(i18n.locale, { weekday: "long", day: "numeric", month: "long" }).format(day);
  }
  return String(fact.value);
}

/** Draws `sections` into `container` (an element that holds nothing else); returns how many facts it shows. */
export function renderCaseCard(container, sections, i18n) {
  clear(container);
  let shown = 0;
  for (const section of sections || []) {
    const headingId = `case-${section.section}-heading`;
    const facts = el("dl", { className: "case-facts" });
    for (const fact of section.facts) {
      facts.append(el("div", { className: "case-fact", dataset: { fact: fact.fact } },
        el("dt", {}, i18n.t(`summary_${fact.fact}`)),
        el("dd", {}, valueText(fact, i18n))));
      shown += 1;
    }
    container.append(el("section", { className: "case-section", dataset: { section: section.section }, "aria-labelledby": headingId },
      el("h4", { id: headingId }, i18n.t(`card_${section.section}`)),
      facts));
  }
  return shown;
}
