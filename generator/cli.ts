#!/usr/bin/env node
/**
 * `scaffold`: generate GenServers, special processes, supervisors and their
 * tests; add handlers to existing modules; set a project up for the preset.
 *
 * The project root is the nearest folder at or above the current one with a
 * package.json. Every command plans its files on a tree of the project;
 * the plan is then committed (or shown, with --dry-run).
 *
 * Exit codes: 0 done or nothing to do, 1 refused (a file exists, a
 * conflict, the project not set up), 2 bad input (names, paths, options,
 * unknown commands, no project).
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join, relative } from "path";
import type { Argv } from "yargs";
import { Context, GlobalArgs, makeContext } from "./context";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, ScaffoldError } from "./errors";
import { prettierFormatter } from "./format";
import { COMMAND_OPTIONS, CommandName, GLOBAL_OPTIONS, withSuggestion } from "./options";
import { findRoot } from "./project";
import { FsTree } from "./tree";
import { commit } from "./write";
import * as genserver from "./commands/genserver";
import * as special from "./commands/special";
import * as supervisor from "./commands/supervisor";
import * as handler from "./commands/handler";
import * as init from "./commands/init";

/** A command: its yargs declaration and what it does on a context. */
interface Command {
  command: string;
  describe: string;
  positional: Record<string, { type: "string"; describe: string }>;
  examples: string[];
  run(ctx: Context, args: any): Promise<void>;
}

const COMMANDS: Record<CommandName, Command> = {
  genserver: { ...genserver, run: genserver.genserver },
  special: { ...special, run: special.special },
  supervisor: { ...supervisor, run: supervisor.supervisor },
  handler: { ...handler, run: handler.addHandlerCommand },
  init: { ...init, run: init.init },
};

/** The folder of this package (its package.json), from dist/ or from source. */
function packageDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return __dirname;
  }
}

/** This package's version (from its package.json, so it is right under npx too). */
function ownVersion(): string {
  return String(JSON.parse(readFileSync(join(packageDir(), "package.json"), "utf8")).version);
}

/** Runs `name` in the project around `cwd`, then commits (or shows) its plan. */
async function run(name: CommandName, args: GlobalArgs & Record<string, unknown>, cwd: string) {
  const root = findRoot(cwd);
  const tree = new FsTree(root);
  const log = (l: string) => console.log(l);
  const ctx = makeContext(tree, prettierFormatter(root), args, log, relative(root, cwd));
  await COMMANDS[name].run(ctx, args);
  commit(tree.plan(), { root, force: args.force === true, dryRun: args.dryRun === true, log });
}

/** The command named in `argv` (for suggestions), if any. */
function commandIn(argv: string[]): CommandName | undefined {
  return argv.find((a): a is CommandName => a in COMMANDS);
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const { default: yargs } = await import("yargs");
  const { hideBin } = await import("yargs/helpers");
  const args = hideBin(argv);
  const y: Argv = yargs(args);
  try {
    y.scriptName("scaffold")
      .usage("$0 <command> [options]")
      .version(ownVersion())
      .options(GLOBAL_OPTIONS);
    for (const [name, c] of Object.entries(COMMANDS) as Array<[CommandName, Command]>)
      y.command(
        c.command,
        c.describe,
        (b) => {
          for (const [p, o] of Object.entries(c.positional)) b.positional(p, o);
          b.options(COMMAND_OPTIONS[name]);
          for (const e of c.examples) b.example(e, "");
          return b;
        },
        (parsed) => run(name, parsed as GlobalArgs & Record<string, unknown>, cwd),
      );
    await y
      .example(genserver.examples[0]!, "")
      .demandCommand(1, "Give a command: genserver, special, supervisor, handler or init.")
      .strict()
      .recommendCommands()
      .help()
      .wrap(null)
      .epilog(
        `Run in a Node project: the root is the nearest folder with a package.json.\n` +
          `Exit codes: 0 done or nothing to do, 1 refused (a file exists, a conflict, no scaffold init yet), 2 bad input.\n` +
          `More: scaffold <command> --help (each command's options, with examples).`,
      )
      .fail((msg, err) => {
        if (err) throw err;
        throw new ScaffoldError(
          `${withSuggestion(commandIn(args), msg ?? "bad input")}\nRun scaffold --help for usage.`,
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
