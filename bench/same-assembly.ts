// What bench/synth.ts checks before it compares the example app with the hand-written stack: that both synthesize the
// same thing. Their templates must be identical (every resource under the same logical id with the same properties,
// dependencies, policies and metadata, the same outputs, parameters and rules), and the same cdk-nag findings must be
// acknowledged on the same constructs. Only what records how the tree was built may differ: creation stack traces,
// the reasons' wording, the construct classes in tree.json.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import { CDK_SYNTH_CONTEXT } from '../test/support/synth-context';

/** A synthesized stack: its construct and its template as the cloud assembly holds it. */
export interface SynthesizedStack {
  readonly stack: Stack;
  readonly template: any;
}

/** The example app's stack (or its hand-written twin's), synthesized with `cdk synth`'s context into a temporary directory. */
export function synthesizeExampleStack(make: (props: AppProps) => App): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-example-'));
  try {
    const app = make({ outdir, context: CDK_SYNTH_CONTEXT });
    const template = app.synth().getStackByName('MfaDelegationExample').template;
    return { stack: app.node.findChild('MfaDelegationExample') as Stack, template };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every acknowledgement in the stack, as `construct path: rule id`, sorted. */
export function acknowledgements(stack: Stack): string[] {
  return stack.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data).map((ruleId) => `${construct.node.path}: ${ruleId}`)))
    .sort();
}

/** Where two synthesized stacks differ, one sentence per difference: empty when they synthesize the same. */
export function assemblyDifferences(a: SynthesizedStack, b: SynthesizedStack): string[] {
  const differences: string[] = [];
  const text = (value: unknown) => JSON.stringify(value ?? null);
  for (const section of new Set([...Object.keys(a.template), ...Object.keys(b.template)])) {
    const [x, y] = [a.template[section], b.template[section]];
    if (text(x) === text(y)) {
      continue;
    }
    if (section !== 'Resources') {
      differences.push(`the templates' ${section} differ: ${text(x)} against ${text(y)}`);
      continue;
    }
    const before = differences.length;
    for (const logicalId of new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])) {
      if (text(x?.[logicalId]) !== text(y?.[logicalId])) {
        differences.push(`resource ${logicalId} differs: ${text(x?.[logicalId])} against ${text(y?.[logicalId])}`);
      }
    }
    if (differences.length === before) {
      differences.push('the templates list their resources in another order');
    }
  }
  const [ackA, ackB] = [acknowledgements(a.stack), acknowledgements(b.stack)];
  for (const ack of ackA.filter((x) => !ackB.includes(x))) {
    differences.push(`only the first acknowledges ${ack}`);
  }
  for (const ack of ackB.filter((x) => !ackA.includes(x))) {
    differences.push(`only the second acknowledges ${ack}`);
  }
  return differences;
}
