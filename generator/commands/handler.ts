/** `scaffold handler <file> (--call|--cast|--info) <name>`: add a handler to an existing GenServer module. */
import { Context } from "../context";
import { HandlerKind, addHandler } from "../edit";
import { badInput } from "../errors";
import { parseHandlerSpec } from "../handler-spec";
import { checkHandlerName } from "../names";

export const command = "handler <file>";
export const describe =
  "Add a call, cast or info handler (with its client function and message type) to a GenServer module";
export const positional = {
  file: {
    type: "string",
    describe: "The GenServer module to edit (relative to the current folder)",
  },
} as const;
export const examples = [
  "$0 handler src/subscribers.ts --call unsubscribe:Pid",
  "$0 handler src/cache.ts --info tick",
];

export async function addHandlerCommand(
  ctx: Context,
  args: { file: string; call?: unknown; cast?: unknown; info?: unknown },
): Promise<void> {
  const given = (["call", "cast", "info"] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1)
    throw badInput("Give exactly one of --call <name>, --cast <name> or --info <name>.");
  const kind: HandlerKind = given[0]!;
  const raw = args[kind];
  if (Array.isArray(raw) || typeof raw !== "string")
    throw badInput(`--${kind} takes one handler name (run the command once per handler).`);
  if (raw.trim() === "") throw badInput(`--${kind} needs a handler name (e.g. --${kind} get).`);
  const spec = kind === "info" ? { name: checkHandlerName(raw) } : parseHandlerSpec(raw, kind);
  const file = ctx.tree.resolve(args.file, ctx.cwd);
  const text = ctx.tree.read(file);
  if (text === undefined) throw badInput(`${file}: no such file.`);
  const options = await ctx.formatter.options(file);
  const result = await addHandler(file, text, kind, spec, ctx.templates, options, (t, o) =>
    ctx.formatter.format(t, o),
  );
  if (result.text === text) {
    ctx.log(`nothing to do: ${file} already has ${kind} handler ${spec.name}`);
    return;
  }
  for (const a of result.added) ctx.log(`adding ${a}`);
  ctx.tree.update(file, result.text);
}
