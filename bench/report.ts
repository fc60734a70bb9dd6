/** The bench's output: the printed table and results.json. */
import type { Machine } from "./machine";
import type { Summary } from "./stats";
import type { Better, Workload } from "./types";

/** One workload's summaries by subject name. */
export interface WorkloadResult {
  workload: Workload;
  bySubject: Map<string, Summary>;
}

/** The ratio of `subject` to `baseline`, oriented so that higher is always better. */
export function ratio(better: Better, subject: number, baseline: number): number {
  return better === "higher" ? subject / baseline : baseline / subject;
}

/** Renders a measurement with its unit: `12.3M msgs/s`, `0.412 µs`, `812 bytes`. */
export function formatValue(v: number, unit: string): string {
  if (unit === "bytes") return `${Math.round(v)} bytes`;
  if (unit.endsWith("/s")) {
    const [scaled, suffix] = v >= 1e6 ? [v / 1e6, "M"] : v >= 1e3 ? [v / 1e3, "k"] : [v, ""];
    return `${scaled.toPrecision(3)}${suffix} ${unit}`;
  }
  return `${v.toPrecision(3)} ${unit}`;
}

function met(w: Workload, v: number): boolean {
  return w.better === "higher" ? v >= w.target : v <= w.target;
}

function mark(ok: boolean): string {
  return ok ? "ok" : "MISS";
}

/**
 * The table: per workload, each subject's median (min–max), the ratio of
 * `primary` to `baseline`, and the targets with whether they are met.
 */
export function table(
  results: readonly WorkloadResult[],
  subjects: readonly string[],
  primary: string,
  baseline: string,
  ratioTarget: number,
): string {
  const header = ["workload", ...subjects.map((s) => `${s} median (min – max)`), "ratio", "target"];
  const rows = results.map(({ workload: w, bySubject }) => {
    const cells = subjects.map((s) => {
      const r = bySubject.get(s);
      if (r === undefined) return "—";
      return `${formatValue(r.median, w.unit)} (${formatValue(r.min, w.unit).split(" ")[0]} – ${formatValue(r.max, w.unit).split(" ")[0]})`;
    });
    const p = bySubject.get(primary);
    const b = bySubject.get(baseline);
    const q = p && b ? ratio(w.better, p.median, b.median) : undefined;
    const goal = `${w.better === "higher" ? ">=" : "<="} ${formatValue(w.target, w.unit)}`;
    const target =
      `${goal} ${p ? mark(met(w, p.median)) : "—"}; ` +
      `ratio >= ${ratioTarget} ${q === undefined ? "—" : mark(q >= ratioTarget)}`;
    return [w.name, ...cells, q === undefined ? "—" : q.toFixed(3), target];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

/** The results.json document. */
export function resultsJson(
  machine: Machine,
  results: readonly WorkloadResult[],
  primary: string,
  baseline: string,
): unknown {
  const workloads: Record<string, Record<string, unknown>> = {};
  for (const { workload: w, bySubject } of results) {
    const entry: Record<string, unknown> = {};
    for (const [name, s] of bySubject)
      entry[name] = { median: s.median, min: s.min, max: s.max, unit: w.unit };
    const p = bySubject.get(primary);
    const b = bySubject.get(baseline);
    if (p && b) entry.ratio = ratio(w.better, p.median, b.median);
    workloads[w.name] = entry;
  }
  return { machine, workloads };
}
