import { App, AppProps, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MfaRoleStackSet, MfaRoleStackSetTarget, MfaTeam, MfaTeamAccountRole } from '../lib';

/**
 * The organization of the example: where the people live, and where the roles go. Override any of them with
 * `cdk synth -c identityAccount=... -c organizationId=... -c organizationalUnitIds=ou-...,ou-...`.
 */
export const ORG_EXAMPLE = {
  identityAccount: '111111111111',
  organizationId: 'o-a1b2c3d4e5',
  organizationalUnitIds: ['ou-a1b2-c3d4e5f6'],
  teamName: 'Platform',
};

/** The MFA-only roles of every workload account: read-only for everyone, admin for a few with a fresh MFA code. */
const ROLES = [
  { roleName: 'platform-readonly', teamRoleName: 'readonly', managedPolicy: 'ReadOnlyAccess', maxMfaAge: Duration.hours(1) },
  { roleName: 'platform-admin', teamRoleName: 'admin', managedPolicy: 'AdministratorAccess', maxMfaAge: Duration.minutes(15) },
];

/** Props of the roles' stack. */
export interface MfaOrgRolesStackProps extends StackProps {
  readonly identityAccount: string;
  readonly organizationalUnitIds: string[];
  /** The teamName of the MfaTeam whose members may assume the roles. */
  readonly trustedTeam: string;
}

/**
 * The member accounts' side, deployed in the organization's management account (or a delegated administrator): one
 * StackSet that puts the MFA-only roles into every account of the organizational units, now and as accounts join.
 */
export class MfaOrgRolesStack extends Stack {
  public readonly roles: MfaRoleStackSet;

  constructor(scope: Construct, id: string, props: MfaOrgRolesStackProps) {
    super(scope, id, props);
    this.roles = new MfaRoleStackSet(this, 'Roles', {
      identityAccount: props.identityAccount,
      trustedTeam: props.trustedTeam,
      stackSetName: 'mfa-platform-roles',
      roles: ROLES.map((r) => ({
        roleName: r.roleName,
        teamRoleName: r.teamRoleName,
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(r.managedPolicy)],
        maxMfaAge: r.maxMfaAge,
      })),
      target: MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: props.organizationalUnitIds }),
    });
    for (const r of ROLES) {
      Validations.of(this.roles.role(r.roleName)).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${r.managedPolicy}]`,
        reason: `${r.roleName} gets ${r.managedPolicy}, which AWS keeps current; only the members of the platform team whom the `
          + 'identity account grants it may assume it, with MFA.',
      });
    }
  }
}

/** Props of the identity account's stack. */
export interface MfaOrgIdentityStackProps extends StackProps {
  readonly teamName: string;
  /** The roles of the StackSet, as the team lists them. */
  readonly accountRoles: MfaTeamAccountRole[];
}

/**
 * The identity account's side: the people (IAM users with virtual MFA devices), each granted some of the roles in
 * every account of the organization.
 */
export class MfaOrgIdentityStack extends Stack {
  public readonly team: MfaTeam;

  constructor(scope: Construct, id: string, props: MfaOrgIdentityStackProps) {
    super(scope, id, props);
    this.team = new MfaTeam(this, 'Platform', {
      teamName: props.teamName,
      roles: [],
      accountRoles: props.accountRoles,
      members: [
        { userName: 'alice', roles: ['readonly', 'admin'] },
        { userName: 'bob', roles: ['readonly'] },
      ],
    });
  }
}

/**
 * The organization example: `MfaOrgIdentity` (deploy in the identity account) and `MfaOrgRoles` (deploy in the
 * management account). Environment-agnostic, so `cdk synth` needs no AWS account.
 */
export function createOrgExampleApp(props?: AppProps): App {
  const app = new App(props);
  const context = (key: keyof typeof ORG_EXAMPLE): string | undefined => app.node.tryGetContext(key);
  const identityAccount = context('identityAccount') ?? ORG_EXAMPLE.identityAccount;
  const organizationId = context('organizationId') ?? ORG_EXAMPLE.organizationId;
  const organizationalUnitIds = context('organizationalUnitIds')?.split(',') ?? ORG_EXAMPLE.organizationalUnitIds;
  const teamName = ORG_EXAMPLE.teamName;

  const roles = new MfaOrgRolesStack(app, 'MfaOrgRoles', {
    description: 'cdk-mfa-delegation organization example: MFA-only roles in every account of the organizational units',
    identityAccount,
    organizationalUnitIds,
    trustedTeam: teamName,
  });
  new MfaOrgIdentityStack(app, 'MfaOrgIdentity', {
    description: 'cdk-mfa-delegation organization example: the platform team\'s users, who may assume the roles with MFA',
    teamName,
    accountRoles: ROLES.map((r) => roles.roles.teamAccountRole(r.roleName, { organizationId })),
  });
  return app;
}
