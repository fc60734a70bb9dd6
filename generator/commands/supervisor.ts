/** `scaffold supervisor <Name> [--child <Module>]...`: a supervisor with child specs, and its test. */
import { existsSync, readFileSync } from "fs";
import { join, relative } from "path";
import type { Argv } from "yargs";
import { Context, list, makeContext } from "../context";
import { badInput } from "../errors";
import { formatFile } from "../format";
import { checkDistinct, checkModuleName, kebab } from "../names";
import { safePath } from "../write";
import { importPath } from "./genserver";

export const command = "supervisor <name>";
export const describe = "Generate a supervisor with child specs, and its test";

export function builder(y: Argv): Argv<any> {
  return y
    .positional("name", {
      type: "string",
      describe: "The supervisor's name, PascalCase (e.g. AppSup)",
    })
    .option("child", {
      type: "string",
      array: true,
      describe:
        "A child: a GenServer or supervisor module in --dir, by name (repeatable, in start order)",
    })
    .option("dir", {
      type: "string",
      default: "src",
      describe: "Where the module goes (and its children are)",
    })
    .option("test-dir", { type: "string", default: "test", describe: "Where its test goes" })
    .example("$0 supervisor AppSup --child Subscribers --child Channels", "");
}

export async function handler(args: any): Promise<void> {
  await supervisor(makeContext(args), args);
}

export async function supervisor(
  ctx: Context,
  args: { name: string; child?: unknown; dir: string; testDir: string },
): Promise<number> {
  const Name = checkModuleName(args.name);
  const childNames = list(args.child).map((c) => checkModuleName(c, "child module name"));
  checkDistinct([Name, ...childNames], "module name");
  const file = safePath(ctx.root, join(args.dir, `${kebab(Name)}.ts`));
  const testFile = safePath(ctx.root, join(args.testDir, `${kebab(Name)}.test.ts`));
  const children = childNames.map((Module) => {
    const childFile = safePath(ctx.root, join(args.dir, `${kebab(Module)}.ts`));
    const rel = relative(ctx.root, childFile);
    if (!existsSync(childFile))
      throw badInput(
        `Child ${Module}: ${rel} not found. Generate it first (scaffold genserver ${Module}), or pass --dir.`,
      );
    const text = readFileSync(childFile, "utf8");
    const exported = new RegExp(`export const ${Module}\\b`).test(text);
    const kind =
      exported && /GenServer\.define\s*\(/.test(text)
        ? "genserver"
        : exported && /SupervisorModule/.test(text)
          ? "supervisor"
          : /procLib\.startLink\(/.test(text) && /export function startLink\(/.test(text)
            ? "special"
            : undefined;
    if (kind === undefined)
      throw badInput(
        `Child ${Module}: ${rel} exports no GenServer (export const ${Module} = GenServer.define(...)), ` +
          `supervisor module, or special process (export function startLink(parent)).`,
      );
    return {
      Module,
      id: kebab(Module),
      type: kind === "supervisor" ? "supervisor" : "worker",
      path: importPath(file, childFile),
      binding: kind === "special" ? `* as ${Module}` : `{ ${Module} }`,
      start:
        kind === "genserver"
          ? `${Module}.startLink(sup, undefined)`
          : kind === "special"
            ? `${Module}.startLink(sup)`
            : `Supervisor.startLink(sup, ${Module})`,
    };
  });
  const hasChildren = children.length > 0;
  const data = {
    Name,
    children,
    hasChildren,
    ids: children.map((c) => JSON.stringify(c.id)).join(", "),
    count: children.length,
    runtimeImports: (hasChildren ? ["Pid", "Supervisor", "exit", "isPid"] : ["Supervisor"]).join(
      ", ",
    ),
    modulePath: importPath(testFile, file),
  };
  const plan = [
    {
      path: file,
      content: await formatFile(file, ctx.templates.render("supervisor.ts.tpl", data)),
    },
    {
      path: testFile,
      content: await formatFile(testFile, ctx.templates.render("supervisor.test.ts.tpl", data)),
    },
  ];
  return ctx.commit(plan);
}
