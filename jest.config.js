/** The project's own Jest config: TypeScript through @swc/jest, tests under test/ and examples/. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/examples"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        swcrc: false,
        sourceMaps: "inline",
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
      },
    ],
  },
};
