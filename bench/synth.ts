/* eslint-disable no-console */
// Synth benchmark (`npm run bench`; not part of `npm test`). Results and method: BENCHMARK.md.
//
// 1. The example app (bin/app.ts) against a hand-written aws-cdk-lib stack of the same resources (bench/hand-written.ts),
//    synthesized in this one process, interleaved (ABBA), after a warm-up: the ratio of their median synth times.
// 2. MfaTeam with 10 roles and 10 / 100 / 500 / 1000 members, with and without access keys: synth time, resources,
//    template bytes (all templates, nested ones included), nested stacks, resources per member; and `cdk synth`-like
//    runs of the app in a fresh Node.js process for 500 and 1000 members.
//
// 3. An organization (bench/org-app.ts): an MfaRoleStackSet of 10 roles to 200 accounts and an MfaTeam of 50 members
//    granted every role in every account: synth time, template sizes, the StackSet's TemplateBody, the largest group
//    policy and account-role output against their limits; and a `cdk synth`-like run in a fresh Node.js process.
//
// Options: --quick (fewer iterations, for a smoke run), --iterations N (example app pairs, default 300), --example-only
// (part 1 alone), --org-only (part 3 alone).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import * as esbuild from 'esbuild';
import { createHandWrittenApp } from './hand-written';
import { createOrgBenchApp } from './org-app';
import { assemblyDifferences, synthesizeExampleStack } from './same-assembly';
import { createTeamApp } from './team-app';
import { createExampleApp } from '../bin/app';
import { CDK_SYNTH_CONTEXT } from '../test/support/synth-context';

const ROOT = path.join(__dirname, '..');
const CDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
const CONTEXT = CDK_SYNTH_CONTEXT;
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ITERATIONS = args.includes('--iterations') ? Number(args[args.indexOf('--iterations') + 1]) : (QUICK ? 20 : 500);
const WARMUP = QUICK ? 5 : 50;
/** Fresh-process runs of each of the two apps. */
const PROCESS_RUNS = QUICK ? 2 : 10;
const EXAMPLE_ONLY = args.includes('--example-only');
const ORG_ONLY = args.includes('--org-only');
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface Synth {
  /** Wall-clock milliseconds. */
  readonly ms: number;
  /** CPU milliseconds of this process (user + system): less disturbed by other work on the machine. */
  readonly cpuMs: number;
  readonly templates: Array<{ readonly file: string; readonly bytes: number; readonly template: any }>;
}

/**
 * Build and synthesize an app into a fresh directory; the time covers construction and synthesis. With `collect`, a
 * full garbage collection first, so that a large app does not pay for the garbage of the one before.
 */
function synth(make: (props: AppProps) => App, options: { readonly keep?: boolean; readonly collect?: boolean } = {}): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-bench-'));
  if (options.collect) {
    gc();
  }
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  make({ outdir, context: CONTEXT }).synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const templates = options.keep ? fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((file) => {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    return { file, bytes: Buffer.byteLength(text), template: JSON.parse(text) };
  }) : [];
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ms, cpuMs, templates };
}

/** The p-quantile (0 to 1) of the values, interpolated. */
function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const below = Math.floor(at);
  return sorted[below] + (sorted[Math.min(below + 1, sorted.length - 1)] - sorted[below]) * (at - below);
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

