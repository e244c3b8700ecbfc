import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** The module specifiers a source file imports (static imports, `import()` types and `require` calls), by file. */
function importsOf(dir: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const name of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const file = path.join(dir, name);
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const specifiers: string[] = [];
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        specifiers.push(node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
        && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
        specifiers.push(node.arguments[0].text);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        specifiers.push(node.argument.literal.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    result.set(file, specifiers);
  }
  return result;
}

/** The repository files (relative to the root, without extension) that a file's relative imports name. */
function localImports(file: string, specifiers: readonly string[]): string[] {
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)));
}

describe('the contract module', () => {
  test('imports nothing', () => {
    expect(importsOf('lib').get(path.join('lib', 'contract.ts'))).toEqual([]);
  });

  test('is the only part of the library that the CLI imports', () => {
    const outside: string[] = [];
    for (const dir of ['packages/mfa-profile/src']) {
      for (const [file, specifiers] of importsOf(dir)) {
        for (const target of localImports(file, specifiers)) {
          if (!target.startsWith(path.join('packages', 'mfa-profile')) && target !== path.join('lib', 'contract')) {
            outside.push(`${file} imports ${target}`);
          }
        }
      }
    }
    expect(outside).toEqual([]);
  });

  test('is the only part of the library that the handler imports besides its own modules', () => {
    const outside: string[] = [];
    for (const [file, specifiers] of importsOf('lib/handler')) {
      for (const target of localImports(file, specifiers)) {
        if (!target.startsWith(path.join('lib', 'handler')) && target !== path.join('lib', 'contract')) {
          outside.push(`${file} imports ${target}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  test('sits beside constructs that never import the handler (it is bundled apart, outside the package\'s compiled lib)', () => {
    const handler = [...importsOf('lib'), ...importsOf('lib/private')]
      .flatMap(([file, specifiers]) => localImports(file, specifiers)
        .filter((t) => t.startsWith(path.join('lib', 'handler')))
        .map((t) => `${file} imports ${t}`));
    expect(handler).toEqual([]);
  });

  test('sits beside constructs that never import the CLI', () => {
    const cli = [...importsOf('lib'), ...importsOf('lib/private')]
      .flatMap(([file, specifiers]) => localImports(file, specifiers).filter((t) => t.startsWith('packages')).map((t) => `${file} imports ${t}`));
    expect(cli).toEqual([]);
  });

  test('is imported by the constructs, the handler and the CLI', () => {
    const importers = [...importsOf('lib'), ...importsOf('lib/private'), ...importsOf('lib/handler'), ...importsOf('packages/mfa-profile/src')]
      .filter(([file, specifiers]) => localImports(file, specifiers).includes(path.join('lib', 'contract')))
      .map(([file]) => file);
    expect(importers).toEqual(expect.arrayContaining([
      path.join('lib', 'mfa-delegation.ts'),
      path.join('lib', 'mfa-team.ts'),
      path.join('lib', 'virtual-mfa-device.ts'),
      path.join('lib', 'handler', 'names.ts'),
      path.join('packages', 'mfa-profile', 'src', 'outputs.ts'),
      path.join('packages', 'mfa-profile', 'src', 'team-outputs.ts'),
      path.join('packages', 'mfa-profile', 'src', 'secrets.ts'),
    ]));
  });
});
