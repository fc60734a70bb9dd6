/** `scaffold genserver <Name>`: a GenServer module and its test. */
import { dirname, join, relative, sep } from "path";
import type { Argv } from "yargs";
import { Context, GlobalArgs, list, makeContext } from "../context";
import { formatFile } from "../format";
import { checkDistinct, checkHandlerName, checkModuleName, kebab, pascal } from "../names";
import { safePath } from "../write";

export interface GenServerArgs extends GlobalArgs {
  name: string;
  call?: string[];
  cast?: string[];
  info?: string[];
  dir: string;
  testDir: string;
}

export const command = "genserver <name>";
export const describe = "Generate a GenServer module and its test";

export function builder(y: Argv): Argv<any> {
  return y
    .positional("name", {
      type: "string",
      describe: "The server's name, PascalCase (e.g. Subscribers)",
    })
    .option("call", { type: "string", array: true, describe: "Add a call handler (repeatable)" })
    .option("cast", { type: "string", array: true, describe: "Add a cast handler (repeatable)" })
    .option("info", {
      type: "string",
      array: true,
      describe: "Add an info message handler (repeatable; `down` handles monitor DOWNs)",
    })
    .option("dir", { type: "string", default: "src", describe: "Where the module goes" })
    .option("test-dir", { type: "string", default: "test", describe: "Where its test goes" })
    .example("$0 genserver Subscribers --call subscribe --call subscribers --info down", "");
}

export async function handler(args: any): Promise<void> {
  await genserver(makeContext(args), args);
}

/** An import path from `fromFile` to `toFile`, extensionless, always relative. */
export function importPath(fromFile: string, toFile: string): string {
  const r = relative(dirname(fromFile), toFile).replace(/\.ts$/, "").split(sep).join("/");
  return r.startsWith(".") ? r : `./${r}`;
}

export async function genserver(ctx: Context, args: GenServerArgs): Promise<number> {
  const Name = checkModuleName(args.name);
  const calls = list(args.call).map(checkHandlerName);
  const casts = list(args.cast).map(checkHandlerName);
  const infos = list(args.info).map(checkHandlerName);
  checkDistinct([...calls, ...casts], "call/cast name (each becomes a client function)");
  checkDistinct(infos, "info name");
  const down = infos.includes("down");
  const messages = infos
    .filter((i) => i !== "down")
    .map((name) => ({ name, Type: `${pascal(name)}Message` }));
  checkDistinct([Name, ...messages.map((m) => m.Type)], "type name");

  const file = safePath(ctx.root, join(args.dir, `${kebab(Name)}.ts`));
  const testFile = safePath(ctx.root, join(args.testDir, `${kebab(Name)}.test.ts`));

  const imports = [
    ...(calls.length ? ["From"] : []),
    "GenServer",
    ...(down ? ["Pid"] : []),
    ...(calls.length + casts.length ? ["ServerRef"] : []),
    ...(down ? ["isDown"] : []),
    ...(casts.length + infos.length ? ["noreply"] : []),
    "ok",
    ...(calls.length ? ["reply"] : []),
  ];
  const runtimeImports = [
    ...(down ? ["exit"] : []),
    ...(messages.length ? ["send"] : []),
    ...(down ? ["spawn"] : []),
    ...(casts.length ? ["sys"] : []),
  ];
  const moduleImports = [
    Name,
    ...(casts.length ? ["State"] : []),
    ...messages.map((m) => m.Type),
    ...calls,
    ...casts,
  ];
  const data = {
    Name,
    imports: imports.join(", "),
    calls: calls.map((name) => ({ name })),
    casts: casts.map((name) => ({ name })),
    messages,
    down,
    hasCalls: calls.length > 0,
    hasCasts: casts.length > 0,
    hasInfos: infos.length > 0,
    hasClients: calls.length + casts.length > 0,
    runtimeImports: runtimeImports.join(", "),
    moduleImports: moduleImports.join(", "),
    modulePath: importPath(testFile, file),
    initialState: down ? "{ handled: [], watching: [] }" : "{ handled: [] }",
    stateRest: down ? "watching: [], " : "",
  };
  const source = ctx.templates.render("genserver.ts.tpl", data);
  const test = ctx.templates.render("genserver.test.ts.tpl", data);
  const plan = [
    { path: file, content: await formatFile(file, source) },
    { path: testFile, content: await formatFile(testFile, test) },
  ];
  return ctx.commit(plan);
}
