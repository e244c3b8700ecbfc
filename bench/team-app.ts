import { Annotations, App, AppProps, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaTeam } from '../lib';

/**
 * A benchmark team: `roles` roles with ReadOnlyAccess, `members` members; member i may assume roles 1 to 1 + (i mod
 * roles), so members have 1 to `roles` roles (5.5 on average with 10 roles). Members get a virtual MFA device and,
 * unless `accessKeys` is false, an access key. The nested stacks are the MfaTeam default.
 */
export function createTeamApp(members: number, roles: number, accessKeys: boolean, props?: AppProps): App {
  const app = new App(props);
  const stack = new Stack(app, 'MfaTeamBench');
  const roleSpecs = Array.from({ length: roles }, (_, i) => ({
    name: `role${i + 1}`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  }));
  const team = new MfaTeam(stack, 'Team', {
    roles: roleSpecs,
    members: Array.from({ length: members }, (_, i) => ({
      userName: `member${String(i + 1).padStart(4, '0')}`,
      roles: roleSpecs.slice(0, 1 + (i % roles)).map((r) => r.name),
      accessKey: accessKeys,
    })),
  });
  // Expected here: the default layout, and a team too large to create in one deploy.
  for (const id of ['cdk-mfa-delegation:MfaTeam.memberStacks', 'cdk-mfa-delegation:MfaTeam.resourcesPerOperation']) {
    Annotations.of(team).acknowledgeWarning(id, 'benchmark');
  }
  return app;
}

// `node -r ts-node/register/transpile-only bench/team-app.ts MEMBERS ROLES [no-access-keys]`: one synth, as `cdk synth` runs an app.
if (require.main === module) {
  createTeamApp(Number(process.argv[2]), Number(process.argv[3]), process.argv[4] !== 'no-access-keys').synth();
}
