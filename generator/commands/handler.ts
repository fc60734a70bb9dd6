/** `scaffold handler <file> (--call|--cast|--info) <name>`: add a handler to an existing GenServer module. */
import { existsSync, readFileSync } from "fs";
import { relative } from "path";
import type { Argv } from "yargs";
import { Context, makeContext } from "../context";
import { HandlerKind, addHandler } from "../edit";
import { badInput } from "../errors";
import { optionsFor } from "../format";
import { checkHandlerName } from "../names";
import { safePath } from "../write";

export const command = "handler <file>";
export const describe =
  "Add a call, cast or info handler (with its client function and message type) to a GenServer module";

export function builder(y: Argv): Argv<any> {
  return y
    .positional("file", { type: "string", describe: "The GenServer module to edit" })
    .option("call", { type: "string", describe: "Add a call handler with this name" })
    .option("cast", { type: "string", describe: "Add a cast handler with this name" })
    .option("info", {
      type: "string",
      describe: "Add an info handler (`down`: monitor DOWN messages)",
    })
    .example("$0 handler src/subscribers.ts --call unsubscribe", "");
}

export async function handler(args: any): Promise<void> {
  await addHandlerCommand(makeContext(args), args);
}

export async function addHandlerCommand(
  ctx: Context,
  args: { file: string; call?: unknown; cast?: unknown; info?: unknown },
): Promise<number> {
  const given = (["call", "cast", "info"] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1)
    throw badInput("Give exactly one of --call <name>, --cast <name> or --info <name>.");
  const kind: HandlerKind = given[0];
  const raw = args[kind];
  if (Array.isArray(raw) || typeof raw !== "string" || raw === "")
    throw badInput(`--${kind} takes one handler name (run the command once per handler).`);
  const name = checkHandlerName(raw);
  const file = safePath(ctx.root, args.file);
  if (!existsSync(file)) throw badInput(`${args.file}: no such file.`);
  const text = readFileSync(file, "utf8");
  const rel = relative(ctx.root, file);
  const result = await addHandler(rel, text, kind, name, ctx.templates, await optionsFor(file));
  if (result.text === text) {
    ctx.log(`nothing to do: ${rel} already has ${kind} handler ${name}`);
    return 0;
  }
  for (const a of result.added) ctx.log(`adding ${a}`);
  return ctx.commit([{ path: file, before: text, content: result.text }]);
}
