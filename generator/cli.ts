#!/usr/bin/env node
/**
 * `scaffold`: generate GenServers, special processes, supervisors and their
 * tests; add handlers to existing modules; set a project up for the preset.
 *
 * Exit codes: 0 done or nothing to do, 1 refused (a file exists, a
 * conflict), 2 bad input (names, paths, options, unknown commands).
 */
import { readFileSync } from "fs";
import { join } from "path";
import type { Argv } from "yargs";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, ScaffoldError } from "./errors";
import * as genserver from "./commands/genserver";
import * as special from "./commands/special";
import * as supervisor from "./commands/supervisor";
import * as handler from "./commands/handler";
import * as init from "./commands/init";

/** This package's version (from its package.json, so it is right under npx too). */
function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  return String(pkg.version);
}

/** Levenshtein distance, for "did you mean" on unknown options. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length][b.length];
}

const OPTIONS = [
  "call",
  "cast",
  "info",
  "dir",
  "test-dir",
  "child",
  "dry-run",
  "force",
  "templates",
  "help",
  "version",
];

/** Adds a suggestion to yargs's "Unknown argument" message. */
function withSuggestion(msg: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const hints = m[1]
    .split(", ")
    .map((arg) => {
      const best = OPTIONS.map((o) => [o, distance(arg.replace(/^-+/, ""), o)] as const).sort(
        (x, y) => x[1] - y[1],
      )[0];
      return best && best[1] <= 2 ? `--${best[0]} (for ${arg})` : undefined;
    })
    .filter((h) => h !== undefined);
  return hints.length ? `${msg}\nDid you mean ${hints.join(", ")}?` : msg;
}

export async function main(argv: string[]): Promise<number> {
  const { default: yargs } = await import("yargs");
  const { hideBin } = await import("yargs/helpers");
  const y: Argv = yargs(hideBin(argv));
  try {
    await y
      .scriptName("scaffold")
      .usage("$0 <command> [options]")
      .version(ownVersion())
      .option("dry-run", {
        type: "boolean",
        describe: "Print the planned files and a diff; write nothing",
      })
      .option("force", { type: "boolean", describe: "Overwrite existing files" })
      .option("templates", {
        type: "string",
        describe:
          "A folder of templates that override the shipped ones (before .scaffold/templates/)",
      })
      .command(genserver)
      .command(special)
      .command(supervisor)
      .command(handler)
      .command(init)
      .demandCommand(1, "Give a command: genserver, special, supervisor, handler or init.")
      .strict()
      .recommendCommands()
      .help()
      .epilog(
        "Exit codes: 0 done or nothing to do, 1 refused (exists, conflict), 2 bad input.\nDocs: docs/generator.md",
      )
      .fail((msg, err) => {
        if (err) throw err;
        throw new ScaffoldError(
          `${withSuggestion(msg ?? "bad input")}\nRun scaffold --help for usage.`,
          EXIT_BAD_INPUT,
        );
      })
      .parseAsync();
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ScaffoldError) {
      console.error(`scaffold: ${e.message}`);
      return e.exitCode;
    }
    // A system error (EACCES, ENOTDIR...) while writing: the message, exit 1 (nothing was left written).
    if (e instanceof Error && "code" in e) {
      console.error(`scaffold: could not write: ${e.message}`);
      return EXIT_REFUSED;
    }
    console.error(`scaffold: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT_BAD_INPUT;
  }
}

if (require.main === module)
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
