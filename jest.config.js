/**
 * The project's own Jest config: TypeScript through @swc/jest. Projects:
 * the runtime's tests (no preset); the preset's tests and the examples
 * written for it, which run with the preset's setup from source; the
 * generator's commands in process; the built CLI in subprocesses; and the
 * end-to-end tests, which pack the packages and run them in users' projects.
 * `npm run test:fast` runs the in-process ones (runtime, preset, generator).
 */
const transform = {
  "^.+\\.ts$": [
    "@swc/jest",
    {
      swcrc: false,
      sourceMaps: "inline",
      jsc: {
        parser: { syntax: "typescript" },
        target: "es2022",
        transform: { useDefineForClassFields: false },
      },
    },
  ],
};

/** The packages resolve to their TypeScript sources (one module instance each). */
const moduleNameMapper = {
  "^otpkit$": "<rootDir>/runtime/index.ts",
  // A directory import of the runtime would read its package.json (dist/).
  "^(?:\\.\\./)+runtime$": "<rootDir>/runtime/index.ts",
  "^otpkit/testing-hooks$": "<rootDir>/runtime/testing-hooks.ts",
  "^@otpkit/jest$": "<rootDir>/jest-preset/index.ts",
};
/** Built output is never a test or a module to map. */
const modulePathIgnorePatterns = [
  "<rootDir>/(runtime|jest-preset|generator)/dist/",
  "<rootDir>/dist/",
];

/** The generator's tests that run the built CLI in a subprocess. */
const CLI_TESTS = ["/test/generator/cli.test.ts", "/test/generator/end-to-end.test.ts"];

module.exports = {
  projects: [
    {
      displayName: "runtime",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      roots: ["<rootDir>/test", "<rootDir>/examples"],
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: [
        "/node_modules/",
        "/test/preset/",
        "/test/e2e/",
        "/test/generator/",
        "\\.preset\\.test\\.ts$",
      ],
    },
    {
      displayName: "preset",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      roots: ["<rootDir>/test/preset", "<rootDir>/examples"],
      testMatch: ["**/*.preset.test.ts", "**/test/preset/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/jest-preset/setup.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      roots: ["<rootDir>/test/e2e"],
      testMatch: ["**/test/e2e/**/*.test.ts"],
      testTimeout: 180_000,
    },
    {
      // The generator's commands, in process, on an in-memory project.
      displayName: "generator",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      roots: ["<rootDir>/test/generator"],
      testMatch: ["**/test/generator/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", ...CLI_TESTS],
    },
    {
      // The scaffold CLI, run built (`npm run build` first) as a subprocess in
      // temporary projects under .scratch/ (tsc and Jest there, too).
      displayName: "cli",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      roots: ["<rootDir>/test/generator"],
      testMatch: CLI_TESTS.map((f) => `**${f}`),
      testTimeout: 120_000,
    },
  ],
};
