/**
 * End to end, the way users start (docs/getting-started.md), in the module
 * systems they have: for each project below, a fresh folder in the OS temp
 * folder (`npm init -y`), otpkit installed from its packed tarball with Jest
 * and TypeScript 7 (the native port), `npx scaffold init`, the generators
 * with typed arguments, then `npx jest` on the generated code, unedited;
 * then, the one line of logic the generated server leaves to the user
 * filled in and the README's test added, `npx tsc --noEmit` on everything
 * and `npx jest` on the README's test.
 *
 * - CommonJS, no configs: init creates jest.config.js (module.exports) and
 *   tsconfig.json (nodenext: `.js` import specifiers);
 * - ESM (`"type": "module"`), no Jest config, tsconfig from TypeScript 7's
 *   `tsc --init` (verbatimModuleSyntax, types: [], exactOptionalPropertyTypes...):
 *   init creates jest.config.js with export default;
 * - ESM with its own jest.config.mjs and `tsc --init`'s tsconfig;
 * - jest.config.ts (CommonJS; loaded by Jest through esbuild-register, as
 *   Node 20 cannot load TypeScript) and a tsconfig with `module: commonjs`
 *   (extensionless specifiers).
 *
 * Needs a build (`npm test` runs it in pretest) and the npm registry (or its
 * cache). Set OTPKIT_E2E_KEEP=1 to keep the projects (their paths are printed).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "fs/promises";
import { tmpdir } from "os";
import path from "path";
import { ROOT, type Result, assertBuilt, installOtpkit, sh, strip } from "./support";

jest.setTimeout(600_000);

const TYPESCRIPT = "typescript@7";
const DEV = ["jest@30.5.2", "@types/jest@30.0.0", "@types/node@20.19.43", TYPESCRIPT];

interface Case {
  name: string;
  type: "commonjs" | "module";
  /** Files the user has before `scaffold init`. */
  files: Record<string, string>;
  /** Run TypeScript 7's `tsc --init` first. */
  tscInit: boolean;
  /** More devDependencies. */
  extra: string[];
  /** The Jest config file init creates or edits, and what it must then contain. */
  jestConfig: [string, RegExp];
  /** The specifier the generated test imports the server with. */
  specifier: string;
}

const CASES: Case[] = [
  {
    name: "CommonJS, jest.config.js created",
    type: "commonjs",
    files: {},
    tscInit: false,
    extra: [],
    jestConfig: ["jest.config.js", /^module\.exports = \{\n {2}preset: "otpkit",\n\};$/m],
    specifier: "../src/subscribers.js",
  },
  {
    name: "ESM, jest.config.js created, tsc --init's tsconfig",
    type: "module",
    files: {},
    tscInit: true,
    extra: [],
    jestConfig: ["jest.config.js", /^export default \{\n {2}preset: "otpkit",\n\};$/m],
    specifier: "../src/subscribers.js",
  },
  {
    name: "ESM, jest.config.mjs, tsc --init's tsconfig",
    type: "module",
    files: { "jest.config.mjs": "export default {\n  testTimeout: 20000,\n};\n" },
    tscInit: true,
    extra: [],
    jestConfig: [
      "jest.config.mjs",
      /^export default \{\n {2}preset: "otpkit",\n {2}testTimeout: 20000,\n\};$/m,
    ],
    specifier: "../src/subscribers.js",
  },
  {
    name: "jest.config.ts, module commonjs",
    type: "commonjs",
    files: {
      "jest.config.ts":
        '/** @jest-config-loader esbuild-register */\nimport type { Config } from "jest";\n\nconst config: Config = {\n  testTimeout: 20000,\n};\n\nexport default config;\n',
      "tsconfig.json":
        '{\n  "compilerOptions": {\n    "target": "ES2022",\n    "module": "commonjs",\n    "strict": true,\n    "esModuleInterop": true,\n    "skipLibCheck": true,\n    "noEmit": true,\n    "types": ["node"]\n  },\n  "include": ["src", "test", "jest.config.ts"]\n}\n',
    },
    tscInit: false,
    extra: ["esbuild-register@3.6.0", "esbuild@0.28.2"],
    jestConfig: [
      "jest.config.ts",
      /^const config: Config = \{\n {2}preset: "otpkit",\n {2}testTimeout: 20000,\n\};$/m,
    ],
    specifier: "../src/subscribers",
  },
];

