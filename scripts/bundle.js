#!/usr/bin/env node
// Runs projen's `bundle` task (the device handler's asset and the mfa-profile package) straight from .projen/tasks.json,
// without npx: cdk.json's `build` hook and npm's `prepare` call it before every synth, so it must be quick and make no
// network attempt (npx checks for npm updates).
const { execFileSync, execSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const { tasks } = require(path.join(root, '.projen', 'tasks.json'));
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };

function run(name) {
  const task = tasks[name];
  if (!task) {
    throw new Error(`.projen/tasks.json has no task ${name}: run "npx projen" first.`);
  }
  for (const step of task.steps ?? []) {
    if (step.spawn) {
      run(step.spawn);
    } else if (step.exec || step.execArgs) {
      const options = { cwd: path.join(root, step.cwd ?? task.cwd ?? ''), env: { ...env, ...task.env }, stdio: ['ignore', 'ignore', 'inherit'] };
      if (step.exec) {
        execSync(step.exec, options);
      } else {
        const [file, ...args] = step.execArgs;
        execFileSync(file, args, options);
      }
    } else {
      throw new Error(`The step ${JSON.stringify(step)} of task ${name} is neither spawn, exec nor execArgs.`);
    }
  }
}

run(process.argv[2] ?? 'bundle');
