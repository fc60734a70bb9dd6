/**
 * What `explore` reports when a schedule fails, read back from the Jest
 * failure message: the seed, the run, the forced choices, the replay
 * command and the message sequence chart. The message's shape:
 *
 *     failed under schedule seed 1 (run 1), shrunk to 0 forced choice(s).
 *     Explored: 1 run(s), ...
 *     Replay: OTPKIT_FOR=explore:1 OTPKIT_SEED=1 npx jest test/race.test.ts -t '^...$'
 *
 *     <chart>
 *
 *     <what the test threw>
 */
import { plain } from "./jest-report";

/** An exploration failure, as reported. */
export interface ExploreFailure {
  seed: number;
  /** The run (1-based) at which a schedule first failed. */
  run: number;
  /** Forced choices left after shrinking. */
  forced: number;
  /** The replay command, as printed. */
  replay: string;
  /** The chart's lines. */
  chart: string[];
  /** What the failing run threw (its first lines). */
  cause: string[];
}

/** Parses `message`; undefined if it is not an exploration failure. */
export function parseExploreFailure(message: string): ExploreFailure | undefined {
  const lines = plain(message)
    .replace(/^Error: /, "")
    .split("\n");
  const head = lines.findIndex((l) => /failed under schedule seed/.test(l));
  if (head === -1) return undefined;
  const m = /seed (\d+) \(run (\d+)\), shrunk to (\d+) forced/.exec(lines[head]);
  const at = lines.findIndex((l, i) => i > head && /^\s*Replay: /.test(l));
  const replay = at === -1 ? null : /^\s*Replay: (.*)$/.exec(lines[at]);
  if (m === null || replay === null) return undefined;
  const rest = lines.slice(at + 2);
  const end = rest.findIndex((l) => l.trim() === "");
  const chart = (end === -1 ? rest : rest.slice(0, end)).map((l) => l.trimEnd());
  const cause = end === -1 ? [] : rest.slice(end + 1).filter((l) => !/^\s+at /.test(l));
  return {
    seed: Number(m[1]),
    run: Number(m[2]),
    forced: Number(m[3]),
    replay: replay[1],
    chart,
    cause: cause.slice(0, 12),
  };
}

/** A replay command taken apart: its environment, test file and `-t` pattern. */
export interface Replay {
  env: Record<string, string>;
  file: string;
  /** The test-name pattern, unquoted (an anchored, escaped regular expression). */
  pattern: string;
}

/** Parses `OTPKIT_FOR=... OTPKIT_SEED=1 [OTPKIT_CHOICES=...] npx jest <file> -t '<pattern>'`. */
export function parseReplay(command: string): Replay | undefined {
  const m = /^((?:[A-Z_]+=\S+ )*)npx jest (\S+) -t ('.*')$/.exec(command);
  if (m === null) return undefined;
  const env: Record<string, string> = {};
  for (const kv of m[1].trim().split(" ").filter(Boolean)) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = unquote(kv.slice(i + 1));
  }
  return { env, file: m[2], pattern: unquote(m[3]) };
}

/** A POSIX shell word in single quotes (with `'\\''` for a quote inside) to its text. */
function unquote(word: string): string {
  if (!word.startsWith("'")) return word;
  return word.slice(1, -1).replace(/'\\''/g, "'");
}
