/** `scaffold supervisor <Name> [--child <Module>]...`: a supervisor with child specs, and its test. */
import { Context, importPath, list, renderFile } from "../context";
import { badInput } from "../errors";
import { checkDistinct, checkModuleName, kebab } from "../names";
import { requireInit } from "../project";

export const command = "supervisor <name>";
export const describe = "Generate a supervisor with child specs, and its test";
export const positional = {
  name: { type: "string", describe: "The supervisor's name, PascalCase (e.g. AppSup)" },
} as const;
export const examples = ["$0 supervisor AppSup --child Subscribers --child Channels"];

export async function supervisor(
  ctx: Context,
  args: { name: string; child?: unknown; dir?: string; testDir?: string },
): Promise<void> {
  const Name = checkModuleName(args.name);
  requireInit(ctx.tree);
  const children = list(args.child);
  if (args.child !== undefined && (children.length === 0 || children.includes("")))
    throw badInput("--child needs a module name (e.g. --child Subscribers).");
  const childNames = children.map((c) => checkModuleName(c, "child module name"));
  checkDistinct([Name, ...childNames], "module name");
  const dir = ctx.tree.resolve(args.dir ?? "src");
  const file = ctx.tree.resolve(`${kebab(Name)}.ts`, dir);
  const testFile = ctx.tree.resolve(
    `${kebab(Name)}.test.ts`,
    ctx.tree.resolve(args.testDir ?? "test"),
  );
  const childData = childNames.map((Module) => {
    const childFile = ctx.tree.resolve(`${kebab(Module)}.ts`, dir);
    const text = ctx.tree.read(childFile);
    if (text === undefined)
      throw badInput(
        `Child ${Module}: ${childFile} not found. Generate it first (scaffold genserver ${Module}), or pass --dir.`,
      );
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
        `Child ${Module}: ${childFile} exports no GenServer (export const ${Module} = GenServer.define(...)), ` +
          `supervisor module, or special process (export function startLink(parent)).`,
      );
    return {
      Module,
      id: kebab(Module),
      type: kind === "supervisor" ? "supervisor" : "worker",
      path: importPath(ctx, file, childFile),
      binding: kind === "special" ? `* as ${Module}` : `{ ${Module} }`,
      start:
        kind === "genserver"
          ? `${Module}.startLink(sup, undefined)`
          : kind === "special"
            ? `${Module}.startLink(sup)`
            : `Supervisor.startLink(sup, ${Module})`,
    };
  });
  const hasChildren = childData.length > 0;
  const data = {
    Name,
    children: childData,
    hasChildren,
    ids: childData.map((c) => JSON.stringify(c.id)).join(", "),
    count: childData.length,
    runtimeImports: hasChildren ? "type Pid, Supervisor, exit, isPid" : "Supervisor",
    modulePath: importPath(ctx, testFile, file),
  };
  ctx.tree.create(file, await renderFile(ctx, "supervisor.ts.tpl", file, data));
  ctx.tree.create(testFile, await renderFile(ctx, "supervisor.test.ts.tpl", testFile, data));
}
