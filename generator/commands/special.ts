/** `scaffold special <Name>`: a hand-written special process and its test. */
import { join } from "path";
import type { Argv } from "yargs";
import { Context, makeContext } from "../context";
import { formatFile } from "../format";
import { checkModuleName, kebab } from "../names";
import { safePath } from "../write";
import { importPath } from "./genserver";

export const command = "special <name>";
export const describe =
  "Generate a special process (procLib start, sys messages, handleDebug) and its test";

export function builder(y: Argv): Argv<any> {
  return y
    .positional("name", {
      type: "string",
      describe: "The process's name, PascalCase (e.g. Channels)",
    })
    .option("dir", { type: "string", default: "src", describe: "Where the module goes" })
    .option("test-dir", { type: "string", default: "test", describe: "Where its test goes" })
    .example("$0 special Channels", "");
}

export async function handler(args: any): Promise<void> {
  await special(makeContext(args), args);
}

export async function special(
  ctx: Context,
  args: { name: string; dir: string; testDir: string },
): Promise<number> {
  const Name = checkModuleName(args.name);
  const file = safePath(ctx.root, join(args.dir, `${kebab(Name)}.ts`));
  const testFile = safePath(ctx.root, join(args.testDir, `${kebab(Name)}.test.ts`));
  const data = { Name, modulePath: importPath(testFile, file) };
  const plan = [
    { path: file, content: await formatFile(file, ctx.templates.render("special.ts.tpl", data)) },
    {
      path: testFile,
      content: await formatFile(testFile, ctx.templates.render("special.test.ts.tpl", data)),
    },
  ];
  return ctx.commit(plan);
}
