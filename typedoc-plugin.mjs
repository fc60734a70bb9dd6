// A local TypeDoc plugin for `npm run docs` (typedoc.json): names the two
// entry points after the import paths users write ("otpkit",
// "otpkit/testing") and, when an entry file's opening doc comment has no
// `@module` tag (so TypeDoc does not take it as the module's comment), uses
// that comment as the module's description.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Comment, Converter, ReflectionKind } from "typedoc";

/** Entry file (relative to the package root) → module name. */
const MODULES = {
  "runtime/index.ts": "otpkit",
  "jest-preset/index.ts": "otpkit/testing",
};

/** The text of the doc comment a file opens with, without the `*` margins. */
function openingComment(file) {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, "utf8"));
  if (!match) return undefined;
  const text = match[1]
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
  return text === "" ? undefined : text;
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
      const file = project.getSymbolIdFromReflection(module)?.packagePath;
      const name = file && MODULES[file];
      if (!name) continue;
      module.name = name;
      if (!module.hasComment()) {
        const text = openingComment(join(import.meta.dirname, file));
        if (text) module.comment = new Comment([{ kind: "text", text }]);
      }
    }
  });
}
