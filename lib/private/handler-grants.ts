import * as iam from 'aws-cdk-lib/aws-iam';

/** What the device handler may act on: ARNs, or ARN patterns of many. */
export interface HandlerResources {
  /** The virtual MFA devices: created and deleted. */
  readonly devices: string;
  /** Their users: devices enabled for and deactivated from. */
  readonly users: string;
  /** The seed secrets (ARN patterns of their names): created, locked, written, deleted, never read. */
  readonly seedSecrets: string;
}

/**
 * The statements that let the device handler do what lib/handler/index.ts calls: one statement per kind of resource.
 */
export function handlerStatements(resources: HandlerResources): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], resources: [resources.devices] }),
    new iam.PolicyStatement({ actions: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice'], resources: [resources.users] }),
    // It creates the seed secret, locks it with its resource policy before the value, writes the seed once and deletes
    // the secret with the device; never reads it (the secret's policy refuses it every other action once attached).
    new iam.PolicyStatement({
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutResourcePolicy', 'secretsmanager:PutSecretValue',
        'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'],
      resources: [resources.seedSecrets],
    }),
  ];
}
