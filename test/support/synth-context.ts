import * as fs from 'fs';
import * as path from 'path';

/** The context of `cdk synth` in this project: cdk.json's, and what the CLI adds (its contextFromSettings, with cdk.json's settings). */
export const CDK_SYNTH_CONTEXT: Record<string, unknown> = {
  ...JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:disable-version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
  '@aws-cdk/core:failSynthOnValidationErrors': false,
};
