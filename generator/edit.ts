/**
 * Editing an existing GenServer module with ts-morph: add a call, cast or
 * info handler, its client function and its message type.
 *
 * ts-morph only *locates* things (the `GenServer.define({...})` object, its
 * `handleCall`/`handleCast` objects, `handleInfo`'s body, the import of
 * `GenServer`); every addition is rendered from a template, formatted on its
 * own with the file's prettier config, re-indented to its siblings and
 * inserted as text. Nothing else in the file is touched (comments, order,
 * user code, blank lines), so the diff shows added lines only (plus the
 * import line when it needs a new name).
 */
import type { Options } from "prettier";
import type * as TsMorph from "ts-morph";
import { badInput, refused } from "./errors";
import { type HandlerSpec, handlerData } from "./handler-spec";
import { pascal } from "./names";
import { Templates } from "./templates";

export type HandlerKind = "call" | "cast" | "info";

/** The result of an edit: the new text (unchanged if there was nothing to do) and what was added. */
export interface EditResult {
  text: string;
  added: string[];
}

/** Formats text with the given prettier options. */
type Format = (text: string, options: Options) => Promise<string>;

/** Names added to an import that are types only (`import { type X }`, for `verbatimModuleSyntax`). */
const TYPE_ONLY = new Set(["From", "ServerRef", "Pid"]);

interface Insertion {
  pos: number;
  text: string;
  /** Replace up to here (default: pure insertion). */
  end?: number;
}

let tsMorph: Promise<typeof TsMorph> | undefined;
const loadTsMorph = () => (tsMorph ??= import("ts-morph"));