/** The commands, as the docs give them. */
const COMMANDS = [
  "init",
  "genserver Subscribers --call subscribe:Pid --call subscribers --info down",
  "genserver Cache --call get:string --cast put:string|null --info tick",
  "special Counter",
  "supervisor App --child Subscribers --child Counter",
  "handler src/cache.ts --call size:number",
].map((c) => c.split(" "));

/** The generated test files. */
const GENERATED = [
  "test/subscribers.test.ts",
  "test/cache.test.ts",
  "test/counter.test.ts",
  "test/app.test.ts",
];

/** The line the user fills in, and the README's test (docs/getting-started.md, README.md). */
const PLACEHOLDER = 'return reply(state.handled.length, record(state, "subscribers"));';
const LOGIC = "return reply([...state.watching.values()], state);";
const readmeTest = (specifier: string) => `import { exit, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "${specifier}";

it("drops a subscriber that died", async () => {
  const server = await Subscribers.start(undefined);
  const a = spawn(async (self) => void (await self.receive()));
  await subscribe(server, a);

  // Armed before the kill: it cannot miss the server's "in DOWN" event.
  const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
  exit(a, "kill");
  await handled;

  expect(await subscribers(server)).toEqual([]);
});
`;

type Assertion = { fullName: string; status: string; failureMessages: string[] };
interface Report {
  numTotalTests: number;
  numPassedTests: number;
  testResults: Array<{ name: string; message: string; assertionResults: Assertion[] }>;
}

/** What happened in one project. */
interface Outcome {
  dir: string;
  install: Result;
  tsVersion: string;
  runs: Array<{ args: string[]; result: Result }>;
  jestConfig: string;
  generatedImport: string;
  tsc: Result;
  /** The generated tests, unedited. */
  jest: Result;
  report?: Report;
  /** The README's test, after the fill-in. */
  readme: Result;
  readmeReport?: Report;
  seconds: number;
}

const show = (r: Result) => strip(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
const npx = (dir: string, args: string[]) => sh("npx", ["--no", "--", ...args], dir);

async function prepare(c: Case, parent: string): Promise<Outcome> {
  const t0 = Date.now();
  const dir = path.join(parent, c.name.replace(/\W+/g, "-").toLowerCase());
  await mkdir(dir);
  const init = await sh("npm", ["init", "-y"], dir);
  if (init.code !== 0) throw new Error(`npm init -y failed:\n${show(init)}`);
  const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ ...pkg, type: c.type }, null, 2) + "\n",
  );
  for (const [name, text] of Object.entries(c.files)) await writeFile(path.join(dir, name), text);
  const install = await installOtpkit(dir, [...DEV, ...c.extra]);
  if (install.code !== 0) throw new Error(`npm i failed:\n${show(install)}`);
  const tsVersion = JSON.parse(
    await readFile(path.join(dir, "node_modules", "typescript", "package.json"), "utf8"),
  ).version;
  if (c.tscInit) {
    const r = await npx(dir, ["tsc", "--init"]);
    if (r.code !== 0) throw new Error(`tsc --init failed:\n${show(r)}`);
  }
  const runs: Outcome["runs"] = [];
  for (const args of COMMANDS) runs.push({ args, result: await npx(dir, ["scaffold", ...args]) });
  const generated = await readFile(path.join(dir, "test/subscribers.test.ts"), "utf8").catch(
    () => "",
  );
  const generatedImport = /from "(\.\.\/src\/subscribers[^"]*)"/.exec(generated)?.[1] ?? "";
  const jestConfig = await readFile(path.join(dir, c.jestConfig[0]), "utf8").catch(() => "");
  return {
    dir,
    install,
    tsVersion,
    runs,
    jestConfig,
    generatedImport,
    seconds: (Date.now() - t0) / 1000,
  } as Outcome;
}

/** Jest's `--json` report, or undefined if it wrote none. */
const readReport = (dir: string, file: string): Promise<Report | undefined> =>
  readFile(path.join(dir, file), "utf8").then(JSON.parse, () => undefined);

/** The tests of `report` that did not pass, and files that failed to run, with their messages. */
function failures(report: Report): string[] {
  return report.testResults.flatMap((f) => [
    ...(f.message && f.assertionResults.length === 0 ? [`${f.name}\n${strip(f.message)}`] : []),
    ...f.assertionResults
      .filter((a) => a.status !== "passed")
      .map((a) => `${a.status}: ${a.fullName}\n${strip(a.failureMessages.join("\n"))}`),
  ]);
}

