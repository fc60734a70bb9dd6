/**
 * The project's own Jest config: TypeScript through @swc/jest. Two projects:
 * the runtime's tests (no preset), and the preset's tests and the examples
 * written for it, which run with the preset's setup from source.
 */
const transform = {
  "^.+\\.ts$": [
    "@swc/jest",
    {
      swcrc: false,
      sourceMaps: "inline",
      jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    },
  ],
};

module.exports = {
  projects: [
    {
      displayName: "runtime",
      testEnvironment: "node",
      transform,
      roots: ["<rootDir>/test", "<rootDir>/examples"],
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "/test/preset/", "\\.preset\\.test\\.ts$"],
    },
    {
      displayName: "preset",
      testEnvironment: "node",
      transform,
      roots: ["<rootDir>/test/preset", "<rootDir>/examples"],
      testMatch: ["**/*.preset.test.ts", "**/test/preset/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/jest-preset/setup.ts"],
    },
  ],
};
