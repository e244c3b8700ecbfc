import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCheckedOrgExampleApp, createOrgExampleApp, ORG_EXAMPLE } from '../bin/org-app';
import { guardApp, guardFindings } from './support/guard';
import { CDK_SYNTH_CONTEXT } from './support/synth-context';

/** The templates of the organization example as `cdk synth` writes them, and the StackSet's TemplateBody. */
function synthOrgTemplates(context: Record<string, unknown> = {}): { identity: any; roles: any; stackSet: any; inner: any } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'org-example-'));
  try {
    const assembly = createOrgExampleApp({ outdir, context: { ...CDK_SYNTH_CONTEXT, ...context } }).synth();
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(assembly.directory, `${name}.template.json`), 'utf8'));
    const roles = read('MfaOrgRoles');
    const stackSet = Object.values(roles.Resources).find((r: any) => r.Type === 'AWS::CloudFormation::StackSet') as any;
    return { identity: read('MfaOrgIdentity'), roles, stackSet, inner: JSON.parse(stackSet.Properties.TemplateBody) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Asset hashes change with every build of the handler bundle. */
function scrubAssetHashes(template: any): any {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset hash>'));
}

describe('the organization example app', () => {
  let templates: ReturnType<typeof synthOrgTemplates>;
  beforeAll(() => {
    templates = synthOrgTemplates();
  });

  test('synthesizes the same templates as the committed snapshot: identity stack, StackSet stack and the StackSet\'s template', () => {
    expect(scrubAssetHashes({ MfaOrgIdentity: templates.identity, MfaOrgRoles: templates.roles, TemplateBody: templates.inner })).toMatchSnapshot();
  });

  test('deploys two MFA-only roles to the organizational units, trusting only the team\'s users of the identity account that it tagged for the role', () => {
    expect(templates.stackSet.Properties).toEqual(expect.objectContaining({
      StackSetName: 'mfa-platform-roles',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ORG_EXAMPLE.organizationalUnitIds }, Regions: ['us-east-1'] }],
    }));
    const roles = Object.values(templates.inner.Resources) as any[];
    expect(roles.map((r) => r.Properties.RoleName)).toEqual(['platform-readonly', 'platform-admin']);
    for (const [role, teamRoleName] of [[roles[0], 'readonly'], [roles[1], 'admin']]) {
      const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(statement.Condition.StringEquals).toEqual({
        'sts:RoleSessionName': '${aws:username}', [`aws:PrincipalTag/cdk-mfa-delegation:role:${teamRoleName}`]: 'Platform',
      });
      expect(statement.Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } });
      expect(statement.Condition.ArnLike).toEqual({
        'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:user/mfa-team/Platform/*']] },
      });
    }
  });

  test('grants the team\'s members the roles in the organization\'s accounts, and lists them in the team outputs', () => {
    const outputs = templates.identity.Outputs;
    expect(JSON.parse(outputs.PlatformMfaTeamAccountRoles1.Value)).toEqual({
      admin: { roleName: 'platform-admin', path: '/', organizationId: ORG_EXAMPLE.organizationId, maxSessionDuration: 3600 },
      readonly: { roleName: 'platform-readonly', path: '/', organizationId: ORG_EXAMPLE.organizationId, maxSessionDuration: 3600 },
    });
  });

  test('takes the identity account, the organization and the organizational units from the context', () => {
    const custom = synthOrgTemplates({ identityAccount: '555555555555', organizationId: 'o-0123456789', organizationalUnitIds: 'ou-ab12-00000000,r-ab12' });
    expect(custom.stackSet.Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual(['ou-ab12-00000000', 'r-ab12']);
    expect(custom.stackSet.Properties.TemplateBody).toContain(':iam::555555555555:root');
    expect(custom.identity.Outputs.PlatformMfaTeamAccountRoles1.Value).toContain('"organizationId":"o-0123456789"');
  });

  test('passes MfaGuard on both stacks and the StackSet\'s TemplateBody', () => {
    expect(guardFindings(createOrgExampleApp({ outdir: guardApp().outdir, builtinCloudFormationValidation: false }))).toEqual([]);
  });

  test('synthesizes with MfaGuard and cdk-nag\'s AWS Solutions checks, as `cdk synth` runs it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'org-example-checked-'));
    try {
      const assembly = createCheckedOrgExampleApp({ outdir }).synth();
      expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['MfaOrgIdentity', 'MfaOrgRoles']);
      // No violation; MfaGuard reports only the acknowledged ones (a member reads its own seed through the seed secret's policy).
      const reports = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')).pluginReports;
      expect(reports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
      expect(reports.map((r: any) => r.conclusion)).not.toContain('failure');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
