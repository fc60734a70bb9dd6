/**
 * `scaffold init`: set a project up for generated code. Adds
 * `preset: "otpkit"` to the Jest config and, to the tsconfig, the `types`
 * entries (`"node"` when @types/node is installed, `"jest"`,
 * `"otpkit/jest"`) and `strict`; creates either file if there is none, in
 * the project's module system (`export default` in an ESM package). Existing
 * settings are never changed: a different preset is a conflict (exit 1),
 * `strict: false` is left as it is, with a warning. JSON is edited with
 * jsonc-parser and JavaScript configs with text insertions, so comments and
 * layout stay as they were; new files follow the project's prettier config.
 */
import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parseTree,
  type FormattingOptions,
} from "jsonc-parser";
import type { Options } from "prettier";
import { Context, renderFile } from "../context";
import { refused } from "../errors";
import { JEST_CONFIGS, compilerOptions, isEsmPackage, readJsonc } from "../project";

export const command = "init";
export const describe =
  "Set the project up: the otpkit preset in the Jest config, the needed entries in tsconfig.json";
export const positional = {} as const;
export const examples = ["$0 init", "$0 init --dry-run"];

/** The type packages generated tests need, in the order they are listed. */
const TYPES = ["jest", "otpkit/jest"];

export async function init(ctx: Context): Promise<void> {
  await jestConfig(ctx);
  await tsconfig(ctx);
  if (ctx.tree.plan().length === 0)
    ctx.log("nothing to do: the Jest config and tsconfig.json are already set up");
}

/** An existing preset other than otpkit is a conflict: never clobbered. */
function checkPreset(preset: unknown, rel: string): void {
  if (preset !== undefined && preset !== "otpkit")
    throw refused(
      `${rel} already sets preset ${JSON.stringify(preset)}; not changing it. Combine them yourself: keep yours and add otpkit's setup file, setupFilesAfterEnv: [...require("otpkit/jest-preset").setupFilesAfterEnv].`,
    );
}

/** jsonc-parser's layout options from the file's prettier options. */
function layout(options: Options): FormattingOptions {
  return { tabSize: options.tabWidth ?? 2, insertSpaces: options.useTabs !== true, eol: "\n" };
}

/** Sets `path` in JSON(C) `text` to `value` (jsonc-parser keeps the rest as it is). */
function setJson(
  text: string,
  path: (string | number)[],
  value: unknown,
  options: Options,
  insert = false,
) {
  // A new property goes first: appended last, it would slip between the
  // last property and a comment that ends its line.
  return applyEdits(
    text,
    modify(text, path, value, {
      formattingOptions: layout(options),
      isArrayInsertion: insert,
      getInsertionIndex: () => 0,
    }),
  );
}

/**
 * Appends `values` to the array at `path`: on its line when the array is
 * written on one line (`["node"]` → `["node", "jest"]`), else one per line.
 */
function addToArray(text: string, path: string[], values: string[], options: Options): string {
  const node = findNodeAtLocation(parseTree(text, [], { allowTrailingComma: true })!, path)!;
  const current = text.slice(node.offset, node.offset + node.length);
  if (current.includes("\n")) {
    let out = text;
    for (const v of values) out = setJson(out, [...path, -1], v, options, true);
    return out;
  }
  const items = (node.children ?? []).map((c) => text.slice(c.offset, c.offset + c.length));
  const line = `[${[...items, ...values.map((v) => JSON.stringify(v))].join(", ")}]`;
  return text.slice(0, node.offset) + line + text.slice(node.offset + node.length);
}

/**
 * Formats an edited JSON file with prettier if its original was formatted
 * with the project's config (then the edit keeps it so); otherwise only the
 * edited lines change.
 */
async function reformat(ctx: Context, before: string, after: string, options: Options) {
  if (after === before) return after;
  const formatted = await ctx.formatter.format(before, options).catch(() => undefined);
  return formatted === before ? ctx.formatter.format(after, options) : after;
}

async function jestConfig(ctx: Context): Promise<void> {
  const { tree } = ctx;
  const found = JEST_CONFIGS.find((p) => tree.exists(p));
  const pkg = readJsonc(tree, "package.json");
  if (found === undefined && pkg?.jest !== undefined) {
    const jest = pkg.jest as Record<string, unknown>;
    checkPreset(jest.preset, "package.json (jest)");
    if (jest.preset === "otpkit") return;
    const text = tree.read("package.json")!;
    const options = await ctx.formatter.options("package.json");
    const out = setJson(text, ["jest", "preset"], "otpkit", options);
    tree.update("package.json", await reformat(ctx, text, out, options));
    return;
  }
  if (found === undefined) {
    const path = "jest.config.js";
    tree.create(
      path,
      await renderFile(ctx, "jest.config.js.tpl", path, { esm: isEsmPackage(tree) }),
    );
    return;
  }
  const text = tree.read(found)!;
  if (found.endsWith(".json")) {
    const config = readJsonc(tree, found) ?? {};
    checkPreset(config.preset, found);
    if (config.preset === "otpkit") return;
    const options = await ctx.formatter.options(found);
    tree.update(
      found,
      await reformat(ctx, text, setJson(text, ["preset"], "otpkit", options), options),
    );
    return;
  }
  const out = await editJsConfig(ctx, found, text);
  if (out !== text) tree.update(found, out);
}

