import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaRoleStackSet, MfaRoleStackSetTarget, MfaTeam } from '../lib';

/** The accounts of the benchmark organization: 200000000000, 200000000001, ... */
export function benchAccounts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(200_000_000_000 + i));
}

/**
 * A benchmark organization: `MfaOrgBenchRoles`, one MfaRoleStackSet of `roles` roles (ReadOnlyAccess each) to
 * `accounts` listed accounts (self-managed, so that every account is in the templates), and `MfaOrgBenchIdentity`, an
 * MfaTeam of `members` members granted every role in every account (one group per role, each listing the accounts);
 * no identity stack for 0 members.
 */
export function createOrgBenchApp(roles: number, accounts: number, members: number, props?: AppProps): App {
  const app = new App(props);
  const identityAccount = '111111111111';
  const rolesStack = new Stack(app, 'MfaOrgBenchRoles');
  const stackSet = new MfaRoleStackSet(rolesStack, 'Roles', {
    identityAccount,
    principalPath: '/mfa-team/Bench/',
    roles: Array.from({ length: roles }, (_, i) => ({
      roleName: `bench-role-${i + 1}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    })),
    target: MfaRoleStackSetTarget.fromAccounts({ accounts: benchAccounts(accounts) }),
  });
  if (members === 0) {
    return app;
  }
  const roleNames = Array.from({ length: roles }, (_, i) => `bench-role-${i + 1}`);
  new MfaTeam(new Stack(app, 'MfaOrgBenchIdentity'), 'Team', {
    teamName: 'Bench',
    roles: [],
    accountRoles: roleNames.map((roleName) => ({ name: roleName, ...stackSet.accountRole(roleName) })),
    members: Array.from({ length: members }, (_, i) => ({ userName: `member${String(i + 1).padStart(4, '0')}`, roles: roleNames })),
  });
  return app;
}

// `node -r ts-node/register/transpile-only bench/org-app.ts ROLES ACCOUNTS MEMBERS`: one synth, as `cdk synth` runs an app.
if (require.main === module) {
  createOrgBenchApp(Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])).synth();
}
