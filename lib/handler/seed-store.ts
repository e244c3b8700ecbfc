// The seed secret of a device: created by the handler (not CloudFormation), without a value, locked by its resource
// policy, then given the seed once. The handler never reads a secret's value: what it needs to know (whether the seed
// of a device is stored) it learns from DescribeSecret's version ids.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { SeedSecretValue } from '../contract';
import { Aws } from './aws';
import { LOGICAL_ID_TAG, SERIAL_NUMBER_TAG, STACK_ID_TAG } from './names';
import { awsMessage, HandlerError, hasCode, step } from './protocol';

/** Who a secret belongs to. */
export interface SecretOwner {
  readonly stackId: string;
  readonly logicalId: string;
  readonly serialNumber: string;
}

/** A seed secret as DescribeSecret shows it. */
export interface SecretState {
  readonly arn: string;
  readonly tags: ReadonlyMap<string, string>;
  /** Version id → staging labels. */
  readonly versions: Readonly<Record<string, string[]>>;
}

/** DescribeSecret, or undefined when there is no such secret. */
export async function describeSecret(aws: Aws, name: string): Promise<SecretState | undefined> {
  try {
    const out: any = await aws.send(aws.secrets, new DescribeSecretCommand({ SecretId: name }));
    if (out.DeletedDate) {
      throw new HandlerError(`Secret ${name} is scheduled for deletion: restore it or wait until Secrets Manager has deleted it.`);
    }
    return {
      arn: out.ARN,
      tags: new Map((out.Tags ?? []).map((t: any) => [t.Key, t.Value])),
      versions: out.VersionIdsToStages ?? {},
    };
  } catch (err) {
    if (hasCode(err, 'ResourceNotFound')) {
      return undefined;
    }
    if (err instanceof HandlerError) {
      throw err;
    }
    throw new HandlerError(`Could not describe secret ${name}: ${awsMessage(err)}.`);
  }
}

/** Whether a secret carries the owner's tags. */
export function ownedBy(secret: SecretState, owner: SecretOwner): boolean {
  return secret.tags.get(STACK_ID_TAG) === owner.stackId
    && secret.tags.get(LOGICAL_ID_TAG) === owner.logicalId
    && secret.tags.get(SERIAL_NUMBER_TAG)?.toLowerCase() === owner.serialNumber.toLowerCase();
}

/** Whether the version is the secret's current one. */
export function holdsVersion(secret: SecretState, versionId: string): boolean {
  return secret.versions[versionId]?.includes('AWSCURRENT') ?? false;
}

/**
 * Create the seed secret without a value (or adopt the one this resource created before), then attach its resource
 * policy, before any seed is in it. Returns its ARN and whether this call created it.
 */
export async function prepareSecret(aws: Aws, name: string, owner: SecretOwner, policy: string, kmsKeyId: string | undefined):
Promise<{ arn: string; created: boolean }> {
  let arn: string;
  let created = false;
  try {
    const out: any = await aws.send(aws.secrets, new CreateSecretCommand({
      Name: name,
      Description: `MFA seed of virtual MFA device ${owner.serialNumber} (cdk-mfa-delegation)`,
      KmsKeyId: kmsKeyId,
      Tags: [
        { Key: STACK_ID_TAG, Value: owner.stackId },
        { Key: LOGICAL_ID_TAG, Value: owner.logicalId },
        { Key: SERIAL_NUMBER_TAG, Value: owner.serialNumber },
      ],
    }));
    arn = out.ARN;
    created = true;
  } catch (err) {
    if (!hasCode(err, 'ResourceExists')) {
      throw new HandlerError(`Could not create secret ${name} for the seed of MFA device ${owner.serialNumber}: ${awsMessage(err)}.`);
    }
    const existing = await describeSecret(aws, name);
    if (!existing || !ownedBy(existing, owner)) {
      throw new HandlerError(`Secret ${name} already exists and was left alone, because it was not created for MFA device ${owner.serialNumber} `
        + `by ${owner.logicalId} of this stack: choose another seed secret name, or delete that secret.`);
    }
    arn = existing.arn;
  }
  await step(`Could not attach the resource policy to secret ${name}`, () => aws.send(aws.secrets,
    new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true })));
  return { arn, created };
}

/** Attach a (changed) resource policy to an existing seed secret. */
export async function updatePolicy(aws: Aws, arn: string, policy: string): Promise<void> {
  await step(`Could not attach the resource policy to secret ${arn}`, () => aws.send(aws.secrets,
    new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true })));
}

/** Store the seed as version `versionId` (idempotent: the same version with the same value is a no-op). */
export async function storeSeed(aws: Aws, arn: string, versionId: string, content: SeedSecretValue): Promise<void> {
  await step(`Could not store the seed of MFA device ${content.serialNumber} in secret ${arn}`, () => aws.send(aws.secrets,
    new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: versionId, SecretString: JSON.stringify(content) })));
}

/**
 * Delete a seed secret for good (ForceDeleteWithoutRecovery: no version, label or recovery window survives), if it is
 * the owner's. Returns what happened, as a phrase.
 */
export async function deleteSecret(aws: Aws, name: string, owner: SecretOwner): Promise<string> {
  const existing = await describeSecret(aws, name);
  if (!existing) {
    return `secret ${name} was gone already`;
  }
  if (!ownedBy(existing, owner)) {
    return `secret ${name} was left alone (not created for this device)`;
  }
  await step(`Could not delete secret ${name}`, () => aws.send(aws.secrets,
    new DeleteSecretCommand({ SecretId: existing.arn, ForceDeleteWithoutRecovery: true })).catch((err) => {
    if (!hasCode(err, 'ResourceNotFound')) {
      throw err;
    }
  }));
  return `deleted secret ${name}`;
}
