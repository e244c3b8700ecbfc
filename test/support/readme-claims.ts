import * as fs from 'fs';
import * as path from 'path';

/**
 * README claims and the tests that would fail if they became false: each claim is a phrase of README.md (whitespace as
 * in the wrapped text does not matter), each proof a test file and a phrase of one of its test names (or of a case name
 * of a test.each table). `checkClaims` fails when the README no longer says the phrase, or a named test is gone.
 */
export interface Claim {
  readonly claim: string;
  readonly proofs: Array<[file: string, testName: string]>;
}

const ROOT = path.join(__dirname, '..', '..');

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** The README's text, whitespace normalized. */
export function readmeText(): string {
  return normalize(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
}

/** The problems of each claim: a phrase the README does not say, a test that does not exist. */
export function claimProblems(claims: Claim[]): string[] {
  const readme = readmeText();
  const problems: string[] = [];
  for (const { claim, proofs } of claims) {
    if (!readme.includes(normalize(claim))) {
      problems.push(`README.md no longer says: ${claim}`);
    }
    if (proofs.length === 0) {
      problems.push(`No test proves: ${claim}`);
    }
    for (const [file, testName] of proofs) {
      const source = fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\\'/g, '\'') : '';
      if (!source.includes(testName)) {
        problems.push(`${file} has no test named "${testName}", which proves: ${claim}`);
      }
    }
  }
  return problems;
}
