/*
 * Kundesenter supervisor view: key figures over chosen days (docs/design/desk-api.md, "Supervisor API").
 *
 * Tiles for the period, the hand-off reasons, and two inline SVG charts drawn with createElementNS
 * (no chart library). Numbers, percentages and durations follow nb-NO or sv-SE.
 */
import { CannedEditor } from "./canned_editor.js";
import { LiveView } from "./live_view.js";
import { api, clear, el, startHeader, startI18n } from "./desk.js";

const SVG = "http://www.w3.org/2000/svg";
const DEFAULT_DAYS = 7;
const TILES = [
  "conversations",
  "handoffs",
  "containment_rate",
  "handoff_rate",
  "average_wait_seconds",
  "average_handling_seconds",
  "satisfaction_average",
  "nps",
  "survey_responses",
];
const DAY_COLUMNS = ["conversations", "handoffs", "containment_rate", "handoff_rate", "average_wait_seconds",
  "average_handling_seconds", "survey_responses", "satisfaction_average", "nps"];

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

class Format {
  constructor(i18n) {
    this.i18n = i18n;
    const locale = i18n.locale;
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    this.percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    this.signed = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: "exceptZero" });
    this.dayFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "numeric" });
    this.longDay = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "long", year: "numeric" });
  }

  missing(value) {
    return value === null || value === undefined || Number.isNaN(value);
  }

  count(value) {
    return this.missing(value) ? "–" : this.integer.format(value);
  }

  percent(value) {
    return this.missing(value) ? "–" : this.percentFormat.format(value);
  }

  /** 252 → "4 min 12 s"; 3900 → "1 t 5 min" (nb) / "1 h 5 min" (sv); 42 → "42 s". */
  duration(seconds) {
    if (this.missing(seconds)) return "–";
    const total = Math.round(seconds);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const rest = total % 60;
    const unit = (key, fallback) => this.i18n.t(key, {}, fallback);
    if (hours) return `${this.integer.format(hours)} ${unit("unit_hours", "t")} ${minutes} ${unit("unit_minutes", "min")}`;
    if (minutes) return `${minutes} ${unit("unit_minutes", "min")} ${rest} ${unit("unit_seconds", "s")}`;
    return `${rest} ${unit("unit_seconds", "s")}`;
  }

  satisfaction(value) {
    return this.missing(value) ? "–" : this.i18n.t("satisfaction_value", { value: this.decimal.format(value) }, this.decimal.format(value));
  }

  nps(value) {
    return this.missing(value) ? "–" : this.signed.format(value);
  }

  kpi(name, value) {
    if (name.endsWith("_rate")) return this.percent(value);
    if (name.endsWith("_seconds")) return this.duration(value);
    if (name === "satisfaction_average") return this.satisfaction(value);
    if (name === "nps") return this.nps(value);
    return this.count(value);
  }

  /** "2024-05-02" as a local calendar day (no time-zone shift). */
  day(iso, long = false) {
    const date = parseDay(iso);
    if (!date) return String(iso);
    return (long ? this.longDay : this.dayFormat).format(date);
  }
}

function parseDay(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
}

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// SVG charts
// ---------------------------------------------------------------------------------------------

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A tooltip and an accessible name for one mark. */
function titled(node, text) {
  node.append(svg("title", {}, text));
  return node;
}

const BOX = { width: 480, height: 240, left: 52, right: 10, top: 12, bottom: 34 };

function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function drawFrame(chart, days, format, ticks, tickLabel) {
  chart.setAttribute("viewBox", `0 0 ${BOX.width} ${BOX.height}`);
  const plotWidth = BOX.width - BOX.left - BOX.right;
  const plotHeight = BOX.height - BOX.top - BOX.bottom;
  const y = (fraction) => BOX.top + plotHeight * (1 - fraction);
  const grid = svg("g", { class: "chart-grid", "aria-hidden": "true" });
  for (let i = 0; i <= ticks; i += 1) {
    const fraction = i / ticks;
    grid.append(
      svg("line", { x1: BOX.left, x2: BOX.width - BOX.right, y1: y(fraction), y2: y(fraction) }),
      svg("text", { x: BOX.left - 6, y: y(fraction) + 4, "text-anchor": "end" }, tickLabel(fraction)),
    );
  }
  const slot = days.length ? plotWidth / days.length : plotWidth;
  const every = Math.max(1, Math.ceil(days.length / 10));
  days.forEach((day, index) => {
    if (index % every !== 0) return;
    grid.append(svg("text", { x: BOX.left + slot * (index + 0.5), y: BOX.height - BOX.bottom + 18, "text-anchor": "middle" }, format.day(day.date)));
  });
  chart.append(grid);
  return { slot, plotHeight, y };
}

