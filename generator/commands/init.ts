/**
 * `scaffold init`: set a project up for generated code. Adds
 * `preset: "otpkit"` to the Jest config and, to the tsconfig, the `types`
 * entries (`"jest"`, `"otpkit/jest"`) and `strict`; creates either file if
 * there is none. Existing settings are never changed: a different preset is
 * a conflict (exit 1), `strict: false` is left as it is, with a warning.
 * Edits are text insertions, so comments and layout stay as they were.
 */
import { existsSync, readFileSync } from "fs";
import { join, relative } from "path";
import type { Argv } from "yargs";
import { Context, makeContext } from "../context";
import { refused } from "../errors";
import { formatFile, optionsFor } from "../format";
import { PlannedFile, safePath } from "../write";

export const command = "init";
export const describe =
  "Add the otpkit preset to the Jest config and the needed entries to tsconfig.json";

export function builder(y: Argv): Argv<any> {
  return y.example("$0 init", "").example("$0 init --dry-run", "");
}

export async function handler(args: any): Promise<void> {
  await init(makeContext(args));
}

const JEST_CONFIGS = [
  "jest.config.js",
  "jest.config.cjs",
  "jest.config.mjs",
  "jest.config.ts",
  "jest.config.cts",
  "jest.config.mts",
  "jest.config.json",
];
const TYPES = ["jest", "otpkit/jest"];

export async function init(ctx: Context): Promise<number> {
  const plan: PlannedFile[] = [];
  const jest = await jestConfig(ctx);
  if (jest) plan.push(jest);
  const ts = await tsconfig(ctx);
  if (ts) plan.push(ts);
  if (plan.length === 0) {
    ctx.log("nothing to do: the Jest config and tsconfig.json are already set up");
    return 0;
  }
  return ctx.commit(plan);
}

async function jestConfig(ctx: Context): Promise<PlannedFile | undefined> {
  const found = JEST_CONFIGS.map((n) => join(ctx.root, n)).find((p) => existsSync(p));
  const pkgPath = join(ctx.root, "package.json");
  const pkg = existsSync(pkgPath) ? readFileSync(pkgPath, "utf8") : undefined;
  if (!found && pkg !== undefined && JSON.parse(pkg).jest !== undefined) {
    const path = safePath(ctx.root, "package.json");
    checkPreset(JSON.parse(pkg).jest.preset, "package.json (jest)");
    const text = await editJson(
      path,
      pkg,
      ["jest"],
      [["preset", '"otpkit"']],
      "Jest config in package.json",
    );
    return text === pkg ? undefined : { path, before: pkg, content: text };
  }
  if (!found) {
    const path = safePath(ctx.root, "jest.config.js");
    return {
      path,
      content: await formatFile(path, ctx.templates.render("jest.config.js.tpl", {})),
    };
  }
  const path = safePath(ctx.root, relative(ctx.root, found));
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".json")) {
    checkPreset(JSON.parse(text).preset, relative(ctx.root, path));
    const out = await editJson(path, text, [], [["preset", '"otpkit"']], relative(ctx.root, path));
    return out === text ? undefined : { path, before: text, content: out };
  }
  const out = await editJsConfig(path, text, relative(ctx.root, path));
  return out === text ? undefined : { path, before: text, content: out };
}

/** Adds `preset: "otpkit"` to `module.exports = {...}` / `export default {...}` (also through `satisfies`, `as` or a call like `defineConfig({...})`). */
async function editJsConfig(path: string, text: string, rel: string): Promise<string> {
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
      `${rel} already sets preset (${value ?? "?"}); not changing it. Combine it with otpkit's yourself (see docs/generator.md).`,
    );
  }
  const options = await optionsFor(path);
  const line = (await formatFile("", `const x = {\n  preset: "otpkit",\n};\n`, options))
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

/**
 * Adds `entries` (key, JSON value text) to the object at `at` (a path of
 * keys) in JSON/JSONC `text` where they are missing; creates the object if
 * needed. `arrays` adds missing elements to an existing array property.
 */
