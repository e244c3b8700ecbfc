/**
 * The AWS managed policies that MfaGuard knows, by name (`arn:aws:iam::aws:policy/<name>`): what each allows, in a few
 * words, and actions it allows on every resource, as examples for findings. Each is an attacker of the threat model
 * (DESIGN.md); test/fixtures/aws-managed-policies holds their documents as AWS publishes them, and a test proves with
 * the IAM evaluator that each document allows the examples. None of them allows only `sts:AssumeRole` with MFA: on an
 * assume-only user each is a widening. A managed policy that is not listed here, nor defined in the app, is one that
 * MfaGuard cannot read.
 */
export interface KnownManagedPolicy {
  /** What the policy allows, as a sentence fragment: `every action but iam:*, organizations:* and account:*`. */
  readonly allows: string;
  /** Actions that the policy allows on every resource. */
  readonly examples: string[];
}

export const KNOWN_AWS_MANAGED_POLICIES: Record<string, KnownManagedPolicy> = {
  AdministratorAccess: {
    allows: 'every action on every resource',
    examples: ['iam:CreateAccessKey', 'secretsmanager:GetSecretValue', 'sts:AssumeRole'],
  },
  PowerUserAccess: {
    allows: 'every action but iam:*, organizations:* and account:* on every resource',
    examples: ['secretsmanager:GetSecretValue', 'lambda:UpdateFunctionCode', 'sts:AssumeRole'],
  },
  ReadOnlyAccess: {
    allows: 'the read actions of every service',
    examples: ['cloudformation:DescribeStackEvents', 's3:GetObject', 'secretsmanager:GetResourcePolicy'],
  },
  SecurityAudit: {
    allows: 'the read actions of the security configuration of every service',
    examples: ['cloudformation:DescribeStacks', 'iam:GetAccountAuthorizationDetails', 'secretsmanager:GetResourcePolicy'],
  },
  AWSCloudFormationReadOnlyAccess: {
    allows: 'the read actions of CloudFormation',
    examples: ['cloudformation:DescribeStackEvents', 'cloudformation:GetTemplate'],
  },
  SecretsManagerReadWrite: {
    allows: 'secretsmanager:* and the reads that the Secrets Manager console uses',
    examples: ['secretsmanager:GetSecretValue', 'secretsmanager:PutResourcePolicy'],
  },
  AWSLambda_FullAccess: {
    allows: 'lambda:* and iam:PassRole of any role to Lambda',
    examples: ['lambda:UpdateFunctionCode', 'lambda:CreateFunction'],
  },
};

/** The name of an AWS managed policy that an ARN (as MfaGuard renders it) names, if it names one. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const match = /:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match ? match[1] : undefined;
}
