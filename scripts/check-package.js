#!/usr/bin/env node
// prepack of cdk-mfa-delegation: refuse to pack a library without its compiled code or without the custom resource
// handler's bundle (VirtualMfaDevice would fail with CannotFindAsset in every app that installs it).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const required = [
  ['.jsii', 'run "npx projen compile"'],
  ['lib/index.js', 'run "npx projen compile"'],
  ['lib/index.d.ts', 'run "npx projen compile"'],
  ['assets/lib/handler/index/index.js', 'run "npx projen bundle"'],
];
const missing = required.filter(([file]) => !fs.existsSync(path.join(root, file)));
if (missing.length > 0) {
  for (const [file, fix] of missing) {
    process.stderr.write(`cdk-mfa-delegation cannot be packed without ${file}: ${fix} first.\n`);
  }
  process.exit(1);
}
