/**
 * Template lookup: a template is found in `--templates <dir>` first, then in
 * the project's `.scaffold/templates/`, then among the ones shipped with the
 * generator (`generator/templates/`). Overriding one file overrides only
 * that template. Project templates are read through the command's tree.
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join, posix, resolve } from "path";
import { badInput } from "./errors";
import { Data, render } from "./render";
import type { Tree } from "./tree";

/**
 * The templates shipped with the package (`generator/templates/`), found
 * from this file whether it runs from source or compiled under `dist/`.
 */
export const SHIPPED_DIR = shippedDir();

function shippedDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, "templates"), join(dir, "generator", "templates")])
      if (existsSync(join(candidate, "genserver.ts.tpl"))) return candidate;
    if (dirname(dir) === dir) return resolve(__dirname, "templates");
  }
}

/** Every template name, by what it generates. */
export const TEMPLATE_NAMES = [
  "genserver.ts.tpl",
  "genserver.test.ts.tpl",
  "special.ts.tpl",
  "special.test.ts.tpl",
  "supervisor.ts.tpl",
  "supervisor.test.ts.tpl",
  "jest.config.js.tpl",
  "tsconfig.json.tpl",
  "handler-call.tpl",
  "handler-call-client.tpl",
  "handler-cast.tpl",
  "handler-cast-client.tpl",
  "handler-info.tpl",
  "handler-info-message.tpl",
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Finds and renders templates for one project. */
export class Templates {
  /** Project folders searched first (relative to the root), then the shipped folder. */
  readonly dirs: string[];

  /** `override`: the `--templates` folder, already resolved against the project root. */
  constructor(
    private readonly tree: Tree,
    override?: string,
  ) {
    this.dirs = [...(override !== undefined ? [override] : []), ".scaffold/templates"];
  }

  /** The text of a template and the file it came from. */
  find(name: string): { text: string; source: string } {
    for (const dir of this.dirs) {
      const path = posix.join(dir, name);
      const text = this.tree.read(path);
      if (text !== undefined) return { text, source: path };
    }
    const shipped = join(SHIPPED_DIR, name);
    if (existsSync(shipped)) return { text: readFileSync(shipped, "utf8"), source: shipped };
    throw new Error(`template ${name} not found in ${[...this.dirs, SHIPPED_DIR].join(", ")}`);
  }

  /** Renders template `name` with `data`; partials `{{> x}}` are looked up as `x.tpl`. */
  render(name: TemplateName, data: Data): string {
    try {
      const { text, source } = this.find(name);
      return render(text, data, source, (p) => this.find(`${p}.tpl`));
    } catch (e) {
      // A broken or missing template (an override, most likely): bad input, nothing written.
      throw badInput(`template error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