/** Adds handler `name` of `kind` to the GenServer module `text` (the content of `file`). */
export async function addHandler(
  file: string,
  text: string,
  kind: HandlerKind,
  handlerSpec: HandlerSpec,
  templates: Templates,
  prettierOptions: Options,
  format: Format,
): Promise<EditResult> {
  const name = handlerSpec.name;
  const { Project, SyntaxKind, Node } = await loadTsMorph();
  const project = new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
  });
  const sf = project.createSourceFile("/module.ts", text);
  const rel = file;

  // ---- locate the server ----
  const defines = sf
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter((c) =>
      /(^|\.)GenServer\.define$/.test(c.getExpression().getText().replace(/\s+/g, "")),
    );
  if (defines.length !== 1)
    throw badInput(
      defines.length === 0
        ? `${rel} has no GenServer.define({...}): scaffold handler edits GenServer modules (e.g. ones made by scaffold genserver).`
        : `${rel} has ${defines.length} GenServer.define calls: scaffold handler edits modules with exactly one.`,
    );
  const define = defines[0];
  const spec = define.getArguments()[0];
  if (!spec || !Node.isObjectLiteralExpression(spec))
    throw badInput(
      `${rel}: GenServer.define must be given an object literal ({ name, init, ... }).`,
    );
  const decl = define.getParentIfKind(SyntaxKind.VariableDeclaration);
  if (!decl)
    throw badInput(
      `${rel}: assign the server to a constant (export const Name = GenServer.define({...})).`,
    );
  const Server = decl.getName();
  const defineStatement = decl.getVariableStatementOrThrow();

  const prop = (o: TsMorph.ObjectLiteralExpression, key: string) =>
    o
      .getProperties()
      .find(
        (p) =>
          (Node.isPropertyAssignment(p) ||
            Node.isMethodDeclaration(p) ||
            Node.isShorthandPropertyAssignment(p)) &&
          p.getName() === key,
      );
  const objectOf = (p: TsMorph.Node | undefined) =>
    p && Node.isPropertyAssignment(p)
      ? p.getInitializerIfKind(SyntaxKind.ObjectLiteralExpression)
      : undefined;
  const fnOf = (p: TsMorph.Node | undefined) => {
    if (!p) return undefined;
    if (Node.isMethodDeclaration(p)) return p;
    if (Node.isPropertyAssignment(p)) {
      const init = p.getInitializer();
      if (init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init))) return init;
    }
    return undefined;
  };
  const handlersOf = (o: TsMorph.ObjectLiteralExpression | undefined) =>
    (o?.getProperties() ?? []).map((p) => fnOf(p)).filter((f) => f !== undefined);

  const callObj = objectOf(prop(spec, "handleCall"));
  const castObj = objectOf(prop(spec, "handleCast"));
  const infoProp = prop(spec, "handleInfo");
  const infoFn = fnOf(infoProp);
  if (prop(spec, "handleCall") && !callObj)
    throw badInput(`${rel}: handleCall is not an object literal; scaffold handler cannot edit it.`);
  if (prop(spec, "handleCast") && !castObj)
    throw badInput(`${rel}: handleCast is not an object literal; scaffold handler cannot edit it.`);
  if (infoProp && !infoFn)
    throw badInput(`${rel}: handleInfo is not a function; scaffold handler cannot edit it.`);

  // ---- the state type ----
  const stateType = (() => {
    const candidates = [
      ...handlersOf(callObj).map((f) => f.getParameters()[2]),
      ...handlersOf(castObj).map((f) => f.getParameters()[1]),
      infoFn?.getParameters()[1],
    ];
    for (const p of candidates) {
      const t = p?.getTypeNode()?.getText();
      if (t) return t;
    }
    const init = fnOf(prop(spec, "init"));
    const okCall = init
      ?.getDescendantsOfKind(SyntaxKind.CallExpression)
      .find((c) => c.getExpression().getText() === "ok" && c.getTypeArguments().length === 1);
    if (okCall) return okCall.getTypeArguments()[0].getText();
    if (sf.getInterface("State") || sf.getTypeAlias("State")) return "State";
    throw badInput(
      `${rel}: cannot tell ${Server}'s state type. Annotate the state parameter of a handler (state: State) or write init's result as ok<State>(...).`,
    );
  })();

  // ---- top-level names ----
  const topLevel = new Set<string>();
  for (const s of sf.getStatements()) {
    if (Node.isVariableStatement(s)) s.getDeclarations().forEach((d) => topLevel.add(d.getName()));
    else if (
      Node.isFunctionDeclaration(s) ||
      Node.isInterfaceDeclaration(s) ||
      Node.isTypeAliasDeclaration(s) ||
      Node.isClassDeclaration(s)
    ) {
      const n = s.getName();
      if (n) topLevel.add(n);
    }
  }

  const insertions: Insertion[] = [];
  const added: string[] = [];
  const needImports = new Set<string>();
  const data = { name, Server, State: stateType };
  const handler = (k: "call" | "cast") =>
    handlerData(handlerSpec, k, Server, stateType, { example: false, down: false });

  const hasMember = (o: TsMorph.ObjectLiteralExpression | undefined, key: string) =>
    o !== undefined && prop(o, key) !== undefined;

  if (kind === "call" || kind === "cast") {
    const own = kind === "call" ? callObj : castObj;
    const other = kind === "call" ? castObj : callObj;
    const key = kind === "call" ? "handleCall" : "handleCast";
    if (hasMember(other, name))
      throw refused(
        `${rel}: ${name} is already a ${kind === "call" ? "cast" : "call"} handler of ${Server}; a call and a cast cannot share a name (they share the client function).`,
      );
    const hasHandler = hasMember(own, name);
    if (!hasHandler && topLevel.has(name))
      throw refused(
        `${rel}: ${name} is already declared at the top level (not as a ${kind} handler of ${Server}); pick another name.`,
      );
    if (!hasHandler) {
      const member = templates.render(
        kind === "call" ? "handler-call.tpl" : "handler-cast.tpl",
        handler(kind),
      );
      if (own) insertions.push(...(await insertMember(text, own, member, prettierOptions, format)));
      else
        insertions.push(
          ...(await insertMember(text, spec, `${key}: {\n${member}\n},`, prettierOptions, format)),
        );
      added.push(`${kind} handler ${name}`);
      if (kind === "call") ["From", "reply"].forEach((n) => needImports.add(n));
      else needImports.add("noreply");
      for (const t of handlerSpec.arg?.imports ?? []) needImports.add(t);
    }
    if (!topLevel.has(name)) {
      const client = templates.render(
        kind === "call" ? "handler-call-client.tpl" : "handler-cast-client.tpl",
        handler(kind),
      );
      insertions.push(await appendStatement(text, sf, Server, client, prettierOptions, format));
      added.push(`client function ${name}`);
      needImports.add("ServerRef");
      for (const t of handlerSpec.arg?.imports ?? []) needImports.add(t);
    }
  } else {
    const down = name === "down";
    const Type = `${pascal(name)}Message`;
    const guard = down ? "isDown" : `is${Type}`;
    const handled =
      infoFn !== undefined &&
      new RegExp(`\\b${guard.replace(/\$/g, "\\$")}\\s*\\(`).test(infoFn.getText());
    if (!down && !topLevel.has(Type) && !topLevel.has(guard)) {
      const decls = templates.render("handler-info-message.tpl", { ...data, Type });
      const formatted = (await format(decls, prettierOptions)).replace(/\n+$/, "");
      const at = lineStart(text, defineStatement.getStart(true));
      insertions.push({ pos: at, text: `${formatted}\n\n` });
      added.push(`message type ${Type} and guard ${guard}`);
    } else if (!down && topLevel.has(Type) !== topLevel.has(guard) && !handled)
      throw refused(
        `${rel}: only one of ${Type} and ${guard} is declared; declare both or neither.`,
      );
    if (!handled) {
      if (infoFn) {
        const params = infoFn.getParameters();
        const msg = params[0]?.getName() ?? "msg";
        const state = params[1]?.getName() ?? "state";
        const body = infoFn.getBody();
        if (!body || !Node.isBlock(body))
          throw refused(
            `${rel}: handleInfo's body is an expression; make it a block so a branch can be added.`,
          );
        const branch = templates.render("handler-info.tpl", {
          ...data,
          Type,
          down,
          msg,
          state,
          example: false,
        });
        insertions.push(await insertStatement(text, body, branch, prettierOptions, format));
      } else {
        const branch = templates.render("handler-info.tpl", {
          ...data,
          Type,
          down,
          msg: "msg",
          state: "state",
          example: false,
        });
        const member = `handleInfo(msg: unknown, state: ${stateType}) {\n${branch}\nreturn noreply(state);\n},`;
        insertions.push(...(await insertMember(text, spec, member, prettierOptions, format)));
      }
      added.push(`info handler ${name}`);
      needImports.add("noreply");
      if (down) needImports.add("isDown");
    }
  }

  if (insertions.length === 0) return { text, added };

  // ---- imports ----
  const imp = sf
    .getImportDeclarations()
    .find((d) =>
      d.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === "GenServer"),
    );
  if (!imp)
    throw badInput(
      `${rel}: no import { GenServer } from "..." found; scaffold handler adds imports next to it.`,
    );
  const have = new Set(
    imp.getNamedImports().map((n) => n.getAliasNode()?.getText() ?? n.getName()),
  );
  const missing = [...needImports].filter((n) => !have.has(n) && !topLevel.has(n));
  if (missing.length > 0) {
    const typeOnlyImport = imp.isTypeOnly();
    const elements = [
      ...imp.getNamedImports().map((n) => n.getText()),
      ...missing.map((n) => (TYPE_ONLY.has(n) && !typeOnlyImport ? `type ${n}` : n)),
    ];
    const head = imp.getDefaultImport() ? `${imp.getDefaultImport()!.getText()}, ` : "";
    const typeOnly = imp.isTypeOnly() ? "type " : "";
    const newImport = `import ${typeOnly}${head}{ ${elements.join(", ")} } from ${imp.getModuleSpecifier().getText()};`;
    const formatted = (await format(newImport, prettierOptions)).replace(/\n+$/, "");
    insertions.push({ pos: imp.getStart(), end: imp.getEnd(), text: formatted });
  }

  let out = text;
  for (const ins of insertions
    .map((ins, i) => ({ ...ins, i }))
    .sort((a, b) => b.pos - a.pos || b.i - a.i))
    out = out.slice(0, ins.pos) + ins.text + out.slice(ins.end ?? ins.pos);
  return { text: out, added };
}