/** Adds `preset: "otpkit"` to `module.exports = {...}` / `export default {...}` (also through `satisfies`, `as` or a call like `defineConfig({...})`). */
async function editJsConfig(ctx: Context, path: string, text: string): Promise<string> {
  const rel = path;
  const { Project, Node, SyntaxKind } = await import("ts-morph");
  const project = new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
  });
  const sf = project.createSourceFile("/config.ts", text);
  let target: import("ts-morph").Node | undefined;
  for (const b of sf.getDescendantsOfKind(SyntaxKind.BinaryExpression))
    if (b.getLeft().getText() === "module.exports") target = b.getRight();
  for (const e of sf.getDescendantsOfKind(SyntaxKind.ExportAssignment)) target = e.getExpression();
  const unwrap = (n: import("ts-morph").Node | undefined): import("ts-morph").Node | undefined => {
    if (!n) return n;
    if (
      Node.isSatisfiesExpression(n) ||
      Node.isAsExpression(n) ||
      Node.isParenthesizedExpression(n)
    )
      return unwrap(n.getExpression());
    if (Node.isCallExpression(n)) return unwrap(n.getArguments()[0]);
    if (Node.isIdentifier(n)) {
      const decl = sf.getVariableDeclaration(n.getText());
      return unwrap(decl?.getInitializer());
    }
    return n;
  };
  const obj = unwrap(target);
  const manual = `add preset: "otpkit" to it yourself`;
  if (!obj || !Node.isObjectLiteralExpression(obj))
    throw refused(
      `${rel}: could not find the config object (module.exports = {...} or export default {...}); ${manual}.`,
    );
  const preset = obj.getProperty("preset");
  if (preset) {
    const value = Node.isPropertyAssignment(preset)
      ? preset.getInitializer()?.getText()
      : undefined;
    if (value === '"otpkit"' || value === "'otpkit'") return text;
    throw refused(
      `${rel} already sets preset (${value ?? "?"}); not changing it. Combine them yourself: keep yours and add otpkit's setup file, setupFilesAfterEnv: [...require("otpkit/jest-preset").setupFilesAfterEnv].`,
    );
  }
  const options = await ctx.formatter.options(path);
  const line = (await ctx.formatter.format(`const x = {\n  preset: "otpkit",\n};\n`, options))
    .split("\n")[1]
    .trim();
  const props = obj.getProperties();
  if (props.length === 0) {
    const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf("\n", obj.getStart()) + 1))![0];
    const unit = options.useTabs ? "\t" : " ".repeat(options.tabWidth ?? 2);
    return (
      text.slice(0, obj.getStart()) +
      `{\n${indent}${unit}${line}\n${indent}}` +
      text.slice(obj.getEnd())
    );
  }
  const first = props[0].getStart();
  const lineStart = text.lastIndexOf("\n", first - 1) + 1;
  const indent = text.slice(lineStart, first);
  if (/^[ \t]*$/.test(indent))
    return text.slice(0, lineStart) + `${indent}${line}\n` + text.slice(lineStart);
  return text.slice(0, first) + `${line.replace(/,?$/, ",")} ` + text.slice(first);
}

async function tsconfig(ctx: Context): Promise<void> {
  const { tree } = ctx;
  const path = "tsconfig.json";
  const nodeTypes = tree.hasPackage("@types/node");
  const types = [...(nodeTypes ? ["node"] : []), ...TYPES];
  if (!nodeTypes)
    ctx.log(
      `note: @types/node is not installed, so "node" is not in compilerOptions.types; ` +
        `for Node's globals in tests (setTimeout, process), npm i -D @types/node and add it.`,
    );
  const text = tree.read(path);
  if (text === undefined) {
    const content = await renderFile(ctx, "tsconfig.json.tpl", path, {
      types: types.map((t) => JSON.stringify(t)).join(", "),
    });
    tree.create(path, content);
    return;
  }
  const config = readJsonc(tree, path);
  if (config === undefined) throw refused(`${path} does not parse as JSON; not changing it.`);
  const own = (config.compilerOptions ?? {}) as Record<string, unknown>;
  const options = await ctx.formatter.options(path);
  let out = text;
  const have = own.types;
  if (have !== undefined && !Array.isArray(have))
    throw refused(`${path}: compilerOptions.types is not an array; not changing it.`);
  const missing = types.filter((t) => !(have ?? []).includes(t));
  if (have === undefined) out = setJson(out, ["compilerOptions", "types"], types, options);
  else if (missing.length > 0)
    out = addToArray(out, ["compilerOptions", "types"], missing, options);
  if (own.strict === undefined) out = setJson(out, ["compilerOptions", "strict"], true, options);
  else if (own.strict === false)
    ctx.log(
      `warning: ${path} sets "strict": false; generated code is written for strict mode (left as it is).`,
    );
  const effective = compilerOptions(tree, path);
  const module = String(effective.module ?? "").toLowerCase();
  if (
    effective.verbatimModuleSyntax === true &&
    /^node(16|18|20|next)$/.test(module) &&
    !isEsmPackage(tree)
  )
    ctx.log(
      `warning: ${path} sets "verbatimModuleSyntax" with "module": "${module}" in a CommonJS package ` +
        `(package.json has no "type": "module"), so TypeScript rejects import and export in .ts files ` +
        `(TS1286, TS1287), generated ones included. Set "type": "module" in package.json, or remove ` +
        `"verbatimModuleSyntax" (left as it is).`,
    );
  if (out !== text) tree.update(path, await reformat(ctx, text, out, options));
}
