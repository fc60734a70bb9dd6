/**
 * docs/performance.svg: a horizontal bar chart per workload, each subject's
 * median relative to the loop's (oriented so that right is better), on a
 * log scale centred on 1× (the loop). Written by hand as SVG text.
 */
import { WorkloadResult, formatValue, ratio } from "./report";

/** A colour per subject, in subject order; later subjects cycle through the rest. */
const COLOURS: Readonly<Record<string, string>> = {
  otpkit: "#2563eb",
  loop: "#6b7280",
  nact: "#d97706",
  xstate: "#7c3aed",
  effect: "#059669",
};
const SPARE = ["#db2777", "#0891b2", "#65a30d"];

const WIDTH = 960;
const NAME_W = 80;
const PLOT_X = NAME_W + 10;
const PLOT_W = 560;
const VALUE_X = PLOT_X + PLOT_W + 12;
const BAR_H = 14;
const BAR_GAP = 5;
const TITLE_H = 22;
const GROUP_GAP = 14;
const TOP = 80;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** A ratio as an axis label: `1×`, `4×`, `1/16×`. */
function tickLabel(r: number): string {
  return r >= 1 ? `${r}×` : `1/${Math.round(1 / r)}×`;
}

/**
 * The chart for `results` (workloads compared with the baseline only; a
 * workload without the baseline's figure is left out), subjects in the
 * given order.
 */
export function chart(
  results: readonly WorkloadResult[],
  subjects: readonly string[],
  baseline: string,
): string {
  const colour = (s: string, i: number) => COLOURS[s] ?? SPARE[i % SPARE.length];
  const groups = results
    .filter((r) => (r.workload.compare ?? "baseline") === "baseline")
    .flatMap(({ workload: w, bySubject }) => {
      const base = bySubject.get(baseline);
      if (base === undefined) return [];
      const bars = subjects.flatMap((s, i) => {
        const v = bySubject.get(s);
        if (v === undefined) return [];
        return [
          {
            subject: s,
            colour: colour(s, i),
            value: v.median,
            r: ratio(w.better, v.median, base.median),
          },
        ];
      });
      return [{ w, bars }];
    });

  const ratios = groups.flatMap((g) => g.bars.map((b) => b.r)).filter((r) => r > 0);
  // The axis: powers of 4 around 1×, wide enough for every bar.
  const lo = Math.min(-1, Math.floor(Math.log(Math.min(...ratios, 1)) / Math.log(4)));
  const hi = Math.max(0, Math.ceil(Math.log(Math.max(...ratios, 1)) / Math.log(4)));
  const x = (r: number) => PLOT_X + ((Math.log(r) / Math.log(4) - lo) / (hi - lo)) * PLOT_W;
  const x1 = x(1);

  const height =
    TOP +
    groups.reduce((h, g) => h + TITLE_H + g.bars.length * (BAR_H + BAR_GAP) + GROUP_GAP, 0) +
    40;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PLOT_X}" y="22" font-size="15" font-weight="600" fill="#111827">Median relative to the hand-written loop (log scale; right of 1× is better than the loop)</text>`,
  );
  // Legend.
  let lx = PLOT_X;
  subjects.forEach((s, i) => {
    out.push(
      `<rect x="${lx}" y="34" width="12" height="12" fill="${colour(s, i)}"/>`,
      `<text x="${lx + 16}" y="44" fill="#374151">${esc(s)}</text>`,
    );
    lx += 24 + s.length * 7.5;
  });
  // Grid and its labels (top and bottom).
  const bottom = height - 30;
  for (let k = lo; k <= hi; k++) {
    const r = Math.pow(4, k);
    const gx = fmt(x(r));
    out.push(
      `<line x1="${gx}" y1="${TOP - 8}" x2="${gx}" y2="${bottom}" stroke="${k === 0 ? "#111827" : "#e5e7eb"}" stroke-width="${k === 0 ? 1.5 : 1}"/>`,
      `<text x="${gx}" y="${TOP - 12}" text-anchor="middle" fill="#6b7280">${tickLabel(r)}</text>`,
      `<text x="${gx}" y="${bottom + 16}" text-anchor="middle" fill="#6b7280">${tickLabel(r)}</text>`,
    );
  }
  let y = TOP;
  for (const { w, bars } of groups) {
    out.push(
      `<text x="10" y="${y + 15}" fill="#111827" xml:space="preserve"><tspan font-weight="600">${esc(w.name)}</tspan>` +
        `<tspan fill="#6b7280">  (${esc(`${w.unit}, ${w.better} is better`)})</tspan></text>`,
    );
    y += TITLE_H;
    for (const b of bars) {
      const bx = Math.min(x1, x(b.r));
      const bw = Math.max(1, Math.abs(x(b.r) - x1));
      out.push(
        `<text x="${NAME_W}" y="${y + BAR_H - 3}" text-anchor="end" fill="#374151">${esc(b.subject)}</text>`,
        `<rect x="${fmt(bx)}" y="${y}" width="${fmt(bw)}" height="${BAR_H}" fill="${b.colour}"/>`,
        `<text x="${VALUE_X}" y="${y + BAR_H - 3}" fill="#374151">${esc(`${formatValue(b.value, w.unit)} · ${b.r.toFixed(2)}×`)}</text>`,
      );
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
