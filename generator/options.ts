/**
 * Every option of the CLI, declared once. Each command's yargs builder takes
 * its options from here, and the "did you mean" suggestions for an unknown
 * option are drawn from the same lists, per command, so a suggestion always
 * names an option the command has.
 */
import type { Options } from "yargs";

/** The options every command takes. */
export const GLOBAL_OPTIONS = {
  "dry-run": {
    type: "boolean",
    describe: "Print the planned files and a diff; write nothing (exits as the real run would)",
  },
  force: { type: "boolean", describe: "Overwrite existing files" },
  templates: {
    type: "string",
    describe:
      "A folder of templates that override the shipped ones (relative to the project root; before .scaffold/templates/)",
  },
} as const satisfies Record<string, Options>;

const TYPED =
  "name, or name:Type for an argument (string, number, boolean, bigint, unknown, null, Pid, ServerRef; [] for arrays, | for unions, ? if optional)";

const dir = {
  type: "string",
  default: "src",
  describe: "Where the module goes, relative to the project root",
} as const;
const testDir = {
  type: "string",
  default: "test",
  describe: "Where its test goes, relative to the project root",
} as const;

/** Each command's own options, under their command-line names. */
export const COMMAND_OPTIONS = {
  genserver: {
    call: { type: "string", array: true, describe: `Add a call handler: ${TYPED} (repeatable)` },
    cast: { type: "string", array: true, describe: `Add a cast handler: ${TYPED} (repeatable)` },
    info: {
      type: "string",
      array: true,
      describe:
        "Add an info message handler (repeatable); `down` handles the DOWN of the processes the server monitors (those given to a Pid-typed call or cast)",
    },
    dir,
    "test-dir": testDir,
  },
  special: { dir, "test-dir": testDir },
  supervisor: {
    child: {
      type: "string",
      array: true,
      describe:
        "A child: a GenServer, supervisor or special process module in --dir, by name (repeatable, in start order)",
    },
    dir: {
      ...dir,
      describe: "Where the module goes (and its children are), relative to the project root",
    },
    "test-dir": testDir,
  },
  handler: {
    call: { type: "string", describe: `Add a call handler: ${TYPED}` },
    cast: { type: "string", describe: `Add a cast handler: ${TYPED}` },
    info: {
      type: "string",
      describe: "Add an info handler (`down`: the DOWN of monitored processes)",
    },
  },
  init: {},
} as const satisfies Record<string, Record<string, Options>>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Every option name `command` accepts (without dashes), the global ones included. */
export function optionNames(command: CommandName | undefined): string[] {
  const own = command === undefined ? [] : Object.keys(COMMAND_OPTIONS[command]);
  return [...own, ...Object.keys(GLOBAL_OPTIONS), "help", "version"];
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

/**
 * The option of `command` an unknown `given` (dashes or not) most likely
 * meant: one it is a prefix of (`dry` → `dry-run`), else the closest within
 * two edits; undefined if none is close.
 */
export function suggestOption(command: CommandName | undefined, given: string): string | undefined {
  const g = given.replace(/^-+/, "").replace(/=.*$/, "");
  const names = optionNames(command);
  const prefixed = names.filter((n) => g.length >= 2 && n.startsWith(g));
  if (prefixed.length === 1) return prefixed[0];
  const best = names.map((n) => [n, distance(g, n)] as const).sort((x, y) => x[1] - y[1])[0];
  return best !== undefined && best[1] <= 2 && best[1] < g.length ? best[0] : undefined;
}

/** yargs's "Unknown argument(s): ..." message with a "Did you mean" line added. */
export function withSuggestion(command: CommandName | undefined, msg: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const hints = m[1]!
    .split(", ")
    .map((arg) => {
      const s = suggestOption(command, arg);
      return s === undefined ? undefined : `--${s} (for ${arg})`;
    })
    .filter((h) => h !== undefined);
  return hints.length ? `${msg}\nDid you mean ${hints.join(", ")}?` : msg;
}
