import * as iam from 'aws-cdk-lib/aws-iam';

/** What the device handler may act on: ARNs, or ARN patterns of many. */
export interface HandlerResources {
  /** The virtual MFA devices: created and deleted. */
  readonly devices: string;
  /** Their users: devices enabled for and deactivated from. */
  readonly users: string;
  /** The seed secrets: written, never read. */
  readonly seedSecrets: string;
}

/**
 * The statements that let the device handler do what lib/handler/index.ts calls: one statement per kind of resource.
 */
export function handlerStatements(resources: HandlerResources): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], resources: [resources.devices] }),
    new iam.PolicyStatement({ actions: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice'], resources: [resources.users] }),
    new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [resources.seedSecrets] }),
  ];
}
