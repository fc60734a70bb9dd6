/** `scaffold init`, in memory: the Jest preset and the tsconfig entries, in the project's module system, never clobbering. */
import { init } from "../../generator/commands/init";
import { failure, inMemory } from "./support";

const CJS = { "package.json": '{ "name": "app" }\n', ".prettierrc.json": "{}" };
const ESM = { "package.json": '{ "name": "app", "type": "module" }\n', ".prettierrc.json": "{}" };
const NODE_TYPES = { "node_modules/@types/node/package.json": "{}" };
const run = (files: Record<string, string>) => inMemory(files, init, {});

describe("scaffold init", () => {
  it("a CommonJS project without configs: jest.config.js with module.exports", async () => {
    const { files } = await run(CJS);
    expect(files["jest.config.js"]).toMatch(/^module\.exports = \{\n {2}preset: "otpkit",\n\};$/m);
  });

  it('an ESM project ("type": "module"): jest.config.js with export default', async () => {
    const { files } = await run(ESM);
    expect(files["jest.config.js"]).toMatch(/^export default \{\n {2}preset: "otpkit",\n\};$/m);
    expect(files["jest.config.js"]).not.toContain("module.exports");
  });

  it("creates tsconfig.json (strict, nodenext) with the jest and otpkit/jest types", async () => {
    const ts = JSON.parse((await run(CJS)).files["tsconfig.json"]!);
    expect(ts.compilerOptions).toMatchObject({ strict: true, module: "nodenext" });
    expect(ts.compilerOptions.types).toEqual(["jest", "otpkit/jest"]);
  });

  it("lists the node types when @types/node is installed", async () => {
    const ts = JSON.parse((await run({ ...CJS, ...NODE_TYPES })).files["tsconfig.json"]!);
    expect(ts.compilerOptions.types).toEqual(["node", "jest", "otpkit/jest"]);
  });

  it("says how to get Node's types when @types/node is missing", async () => {
    const { logs } = await run(CJS);
    expect(logs.join("\n")).toMatch(/npm i -D @types\/node/);
  });

  it("the tsconfig it creates follows the project's prettier config", async () => {
    const { files } = await run({ ...CJS, ".prettierrc.json": '{ "useTabs": true }' });
    expect(files["tsconfig.json"]).toContain('\n\t"compilerOptions": {\n\t\t"target": "ES2022",');
  });

  it("a second run has nothing to do, and says so", async () => {
    const first = await run(CJS);
    const again = await run(first.files);
    expect(again.tree.plan()).toEqual([]);
    expect(again.logs.join("\n")).toContain("nothing to do");
  });

  it("adds the preset to an existing jest.config.js, keeping its comments and settings", async () => {
    const jest = "// my config\nmodule.exports = {\n  testTimeout: 10000, // slow CI\n};\n";
    const { files } = await run({ ...CJS, "jest.config.js": jest });
    expect(files["jest.config.js"]).toBe(
      '// my config\nmodule.exports = {\n  preset: "otpkit",\n  testTimeout: 10000, // slow CI\n};\n',
    );
  });

  it("adds the types and strict to an existing tsconfig.json, keeping its comments and settings", async () => {
    const tsconfig =
      '{\n  // mine\n  "compilerOptions": {\n    "target": "ES2022",\n    "types": ["node"], // node types\n  },\n  "include": ["lib"],\n}\n';
    const { files } = await run({ ...CJS, ...NODE_TYPES, "tsconfig.json": tsconfig });
    const ts = files["tsconfig.json"]!;
    expect(ts).toContain("// mine");
    expect(ts).toContain('"types": ["node", "jest", "otpkit/jest"], // node types');
    expect(ts).toContain('"strict": true');
    expect(ts).toContain('"include": ["lib"]');
  });

  it.each([
    ["jest.config.mjs", "export default {\n  testTimeout: 1000,\n};\n"],
    [
      "jest.config.ts",
      'import type { Config } from "jest";\n\nexport default {\n  testTimeout: 1000,\n} satisfies Config;\n',
    ],
    ["jest.config.cjs", "const config = {\n  testTimeout: 1000,\n};\nmodule.exports = config;\n"],
  ])("edits an existing %s", async (name, text) => {
    const { files } = await run({ ...ESM, [name]: text });
    expect(files[name]).toContain('  preset: "otpkit",\n  testTimeout: 1000,');
    expect(files["jest.config.js"]).toBeUndefined();
  });

  it("an array written one per line gets one entry per line", async () => {
    const tsconfig = '{\n  "compilerOptions": {\n    "types": [\n      "node"\n    ]\n  }\n}\n';
    const { files } = await run({ ...CJS, ...NODE_TYPES, "tsconfig.json": tsconfig });
    expect(files["tsconfig.json"]).toContain(
      '"types": [\n      "node",\n      "jest",\n      "otpkit/jest"\n    ]',
    );
  });

  it("a jest key in package.json gets the preset, and no jest.config.js is made", async () => {
    const { files } = await run({
      "package.json": '{\n  "name": "x",\n  "jest": {\n    "testTimeout": 1000\n  }\n}\n',
    });
    expect(JSON.parse(files["package.json"]!).jest).toEqual({
      testTimeout: 1000,
      preset: "otpkit",
    });
    expect(files["jest.config.js"]).toBeUndefined();
  });

  it("a tsconfig without compilerOptions gets them", async () => {
    const { files } = await run({ ...CJS, "tsconfig.json": '{\n  "include": ["src"]\n}\n' });
    expect(JSON.parse(files["tsconfig.json"]!)).toEqual({
      include: ["src"],
      compilerOptions: { strict: true, types: ["jest", "otpkit/jest"] },
    });
  });

  it("another preset is a conflict: exit 1", async () => {
    const e = await failure(
      run({ ...CJS, "jest.config.js": 'module.exports = { preset: "ts-jest" };\n' }),
    );
    expect([e.exitCode, e.message]).toEqual([
      1,
      expect.stringMatching(/already sets preset \("ts-jest"\); not changing it/),
    ]);
  });

  it('"strict": false is left as it is, with a warning', async () => {
    const { files, logs } = await run({
      ...CJS,
      "tsconfig.json": '{ "compilerOptions": { "strict": false } }\n',
    });
    expect(logs.join("\n")).toMatch(/warning: tsconfig\.json sets "strict": false/);
    expect(JSON.parse(files["tsconfig.json"]!).compilerOptions).toEqual({
      strict: false,
      types: ["jest", "otpkit/jest"],
    });
  });

  it("tsc --init's tsconfig in a CommonJS package: a warning that verbatimModuleSyntax rejects import there", async () => {
    const tsconfig =
      '{ "compilerOptions": { "module": "nodenext", "types": [], "verbatimModuleSyntax": true } }';
    const { logs } = await run({ ...CJS, "tsconfig.json": tsconfig });
    expect(logs.join("\n")).toMatch(
      /verbatimModuleSyntax[^]*Set "type": "module" in package\.json/,
    );
  });

  it("tsc --init's tsconfig in an ESM package: the types added, no warning", async () => {
    const tsconfig =
      '{\n  "compilerOptions": {\n    "module": "nodenext",\n    "types": [],\n    "verbatimModuleSyntax": true,\n  }\n}\n';
    const { files, logs } = await run({ ...ESM, ...NODE_TYPES, "tsconfig.json": tsconfig });
    expect(logs.join("\n")).not.toMatch(/warning/);
    expect(files["tsconfig.json"]).toContain('"types": ["node", "jest", "otpkit/jest"],');
  });
});
