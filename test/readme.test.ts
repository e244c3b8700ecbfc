import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The ```ts blocks of the README, with the line each starts on. */
function readmeExamples(): { line: number; code: string }[] {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const examples: { line: number; code: string }[] = [];
  const fence = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    examples.push({ line: text.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return examples;
}

describe('the README', () => {
  test('has TypeScript examples that compile against the library', () => {
    // GIVEN: each example as a module of its own, importing the package from lib/
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const files = new Map(examples.map((e) => [path.join(ROOT, 'test', `readme-example-line-${e.line}.ts`), e.code]));
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ['node'],
      baseUrl: ROOT,
      paths: { 'cdk-mfa-delegation': ['lib/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (f) => files.get(path.resolve(f)) ?? readFile(f);
    host.fileExists = (f) => files.has(path.resolve(f)) || fileExists(f);
    // WHEN
    const program = ts.createProgram([...files.keys()], options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.has(path.resolve(d.file.fileName)));
    // THEN
    const messages = diagnostics.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(messages).toEqual([]);
  });
});
