/**
 * The template renderer: a small, strict subset of Mustache, kept in house.
 *
 * - `{{name}}` inserts a value (no escaping: the output is code);
 * - `{{#list}}...{{/list}}` repeats per item of an array (the item's fields
 *   shadow the outer ones), or renders once for a true / non-empty value;
 * - `{{^list}}...{{/list}}` renders when the value is false, empty or absent;
 * - `{{> partial}}` inserts another template, rendered with the same data;
 * - `{{! comment}}` is dropped.
 *
 * A line holding only a section tag, a partial or a comment leaves no blank
 * line behind.
 * An unknown name or an unclosed section is an error naming the template and
 * the line, so a broken override fails before anything is written.
 */

/** The values a template sees. */
export type Data = { [key: string]: Value };
export type Value = string | number | boolean | undefined | Data | Data[];

/** Finds a partial's text by name. */
export type PartialLookup = (name: string) => { text: string; source: string };

type Node =
  | { kind: "text"; text: string }
  | { kind: "var"; name: string; line: number }
  | { kind: "partial"; name: string; line: number }
  | { kind: "section"; name: string; inverted: boolean; children: Node[]; line: number };

const TAG = /\{\{\s*([#^/>!]?)\s*([^}]*?)\s*\}\}/g;
const STANDALONE = /^[ \t]*(\{\{\s*[#^/!>][^}]*\}\})[ \t]*\r?\n/gm;

/** Renders `text` (from `source`, for messages) with `data`. */
export function render(
  text: string,
  data: Data,
  source: string,
  partials?: PartialLookup,
  depth = 0,
): string {
  if (depth > 10) throw new Error(`${source}: partials nested more than 10 deep`);
  const tree = parse(text.replace(STANDALONE, "$1"), source);
  return emit(tree, [data], source, partials, depth);
}

function parse(text: string, source: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ name: string; children: Node[]; line: number }> = [
    { name: "", children: root, line: 0 },
  ];
  let last = 0;
  const lineAt = (i: number) => text.slice(0, i).split("\n").length;
  for (const m of text.matchAll(TAG)) {
    const at = m.index;
    const top = stack[stack.length - 1];
    if (at > last) top.children.push({ kind: "text", text: text.slice(last, at) });
    last = at + m[0].length;
    const [, sigil, name] = m;
    const line = lineAt(at);
    if (sigil === "!") continue;
    if (!/^[A-Za-z_][\w.-]*$/.test(name))
      throw new Error(`${source}:${line}: bad tag ${JSON.stringify(m[0])}`);
    if (sigil === "#" || sigil === "^") {
      const children: Node[] = [];
      top.children.push({ kind: "section", name, inverted: sigil === "^", children, line });
      stack.push({ name, children, line });
    } else if (sigil === "/") {
      if (stack.length === 1 || top.name !== name)
        throw new Error(
          `${source}:${line}: {{/${name}}} closes ${stack.length === 1 ? "nothing" : `{{#${top.name}}}`}`,
        );
      stack.pop();
    } else if (sigil === ">") top.children.push({ kind: "partial", name, line });
    else top.children.push({ kind: "var", name, line });
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    throw new Error(`${source}:${open.line}: {{#${open.name}}} is never closed`);
  }
  if (last < text.length) root.push({ kind: "text", text: text.slice(last) });
  return root;
}

function lookup(scopes: Data[], name: string, source: string, line: number): Value {
  for (let i = scopes.length - 1; i >= 0; i--) if (name in scopes[i]) return scopes[i][name];
  throw new Error(`${source}:${line}: unknown name {{${name}}}`);
}

function emit(
  nodes: Node[],
  scopes: Data[],
  source: string,
  partials: PartialLookup | undefined,
  depth: number,
): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "var") {
      const v = lookup(scopes, n.name, source, n.line);
      if (typeof v === "object")
        throw new Error(`${source}:${n.line}: {{${n.name}}} is a list or object, not text`);
      out += v === undefined ? "" : String(v);
    } else if (n.kind === "partial") {
      if (!partials) throw new Error(`${source}:${n.line}: no partials available`);
      const p = partials(n.name);
      out += render(p.text, Object.assign({}, ...scopes), p.source, partials, depth + 1);
    } else {
      const v = lookup(scopes, n.name, source, n.line);
      const items = Array.isArray(v) ? v : v && v !== "" ? [typeof v === "object" ? v : {}] : [];
      if (n.inverted) {
        if (items.length === 0) out += emit(n.children, scopes, source, partials, depth);
      } else
        for (const item of items)
          out += emit(n.children, [...scopes, item], source, partials, depth);
    }
  }
  return out;
}