function drawVolume(chart, days, format, i18n) {
  clear(chart);
  const top = niceMax(Math.max(0, ...days.map((day) => Math.max(day.conversations || 0, day.handoffs || 0))));
  const { slot, plotHeight } = drawFrame(chart, days, format, 4, (fraction) => format.count(top * fraction));
  const barWidth = Math.max(2, Math.min(28, (slot - 8) / 2));
  const bars = svg("g", { class: "chart-bars" });
  days.forEach((day, index) => {
    const center = BOX.left + slot * (index + 0.5);
    [["conversations", "bar-conversations", -1], ["handoffs", "bar-handoffs", 0]].forEach(([key, className, offset]) => {
      const value = day[key] || 0;
      const height = (value / top) * plotHeight;
      bars.append(titled(
        svg("rect", {
          class: className,
          x: center + offset * barWidth,
          y: BOX.top + plotHeight - height,
          width: barWidth,
          height: Math.max(height, value ? 1 : 0),
          "data-date": day.date,
          "data-kpi": key,
          "data-value": value,
        }),
        `${format.day(day.date, true)}: ${i18n.t(`kpi_${key}`)} ${format.count(value)}`,
      ));
    });
  });
  chart.append(bars);
  chart.setAttribute("aria-label", i18n.t("chart_volume_label", { days: days.length }));
}

