/**
 * The otpkit Jest preset: `preset: "@otpkit/jest"` (`preset: "otpkit"`
 * forwards here). TypeScript tests through @swc/jest (no type-check; run tsc
 * for that), a fresh runtime node per test, the helpers as globals, the
 * matchers registered.
 */
const path = require("path");

module.exports = {
  testEnvironment: "node",
  transform: {
    "^.+\\.(t|j)sx?$": [
      require.resolve("@swc/jest"),
      {
        swcrc: false,
        sourceMaps: "inline",
        jsc: { parser: { syntax: "typescript", tsx: true }, target: "es2022" },
        module: { type: "commonjs" },
      },
    ],
  },
  moduleFileExtensions: ["ts", "tsx", "js", "jsx", "json", "node"],
  setupFilesAfterEnv: [path.join(__dirname, "dist", "setup.js")],
};
