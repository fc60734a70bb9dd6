/** `scaffold special <Name>`: a hand-written special process and its test. */
import { Context, importPath, renderFile } from "../context";
import { checkModuleName, kebab } from "../names";
import { requireInit } from "../project";

export const command = "special <name>";
export const describe =
  "Generate a special process (procLib start, sys messages, handleDebug) and its test";
export const positional = {
  name: { type: "string", describe: "The process's name, PascalCase (e.g. Channels)" },
} as const;
export const examples = ["$0 special Channels"];

export async function special(
  ctx: Context,
  args: { name: string; dir?: string; testDir?: string },
): Promise<void> {
  const Name = checkModuleName(args.name);
  requireInit(ctx.tree);
  const file = ctx.tree.resolve(`${kebab(Name)}.ts`, ctx.tree.resolve(args.dir ?? "src"));
  const testFile = ctx.tree.resolve(
    `${kebab(Name)}.test.ts`,
    ctx.tree.resolve(args.testDir ?? "test"),
  );
  const data = { Name, modulePath: importPath(ctx, testFile, file) };
  ctx.tree.create(file, await renderFile(ctx, "special.ts.tpl", file, data));
  ctx.tree.create(testFile, await renderFile(ctx, "special.test.ts.tpl", testFile, data));
}
