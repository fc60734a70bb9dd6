/**
 * docs/performance-scaling.svg: a log-log line chart, one line per scaling
 * series, of CPU time per unit at N relative to the series' cheapest size. A flat line is linear total cost; a line with slope 1 is a
 * per-unit cost proportional to N (a dashed guide shows that slope).
 * Written by hand as SVG text, as chart.ts is.
 */
import { ScalingResult, cheapest } from "./scaling-doc";

const COLOURS = ["#2563eb", "#7c3aed", "#059669", "#d97706", "#db2777", "#0891b2", "#65a30d"];
const WIDTH = 960;
const HEIGHT = 520;
const LEFT = 70;
const RIGHT = 250;
const TOP = 50;
const BOTTOM = 50;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function f(x: number): string {
  return x.toFixed(1);
}

function nLabel(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

function ratioLabel(r: number): string {
  return r >= 1 ? `${r}×` : `1/${Math.round(1 / r)}×`;
}

/** The chart for `results`; every series needs at least one row. */
export function scalingChart(results: readonly ScalingResult[]): string {
  const lines = results.map((r, i) => {
    const base = cheapest(r.rows);
    return {
      name: `${r.series.name} (per ${r.series.unit})`,
      colour: COLOURS[i % COLOURS.length],
      pts: r.rows.map((row) => ({ n: row.n, r: row.cpuNs / base })),
    };
  });
  const ns = lines.flatMap((l) => l.pts.map((p) => p.n));
  const rs = lines.flatMap((l) => l.pts.map((p) => p.r)).filter((r) => r > 0);
  const xLo = Math.floor(Math.log10(Math.min(...ns)));
  const xHi = Math.max(xLo + 1, Math.ceil(Math.log10(Math.max(...ns))));
  const yLo = Math.min(0, Math.floor(Math.log10(Math.min(...rs))));
  const yHi = Math.max(1, Math.ceil(Math.log10(Math.max(...rs))));
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (n: number) => LEFT + ((Math.log10(n) - xLo) / (xHi - xLo)) * plotW;
  const y = (r: number) => TOP + plotH - ((Math.log10(r) - yLo) / (yHi - yLo)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="600" fill="#111827">CPU time per unit at N ÷ the series' cheapest (log-log; flat = cost linear in N)</text>`,
  ];
  for (let k = xLo; k <= xHi; k++) {
    const gx = f(x(10 ** k));
    out.push(
      `<line x1="${gx}" y1="${TOP}" x2="${gx}" y2="${TOP + plotH}" stroke="#e5e7eb"/>`,
      `<text x="${gx}" y="${TOP + plotH + 16}" text-anchor="middle" fill="#6b7280">${nLabel(10 ** k)}</text>`,
    );
  }
  for (let k = yLo; k <= yHi; k++) {
    const gy = f(y(10 ** k));
    out.push(
      `<line x1="${LEFT}" y1="${gy}" x2="${LEFT + plotW}" y2="${gy}" stroke="${k === 0 ? "#111827" : "#e5e7eb"}" stroke-width="${k === 0 ? 1.5 : 1}"/>`,
      `<text x="${LEFT - 6}" y="${f(y(10 ** k) + 4)}" text-anchor="end" fill="#6b7280">${ratioLabel(10 ** k)}</text>`,
    );
  }
  out.push(
    `<text x="${f(LEFT + plotW / 2)}" y="${HEIGHT - 10}" text-anchor="middle" fill="#374151">N (processes, pairs, mailbox depth or calls in flight)</text>`,
  );
  // The guide: per-unit cost proportional to N, from (10^xLo, 1), clipped to the plot.
  const gEnd = Math.min(xHi, xLo + (yHi - 0));
  out.push(
    `<line x1="${f(x(10 ** xLo))}" y1="${f(y(1))}" x2="${f(x(10 ** gEnd))}" y2="${f(y(10 ** (gEnd - xLo)))}" stroke="#9ca3af" stroke-dasharray="5 4"/>`,
    `<text x="${f(x(10 ** gEnd) - 4)}" y="${f(y(10 ** (gEnd - xLo)) + 14)}" text-anchor="end" fill="#9ca3af">per-unit cost ∝ N</text>`,
  );
  lines.forEach((l, i) => {
    const d = l.pts.map((p, j) => `${j === 0 ? "M" : "L"}${f(x(p.n))},${f(y(p.r))}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="${l.colour}" stroke-width="2"/>`);
    for (const p of l.pts)
      out.push(`<circle cx="${f(x(p.n))}" cy="${f(y(p.r))}" r="3.5" fill="${l.colour}"/>`);
    const ly = TOP + 10 + i * 20;
    out.push(
      `<rect x="${LEFT + plotW + 16}" y="${ly - 9}" width="12" height="12" fill="${l.colour}"/>`,
      `<text x="${LEFT + plotW + 32}" y="${ly + 1}" fill="#374151">${esc(l.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
