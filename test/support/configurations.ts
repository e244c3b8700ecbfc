import { App, AppProps, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createExampleApp } from '../../bin/app';
import { MfaDelegation, MfaRequiredRole, MfaTeam, MfaUser, VirtualMfaDevice } from '../../lib';

/**
 * The configurations that the security proofs (IAM simulation, cdk-nag, secret hygiene, CloudFormation schemas) run on:
 * the example app and one stack per way of trusting and delegating. Every stack is environment-agnostic, as users
 * write them; the proofs substitute account 111111111111, region us-east-1, partition aws.
 */
export interface Configuration {
  /** What the configuration shows, as a sentence fragment. */
  readonly name: string;
  /** The id of its one stack. */
  readonly stackName: string;
  /** Define the app (into `props.outdir`, if given). */
  readonly createApp: (props?: AppProps) => App;
}

/** The account of the other side in cross-account configurations. */
export const OTHER_ACCOUNT = '222222222222';

function singleStack(stackName: string, build: (stack: Stack) => void): (props?: AppProps) => App {
  return (props) => {
    const app = new App(props);
    build(new Stack(app, stackName));
    return app;
  };
}

export const EXAMPLE_APP: Configuration = {
  name: 'the example app (the role trusts its user)',
  stackName: 'MfaDelegationExample',
  createApp: (props) => createExampleApp(props),
};

export const TRUSTS_ACCOUNT: Configuration = {
  name: 'a delegation whose role trusts its whole account',
  stackName: 'TrustsAccount',
  createApp: singleStack('TrustsAccount', (stack) => {
    const team = new MfaDelegation(stack, 'Team', {
      roleName: 'team-role',
      userName: 'team-user',
      trustedAccount: '111111111111',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    Validations.of(team.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason: 'An app-level choice, as in the example app: read-only access that AWS keeps current, behind MFA.',
    });
  }),
};

export const TRUSTS_OTHER_ACCOUNT: Configuration = {
  name: 'a role that trusts another account',
  stackName: 'TrustsOtherAccount',
  createApp: singleStack('TrustsOtherAccount', (stack) => new MfaRequiredRole(stack, 'CrossAccount', {
    roleName: 'cross-account-role',
    trustAccount: true,
    trustedAccount: OTHER_ACCOUNT,
  })),
};

export const TRUSTS_PRINCIPALS: Configuration = {
  name: 'a role that trusts given principals: a user of the stack and a role of another account',
  stackName: 'TrustsPrincipals',
  createApp: singleStack('TrustsPrincipals', (stack) => {
    const alice = new MfaUser(stack, 'Alice', { userName: 'alice' });
    const role = new MfaRequiredRole(stack, 'Ops', {
      roleName: 'ops-role',
      trustedPrincipals: [alice.user, new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/ci`)],
    });
    alice.allowAssume(role);
  }),
};

export const MAX_MFA_AGE: Configuration = {
  name: 'a delegation with maxMfaAge of 15 minutes',
  stackName: 'MaxMfaAge',
  createApp: singleStack('MaxMfaAge', (stack) => new MfaDelegation(stack, 'Aged', {
    roleName: 'aged-role',
    userName: 'aged-user',
    maxMfaAge: Duration.minutes(15),
  })),
};

export const EXISTING_USER: Configuration = {
  name: 'a delegation to an existing user',
  stackName: 'ExistingUser',
  createApp: singleStack('ExistingUser', (stack) => new MfaDelegation(stack, 'Existing', {
    roleName: 'existing-role',
    user: iam.User.fromUserName(stack, 'Bob', 'existing-user'),
  })),
};

export const EXISTING_DEVICE: Configuration = {
  name: 'a delegation with an existing hardware MFA device',
  stackName: 'ExistingDevice',
  createApp: singleStack('ExistingDevice', (stack) => new MfaDelegation(stack, 'Hardware', {
    roleName: 'hardware-role',
    userName: 'hardware-user',
    mfaDevice: VirtualMfaDevice.fromSerialNumber(stack, 'Token', 'GAHT12345678'),
  })),
};

export const CONSOLE_ACCESS: Configuration = {
  name: 'a delegation with console access',
  stackName: 'ConsoleAccess',
  createApp: singleStack('ConsoleAccess', (stack) => new MfaDelegation(stack, 'Console', {
    roleName: 'console-role',
    userName: 'console-user',
    consoleAccess: true,
  })),
};

export const GENERATED_NAMES: Configuration = {
  name: 'a delegation with generated names, no access key, a device enabled later and a named reader of its seed',
  stackName: 'GeneratedNames',
  createApp: singleStack('GeneratedNames', (stack) => new MfaDelegation(stack, 'Minimal', {
    accessKey: false,
    enableMfaDevice: false,
    secretReaders: [iam.Role.fromRoleName(stack, 'SecurityTeam', 'security-team')],
  })),
};

export const ENCRYPTED_SEED: Configuration = {
  name: 'a virtual MFA device with a path and a customer managed key for its seed',
  stackName: 'EncryptedSeed',
  createApp: singleStack('EncryptedSeed', (stack) => {
    const user = new iam.User(stack, 'Carol', { userName: 'carol', path: '/team/' });
    new VirtualMfaDevice(stack, 'Device', {
      user,
      path: '/team/',
      encryptionKey: new kms.Key(stack, 'SeedKey', { enableKeyRotation: true, description: 'Encrypts MFA seeds' }),
    });
  }),
};

export const TEAM: Configuration = {
  name: 'a team: two roles (one with maxMfaAge), a member with a virtual device and one with a hardware device',
  stackName: 'Team',
  createApp: singleStack('Team', (stack) => new MfaTeam(stack, 'Dev', {
    roles: [{ name: 'reader' }, { name: 'operator', maxMfaAge: Duration.hours(1) }],
    members: [
      { userName: 'alice', roles: ['reader', 'operator'] },
      { userName: 'bob', roles: ['reader'], mfaSerial: 'GAHT12345678' },
    ],
  })),
};

/** Every configuration, the example app first. */
export const CONFIGURATIONS: Configuration[] = [
  EXAMPLE_APP, TRUSTS_ACCOUNT, TRUSTS_OTHER_ACCOUNT, TRUSTS_PRINCIPALS, MAX_MFA_AGE,
  EXISTING_USER, EXISTING_DEVICE, CONSOLE_ACCESS, GENERATED_NAMES, ENCRYPTED_SEED, TEAM,
];

/** Synthesize a configuration and return its stack's template. */
export function synthTemplate(config: Configuration, props?: AppProps): any {
  return config.createApp(props).synth().getStackByName(config.stackName).template;
}
