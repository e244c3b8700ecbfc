import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { CREATED_AT_ATTRIBUTE, DEVICE_TIME_UNKNOWN } from '../contract';

/**
 * IAM's size quotas for policies, in characters without white space.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const IAM_POLICY_LIMITS = {
  roleTrustPolicy: 2048,
  userInlinePolicies: 2048,
  groupInlinePolicies: 5120,
  roleInlinePolicies: 10240,
  managedPolicy: 6144,
};

/**
 * The size IAM counts for a policy document: its JSON without white space. Values only known at deploy time count
 * as their CloudFormation intrinsic (e.g. `{"Fn::GetAtt":["Role","Arn"]}`), which is about as long as the ARN it gives.
 */
export function policySize(scope: IConstruct, document: iam.PolicyDocument): number {
  return resolvedPolicySize(Stack.of(scope).resolve(document.toJSON()) ?? {});
}

/**
 * The size IAM counts for a policy document that is already resolved (JSON without white space); none counts 0. A
 * device's `CreatedAt` (`Fn::GetAtt`) counts as the time it gives, 20 characters: a list of them would otherwise be
 * counted four times as long as IAM counts it.
 */
export function resolvedPolicySize(document: unknown): number {
  return document === undefined ? 0 : JSON.stringify(document, (_, value) => (isCreatedAt(value) ? DEVICE_TIME_UNKNOWN : value)).length;
}

/** `{ "Fn::GetAtt": [<device>, "CreatedAt"] }` */
function isCreatedAt(value: unknown): boolean {
  const getAtt = (value as Record<string, unknown> | null)?.['Fn::GetAtt'];
  return typeof value === 'object' && Object.keys(value ?? {}).length === 1 && Array.isArray(getAtt) && getAtt[1] === CREATED_AT_ATTRIBUTE;
}

/**
 * The error message for a policy over its IAM size quota, or none.
 */
export function checkPolicySize(what: string, size: number, limit: number): string[] {
  return size > limit
    ? [`${what} is ${size} characters, over IAM's limit of ${limit} characters (not counting white space)`]
    : [];
}
