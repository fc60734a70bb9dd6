/**
 * The otpkit Jest preset: `preset: "@otpkit/jest"` (`preset: "otpkit"`
 * forwards here). TypeScript tests through @swc/jest (no type-check; run tsc
 * for that), a fresh runtime node per test, the helpers as globals, the
 * matchers registered.
 *
 * ESM projects work as CommonJS ones do: tests and sources in `.ts`, `.mts`,
 * `.cts`, `.js`, `.mjs` and `.cjs` are found and compiled to CommonJS for
 * Jest, and the `.js`/`.mjs`/`.cjs` specifiers that `module: "nodenext"`
 * requires (`import { x } from "./x.js"`) resolve to the TypeScript source
 * when there is one (`./x.ts`), else to the JavaScript file itself.
 */
const path = require("path");

/** @swc/jest with one parser: `syntax` "typescript" or "ecmascript". */
const swc = (parser) => [
  require.resolve("@swc/jest"),
  {
    swcrc: false,
    sourceMaps: "inline",
    jsc: { parser, target: "es2022" },
    module: { type: "commonjs" },
  },
];

/** A relative specifier ending in `ext`, mapped to the sources tried in order. */
const relative = (ext, sources) => [`^(\\.{1,2}/.*)\\.${ext}$`, sources.map((s) => `$1.${s}`)];

module.exports = {
  testEnvironment: "node",
  transform: {
    // `.ts` without JSX, so `<T>value` assertions parse; `.tsx` with it.
    "^.+\\.[cm]?ts$": swc({ syntax: "typescript", tsx: false }),
    "^.+\\.tsx$": swc({ syntax: "typescript", tsx: true }),
    "^.+\\.[cm]?jsx?$": swc({ syntax: "ecmascript", jsx: true }),
  },
  moduleFileExtensions: ["ts", "mts", "cts", "tsx", "js", "mjs", "cjs", "jsx", "json", "node"],
  testMatch: ["**/__tests__/**/*.?([mc])[jt]s?(x)", "**/?(*.)+(spec|test).?([mc])[jt]s?(x)"],
  moduleNameMapper: Object.fromEntries([
    relative("js", ["ts", "tsx", "js"]),
    relative("jsx", ["tsx", "jsx"]),
    relative("mjs", ["mts", "mjs"]),
    relative("cjs", ["cts", "cjs"]),
  ]),
  setupFilesAfterEnv: [path.join(__dirname, "dist", "setup.js")],
};
