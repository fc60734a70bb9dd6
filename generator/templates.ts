/**
 * Template lookup: a template is found in `--templates <dir>` first, then in
 * the project's `.scaffold/templates/`, then among the ones shipped in the
 * package's `templates/`. Overriding one file overrides only that template.
 */
import { existsSync, readFileSync } from "fs";
import { join, resolve } from "path";
import { badInput } from "./errors";
import { Data, render } from "./render";

/** The templates shipped with the package (`templates/` beside `dist/`). */
export const SHIPPED_DIR = resolve(__dirname, "..", "templates");

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
  readonly dirs: string[];

  constructor(root: string, override?: string) {
    this.dirs = [
      ...(override !== undefined ? [resolve(root, override)] : []),
      join(root, ".scaffold", "templates"),
      SHIPPED_DIR,
    ];
  }

  /** The text of a template and the file it came from. */
  find(name: string): { text: string; source: string } {
    for (const dir of this.dirs) {
      const file = join(dir, name);
      if (existsSync(file)) return { text: readFileSync(file, "utf8"), source: file };
    }
    throw new Error(`template ${name} not found in ${this.dirs.join(", ")}`);
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
