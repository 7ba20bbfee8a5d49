/*
 * The supervisor's live view (GET /api/live, bot/desk/live.py): the queue now, the longest wait,
 * agents online and their load, today's hand-offs per reason and per agent, call-backs waiting.
 * Polled every few seconds; numbers and durations in the supervisor's language.
 */

import { api, clear, el } from "./desk.js";

const LIVE_POLL_MS = 5000;

export class LiveView {
  /** `format`: () => the supervisor page's current number and duration formatter. */
  constructor(i18n, format) {
    this.i18n = i18n;
    this.format = format;
    this.data = null;
    this.$ = (id) => document.getElementById(id);
  }

  start() {
    this.i18n.onChange(() => this.render());
    this.poll();
  }

  async poll() {
    try {
      const { data } = await api("GET", "/api/live", undefined, this.i18n);
      this.data = data;
      this.render();
    } catch (error) {
      if (error.status !== 401) this.$("live-status").textContent = error.message;
    }
    setTimeout(() => this.poll(), LIVE_POLL_MS);
  }

  render() {
    const { data, i18n } = this;
    if (!data) return;
    const format = this.format();
    const online = data.agents.filter((agent) => agent.online).length;
    const tiles = [
      ["waiting", format.count(data.queue.waiting)],
      ["longest_wait", format.duration(data.queue.longest_wait_seconds)],
      ["agents_online", i18n.t("live_of", { part: format.count(online), whole: format.count(data.agents.length) })],
      ["callbacks_waiting", format.count(data.callbacks_waiting)],
    ];
    const box = this.$("live-tiles");
    clear(box);
    for (const [name, value] of tiles) {
      box.append(el("div", { className: "tile", dataset: { live: name } },
        el("span", { className: "tile-label" }, i18n.t(`live_${name}`)),
        el("span", { className: "tile-value" }, value)));
    }

    const agents = this.$("live-agents").tBodies[0];
    clear(agents);
    for (const agent of data.agents) {
      agents.append(el("tr", { dataset: { agent: agent.username } },
        el("th", { scope: "row" }, agent.first_name),
        el("td", { className: "live-online" }, i18n.t(agent.online ? "live_online" : "live_offline")),
        el("td", { className: "num live-open" }, format.count(agent.open)),
        el("td", { className: "num live-closed" }, format.count(agent.closed_today)),
        el("td", { className: "num live-handling" }, format.duration(agent.average_handling_seconds_today))));
    }

    const reasons = this.$("live-reasons").tBodies[0];
    clear(reasons);
    const counted = Object.entries(data.reasons_today).sort((a, b) => b[1] - a[1]);
    for (const [reason, count] of counted) {
      reasons.append(el("tr", { dataset: { reason } },
        el("th", { scope: "row" }, i18n.label("reason", reason)),
        el("td", { className: "num" }, format.count(count))));
    }
    this.$("live-reasons-empty").hidden = counted.length > 0;
  }
}
