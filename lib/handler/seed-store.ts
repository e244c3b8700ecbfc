// The seed secret of a device: created by the handler (not CloudFormation), without a value, locked by its resource
// policy, then given the seed once. The handler never reads a secret's value: what it needs to know (whether the seed
// of a device is stored) it learns from DescribeSecret's version ids. The policy is attached once, at creation, and never
// changed (decision 8): its HandlerOnlyWrites Deny refuses the handler PutResourcePolicy from then on, so a hijacked
// handler cannot give anyone a read; the secret carries a hash of the policy it was created with.
import { createHash } from 'crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { SeedSecretValue } from '../contract';
import { Aws } from './aws';
import { LOGICAL_ID_TAG, POLICY_HASH_TAG, SERIAL_NUMBER_TAG, STACK_ID_TAG } from './names';
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
    // Secrets Manager authorizes before it looks a secret up, and this handler may describe only secrets that carry its
    // stack's tag: a secret that is gone (an owner forgot the seed: mfa-profile deleted it) answers AccessDenied, as
    // does one that is not this stack's. Neither is a secret of this resource.
    if (hasCode(err, 'ResourceNotFound') || hasCode(err, 'AccessDenied')) {
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

/** The hash of a resource policy (as JSON text) that a seed secret carries in its policy-hash tag. */
export function policyHash(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 32);
}

/**
 * Refuse a seed secret whose resource policy is not `policy`: the policy is attached once and never changed, so a
 * request that gives the secret another one (a reader changed at deploy time, a reader role replaced under the same
 * secret name) fails, naming the secret and what to do. A secret made before the policy-hash tag is compared with the
 * policy of before (`previous`), when the caller knows it.
 */
export function checkPolicy(secret: SecretState, name: string, policy: string, previous?: string): void {
  const attached = secret.tags.get(POLICY_HASH_TAG) ?? (previous === undefined ? undefined : policyHash(previous));
  if (attached !== undefined && attached !== policyHash(policy)) {
    throw new HandlerError(`Secret ${name} keeps the resource policy it was created with (the handler never changes a seed secret's policy, so `
      + 'that nobody can be given a read of a seed), but this request gives it another one, with other readers: keep the readers it was created '
      + 'with until its owner has enrolled the device ("mfa-profile setup" deletes the secret, and then the readers may change), or give the '
      + 'device a new name with this change (deviceName; an MfaDelegation\'s userName), so that a successor device gets its own secret and its '
      + 'owner enrols it again.');
  }
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
        { Key: POLICY_HASH_TAG, Value: policyHash(policy) },
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
    checkPolicy(existing, name, policy);
    arn = existing.arn;
  }
  try {
    await aws.send(aws.secrets, new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true }));
  } catch (err) {
    // A secret this resource created before (an earlier delivery) whose policy is attached already: the policy's own
    // HandlerOnlyWrites Deny refuses the handler PutResourcePolicy, as it refuses it every change of the policy.
    if (created || !hasCode(err, 'AccessDenied')) {
      throw new HandlerError(`Could not attach the resource policy to secret ${name}: ${awsMessage(err)}.`);
    }
  }
  return { arn, created };
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