/** The user's part: the one line of logic, and the README's test. */
async function addReadmeTest(o: Outcome, specifier: string): Promise<void> {
  const file = path.join(o.dir, "src/subscribers.ts");
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(PLACEHOLDER, LOGIC));
  await writeFile(path.join(o.dir, "test/readme.test.ts"), readmeTest(specifier));
}

let parent = "";
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  await assertBuilt(["runtime", "jest-preset", "generator"]);
  parent = await mkdtemp(path.join(tmpdir(), "otpkit-scaffold-"));
  // Two projects at a time (installs are mostly I/O); tsc and Jest one project at a time.
  const prepared: Outcome[] = [];
  for (let i = 0; i < CASES.length; i += 2)
    prepared.push(...(await Promise.all(CASES.slice(i, i + 2).map((c) => prepare(c, parent)))));
  for (const [i, c] of CASES.entries()) {
    const o = prepared[i]!;
    const t0 = Date.now();
    if (o.runs.every((r) => r.result.code === 0)) {
      o.jest = await npx(o.dir, ["jest", "--ci", "--json", "--outputFile=report.json"]);
      o.report = await readReport(o.dir, "report.json");
      await addReadmeTest(o, c.specifier);
      o.tsc = await npx(o.dir, ["tsc", "--noEmit", "--pretty", "false"]);
      o.readme = await npx(o.dir, [
        "jest",
        "--ci",
        "--json",
        "--outputFile=readme.json",
        "test/readme.test.ts",
      ]);
      o.readmeReport = await readReport(o.dir, "readme.json");
    }
    o.seconds += (Date.now() - t0) / 1000;
    outcomes.set(c.name, o);
  }
});

afterAll(async () => {
  const keep = process.env.OTPKIT_E2E_KEEP !== undefined;
  console.info(
    [...outcomes]
      .map(([n, o]) => `${n}: TypeScript ${o.tsVersion}, ${o.seconds.toFixed(1)} s`)
      .join("\n") + (keep ? `\nprojects kept in ${parent}` : ""),
  );
  if (parent && !keep) await rm(parent, { recursive: true, force: true });
});

describe.each(CASES)("$name", (c) => {
  const o = () => outcomes.get(c.name)!;

  it("installs TypeScript 7 (the native port) beside otpkit", () => {
    expect(o().tsVersion).toMatch(/^7\./);
  });

  it("scaffold init and every generator command succeed", () => {
    for (const { args, result } of o().runs)
      expect([args.join(" "), result.code, strip(result.stderr)]).toEqual([args.join(" "), 0, ""]);
  });

  it(`init sets the preset in ${c.jestConfig[0]}, in the project's module system`, () => {
    expect(o().jestConfig).toMatch(c.jestConfig[1]);
  });

  it(`the generated test imports the server as the tsconfig needs (${c.specifier})`, () => {
    expect(o().generatedImport).toBe(c.specifier);
  });

  it("npx jest: every generated test passes, unedited", () => {
    const r = o().report;
    if (r === undefined) throw new Error(`Jest wrote no report:\n${show(o().jest)}`);
    expect(failures(r)).toEqual([]);
    const files = r.testResults.map((f) => path.relative(o().dir, f.name)).sort();
    expect(files).toEqual([...GENERATED].sort());
    expect([r.numPassedTests, o().jest.code]).toEqual([r.numTotalTests, 0]);
  });

  it("npx tsc --noEmit passes on the generated code and the README's test", () => {
    expect([o().tsc.code, strip(o().tsc.stdout + o().tsc.stderr)]).toEqual([0, ""]);
  });

  it("the README's test passes once subscribers' one line of logic is filled in", () => {
    const r = o().readmeReport;
    if (r === undefined) throw new Error(`Jest wrote no report:\n${show(o().readme)}`);
    expect(failures(r)).toEqual([]);
    expect([r.numPassedTests, r.numTotalTests, o().readme.code]).toEqual([1, 1, 0]);
  });
});

describe("scaffold --version in an installed project", () => {
  it("prints the package's version", async () => {
    const own = JSON.parse(await readFile(path.join(ROOT, "generator", "package.json"), "utf8"));
    const r = await npx(outcomes.get(CASES[0]!.name)!.dir, ["scaffold", "--version"]);
    expect([r.code, r.stdout.trim()]).toEqual([0, own.version]);
  });
});
