/** Message sequence charts of a random-mode run, in plain text: one column per process. */
import type { Delivery } from "otpkit/testing-hooks";
import { InitAck, TIMER_SENDER } from "otpkit/testing-hooks";
import { describeMessage } from "./describe-process";

function isSignal(what: unknown): boolean {
  return what !== null && typeof what === "object" && "signal" in what;
}
const WIDTH = 12;

/**
 * Renders `deliveries` (in landing order) with one column per participant,
 * named by `nameOf(id)`: `test` for code outside processes and call replies
 * to it, `timer` for timers. Rows whose index is in `marks` are marked `◆`
 * (the deciding race of a failure).
 */
export function renderChart(
  deliveries: readonly Delivery[],
  nameOf: (id: number) => string,
  marks: ReadonlySet<number> = new Set(),
): string {
  const col = new Map<string, number>();
  const names: string[] = [];
  const colOf = (id: number) => {
    const n = id >= TIMER_SENDER ? "timer" : id <= 0 ? "test" : nameOf(id);
    let c = col.get(n);
    if (c === undefined) {
      c = names.length;
      col.set(n, c);
      names.push(n);
    }
    return c;
  };
  // Pids in labels by their column names: <node.id.0> -> name.
  const pidName = (text: string) =>
    text.replace(/<\d+\.(\d+)\.0>/g, (pid, id) => (Number(id) > 0 ? nameOf(Number(id)) : pid));
  const rows = deliveries.map((d) => ({
    from: colOf(d.from),
    to: colOf(d.to),
    label: pidName(
      d.to < 0 && d.from > 0 && !isSignal(d.what) && !(d.what instanceof InitAck)
        ? `reply ${describeMessage(d.what)}`
        : describeMessage(d.what),
    ),
  }));
  const center = (c: number) => c * WIDTH + Math.floor(WIDTH / 2);
  const line = (fill: (i: number) => string) =>
    Array.from({ length: names.length * WIDTH }, (_, i) => fill(i))
      .join("")
      .trimEnd();
  const header = names
    .map((n) =>
      n
        .slice(0, WIDTH - 1)
        .padStart(Math.floor((WIDTH + Math.min(n.length, WIDTH - 1)) / 2))
        .padEnd(WIDTH),
    )
    .join("")
    .trimEnd();
  const out = [header, line((i) => (i % WIDTH === Math.floor(WIDTH / 2) ? "│" : " "))];
  for (const [k, r] of rows.entries()) {
    const a = center(r.from);
    const b = center(r.to);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    const row = line((i) => {
      if (i === a && a === b) return "⟲";
      if (i === a) return "●";
      if (i === b) return a < b ? "▶" : "◀";
      if (i > lo && i < hi) return "─";
      return i % WIDTH === Math.floor(WIDTH / 2) ? "│" : " ";
    });
    out.push(`${row.padEnd(names.length * WIDTH)}  ${marks.has(k) ? "◆ " : ""}${r.label}`);
  }
  return out.join("\n");
}
