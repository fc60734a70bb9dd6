/** `scaffold genserver <Name>`: a GenServer module and its test. */
import { Context, importPath, renderFile } from "../context";
import { badInput } from "../errors";
import { handlerData, importList, parseHandlerSpecs } from "../handler-spec";
import { checkDistinct, checkHandlerName, checkModuleName, kebab, pascal } from "../names";
import { requireInit } from "../project";
import type { Data } from "../render";

export const command = "genserver <name>";
export const describe = "Generate a GenServer module and its test";
export const positional = {
  name: { type: "string", describe: "The server's name, PascalCase (e.g. Subscribers)" },
} as const;
export const examples = [
  "$0 genserver Subscribers --call subscribe:Pid --call subscribers --info down",
  "$0 genserver Cache --call get:string --cast put:string --info tick",
];

export interface GenServerArgs {
  name: string;
  call?: unknown;
  cast?: unknown;
  info?: unknown;
  dir?: string;
  testDir?: string;
}

export async function genserver(ctx: Context, args: GenServerArgs): Promise<void> {
  const Name = checkModuleName(args.name);
  requireInit(ctx.tree);
  const calls = parseHandlerSpecs(args.call, "call");
  const casts = parseHandlerSpecs(args.cast, "cast");
  const infoNames = parseInfos(args.info);
  checkDistinct(
    [...calls, ...casts].map((h) => h.name),
    "call/cast name (each becomes a client function)",
  );
  checkDistinct(infoNames, "info name");
  const down = infoNames.includes("down");
  const messages = infoNames
    .filter((i) => i !== "down")
    .map((name) => ({ name, Type: `${pascal(name)}Message` }));
  checkDistinct([Name, ...messages.map((m) => m.Type)], "type name");
  const pidCall = calls.find((c) => c.arg?.isPid);
  const pidCast = casts.find((c) => c.arg?.isPid);
  if (down && pidCall === undefined && pidCast === undefined)
    throw badInput(
      "--info down handles the DOWN of the processes the server monitors, and it monitors " +
        "the pids its calls and casts are given: give one a Pid argument " +
        "(e.g. --call subscribe:Pid), or add the DOWN handler later (scaffold handler <file> --info down).",
    );

  const file = ctx.tree.resolve(`${kebab(Name)}.ts`, ctx.tree.resolve(args.dir ?? "src"));
  const testFile = ctx.tree.resolve(
    `${kebab(Name)}.test.ts`,
    ctx.tree.resolve(args.testDir ?? "test"),
  );
  const argTypes = [...calls, ...casts].flatMap((h) => h.arg?.imports ?? []);
  const has = { calls: calls.length > 0, casts: casts.length > 0, infos: infoNames.length > 0 };
  const clients = has.calls || has.casts;
  const imports = importList(
    [
      "GenServer",
      "ok",
      ...(down ? ["isDown"] : []),
      ...(has.casts || has.infos ? ["noreply"] : []),
      ...(has.calls ? ["reply"] : []),
    ],
    [
      ...new Set([
        ...(has.calls ? ["From"] : []),
        ...(down ? ["Pid", "Ref"] : []),
        ...(clients ? ["ServerRef"] : []),
        ...argTypes,
      ]),
    ],
  );
  const options = { example: true, down };
  const callData = calls.map((c) => handlerData(c, "call", Name, "State", options));
  const castData = casts.map((c) => handlerData(c, "cast", Name, "State", options));
  const needsProcess = [...callData, ...castData].some((h) => h.needsProcess) || down;
  const stateless = !has.calls && !has.casts && messages.length === 0 && !down;
  const runtimeImports = [
    ...(down ? ["exit"] : []),
    ...(messages.length ? ["send"] : []),
    ...(needsProcess ? ["spawn"] : []),
    ...(stateless ? [] : ["sys"]),
  ];
  const via = pidCall ?? pidCast!;
  const data: Data = {
    Name,
    imports,
    calls: callData,
    casts: castData,
    messages,
    infos: infoNames.map((name) => ({
      name,
      down: name === "down",
      Type: `${pascal(name)}Message`,
      msg: "msg",
      state: "state",
      example: true,
    })),
    down,
    hasCalls: has.calls,
    hasCasts: has.casts,
    hasInfos: has.infos,
    hasClients: clients,
    needsProcess,
    runtimeImports: runtimeImports.join(", "),
    moduleImports: importList(
      [Name, ...calls.map((c) => c.name), ...casts.map((c) => c.name)],
      [...(stateless ? [] : ["State"]), ...messages.map((m) => m.Type)],
    ),
    modulePath: importPath(ctx, testFile, file),
    initialState: down ? "{ handled: [], watching: new Map() }" : "{ handled: [] }",
    downVia: down ? [{ name: via.name, isCall: via === pidCall }] : [],
  };
  ctx.tree.create(file, await renderFile(ctx, "genserver.ts.tpl", file, data));
  ctx.tree.create(testFile, await renderFile(ctx, "genserver.test.ts.tpl", testFile, data));
}

/** The `--info` names (`down` or a message name). */
function parseInfos(v: unknown): string[] {
  if (v === undefined) return [];
  const values = (Array.isArray(v) ? v : [v]).map(String);
  if (values.length === 0 || values.some((x) => x.trim() === ""))
    throw badInput("--info needs a message name (e.g. --info tick, or --info down).");
  return values.map(checkHandlerName);
}
