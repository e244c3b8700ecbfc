import * as fs from 'fs';
import * as path from 'path';
import { App, CfnCondition, CfnElement, CfnOutput, CfnParameter, CfnResource, CfnStackSet, Fn, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cfninc from 'aws-cdk-lib/cloudformation-include';
import { IConstruct } from 'constructs';
import { MfaDelegation, MfaRequiredRole, MfaRoleStackSet, MfaRoleStackSetTarget, MfaTeam, MfaUser, VirtualMfaDevice } from '../lib';
import { ACCOUNT, ConcreteInputs, ConcreteTemplate } from './support/concrete-template';
import { guardApp, guardFindings } from './support/guard';
import { ADMINISTRATOR, simulate, SimulationRequest, WITH_MFA } from './support/iam-simulation';

// The corpus of MfaGuard (#10): bypass attempts that must fail synthesis, each proven by the IAM evaluator
// (@cloud-copilot/iam-simulate, which we did not write) to open a path without MFA in the template that CloudFormation
// would receive; and safe apps that must pass, each proven safe by the evaluator. So the corpus cannot drift into cases
// that were safe, nor the guard into false alarms.

const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
/** An insider: an IAM user of the account whom no stack names, with broad rights of their own, and no MFA. */
const MALLORY = `arn:aws:iam::${ACCOUNT}:user/mallory`;
/** A principal of an account that has nothing to do with ours. */
const STRANGER = 'arn:aws:iam::999999999999:user/stranger';
/** A role that exists in the account outside the app and trusts the account without MFA (what identity policies reach). */
const LEGACY_ROLE = `arn:aws:iam::${ACCOUNT}:role/legacy-admin`;
const LEGACY_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }],
};
const NO_MFA = {};
/** The real AWS managed policy PowerUserAccess, as AWS publishes it (test/fixtures/aws-managed-policies). */
const POWER_USER_ACCESS = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', 'PowerUserAccess.json'), 'utf8'));
/** The real AWS managed policy ReadOnlyAccess, as AWS publishes it. */
const READ_ONLY_ACCESS = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', 'ReadOnlyAccess.json'), 'utf8'));
const MFA_FALSE = { 'aws:MultiFactorAuthPresent': 'false' };
const MFA_CONDITION = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** Read access to the synthesized templates of a corpus app, resolved to concrete values. */
class Assembly {
  constructor(private readonly app: App) {}

  public construct(constructPath: string): IConstruct {
    const found = this.app.node.findAll().find((c) => c.node.path === constructPath);
    if (!found) {
      throw new Error(`No construct at ${constructPath}`);
    }
    return found;
  }

  /** The template file of the stack (or nested stack) that holds the construct, as synthesized. */
  public rawTemplate(constructPath: string): any {
    const stack = Stack.of(this.construct(constructPath));
    return JSON.parse(fs.readFileSync(path.join(Stage.of(stack)!.outdir, stack.templateFile), 'utf-8'));
  }

  public logicalId(constructPath: string): string {
    const element = this.construct(constructPath) as CfnElement;
    return Stack.of(element).resolve(element.logicalId);
  }

  public template(constructPath: string, inputs?: ConcreteInputs): ConcreteTemplate {
    return new ConcreteTemplate(this.rawTemplate(constructPath), Stack.of(this.construct(constructPath)).stackName, inputs);
  }

  /** A resource's property, concrete; a JSON string is parsed. */
  public property(constructPath: string, name: string, inputs?: ConcreteInputs): any {
    const value = this.template(constructPath, inputs).resources[this.logicalId(constructPath)].Properties[name];
    return typeof value === 'string' ? JSON.parse(value) : value;
  }

  public arn(constructPath: string, inputs?: ConcreteInputs): string {
    return this.template(constructPath, inputs).getAtt(this.logicalId(constructPath), 'Arn');
  }
}

/** A bypass attempt: the app, what MfaGuard must report (rule, construct path), and the request that proves the path. */
interface BypassCase {
  readonly name: string;
  readonly build: (app: App) => void;
  readonly findings: Array<[rule: string, constructPath: string]>;
  /** A request that the evaluator allows, without MFA (or with the attacker's own MFA, for a whole-account trust). */
  readonly proof: (assembly: Assembly) => SimulationRequest;
}

/** An app that must pass, and requests that the evaluator must deny (without MFA) and allow (with MFA, where named). */
interface SafeCase {
  readonly name: string;
  readonly build: (app: App) => void;
  readonly denied: (assembly: Assembly) => SimulationRequest[];
  readonly allowed?: (assembly: Assembly) => SimulationRequest[];
}

function stackOf(app: App, id = 'Stack'): Stack {
  return new Stack(app, id);
}

/** An MfaRequiredRole that trusts the IAM user alice (defined in the stack). */
function aliceAndRole(stack: Stack): { alice: iam.User; role: MfaRequiredRole } {
  const alice = new iam.User(stack, 'Alice', { userName: 'alice' });
  const role = new MfaRequiredRole(stack, 'Role', { roleName: 'admin', trustedPrincipals: [alice] });
  return { alice, role };
}