function typeCounts(templates: Synth['templates']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { template } of templates) {
    for (const resource of Object.values<any>(template.Resources ?? {})) {
      counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function compareExampleApp(): string[] {
  const library = synthesizeExampleStack(createExampleApp);
  const differences = assemblyDifferences(library, synthesizeExampleStack(createHandWrittenApp));
  if (differences.length > 0) {
    console.error('The hand-written stack no longer synthesizes what the example app does: update bench/hand-written.ts.');
    console.error(differences.map((d) => `- ${d}`).join('\n'));
    process.exit(1);
  }
  const a = typeCounts([{ file: '', bytes: 0, template: library.template }]);
  const outputCount = Object.keys(library.template.Outputs ?? {}).length;
  for (let i = 0; i < WARMUP; i++) {
    synth(createExampleApp);
    synth(createHandWrittenApp);
  }
  const wall = { library: [] as number[], hand: [] as number[] };
  const cpu = { library: [] as number[], hand: [] as number[] };
  for (let i = 0; i < ITERATIONS; i++) {
    // ABBA: alternate which goes first, so that drift and caches favour neither.
    const order: Array<'library' | 'hand'> = i % 2 === 0 ? ['library', 'hand'] : ['hand', 'library'];
    for (const which of order) {
      const result = synth(which === 'library' ? createExampleApp : createHandWrittenApp);
      wall[which].push(result.ms);
      cpu[which].push(result.cpuMs);
    }
  }
  const row = (name: string, times: number[]) =>
    `| ${name} | ${median(times).toFixed(2)} ms | ${quantile(times, 0.1).toFixed(2)} ms | ${quantile(times, 0.9).toFixed(2)} ms |`;
  const ratio = (times: typeof wall) => median(times.library) / median(times.hand);
  const pairs = (times: typeof wall) => median(times.library.map((t, i) => t / times.hand[i]));
  const resources = Object.values(a).reduce((s, n) => s + n, 0);
  return [
    `Both synthesize the same template, byte for byte (${resources} resources: ${Object.entries(a).map(([t, n]) => `${t} ${n}`).join(', ')}; `
      + `${outputCount} outputs), and acknowledge the same cdk-nag findings on the same constructs (checked first: bench/same-assembly.ts).`,
    `In this process, in steady state: ${ITERATIONS} interleaved pairs (ABBA) after ${WARMUP} warm-up pairs, each synth into a fresh directory, `
      + 'no forced garbage collection.',
    '',
    '| synth of | median | 10th percentile | 90th percentile |',
    '| --- | ---: | ---: | ---: |',
    row('example app (MfaDelegation), wall clock', wall.library),
    row('hand-written aws-cdk-lib, wall clock', wall.hand),
    row('example app (MfaDelegation), CPU', cpu.library),
    row('hand-written aws-cdk-lib, CPU', cpu.hand),
    '',
    `**Ratio of the medians: ${ratio(wall).toFixed(3)} wall clock, ${ratio(cpu).toFixed(3)} CPU** (target ≤ 1.05; median of the paired ratios: `
      + `${pairs(wall).toFixed(3)} wall clock, ${pairs(cpu).toFixed(3)} CPU).`,
    '',
    ...compareFreshProcesses(),
  ];
}

/**
 * The library, the example stack and the hand-written app compiled to JavaScript in a temporary directory (with
 * esbuild, file by file), next to links to node_modules and the handler bundle: the library as users get it.
 */
function compileApps(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-bench-js-'));
  const typescript = (folder: string): string[] => fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
  esbuild.buildSync({
    entryPoints: [...typescript('lib'), path.join(ROOT, 'bin', 'example-stack.ts'), path.join(ROOT, 'bench', 'hand-written.ts')],
    outdir: dir,
    outbase: ROOT,
    format: 'cjs',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    logLevel: 'error',
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'assets'), path.join(dir, 'assets'));
  return dir;
}

/** Both apps run as `cdk synth` runs them, each in a fresh Node.js process (start-up, loading, synthesis), compiled. */
function compareFreshProcesses(): string[] {
  const dir = compileApps();
  const times = { library: [] as number[], hand: [] as number[] };
  try {
    for (let i = 0; i < PROCESS_RUNS; i++) {
      const order: Array<'library' | 'hand'> = i % 2 === 0 ? ['library', 'hand'] : ['hand', 'library'];
      for (const which of order) {
        times[which].push(processRun([path.join(dir, 'bench', 'hand-written.js'), ...(which === 'library' ? ['example'] : [])], false));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [library, hand] = [median(times.library), median(times.hand)];
  return [
    'In a fresh Node.js process each, as `cdk synth` runs an app, with the library, the example stack and the hand-written app compiled to '
      + `JavaScript as the published library is (${PROCESS_RUNS} alternating runs of each; medians): example app ${(library / 1000).toFixed(3)} s, `
      + `hand-written ${(hand / 1000).toFixed(3)} s, **ratio ${(library / hand).toFixed(3)}**.`,
  ];
}

function teamRow(members: number, accessKeys: boolean, runs: number): string {
  const roles = 10;
  createTeamApp(members, roles, accessKeys); // warm the code paths of this size
  const results = Array.from({ length: runs }, (_, i) =>
    synth((props) => createTeamApp(members, roles, accessKeys, props), { keep: i === runs - 1, collect: true }));
  const templates = results[runs - 1].templates;
  const counts = typeCounts(templates);
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const memberTypes = ['AWS::IAM::User', 'Custom::VirtualMfaDevice', 'AWS::SecretsManager::Secret', 'AWS::IAM::AccessKey'];
  const perMember = memberTypes.reduce((s, t) => s + (counts[t] ?? 0), 0) / members;
  const bytes = templates.reduce((s, t) => s + t.bytes, 0);
  const largest = Math.max(...templates.map((t) => Object.keys(t.template.Resources).length));
  const ms = median(results.map((r) => r.ms));
  return `| ${members} × ${roles} | ${accessKeys ? 'yes' : 'no'} | ${(ms / 1000).toFixed(2)} s | ${total} | ${templates.length - 1} | ${largest} `
    + `| ${(bytes / 1024).toFixed(0)} KiB | ${perMember.toFixed(2)} | ${(total / members).toFixed(2)} |`;
}

/** Part 3: 10 roles × 200 accounts (and a team of 50 members granted all of them). */
function organization(): string[] {
  const [roles, accounts, members] = [10, 200, 50];
  const runs = QUICK ? 1 : 5;
  createOrgBenchApp(roles, accounts, members); // warm the code paths
  const results = Array.from({ length: runs }, (_, i) =>
    synth((props) => createOrgBenchApp(roles, accounts, members, props), { keep: i === runs - 1, collect: true }));
  const templates = results[runs - 1].templates;
  const byFile = (file: string) => templates.find((t) => t.file === file)!;
  const rolesStack = byFile('MfaOrgBenchRoles.template.json');
  const identity = byFile('MfaOrgBenchIdentity.template.json');
  const stackSet = Object.values<any>(rolesStack.template.Resources).find((r) => r.Type === 'AWS::CloudFormation::StackSet');
  const body: string = stackSet.Properties.TemplateBody;
  const groups = Object.values<any>(identity.template.Resources).filter((r) => r.Type === 'AWS::IAM::Group');
  const groupPolicy = Math.max(...groups.map((g) => JSON.stringify(g.Properties.Policies[0].PolicyDocument).length));
  const accountRoleOutputs = Object.entries<any>(identity.template.Outputs).filter(([key]) => /MfaTeamAccountRoles\d+$/.test(key));
  const longestOutput = Math.max(...accountRoleOutputs.map(([, o]) => (typeof o.Value === 'string' ? o.Value : JSON.stringify(o.Value)).length));
  const stackSetOnly = Array.from({ length: runs }, () => synth((props) => createOrgBenchApp(roles, accounts, 0, props), { collect: true }));
  const fresh = processRun([path.join(__dirname, 'org-app.ts'), String(roles), String(accounts), String(members)]);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return [
    `${roles} roles × ${accounts} accounts (self-managed StackSet listing every account), and a team of ${members} members granted every role in `
      + `every account; ${runs} in-process synths after one warm-up, each into a fresh directory.`,
    '',
    '| measure | value | limit |',
    '| --- | ---: | ---: |',
    `| synth of the StackSet stack alone (median, in-process) | ${(median(stackSetOnly.map((r) => r.ms)) / 1000).toFixed(2)} s | |`,
    `| synth of both stacks (median, in-process) | ${(median(results.map((r) => r.ms)) / 1000).toFixed(2)} s | |`,
    `| \`cdk synth\`-like run in a fresh Node.js process (start-up, TypeScript transpilation, synthesis) | ${(fresh / 1000).toFixed(2)} s | |`,
    `| StackSet stack template (MfaOrgBenchRoles) | ${kib(rolesStack.bytes)} | 1,000 KiB (S3) |`,
    `| the StackSet's TemplateBody (${Object.keys(JSON.parse(body).Resources).length} roles) | ${Buffer.byteLength(body).toLocaleString('en-US')} bytes `
      + '| 51,200 bytes |',
    `| identity stack template (MfaOrgBenchIdentity, ${Object.keys(identity.template.Resources).length} resources) | ${kib(identity.bytes)} | 1,000 KiB (S3) |`,
    `| largest group policy (one role, ${accounts} accounts) | ${groupPolicy.toLocaleString('en-US')} characters | 5,120 characters |`,
    `| longest MfaTeamAccountRoles output (${accountRoleOutputs.length} outputs) | ${longestOutput.toLocaleString('en-US')} characters | 4,096 characters |`,
  ];
}

/**
 * Wall-clock milliseconds of `node APP...` (TypeScript through ts-node, as this repository's cdk.json runs an app, or
 * JavaScript) with the environment `cdk synth` gives an app.
 */
function processRun(app: string[], tsNode = true): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-bench-'));
  const start = process.hrtime.bigint();
  const env = { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(CONTEXT) };
  const run = spawnSync(process.execPath, [...(tsNode ? ['-r', 'ts-node/register/transpile-only'] : []), ...app], { cwd: ROOT, env, stdio: 'inherit' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) {
    throw new Error(`${app.join(' ')} failed with status ${run.status}`);
  }
  return ms;
}

function main(): void {
  if (!require.resolve('../lib').endsWith('.ts')) {
    console.error('bench/synth.ts would measure lib/*.js from an earlier compile: run it with TS_NODE_PREFER_TS_EXTS=true (npm run bench does).');
    process.exit(1);
  }
  const cpus = os.cpus();
  const lines = [
    `Machine: ${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}; `
      + `Node.js ${process.version}; aws-cdk-lib ${CDK_VERSION}; `
      + `commit ${spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout?.toString().trim() || 'unknown'}; ${new Date().toISOString()}; `
      + `load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `Command: npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''} (node --expose-gc -r ts-node/register/transpile-only bench/synth.ts).`,
    '',
  ];
  console.log(lines.join('\n'));
  if (ORG_ONLY) {
    console.log(['', '### Organization: MfaRoleStackSet and account roles', '', ...organization()].join('\n'));
    return;
  }
  console.log(['### Example app against a hand-written stack', '', ...compareExampleApp()].join('\n'));
  if (EXAMPLE_ONLY) {
    return;
  }
  console.log([
    '',
    '### MfaTeam',
    '',
    '| members × roles | access keys | synth (median) | resources | nested stacks | most in one stack | templates | member resources per member | all resources per member |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ].join('\n'));
  for (const [members, runs] of (QUICK ? [[10, 1], [100, 1], [1000, 1]] : [[10, 5], [100, 3], [500, 3], [1000, 2]]) as Array<[number, number]>) {
    console.log(teamRow(members, true, runs));
    console.log(teamRow(members, false, runs));
  }
  console.log('');
  console.log('In a fresh Node.js process, as `cdk synth` runs the app (start-up, TypeScript transpilation, construction, synthesis):');
  console.log('');
  for (const members of QUICK ? [500] : [500, 1000]) {
    console.log(`- ${members} × 10, access keys: ${(processRun([path.join(__dirname, 'team-app.ts'), String(members), '10']) / 1000).toFixed(2)} s`);
  }
  console.log(['', '### Organization: MfaRoleStackSet and account roles', '', ...organization()].join('\n'));
  console.log('');
  console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
}

main();
