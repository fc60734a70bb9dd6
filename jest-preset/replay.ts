/**
 * Replay commands: a failure prints one that selects exactly its test (an
 * escaped, anchored `-t` pattern) and carries the schedule in `OTPKIT_*`
 * variables scoped to it (`OTPKIT_FOR`: which explore call, or `race` for the
 * plain run's race check), so an exported variable never shrinks some other
 * exploration to one schedule. A replay that selects no test fails the run.
 */
import { relative } from "path";

/** Escapes `s` for a regular expression. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Quotes `s` for a POSIX shell (single quotes; a quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that reruns the current test alone with `env` set. */
export function replayCommand(env: Record<string, string | number>): string {
  const st = expect.getState();
  const file = st.testPath ? relative(process.cwd(), st.testPath) : "<test file>";
  const vars = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(String(v))}`)
    .join(" ");
  const name = `^${escapeRegExp(st.currentTestName ?? "")}$`;
  return `${vars} npx jest ${shellQuote(file)} -t ${shellQuote(name)}`;
}

/** Where the replay variables apply: `OTPKIT_FOR` names an explore call (`explore:2`) or `race`. */
export function replayTarget(): string | undefined {
  return process.env.OTPKIT_FOR;
}

let replayUsed = false;

/** Marks that a replay variable was applied (a replay that selects no test fails the run). */
export function markReplayUsed(): void {
  replayUsed = true;
}

/** Did a test in this file apply the replay? */
export function replayWasUsed(): boolean {
  return replayUsed;
}