function drawContainment(chart, days, format, i18n) {
  clear(chart);
  const { slot, y } = drawFrame(chart, days, format, 4, (fraction) => format.percent(fraction));
  const line = svg("g", { class: "chart-line" });
  let segment = [];
  const flush = () => {
    if (segment.length > 1) line.append(svg("polyline", { points: segment.join(" "), fill: "none" }));
    segment = [];
  };
  days.forEach((day, index) => {
    const rate = day.containment_rate;
    if (rate === null || rate === undefined) {
      flush();
      return;
    }
    const x = BOX.left + slot * (index + 0.5);
    segment.push(`${x},${y(rate)}`);
  });
  flush();
  days.forEach((day, index) => {
    const rate = day.containment_rate;
    if (rate === null || rate === undefined) return;
    line.append(titled(
      svg("circle", { cx: BOX.left + slot * (index + 0.5), cy: y(rate), r: 4, "data-date": day.date, "data-value": rate }),
      `${format.day(day.date, true)}: ${format.percent(rate)}`,
    ));
  });
  chart.append(line);
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

class Supervisor {
  constructor(i18n) {
    this.i18n = i18n;
    this.format = new Format(i18n);
    this.data = null;
    this.$ = (id) => document.getElementById(id);
  }

  start() {
    const params = new URLSearchParams(window.location.search);
    const today = new Date();
    const weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (DEFAULT_DAYS - 1));
    this.$("kpi-to").value = parseDay(params.get("to")) ? params.get("to") : isoDay(today);
    this.$("kpi-from").value = parseDay(params.get("from")) ? params.get("from") : isoDay(weekAgo);
    this.$("kpi-to").max = isoDay(today);
    this.$("kpi-from").max = isoDay(today);
    for (const id of ["kpi-from", "kpi-to"]) this.$(id).addEventListener("change", () => this.updateCsvLink());
    this.$("kpi-form").addEventListener("submit", (event) => { event.preventDefault(); this.load(); });
    this.i18n.onChange(() => { this.format = new Format(this.i18n); this.render(); });
    this.updateCsvLink();
    this.load();
  }

  period() {
    return new URLSearchParams({ from: this.$("kpi-from").value, to: this.$("kpi-to").value }).toString();
  }

  updateCsvLink() {
    this.$("kpi-csv").href = `/api/kpis.csv?${this.period()}`;
  }

  status(text) {
    this.$("kpi-status").textContent = text || "";
    this.$("kpi-status").hidden = !text;
  }

  async load() {
    const from = this.$("kpi-from").value;
    const to = this.$("kpi-to").value;
    if (!from || !to || from > to) {
      this.status(this.i18n.t("kpi_bad_period"));
      return;
    }
    this.updateCsvLink();
    history.replaceState(null, "", `?${this.period()}`);
    const button = this.$("kpi-apply");
    button.disabled = true;
    try {
      const { data } = await api("GET", `/api/kpis?${this.period()}`, undefined, this.i18n);
      this.data = data;
      this.status("");
      this.render();
    } catch (error) {
      if (error.status !== 401) this.status(error.message);
    } finally {
      button.disabled = false;
    }
  }

  render() {
    if (!this.data) return;
    const { i18n, format, data } = this;
    const totals = data.totals || {};
    const days = data.days || [];
    this.$("kpi-period").textContent = i18n.t("kpi_period", { from: format.day(data.from, true), to: format.day(data.to, true) });

    const tiles = this.$("kpi-tiles");
    clear(tiles);
    for (const name of TILES) {
      tiles.append(el("div", { className: "tile", dataset: { kpi: name } },
        el("span", { className: "tile-label" }, i18n.t(`kpi_${name}`)),
        el("span", { className: "tile-value" }, format.kpi(name, totals[name])),
        el("span", { className: "tile-hint" }, i18n.t(`kpi_${name}_hint`, {}, ""))));
    }

    const reasons = Object.entries(data.reasons || {}).sort((a, b) => b[1] - a[1]);
    const reasonTotal = reasons.reduce((sum, [, count]) => sum + (count || 0), 0);
    const body = this.$("kpi-reasons").tBodies[0];
    clear(body);
    for (const [reason, count] of reasons) {
      body.append(el("tr", { dataset: { reason } },
        el("th", { scope: "row" }, i18n.label("reason", reason)),
        el("td", { className: "num" }, format.count(count)),
        el("td", { className: "num" }, reasonTotal ? format.percent(count / reasonTotal) : "–")));
    }
    if (!reasons.length) body.append(el("tr", {}, el("td", { colSpan: 3, className: "empty" }, i18n.t("reasons_empty"))));

    this.renderLegend();
    drawVolume(this.$("kpi-chart"), days, format, i18n);
    drawContainment(this.$("kpi-containment-chart"), days, format, i18n);
    this.renderDaysTable(days, totals);
  }

  renderLegend() {
    const legend = this.$("chart-legend");
    clear(legend);
    for (const [key, className] of [["conversations", "bar-conversations"], ["handoffs", "bar-handoffs"]]) {
      legend.append(el("span", { className: "legend-item" }, el("span", { className: `swatch ${className}`, "aria-hidden": "true" }), this.i18n.t(`kpi_${key}`)));
    }
  }

  renderDaysTable(days, totals) {
    const { i18n, format } = this;
    const table = this.$("kpi-days");
    const head = table.tHead.rows[0];
    clear(head);
    head.append(el("th", { scope: "col" }, i18n.t("col_date")));
    for (const name of DAY_COLUMNS) head.append(el("th", { scope: "col", className: "num" }, i18n.t(`kpi_${name}`)));
    const body = table.tBodies[0];
    clear(body);
    for (const [label, row] of [...days.map((day) => [format.day(day.date, true), day]), [i18n.t("total"), totals]]) {
      body.append(el("tr", {}, el("th", { scope: "row" }, label),
        DAY_COLUMNS.map((name) => el("td", { className: "num" }, format.kpi(name, row[name])))));
    }
  }
}

async function startSupervisor() {
  const i18n = await startI18n();
  try {
    await startHeader(i18n);
  } catch (error) {
    if (error.status !== 401) {
      const box = document.getElementById("kpi-status");
      box.textContent = error.message;
      box.hidden = false;
    }
    return;
  }
  const supervisor = new Supervisor(i18n);
  supervisor.start();
  new LiveView(i18n, () => supervisor.format).start();
  new CannedEditor(i18n).start();
}

startSupervisor();