/** The MfaUser bob, who may assume alice's role, in a new stack. */
function bobWithRole(app: App): { stack: Stack; user: MfaUser } {
  const { role } = aliceAndRole(stackOf(app));
  const stack = Stack.of(role);
  return { stack, user: new MfaUser(stack, 'Bob', { userName: 'bob', accessKey: false, roles: [role] }) };
}

/** alice (named by the trust) assumes the role at the path with the given context. */
function aliceAssumes(assembly: Assembly, rolePath: string, context: Record<string, string> = NO_MFA, inputs?: ConcreteInputs): SimulationRequest {
  return {
    principal: ALICE,
    action: 'sts:AssumeRole',
    resource: assembly.arn(rolePath, inputs),
    resourcePolicy: assembly.property(rolePath, 'AssumeRolePolicyDocument', inputs),
    identityPolicies: [],
    context: { 'sts:RoleSessionName': 'alice', 'aws:username': 'alice', ...context },
  };
}

/** mallory (an administrator of the account, not named anywhere) assumes the role at the path. */
function malloryAssumes(assembly: Assembly, rolePath: string, context: Record<string, string> = NO_MFA, inputs?: ConcreteInputs,
  principal = MALLORY): SimulationRequest {
  return {
    principal,
    action: 'sts:AssumeRole',
    resource: assembly.arn(rolePath, inputs),
    resourcePolicy: assembly.property(rolePath, 'AssumeRolePolicyDocument', inputs),
    identityPolicies: [ADMINISTRATOR],
    context,
  };
}

/** A user with the policies at the paths assumes the legacy role, which trusts the account without MFA. */
function assumesLegacy(principal: string, policies: any[]): SimulationRequest {
  return {
    principal,
    action: 'sts:AssumeRole',
    resource: LEGACY_ROLE,
    resourcePolicy: LEGACY_TRUST,
    identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
  };
}

/** A role trust document without any condition, for the principal. */
function trustWithoutMfa(principal: any): any {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: principal } }] };
}

