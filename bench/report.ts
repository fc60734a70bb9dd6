/** The bench's output: the printed table and results.json. */
import type { Machine } from "./machine";
import type { Summary } from "./stats";
import type { Better, Workload } from "./types";

/** One workload's summaries by subject name, and the medians of their side figures. */
export interface WorkloadResult {
  workload: Workload;
  bySubject: Map<string, Summary>;
  details?: Map<string, Record<string, number>>;
}

/** The ratio of `subject` to `baseline`, oriented so that higher is always better. */
export function ratio(better: Better, subject: number, baseline: number): number {
  return better === "higher" ? subject / baseline : baseline / subject;
}

/** Renders a measurement with its unit: `12.3M msgs/s`, `0.412 µs`, `812 bytes`, `1.04×`. */
export function formatValue(v: number, unit: string): string {
  if (unit === "bytes") return `${Math.round(v)} bytes`;
  if (unit === "×") return `${v.toFixed(3)}×`;
  if (unit.endsWith("/s")) {
    const [scaled, suffix] = v >= 1e6 ? [v / 1e6, "M"] : v >= 1e3 ? [v / 1e3, "k"] : [v, ""];
    return `${scaled.toPrecision(3)}${suffix} ${unit}`;
  }
  return `${v.toPrecision(3)} ${unit}`;
}

function met(better: Better, v: number, target: number): boolean {
  return better === "higher" ? v >= target : v <= target;
}

function mark(ok: boolean): string {
  return ok ? "ok" : "MISS";
}

/**
 * The ratio column of a workload: primary vs baseline (oriented so that
 * higher is better), the primary's own with/without ratio (`compare: "self"`),
 * or none.
 */
export function ratioOf(
  w: Workload,
  bySubject: Map<string, Summary>,
  primary: string,
  baseline: string,
): number | undefined {
  const p = bySubject.get(primary);
  const compare = w.compare ?? "baseline";
  if (compare === "self") return p?.median;
  if (compare === "none") return undefined;
  const b = bySubject.get(baseline);
  return p && b ? ratio(w.better, p.median, b.median) : undefined;
}

/** The target cell: the workload's goal for the primary, and the ratio goal, each ok or MISS. */
function targetCell(
  w: Workload,
  p: Summary | undefined,
  q: number | undefined,
  ratioTarget: number,
): string {
  const cmp = w.better === "higher" ? ">=" : "<=";
  const compare = w.compare ?? "baseline";
  if (compare === "self") {
    const goal = w.target === undefined ? "" : `ratio ${cmp} ${w.target.toFixed(2)} `;
    return `${goal}${q === undefined || w.target === undefined ? "—" : mark(met(w.better, q, w.target))}`;
  }
  const parts: string[] = [];
  if (w.target !== undefined)
    parts.push(
      `${cmp} ${formatValue(w.target, w.unit)} ${p ? mark(met(w.better, p.median, w.target)) : "—"}`,
    );
  if (compare === "baseline")
    parts.push(`ratio >= ${ratioTarget} ${q === undefined ? "—" : mark(q >= ratioTarget)}`);
  return parts.join("; ");
}

/**
 * The table: per workload, each subject's median (min–max), the ratio
 * column (see `ratioOf`), and the targets with whether they are met; then
 * the workloads' notes.
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
      if (r === undefined)
        return s !== primary && w.compare !== undefined && w.compare !== "baseline" ? "n/a" : "—";
      return `${formatValue(r.median, w.unit)} (${formatValue(r.min, w.unit).split(" ")[0]} – ${formatValue(r.max, w.unit).split(" ")[0]})`;
    });
    const q = ratioOf(w, bySubject, primary, baseline);
    const target = targetCell(w, bySubject.get(primary), q, ratioTarget);
    return [w.name, ...cells, q === undefined ? "—" : q.toFixed(3), target];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const notes = notesByText(results).map(([names, note]) =>
    wrap(`- ${names.join(", ")}: ${note}`, 100, "  "),
  );
  return [
    line(header),
    widths.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    ...(notes.length > 0 ? ["", "Notes:", ...notes] : []),
  ].join("\n");
}

/** The workloads' notes, each once, with the names of the workloads it is for, in order. */
export function notesByText(results: readonly WorkloadResult[]): [string[], string][] {
  const byNote = new Map<string, string[]>();
  for (const { workload: w } of results)
    if (w.note !== undefined) {
      const names = byNote.get(w.note);
      if (names === undefined) byNote.set(w.note, [w.name]);
      else names.push(w.name);
    }
  return [...byNote].map(([note, names]) => [names, note]);
}

/** Breaks `text` into lines of at most `width` characters, at spaces; later lines get `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join("\n");
}

/** One workload's entry in results.json. */
export function resultEntry(
  { workload: w, bySubject, details }: WorkloadResult,
  primary: string,
  baseline: string,
): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  for (const [name, s] of bySubject) {
    const d = details?.get(name);
    entry[name] = {
      median: s.median,
      min: s.min,
      max: s.max,
      unit: w.unit,
      ...(d !== undefined && Object.keys(d).length > 0 ? { detail: d } : {}),
    };
  }
  const q = ratioOf(w, bySubject, primary, baseline);
  if (q !== undefined) entry.ratio = q;
  if (w.target !== undefined) entry.target = w.target;
  return entry;
}

/**
 * The results.json document. `keep` holds entries to write as they are
 * (carried over from an earlier file, or made otherwise), in place of any
 * made from `results`.
 */
export function resultsJson(
  machine: Machine,
  results: readonly WorkloadResult[],
  primary: string,
  baseline: string,
  keep: Record<string, unknown> = {},
): { machine: Machine; workloads: Record<string, unknown> } {
  const workloads: Record<string, unknown> = {};
  for (const r of results)
    workloads[r.workload.name] = keep[r.workload.name] ?? resultEntry(r, primary, baseline);
  for (const [name, entry] of Object.entries(keep)) workloads[name] ??= entry;
  return { machine, workloads };
}