async function editJson(
  path: string,
  text: string,
  at: string[],
  entries: Array<[string, string]>,
  rel: string,
  arrays: Array<[string, string[]]> = [],
): Promise<string> {
  const { ts } = await import("ts-morph");
  const json = ts.parseJsonText(path, text);
  const root = json.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root))
    throw refused(`${rel}: not a JSON object; not changing it.`);
  const keyOf = (p: import("ts-morph").ts.ObjectLiteralElementLike) =>
    p.name && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name)) ? p.name.text : undefined;
  const find = (o: import("ts-morph").ts.ObjectLiteralExpression, key: string) =>
    o.properties.find((p) => keyOf(p) === key) as
      import("ts-morph").ts.PropertyAssignment | undefined;
  let obj = root;
  const missingPath: string[] = [];
  for (const key of at) {
    const p = find(obj, key);
    if (!p) {
      missingPath.push(key);
      continue;
    }
    if (missingPath.length > 0) break;
    if (!ts.isObjectLiteralExpression(p.initializer))
      throw refused(`${rel}: "${key}" is not an object; not changing it.`);
    obj = p.initializer;
  }
  const insertions: Array<{ pos: number; text: string }> = [];
  const indentOf = (pos: number) =>
    /^[ \t]*/.exec(text.slice(text.lastIndexOf("\n", pos - 1) + 1))![0];
  const unit = indentOf(root.properties[0]?.getStart(json) ?? 0) || "  ";
  const props: string[] = [];
  if (missingPath.length === 0) {
    for (const [k, v] of entries) if (!find(obj, k)) props.push(`"${k}": ${v}`);
    for (const [k, values] of arrays) {
      const p = find(obj, k);
      if (!p) props.push(`"${k}": [${values.map((v) => JSON.stringify(v)).join(", ")}]`);
      else if (ts.isArrayLiteralExpression(p.initializer)) {
        const have = p.initializer.elements.map((e) =>
          ts.isStringLiteral(e) ? e.text : undefined,
        );
        const add = values.filter((v) => !have.includes(v));
        if (add.length === 0) continue;
        const els = p.initializer.elements;
        const added = add.map((v) => JSON.stringify(v)).join(", ");
        if (els.length === 0) insertions.push({ pos: p.initializer.getEnd() - 1, text: added });
        else insertions.push({ pos: els[els.length - 1].getEnd(), text: `, ${added}` });
      } else throw refused(`${rel}: "${k}" is not an array; not changing it.`);
    }
  } else {
    // Build the missing objects, innermost first.
    let inner = entries
      .map(([k, v]) => `"${k}": ${v}`)
      .concat(arrays.map(([k, vs]) => `"${k}": [${vs.map((v) => JSON.stringify(v)).join(", ")}]`));
    for (let i = missingPath.length - 1; i >= 1; i--)
      inner = [`"${missingPath[i]}": {\n${inner.join(",\n")}\n}`];
    props.push(`"${missingPath[0]}": {\n${inner.join(",\n")}\n}`);
  }
  if (props.length > 0) {
    const members = obj.properties;
    const objIndent = indentOf(obj.getStart(json));
    const indent = members.length > 0 ? indentOf(members[0].getStart(json)) : objIndent + unit;
    const body = props
      .join(",\n")
      .split("\n")
      .map((l) => {
        // Nested lines (from missing objects) get one more unit per open brace.
        return l;
      })
      .join("\n");
    const reindented = reindentJson(body, indent, unit);
    const close = obj.getEnd() - 1;
    if (members.length > 0) {
      const last = members[members.length - 1];
      const between = text.slice(last.getEnd(), close).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");
      const trailing = between.includes(",");
      insertions.push({ pos: last.getEnd(), text: `${trailing ? "" : ","}` });
      const closeLine = text.lastIndexOf("\n", close - 1) + 1;
      insertions.push(
        /^[ \t]*$/.test(text.slice(closeLine, close))
          ? { pos: closeLine, text: `${reindented}${trailing ? "," : ""}\n` }
          : { pos: close, text: `\n${reindented}\n${objIndent}` },
      );
    } else insertions.push({ pos: close, text: `\n${reindented}\n${objIndent}` });
  }
  let out = text;
  for (const ins of insertions
    .map((ins, i) => ({ ...ins, i }))
    .sort((a, b) => b.pos - a.pos || b.i - a.i))
    out = out.slice(0, ins.pos) + ins.text + out.slice(ins.pos);
  return out;
}

/** Indents generated JSON lines: `base` plus one `unit` per enclosing brace. */
function reindentJson(body: string, base: string, unit: string): string {
  let depth = 0;
  return body
    .split("\n")
    .map((l) => {
      const t = l.trim();
      if (t.startsWith("}")) depth--;
      const line = base + unit.repeat(Math.max(0, depth)) + t;
      if (t.endsWith("{")) depth++;
      return line;
    })
    .join("\n");
}

/** An existing preset other than otpkit is a conflict: never clobbered. */
function checkPreset(preset: unknown, rel: string): void {
  if (preset !== undefined && preset !== "otpkit")
    throw refused(
      `${rel} already sets preset ${JSON.stringify(preset)}; not changing it. Combine it with otpkit's yourself (see docs/generator.md).`,
    );
}

async function tsconfig(ctx: Context): Promise<PlannedFile | undefined> {
  const path = safePath(ctx.root, "tsconfig.json");
  if (!existsSync(path)) return { path, content: ctx.templates.render("tsconfig.json.tpl", {}) };
  const text = readFileSync(path, "utf8");
  const { ts } = await import("ts-morph");
  const parsed = ts.parseConfigFileTextToJson(path, text);
  if (parsed.error) throw refused(`tsconfig.json does not parse; not changing it.`);
  const strict = parsed.config?.compilerOptions?.strict;
  if (strict === false)
    ctx.log(
      `warning: tsconfig.json sets "strict": false; generated code is written for strict mode (left as it is).`,
    );
  const out = await editJson(
    path,
    text,
    ["compilerOptions"],
    strict === undefined ? [["strict", "true"]] : [],
    "tsconfig.json",
    [["types", TYPES]],
  );
  return out === text ? undefined : { path, before: text, content: out };
}