/** alice, a user under /people/ of the identity account with broad rights, assumes the role of an MfaRoleStackSet's template. */
function stackSetAssume(a: Assembly, context: Record<string, string>): SimulationRequest {
  const inner = new ConcreteTemplate(a.property('Stack/Roles/Resource', 'TemplateBody'), 'Member');
  const role = inner.idOf('AWS::IAM::Role');
  return {
    principal: `arn:aws:iam::${ACCOUNT}:user/people/alice`,
    action: 'sts:AssumeRole',
    resource: inner.getAtt(role, 'Arn'),
    resourcePolicy: inner.resources[role].Properties.AssumeRolePolicyDocument,
    identityPolicies: [ADMINISTRATOR],
    context: { 'sts:RoleSessionName': 'alice', 'aws:username': 'alice', 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/people/alice`, ...context },
  };
}

const LEGACY_TEMPLATE = path.join(__dirname, 'fixtures', 'legacy-admin-role.template.json');

const BYPASSES: BypassCase[] = [
  {
    name: 'addPropertyDeletionOverride removes the MFA condition from an MfaRequiredRole\'s trust',
    build: (app) => {
      const { role } = aliceAndRole(stackOf(app));
      (role.node.defaultChild as iam.CfnRole).addPropertyDeletionOverride('AssumeRolePolicyDocument.Statement.0.Condition');
    },
    findings: [['TrustWithoutMfa', 'Stack/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Stack/Role/Resource'),
  },
  {
    name: 'addOverride replaces the MFA condition of an MfaRequiredRole with BoolIfExists',
    build: (app) => {
      const { role } = aliceAndRole(stackOf(app));
      const cfn = role.node.defaultChild as iam.CfnRole;
      // Overrides merge into the condition: each of its operators is deleted, then BoolIfExists is added.
      for (const operator of ['Bool', 'NumericLessThan', 'StringEquals']) {
        cfn.addDeletionOverride(`Properties.AssumeRolePolicyDocument.Statement.0.Condition.${operator}`);
      }
      cfn.addOverride('Properties.AssumeRolePolicyDocument.Statement.0.Condition.BoolIfExists', { 'aws:MultiFactorAuthPresent': 'true' });
    },
    findings: [['TrustWithoutMfa', 'Stack/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Stack/Role/Resource'),
  },
  {
    name: 'an L1 assignment replaces an MfaRequiredRole\'s trust policy',
    build: (app) => {
      const { alice, role } = aliceAndRole(stackOf(app));
      (role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = trustWithoutMfa(alice.userArn);
    },
    findings: [['TrustWithoutMfa', 'Stack/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Stack/Role/Resource'),
  },
  {
    name: 'addPropertyDeletionOverride removes the MFA condition from an MfaUser\'s assume statement',
    build: (app) => {
      const stack = stackOf(app);
      const alice = new MfaUser(stack, 'Alice', { userName: 'alice', accessKey: false, roles: [iam.Role.fromRoleArn(stack, 'Legacy', LEGACY_ROLE)] });
      (alice.policy.node.defaultChild as iam.CfnPolicy).addPropertyDeletionOverride('PolicyDocument.Statement.0.Condition');
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Alice/AssumeRolePolicy/Resource'], ['AssumeWithoutMfa', 'Stack/Alice/AssumeRolePolicy/Resource']],
    proof: (a) => assumesLegacy(ALICE, [a.property('Stack/Alice/AssumeRolePolicy/Resource', 'PolicyDocument')]),
  },
  {
    name: 'a role without MFA in a Stack of a Stage (as CDK Pipelines deploys them)',
    build: (app) => {
      const stack = new Stack(new Stage(app, 'Prod'), 'Stack');
      new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal(ALICE) });
    },
    findings: [['TrustWithoutMfa', 'Prod/Stack/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Prod/Stack/Role/Resource'),
  },
  {
    name: 'a role without MFA in a nested Stage',
    build: (app) => {
      const stack = new Stack(new Stage(new Stage(app, 'Pipeline'), 'Prod'), 'Stack');
      new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal(ALICE) });
    },
    findings: [['TrustWithoutMfa', 'Pipeline/Prod/Stack/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Pipeline/Prod/Stack/Role/Resource'),
  },
  {
    name: 'a role without MFA in a nested stack',
    build: (app) => {
      new iam.Role(new NestedStack(stackOf(app), 'Nested'), 'Role', { assumedBy: new iam.ArnPrincipal(ALICE) });
    },
    findings: [['TrustWithoutMfa', 'Stack/Nested/Role/Resource']],
    proof: (a) => aliceAssumes(a, 'Stack/Nested/Role/Resource'),
  },
  {
    name: 'cloudformation-include of a legacy template whose role trusts the account without MFA in one branch of a Fn::If',
    build: (app) => {
      new cfninc.CfnInclude(stackOf(app), 'Legacy', { templateFile: LEGACY_TEMPLATE });
    },
    findings: [['TrustsWholeAccount', 'Stack/Legacy/LegacyAdmin'], ['TrustWithoutMfa', 'Stack/Legacy/LegacyAdmin']],
    proof: (a) => malloryAssumes(a, 'Stack/Legacy/LegacyAdmin', NO_MFA, { conditions: { IsProduction: false } }),
  },
  {
    name: 'a trust policy given as a JSON string',
    build: (app) => {
      // CloudFormation takes a JSON string for a policy document; an override (or cloudformation-include) puts one there.
      new iam.CfnRole(stackOf(app), 'Role', { assumeRolePolicyDocument: {} }).addPropertyOverride('AssumeRolePolicyDocument', JSON.stringify(trustWithoutMfa(ALICE)));
    },
    findings: [['TrustWithoutMfa', 'Stack/Role']],
    proof: (a) => aliceAssumes(a, 'Stack/Role'),
  },
  {
    name: 'a trust policy built with Fn::Sub',
    build: (app) => {
      new iam.CfnRole(stackOf(app), 'Role', {
        assumeRolePolicyDocument: Fn.sub(JSON.stringify(trustWithoutMfa('arn:${AWS::Partition}:iam::${AWS::AccountId}:root'))),
      });
    },
    findings: [['TrustWithoutMfa', 'Stack/Role']],
    proof: (a) => malloryAssumes(a, 'Stack/Role'),
  },
  {
    name: 'a trust statement wrapped in Fn::If whose other branch has no MFA condition',
    build: (app) => {
      const stack = stackOf(app);
      new CfnCondition(stack, 'UseMfa', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'us-east-1') });
      const statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ALICE } };
      new iam.CfnRole(stack, 'Role', {
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [Fn.conditionIf('UseMfa', { ...statement, Condition: MFA_CONDITION }, statement)],
        },
      });
    },
    findings: [['TrustWithoutMfa', 'Stack/Role']],
    proof: (a) => aliceAssumes(a, 'Stack/Role', NO_MFA, { conditions: { UseMfa: false } }),
  },
  {
    name: 'an MFA condition whose value is a parameter, in a trust policy built with Fn::Sub (cannot be evaluated)',
    build: (app) => {
      const stack = stackOf(app);
      new CfnParameter(stack, 'MfaRequired', { default: 'true', allowedValues: ['true', 'false'] });
      const document = { Version: '2012-10-17', Statement: [{ ...trustWithoutMfa(ALICE).Statement[0], Condition: { Bool: { 'aws:MultiFactorAuthPresent': '${MfaRequired}' } } }] };
      new iam.CfnRole(stack, 'Role', { assumeRolePolicyDocument: Fn.sub(JSON.stringify(document)) });
    },
    findings: [['CannotEvaluate', 'Stack/Role']],
    proof: (a) => aliceAssumes(a, 'Stack/Role', MFA_FALSE, { parameters: { MfaRequired: 'false' } }),
  },
  {
    name: 'a trust policy imported from another stack\'s export (cannot be evaluated)',
    build: (app) => {
      new CfnOutput(stackOf(app, 'Exporter'), 'Trust', { value: JSON.stringify(trustWithoutMfa(ALICE)), exportName: 'legacy-trust' });
      new iam.CfnRole(stackOf(app), 'Role', { assumeRolePolicyDocument: Fn.importValue('legacy-trust') });
    },
    findings: [['CannotEvaluate', 'Stack/Role']],
    proof: (a) => aliceAssumes(a, 'Stack/Role', NO_MFA, { imports: { 'legacy-trust': JSON.stringify(trustWithoutMfa(ALICE)) } }),
  },
  {
    name: 'a managed policy of another stack, attached in its own stack only to a service role, attached to a user by reference',
    build: (app) => {
      const shared = stackOf(app, 'Shared');
      const service = new iam.Role(shared, 'Service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const policy = new iam.ManagedPolicy(shared, 'Assume', {
        roles: [service],
        statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] })],
      });
      new iam.User(stackOf(app), 'Bob', { userName: 'bob', managedPolicies: [policy] });
    },
    findings: [['AssumeWithoutMfa', 'Shared/Assume/Resource']],
    proof: (a) => assumesLegacy(`arn:aws:iam::${ACCOUNT}:user/bob`, [a.property('Shared/Assume/Resource', 'PolicyDocument')]),
  },
  {
    name: 'a managed policy of another stack, attached in its own stack only to a service role, attached to a user by name',
    build: (app) => {
      const shared = stackOf(app, 'Shared');
      const service = new iam.Role(shared, 'Service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      new iam.ManagedPolicy(shared, 'Assume', {
        managedPolicyName: 'assume-anything',
        roles: [service],
        statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] })],
      });
      const stack = stackOf(app);
      new iam.User(stack, 'Bob', { userName: 'bob', managedPolicies: [iam.ManagedPolicy.fromManagedPolicyName(stack, 'Named', 'assume-anything')] });
    },
    findings: [['AssumeWithoutMfa', 'Shared/Assume/Resource']],
    proof: (a) => assumesLegacy(`arn:aws:iam::${ACCOUNT}:user/bob`, [a.property('Shared/Assume/Resource', 'PolicyDocument')]),
  },
  {
    name: 'an MfaUser given AdministratorAccess (user.addManagedPolicy)',
    build: (app) => {
      const { user } = bobWithRole(app);
      user.user.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Bob/Resource/Resource']],
    proof: () => ({ principal: `arn:aws:iam::${ACCOUNT}:user/bob`, action: 'iam:CreateAccessKey', resource: ALICE, identityPolicies: [ADMINISTRATOR] }),
  },
  {
    name: 'statements added to an MfaUser\'s policy (mfaUser.policy.addStatements)',
    build: (app) => {
      const { user } = bobWithRole(app);
      user.policy.addStatements(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Bob/AssumeRolePolicy/Resource']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [{ name: 'bob', policy: a.property('Stack/Bob/AssumeRolePolicy/Resource', 'PolicyDocument') }],
    }),
  },
  {
    name: 'a bucket grant to an MfaUser (bucket.grantReadWrite)',
    build: (app) => {
      const { stack, user } = bobWithRole(app);
      new s3.Bucket(stack, 'Payroll', { bucketName: 'payroll' }).grantReadWrite(user.user);
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Bob/Resource/DefaultPolicy/Resource']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [{ name: 'bob', policy: a.property('Stack/Bob/Resource/DefaultPolicy/Resource', 'PolicyDocument') }],
    }),
  },
  {
    name: 'a bucket policy that grants an MfaUser read access (bucket.addToResourcePolicy)',
    build: (app) => {
      const { stack, user } = bobWithRole(app);
      const bucket = new s3.Bucket(stack, 'Payroll', { bucketName: 'payroll' });
      bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [user.user], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Payroll/Policy/Resource']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [],
      resourcePolicy: a.property('Stack/Payroll/Policy/Resource', 'PolicyDocument'),
    }),
  },
  {
    name: 'an MfaUser added to a group of administrators (user.addToGroup)',
    build: (app) => {
      const { stack, user } = bobWithRole(app);
      user.user.addToGroup(new iam.Group(stack, 'Admins', { managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] }));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Admins/Resource']],
    proof: () => ({ principal: `arn:aws:iam::${ACCOUNT}:user/bob`, action: 'iam:CreateAccessKey', resource: ALICE, identityPolicies: [ADMINISTRATOR] }),
  },
  {
    name: 'a statement added to an MfaTeam role\'s group, whose members live in nested stacks',
    build: (app) => {
      const team = new MfaTeam(stackOf(app), 'Team', {
        memberStacks: 2,
        roles: [{ name: 'reader' }],
        members: ['alice', 'bob'].map((userName) => ({ userName, roles: ['reader'], mfaSerial: 'GAHT12345678', accessKey: false })),
      });
      (team.node.findChild('Groups').node.findChild('reader') as iam.Group).addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Team/Groups/reader/DefaultPolicy/Resource'], ['AssumeOnlyUserWidened', 'Stack/Team/Groups/reader/DefaultPolicy/Resource']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/mfa-team/Team/alice`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [{ name: 'group', policy: a.property('Stack/Team/Groups/reader/DefaultPolicy/Resource', 'PolicyDocument') }],
    }),
  },
  {
    name: 'an existing user given to an MfaDelegation, widened by name in another stack',
    build: (app) => {
      const stack = stackOf(app);
      new MfaDelegation(stack, 'Bob', {
        user: iam.User.fromUserName(stack, 'Existing', 'bob'),
        mfaDevice: VirtualMfaDevice.fromSerialNumber(stack, 'Token', 'GAHT12345678'),
        roleName: 'bob-role',
        accessKey: false,
      });
      const other = stackOf(app, 'Other');
      iam.User.fromUserName(other, 'Bob', 'bob').addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] }));
    },
    findings: [['AssumeOnlyUserWidened', 'Other/Bob/Policy/Resource']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 'ec2:TerminateInstances',
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      identityPolicies: [{ name: 'bob', policy: a.property('Other/Bob/Policy/Resource', 'PolicyDocument') }],
    }),
  },
  {
    name: 'a policy attached to a user named by a parameter, which is an MfaUser at deployment (fails closed)',
    build: (app) => {
      const { stack } = bobWithRole(app);
      const who = new CfnParameter(stack, 'Who', { default: 'bob' });
      new iam.CfnPolicy(stack, 'Ops', {
        policyName: 'ops',
        users: [who.valueAsString],
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      });
    },
    findings: [['CannotEvaluate', 'Stack/Ops']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [{ name: 'ops', policy: a.property('Stack/Ops', 'PolicyDocument', { parameters: { Who: 'bob' } }) }],
    }),
  },
  {
    name: 'a group addition of a user imported from an export of no stack of the app, which is an MfaUser at deployment (fails closed)',
    build: (app) => {
      const { stack } = bobWithRole(app);
      const admins = new iam.Group(stack, 'Admins', { groupName: 'admins' });
      admins.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
      new iam.CfnUserToGroupAddition(stack, 'Add', { groupName: admins.groupName, users: [Fn.importValue('legacy-user-name')] });
    },
    findings: [['CannotEvaluate', 'Stack/Add']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:payroll-AbCdEf`,
      identityPolicies: [{ name: 'admins', policy: a.property('Stack/Admins/DefaultPolicy/Resource', 'PolicyDocument', { imports: { 'legacy-user-name': 'bob' } }) }],
    }),
  },
  {
    name: 'a secret\'s resource policy given as a JSON string that lets an MfaUser read the secret',
    build: (app) => {
      const { stack, user } = bobWithRole(app);
      new CfnResource(stack, 'PayrollPolicy', {
        type: 'AWS::SecretsManager::ResourcePolicy',
        properties: {
          SecretId: 'payroll',
          ResourcePolicy: Fn.sub(JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: '${BobArn}' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
          }), { BobArn: user.user.userArn }),
        },
      });
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/PayrollPolicy']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:payroll-AbCdEf`,
      identityPolicies: [],
      resourcePolicy: a.property('Stack/PayrollPolicy', 'ResourcePolicy'),
    }),
  },
  {
    name: 'a KMS key policy given as a JSON string (cloudformation-include style) that lets an MfaUser decrypt',
    build: (app) => {
      const { stack } = bobWithRole(app);
      new CfnResource(stack, 'Key', {
        type: 'AWS::KMS::Key',
        properties: {
          KeyPolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
              { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:Decrypt', Resource: '*' },
            ],
          }),
        },
      });
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Key']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      identityPolicies: [],
      resourcePolicy: a.property('Stack/Key', 'KeyPolicy'),
    }),
  },
  {
    name: 'a Lambda permission that lets an MfaUser invoke a function (lambda.CfnPermission)',
    build: (app) => {
      const { stack, user } = bobWithRole(app);
      new lambda.CfnPermission(stack, 'Invoke', { action: 'lambda:InvokeFunction', functionName: 'payroll', principal: user.user.userArn });
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Invoke']],
    proof: (a) => {
      const props = a.template('Stack/Invoke').resources[a.logicalId('Stack/Invoke')].Properties;
      const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${props.FunctionName}`;
      // The statement Lambda adds to the function's resource policy for the permission (AddPermission).
      const statement = { Effect: 'Allow', Principal: { AWS: props.Principal }, Action: props.Action, Resource: functionArn };
      return {
        principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
        action: 'lambda:InvokeFunction',
        resource: functionArn,
        identityPolicies: [],
        resourcePolicy: { Version: '2012-10-17', Statement: [statement] },
      };
    },
  },
  {
    name: 'a bucket policy whose principal is a parameter, which is an MfaUser\'s ARN at deployment (fails closed)',
    build: (app) => {
      const { stack } = bobWithRole(app);
      const reader = new CfnParameter(stack, 'Reader');
      new s3.CfnBucketPolicy(stack, 'PayrollPolicy', {
        bucket: 'payroll',
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: reader.valueAsString }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::payroll/*' }] },
      });
    },
    findings: [['CannotEvaluate', 'Stack/PayrollPolicy']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [],
      resourcePolicy: a.property('Stack/PayrollPolicy', 'PolicyDocument', { parameters: { Reader: `arn:aws:iam::${ACCOUNT}:user/bob` } }),
    }),
  },
  {
    name: 'a bucket policy for everyone (*) whose condition picks an MfaUser by aws:PrincipalArn',
    build: (app) => {
      const { stack } = bobWithRole(app);
      new s3.CfnBucketPolicy(stack, 'PayrollPolicy', {
        bucket: 'payroll',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::payroll/*',
            Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` } },
          }],
        },
      });
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/PayrollPolicy']],
    proof: (a) => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [],
      resourcePolicy: a.property('Stack/PayrollPolicy', 'PolicyDocument'),
      context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` },
    }),
  },
  {
    name: 'an MfaUser given the AWS managed policy ReadOnlyAccess: it reads the stack\'s events and every bucket',
    build: (app) => {
      const { user } = bobWithRole(app);
      user.user.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Bob/Resource/Resource']],
    proof: () => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::payroll/2026.csv',
      identityPolicies: [{ name: 'ReadOnlyAccess', policy: READ_ONLY_ACCESS }],
    }),
  },
  {
    name: 'an MfaTeam member added to a group with the AWS managed policy PowerUserAccess: it reads every secret without a policy of its own',
    build: (app) => {
      const stack = stackOf(app);
      new MfaTeam(stack, 'Team', { roles: [{ name: 'reader' }], members: [{ userName: 'alice', roles: ['reader'], mfaSerial: 'GAHT12345678', accessKey: false }] });
      const ops = new iam.Group(stack, 'Ops', { groupName: 'ops', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')] });
      new iam.CfnUserToGroupAddition(stack, 'AddAlice', { groupName: ops.groupName, users: ['alice'] });
    },
    findings: [['AssumeOnlyUserWidened', 'Stack/Ops/Resource']],
    proof: () => ({
      principal: `arn:aws:iam::${ACCOUNT}:user/mfa-team/Team/alice`,
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:payroll-AbCdEf`,
      identityPolicies: [{ name: 'PowerUserAccess', policy: POWER_USER_ACCESS }],
    }),
  },
  {
    name: 'a role that anyone may assume (AnyPrincipal)',
    build: (app) => {
      new iam.Role(stackOf(app), 'Role', { assumedBy: new iam.AnyPrincipal() });
    },
    findings: [['TrustWithoutMfa', 'Stack/Role/Resource']],
    proof: (a) => malloryAssumes(a, 'Stack/Role/Resource', NO_MFA, undefined, STRANGER),
  },
  {
    name: 'a StackSet whose TemplateBody defines a role without MFA',
    build: (app) => {
      const body = { Resources: { Admin: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'admin', AssumeRolePolicyDocument: trustWithoutMfa(`arn:aws:iam::${ACCOUNT}:root`) } } } };
      new CfnStackSet(stackOf(app), 'Roles', { stackSetName: 'roles', permissionModel: 'SELF_MANAGED', templateBody: JSON.stringify(body) });
    },
    findings: [['TrustWithoutMfa', 'Stack/Roles']],
    proof: (a) => {
      const inner = new ConcreteTemplate(a.property('Stack/Roles', 'TemplateBody'), 'Member');
      return {
        principal: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        action: 'sts:AssumeRole',
        resource: inner.getAtt('Admin', 'Arn'),
        resourcePolicy: inner.resources.Admin.Properties.AssumeRolePolicyDocument,
        identityPolicies: [ADMINISTRATOR],
      };
    },
  },
  {
    name: 'an access key\'s secret passed to a resource property (#16.1): a PowerUser reads it in the stack\'s events',
    build: (app) => {
      const stack = stackOf(app);
      const key = new iam.CfnAccessKey(stack, 'Key', { userName: 'ci' });
      new CfnResource(stack, 'Config', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: key.attrSecretAccessKey } });
    },
    findings: [['SecretInTemplate', 'Stack/Config']],
    proof: (a) => {
      // The property CloudFormation resolves, and records in the stack's events, is the secret itself.
      expect(a.template('Stack/Config').resources[a.logicalId('Stack/Config')].Properties.Value).toBe('<the secret access key, known to CloudFormation only>');
      return {
        principal: MALLORY,
        action: 'cloudformation:DescribeStackEvents',
        resource: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/Stack/11111111-2222-3333-4444-555555555555`,
        identityPolicies: [{ name: 'PowerUserAccess', policy: POWER_USER_ACCESS }],
      };
    },
  },
  {
    name: 'a role that trusts its whole account with MFA (#17.2): an insider assumes it with their own device',
    build: (app) => {
      new iam.Role(stackOf(app), 'Role', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA_CONDITION) });
    },
    findings: [['TrustsWholeAccount', 'Stack/Role/Resource']],
    proof: (a) => malloryAssumes(a, 'Stack/Role/Resource', WITH_MFA),
  },
  {
    name: 'a role that trusts every AWS principal with MFA (#17.2): a stranger assumes it with their own device',
    build: (app) => {
      new iam.Role(stackOf(app), 'Role', { assumedBy: new iam.AnyPrincipal().withConditions(MFA_CONDITION) });
    },
    findings: [['TrustsWholeAccount', 'Stack/Role/Resource']],
    proof: (a) => malloryAssumes(a, 'Stack/Role/Resource', WITH_MFA, undefined, STRANGER),
  },
];

const SAFE: SafeCase[] = [
  {
    name: 'an MfaRequiredRole that trusts an MfaUser, as the README shows',
    build: (app) => {
      const stack = stackOf(app);
      const alice = new MfaUser(stack, 'Alice', { userName: 'alice', accessKey: false });
      alice.allowAssume(new MfaRequiredRole(stack, 'Role', { roleName: 'admin', trustedPrincipals: [alice.user] }));
    },
    denied: (a) => [aliceAssumes(a, 'Stack/Role/Resource'), aliceAssumes(a, 'Stack/Role/Resource', MFA_FALSE), malloryAssumes(a, 'Stack/Role/Resource', WITH_MFA)],
    allowed: (a) => [aliceAssumes(a, 'Stack/Role/Resource', { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' })],
  },
  {
    name: 'a trust policy given as a JSON string with the MFA condition',
    build: (app) => {
      new iam.CfnRole(stackOf(app), 'Role', { assumeRolePolicyDocument: {} }).addPropertyOverride('AssumeRolePolicyDocument',
        JSON.stringify({ Version: '2012-10-17', Statement: [{ ...trustWithoutMfa(ALICE).Statement[0], Condition: MFA_CONDITION }] }));
    },
    denied: (a) => [aliceAssumes(a, 'Stack/Role'), aliceAssumes(a, 'Stack/Role', MFA_FALSE)],
    allowed: (a) => [aliceAssumes(a, 'Stack/Role', WITH_MFA)],
  },
  {
    name: 'a trust statement in Fn::If with the MFA condition in both branches',
    build: (app) => {
      const stack = stackOf(app);
      new CfnCondition(stack, 'Strict', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'us-east-1') });
      const statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ALICE } };
      new iam.CfnRole(stack, 'Role', {
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [Fn.conditionIf('Strict',
            { ...statement, Condition: { ...MFA_CONDITION, NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } } },
            { ...statement, Condition: MFA_CONDITION })],
        },
      });
    },
    denied: (a) => [true, false].map((Strict) => aliceAssumes(a, 'Stack/Role', NO_MFA, { conditions: { Strict } })),
    allowed: (a) => [true, false].map((Strict) => aliceAssumes(a, 'Stack/Role', { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' }, { conditions: { Strict } })),
  },
  {
    name: 'AWS\'s "force MFA" pattern: a trust that denies sts:AssumeRole with BoolIfExists aws:MultiFactorAuthPresent "false"',
    build: (app) => {
      new iam.CfnRole(stackOf(app), 'Role', {
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            trustWithoutMfa(ALICE).Statement[0],
            { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: '*' }, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
          ],
        },
      });
    },
    denied: (a) => [aliceAssumes(a, 'Stack/Role'), aliceAssumes(a, 'Stack/Role', MFA_FALSE)],
    allowed: (a) => [aliceAssumes(a, 'Stack/Role', WITH_MFA)],
  },
  {
    name: 'a trust whose only MFA condition is NumericLessThan aws:MultiFactorAuthAge (the key is absent without MFA)',
    build: (app) => {
      new iam.CfnRole(stackOf(app), 'Role', {
        assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ ...trustWithoutMfa(ALICE).Statement[0], Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }] },
      });
    },
    denied: (a) => [aliceAssumes(a, 'Stack/Role'), aliceAssumes(a, 'Stack/Role', MFA_FALSE)],
    allowed: (a) => [aliceAssumes(a, 'Stack/Role', { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' })],
  },
  {
    name: 'an MfaRequiredRole whose Bool is overridden to BoolIfExists but keeps its MFA age bound (absent without MFA)',
    build: (app) => {
      const { role } = aliceAndRole(stackOf(app));
      const cfn = role.node.defaultChild as iam.CfnRole;
      cfn.addOverride('Properties.AssumeRolePolicyDocument.Statement.0.Condition.BoolIfExists', { 'aws:MultiFactorAuthPresent': 'true' });
      cfn.addDeletionOverride('Properties.AssumeRolePolicyDocument.Statement.0.Condition.Bool');
    },
    denied: (a) => [aliceAssumes(a, 'Stack/Role/Resource'), aliceAssumes(a, 'Stack/Role/Resource', MFA_FALSE)],
    allowed: (a) => [aliceAssumes(a, 'Stack/Role/Resource', { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' })],
  },
  {
    name: 'a Lambda service role that may assume any role, and a web identity role',
    build: (app) => {
      const stack = stackOf(app);
      const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};') });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
      new iam.Role(stack, 'Oidc', { roleName: 'oidc', assumedBy: new iam.WebIdentityPrincipal('cognito-identity.amazonaws.com') });
    },
    denied: (a) => [malloryAssumes(a, 'Stack/Fn/ServiceRole/Resource'), malloryAssumes(a, 'Stack/Oidc/Resource'),
      malloryAssumes(a, 'Stack/Fn/ServiceRole/Resource', WITH_MFA)],
  },
  {
    name: 'roles in a Stage, a nested Stage and a nested stack, each an MfaRequiredRole for alice',
    build: (app) => {
      const prod = new Stage(app, 'Prod');
      for (const stack of [new Stack(prod, 'Stack'), new Stack(new Stage(prod, 'Inner'), 'Stack')]) {
        new MfaRequiredRole(new NestedStack(stack, 'Nested'), 'Role', { trustedPrincipals: [new iam.ArnPrincipal(ALICE)] });
      }
    },
    denied: (a) => ['Prod/Stack/Nested/Role/Resource', 'Prod/Inner/Stack/Nested/Role/Resource'].map((p) => aliceAssumes(a, p)),
    allowed: (a) => ['Prod/Stack/Nested/Role/Resource', 'Prod/Inner/Stack/Nested/Role/Resource']
      .map((p) => aliceAssumes(a, p, { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' })),
  },
  {
    name: 'a user of one stack with a managed policy of another that requires MFA',
    build: (app) => {
      const policy = new iam.ManagedPolicy(stackOf(app, 'Shared'), 'Assume', {
        statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'], conditions: MFA_CONDITION })],
      });
      new iam.User(stackOf(app), 'Bob', { userName: 'bob', managedPolicies: [policy] });
    },
    denied: (a) => [assumesLegacy(`arn:aws:iam::${ACCOUNT}:user/bob`, [a.property('Shared/Assume/Resource', 'PolicyDocument')])],
  },
  {
    name: 'an MfaRoleStackSet whose roles trust the identity account\'s users under a path',
    build: (app) => {
      new MfaRoleStackSet(stackOf(app), 'Roles', {
        identityAccount: ACCOUNT,
        principalPath: '/people/',
        roles: [{ roleName: 'reader' }],
        target: MfaRoleStackSetTarget.fromAccounts({ accounts: ['222222222222'] }),
      });
    },
    denied: (a) => [stackSetAssume(a, NO_MFA), stackSetAssume(a, MFA_FALSE)],
    allowed: (a) => [stackSetAssume(a, { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' })],
  },
];

/** The evaluator's answer, named by the request (so that a failure says which request): Allowed, or either kind of denial. */
async function expectResult(request: SimulationRequest, result: 'Allowed' | 'Denied'): Promise<void> {
  const answer = await simulate(request);
  expect([request.principal, request.action, request.resource, answer === 'Allowed' ? 'Allowed' : answer.endsWith('Denied') ? 'Denied' : answer])
    .toEqual([request.principal, request.action, request.resource, result]);
}

/** The verdict of each case that passed, by test name: what the guard said, what the evaluator said. */
const verdicts = new Map<string, string>();

describe('MfaGuard corpus', () => {
  describe('bypass attempts fail synthesis, and the evaluator shows each opens a path', () => {
    test.each(BYPASSES)('fails on $name', async (c) => {
      // GIVEN
      const app = guardApp();
      c.build(app);
      // WHEN
      const findings = guardFindings(app);
      // THEN
      expect(findings.map(([rule, constructPath]) => [rule, constructPath])).toEqual(c.findings);
      const proof = c.proof(new Assembly(app));
      await expectResult(proof, 'Allowed');
      verdicts.set(`fails on ${c.name}`, `fails: ${c.findings.map(([rule, at]) => `${rule} at ${at}`).join('; ')} | `
        + `allows ${proof.principal.split(':').pop()} ${proof.action}`);
    });
  });

  describe('safe apps pass, and the evaluator confirms each is safe', () => {
    test.each(SAFE)('$name', async (c) => {
      // GIVEN
      const app = guardApp();
      c.build(app);
      // WHEN
      const findings = guardFindings(app);
      // THEN
      expect(findings).toEqual([]);
      const assembly = new Assembly(app);
      const denied = c.denied(assembly);
      expect(denied.length).toBeGreaterThan(0);
      for (const request of denied) {
        await expectResult(request, 'Denied');
      }
      const allowed = c.allowed?.(assembly) ?? [];
      for (const request of allowed) {
        await expectResult(request, 'Allowed');
      }
      verdicts.set(c.name, `passes | denies ${denied.length} request${denied.length === 1 ? '' : 's'}`
        + (allowed.length > 0 ? `, allows ${allowed.length} with MFA` : ''));
    });
  });

  test('DESIGN.md lists every case with its verdict (UPDATE_CORPUS=1 npx jest test/mfa-guard-corpus.test.ts writes the list)', () => {
    const names = [...BYPASSES.map((c) => `fails on ${c.name}`), ...SAFE.map((c) => c.name)];
    // The list is written from a whole run only: every case must have passed above.
    expect(names.filter((n) => !verdicts.has(n))).toEqual([]);
    const rows = ['| case | guard | evaluator |', '| --- | --- | --- |', ...names.map((n) => `| ${n.replace(/\|/g, '\\|')} | ${verdicts.get(n)} |`)];
    const file = path.join(__dirname, '..', 'DESIGN.md');
    const design = fs.readFileSync(file, 'utf8');
    const [start, end] = [design.indexOf('<!-- guard-corpus -->'), design.indexOf('<!-- /guard-corpus -->')];
    expect([start > 0, end > start]).toEqual([true, true]);
    const block = ['<!-- guard-corpus -->', ...rows, ''].join('\n');
    if (process.env.UPDATE_CORPUS === '1') {
      fs.writeFileSync(file, design.slice(0, start) + block + design.slice(end));
    } else {
      expect(design.slice(start, end)).toEqual(block);
    }
  });
});