// ---- text helpers ----

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function indentAt(text: string, pos: number): string {
  const start = lineStart(text, pos);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function unitOf(options: Options): string {
  return options.useTabs ? "\t" : " ".repeat(options.tabWidth ?? 2);
}

function width(indent: string, options: Options): number {
  return indent.replace(/\t/g, " ".repeat(options.tabWidth ?? 2)).length;
}

/**
 * Formats `snippet` (object members, or statements) inside a wrapper, with
 * the print width reduced by the depth it will sit at, and re-indents it to
 * `indent`.
 */
async function formatNested(
  snippet: string,
  wrapper: "object" | "block",
  indent: string,
  options: Options,
  format: Format,
): Promise<string> {
  const unit = unitOf(options);
  const printWidth =
    (options.printWidth ?? 80) - Math.max(0, width(indent, options) - width(unit, options));
  const wrapped =
    wrapper === "object"
      ? `const __scaffold = {\n${snippet}\n};\n`
      : `function __scaffold() {\n${snippet}\n}\n`;
  const out = await format(wrapped, { ...options, printWidth });
  const lines = out.replace(/\n+$/, "").split("\n");
  return lines
    .slice(1, -1)
    .map((l) => (l.startsWith(unit) ? l.slice(unit.length) : l))
    .map((l) => (l === "" ? "" : indent + l))
    .join("\n");
}

/** Inserts `member` (text of one or more members) as the last member of object `obj`. */
async function insertMember(
  text: string,
  obj: TsMorph.ObjectLiteralExpression,
  member: string,
  options: Options,
  format: Format,
): Promise<Insertion[]> {
  const props = obj.getProperties();
  const close = obj.getEnd() - 1;
  const indent =
    props.length > 0
      ? indentAt(text, props[0].getStart())
      : indentAt(text, obj.getStart()) + unitOf(options);
  const formatted = await formatNested(member, "object", indent, options, format);
  const result: Insertion[] = [];
  if (props.length > 0) {
    const last = props[props.length - 1];
    const between = text.slice(last.getEnd(), close).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");
    if (!between.includes(",")) result.push({ pos: last.getEnd(), text: "," });
  }
  const closeLine = lineStart(text, close);
  if (/^[ \t]*$/.test(text.slice(closeLine, close)))
    result.push({ pos: closeLine, text: `${formatted}\n` });
  else result.push({ pos: close, text: `\n${formatted}\n${indentAt(text, obj.getStart())}` });
  return result;
}

/** Inserts `statement` into `block`: before a final `return`, else at the end. */
async function insertStatement(
  text: string,
  block: TsMorph.Block,
  statement: string,
  options: Options,
  format: Format,
): Promise<Insertion> {
  const statements = block.getStatements();
  const last = statements[statements.length - 1];
  const beforeReturn = last !== undefined && last.getKindName() === "ReturnStatement";
  const close = block.getEnd() - 1;
  const indent =
    statements.length > 0
      ? indentAt(text, statements[0].getStart())
      : indentAt(text, block.getStart()) + unitOf(options);
  const formatted = await formatNested(statement, "block", indent, options, format);
  if (beforeReturn) return { pos: lineStart(text, last.getStart(true)), text: `${formatted}\n` };
  const closeLine = lineStart(text, close);
  return /^[ \t]*$/.test(text.slice(closeLine, close))
    ? { pos: closeLine, text: `${formatted}\n` }
    : { pos: close, text: `\n${formatted}\n` };
}

/** Appends a top-level statement after the file's last one (after any comment on its line). */
async function appendStatement(
  text: string,
  sf: TsMorph.SourceFile,
  Server: string,
  statement: string,
  options: Options,
  format: Format,
): Promise<Insertion> {
  const formatted = (await format(statement, options)).replace(/\n+$/, "");
  const statements = sf.getStatements();
  const last = statements[statements.length - 1];
  if (!last) return { pos: text.length, text: `${formatted}\n` };
  const isClient = new RegExp(`\\b${Server}\\.(call|cast)\\(`).test(last.getText());
  const eol = text.indexOf("\n", last.getEnd());
  const sep = isClient ? "\n" : "\n\n";
  return eol === -1
    ? { pos: text.length, text: `${sep}${formatted}\n` }
    : { pos: eol, text: `${sep}${formatted}` };
}
