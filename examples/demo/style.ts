/**
 * The narrative's typography: bold, dim and colour when stdout is a terminal
 * (and NO_COLOR is unset), plain text otherwise; numbers and durations.
 */
const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const sgr = (open: number, close: number) => (s: string) =>
  colour ? `\u001b[${open}m${s}\u001b[${close}m` : s;

export const bold = sgr(1, 22);
export const dim = sgr(2, 22);
export const green = sgr(32, 39);
export const red = sgr(31, 39);
export const cyan = sgr(36, 39);

/** ✓ or ✗, coloured. */
export const mark = (ok: boolean) => (ok ? green("✓") : red("✗"));

/** 1000 → "1,000". */
export const count = (n: number) => n.toLocaleString("en");

/** Milliseconds as "0.42 s" (under 10 s) or "12 s". */
export const seconds = (ms: number) =>
  ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`;

/** `left` padded with dots to `width`, then `right`: a line of the figures. */
export const leader = (left: string, right: string, width = 40) =>
  `${left} ${dim(".".repeat(Math.max(2, width - left.length - 1)))} ${right}`;
