import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { VirtualMfaDevice } from '../lib';
import { ACCOUNT, ConcreteTemplate, stackIdOf } from './support/concrete-template';
import { collectIdentityPolicies, simulate } from './support/iam-simulation';
import { claimProblems } from './support/readme-claims';
import { STACK_ID_TAG } from '../lib/handler/names';

// #16.2-4: the role of the stack's device handler, proven by the independent IAM evaluator on the synthesized
// policies. Callers: the handler function itself, another function that runs with the same role (whoever may create or
// change a function, e.g. with AWSLambda_FullAccess or PowerUserAccess, can do that), and the role used outside Lambda.
// Resources: this stack's users, devices, secrets and stack (tagged by the stack or the handler), another stack's, and
// untagged ones. Every allowed request needs both the calling function and this stack's tag; reading or minting a
// factor is denied to everyone.

const STACK = 'HandlerGrants';
const OTHER_STACK = stackIdOf('SomeoneElsesStack');
const ATTACKER_FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:attackers-function`;

const app = new App();
const stack = new Stack(app, STACK, { env: { account: ACCOUNT, region: 'us-east-1' } });
new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }) });
const template = new ConcreteTemplate(Template.fromStack(stack).toJSON(), STACK);
const OWN_STACK = stackIdOf(STACK);
const functionId = template.idOf('AWS::Lambda::Function');
const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${template.ref(functionId)}`;
const roleArn: string = template.resources[functionId].Properties.Role;
const roleName = roleArn.split('/').pop()!;
const policies = collectIdentityPolicies(template, 'Roles', roleName);

const CALLERS = {
  'the handler': { 'lambda:SourceFunctionArn': functionArn },
  'another function with the role': { 'lambda:SourceFunctionArn': ATTACKER_FUNCTION },
  'the role outside Lambda': {},
} as const;

type Row = [action: string, resource: string, context: Record<string, string>, handler: string, others: string];
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const device = (name: string) => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;
const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const tag = (kind: 'ResourceTag' | 'RequestTag', stackId: string) => ({
  [`aws:${kind}/${STACK_ID_TAG}`]: stackId, ...(kind === 'RequestTag' ? { 'aws:TagKeys': STACK_ID_TAG } : {}),
});

// action, resource, tags, result for the handler, result for the other two callers
const MATRIX: Row[] = [
  ['iam:EnableMFADevice', user('alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:EnableMFADevice', user('bob'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:EnableMFADevice', user('carol'), {}, 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:DeactivateMFADevice', user('alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:DeactivateMFADevice', user('bob'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:ListAccessKeys', user('alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:DeleteAccessKey', user('alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:DeleteAccessKey', user('bob'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:CreateAccessKey', user('alice'), tag('ResourceTag', OWN_STACK), 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['iam:UpdateAccessKey', user('alice'), tag('ResourceTag', OWN_STACK), 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['iam:CreateLoginProfile', user('alice'), tag('ResourceTag', OWN_STACK), 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['iam:UpdateLoginProfile', user('alice'), tag('ResourceTag', OWN_STACK), 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['iam:CreateVirtualMFADevice', device('alice'), tag('RequestTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:CreateVirtualMFADevice', device('extra'), tag('RequestTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:CreateVirtualMFADevice', device('extra'), {}, 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:DeleteVirtualMFADevice', device('alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['iam:DeleteVirtualMFADevice', device('bob'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['iam:DeleteVirtualMFADevice', device('carol'), {}, 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['secretsmanager:GetSecretValue', secret('mfa-seed/alice'), tag('ResourceTag', OWN_STACK), 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['secretsmanager:GetSecretValue', secret('anything'), {}, 'ExplicitlyDenied', 'ExplicitlyDenied'],
  ['secretsmanager:CreateSecret', secret('mfa-seed/alice'), tag('RequestTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['secretsmanager:CreateSecret', secret('mfa-seed/alice'), tag('RequestTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['secretsmanager:PutSecretValue', secret('mfa-seed/alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['secretsmanager:PutSecretValue', secret('someone-elses'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['secretsmanager:PutResourcePolicy', secret('mfa-seed/alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['secretsmanager:PutResourcePolicy', secret('someone-elses'), {}, 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['secretsmanager:DeleteSecret', secret('mfa-seed/alice'), tag('ResourceTag', OWN_STACK), 'Allowed', 'ImplicitlyDenied'],
  ['secretsmanager:DeleteSecret', secret('someone-elses'), tag('ResourceTag', OTHER_STACK), 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['cloudformation:GetTemplate', OWN_STACK, {}, 'Allowed', 'ImplicitlyDenied'],
  ['cloudformation:GetTemplate', OTHER_STACK, {}, 'ImplicitlyDenied', 'ImplicitlyDenied'],
  ['cloudformation:ListStackResources', OWN_STACK, {}, 'Allowed', 'ImplicitlyDenied'],
];

describe('the device handler\'s role (IAM evaluator)', () => {
  test.each(MATRIX.flatMap(([action, resource, context, handler, others]) => Object.entries(CALLERS).map(([caller, callerContext]) =>
    [caller, action, resource, Object.keys(context).length ? JSON.stringify(context) : 'no tag', { ...callerContext, ...context },
      caller === 'the handler' ? handler : others] as const)))('%s: %s on %s (%s)', async (_caller, action, resource, _tags, context, expected) => {
    const result = await simulate({ principal: roleArn, action, resource, context, identityPolicies: policies });
    expect(result).toEqual(expected);
  });

  test('the handler\'s permissions are a policy of their own, which names the function: no role–function cycle', () => {
    const functionDependsOn: string[] = Template.fromStack(stack).toJSON().Resources[functionId].DependsOn ?? [];
    const permissions = template.idOf('AWS::IAM::ManagedPolicy', (p) => JSON.stringify(p.PolicyDocument).includes(functionArn));
    expect(functionDependsOn).not.toContain(permissions);
    const deviceId = template.idOf('Custom::VirtualMfaDevice');
    expect(Template.fromStack(stack).toJSON().Resources[deviceId].DependsOn).toEqual(expect.arrayContaining([functionId, permissions]));
  });

  test('the handler knows its stack and CloudFormation gives up on a silent handler after 11 minutes, not an hour', () => {
    const json = Template.fromStack(stack).toJSON();
    expect(json.Resources[functionId].Properties.Environment.Variables).toEqual({ STACK_ID: { Ref: 'AWS::StackId' } });
    expect(json.Resources[functionId].Properties.Timeout).toEqual(600);
    expect(json.Resources[template.idOf('Custom::VirtualMfaDevice')].Properties.ServiceTimeout).toEqual('660');
  });

  test('the stack tags the users its handler may act on', () => {
    expect(template.resources[template.idOf('AWS::IAM::User')].Properties.Tags).toEqual([{ Key: STACK_ID_TAG, Value: OWN_STACK }]);
  });
});

/** An AWS managed policy as AWS publishes it (test/fixtures/aws-managed-policies). */
const managed = (name: string) => ({
  name,
  policy: JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', `${name}.json`), 'utf8')),
});
const DEVELOPER = `arn:aws:iam::${ACCOUNT}:role/lambda-developer`;
const deviceProps = template.resources[template.idOf('Custom::VirtualMfaDevice')].Properties;
const SEED = secret(deviceProps.SeedSecretName);
/** A call of the handler function (or of code that replaced the handler's code) on what carries this stack's tag. */
const AS_HANDLER = { 'lambda:SourceFunctionArn': functionArn, 'aws:PrincipalArn': roleArn, ...tag('ResourceTag', OWN_STACK) };

// The threat model's Lambda developer (DESIGN.md "Threat model", README "Security"): each sentence there is one of these.
describe('the Lambda developer and a hijacked handler (IAM evaluator, AWS managed policies as fixtures)', () => {
  test.each(['PowerUserAccess', 'AWSLambda_FullAccess'])('%s may change the handler function\'s code, and so acts as the handler from that function', async (name) => {
    for (const action of ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration']) {
      expect(await simulate({ principal: DEVELOPER, action, resource: functionArn, identityPolicies: [managed(name)] })).toEqual('Allowed');
    }
  });

  test('AWSLambda_FullAccess may pass the handler\'s role to a function of its own, which the role then allows nothing (see "another function with the role")', async () => {
    expect(await simulate({
      principal: DEVELOPER, action: 'iam:PassRole', resource: roleArn, identityPolicies: [managed('AWSLambda_FullAccess')], context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    })).toEqual('Allowed');
  });

  test('fails for PowerUserAccess to pass the handler\'s role to a function of its own (it has no iam:* action)', async () => {
    expect(await simulate({
      principal: DEVELOPER, action: 'iam:PassRole', resource: roleArn, identityPolicies: [managed('PowerUserAccess')], context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    })).toEqual('ImplicitlyDenied');
  });

  test('a hijacked handler can lock an owner out: deactivate and delete a stack user\'s devices, delete its access keys', async () => {
    for (const [action, resource] of [['iam:DeactivateMFADevice', user('alice')], ['iam:DeleteVirtualMFADevice', device('alice')], ['iam:DeleteAccessKey', user('alice')]]) {
      expect([action, await simulate({ principal: roleArn, action, resource, context: AS_HANDLER, identityPolicies: policies })]).toEqual([action, 'Allowed']);
    }
  });

  test('a hijacked handler can add a device of its own to a stack user, but fails to create or reactivate an access key, the other factor', async () => {
    const create = { ...AS_HANDLER, ...tag('RequestTag', OWN_STACK) };
    expect(await simulate({ principal: roleArn, action: 'iam:CreateVirtualMFADevice', resource: device('extra'), context: create, identityPolicies: policies })).toEqual('Allowed');
    expect(await simulate({ principal: roleArn, action: 'iam:EnableMFADevice', resource: user('alice'), context: AS_HANDLER, identityPolicies: policies })).toEqual('Allowed');
    for (const action of ['iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile']) {
      expect([action, await simulate({ principal: roleArn, action, resource: user('alice'), context: AS_HANDLER, identityPolicies: policies })])
        .toEqual([action, 'ExplicitlyDenied']);
    }
  });

  test('a hijacked handler can overwrite a seed value, but fails to read a secret or to change the policy of a secret it attached', async () => {
    const asHandler = (action: string) => simulate({
      principal: roleArn, action, resource: SEED, context: AS_HANDLER, identityPolicies: policies, resourcePolicy: deviceProps.SeedSecretPolicy,
    });
    expect(await asHandler('secretsmanager:PutSecretValue')).toEqual('Allowed');
    for (const action of ['GetSecretValue', 'PutResourcePolicy', 'DeleteResourcePolicy', 'UpdateSecret', 'TagResource', 'UntagResource',
      'RestoreSecret', 'UpdateSecretVersionStage']) {
      expect([action, await asHandler(`secretsmanager:${action}`)]).toEqual([action, 'ExplicitlyDenied']);
    }
  });

  test('fails for a hijacked handler to touch another stack\'s users, devices or secrets', async () => {
    const other = { 'lambda:SourceFunctionArn': functionArn, ...tag('ResourceTag', OTHER_STACK) };
    for (const [action, resource] of [['iam:DeactivateMFADevice', user('bob')], ['iam:EnableMFADevice', user('bob')], ['iam:DeleteAccessKey', user('bob')],
      ['iam:DeleteVirtualMFADevice', device('bob')], ['secretsmanager:PutSecretValue', secret('bobs-seed')], ['secretsmanager:DeleteSecret', secret('bobs-seed')]]) {
      expect([action, await simulate({ principal: roleArn, action, resource, context: other, identityPolicies: policies })]).toEqual([action, 'ImplicitlyDenied']);
    }
  });
});

describe('the README on the Lambda developer', () => {
  const GRANTS = 'test/handler-grants.test.ts';
  test('each claim is still in the README, and each test that proves it exists', () => {
    expect(claimProblems([
      { claim: '`lambda:UpdateFunctionCode` on the handler acts as the handler from that function', proofs: [[GRANTS, 'may change the handler function\'s code, and so acts as the handler from that function']] },
      {
        claim: 'a function of its own with the handler\'s role (`AWSLambda_FullAccess` may pass it) may do nothing',
        proofs: [[GRANTS, 'AWSLambda_FullAccess may pass the handler\'s role to a function of its own'], [GRANTS, 'another function with the role']],
      },
      { claim: 'change a seed secret\'s policy once the handler attached it', proofs: [[GRANTS, 'fails to read a secret or to change the policy of a secret it attached']] },
      { claim: 'touch another stack\'s users, devices or secrets', proofs: [[GRANTS, 'fails for a hijacked handler to touch another stack\'s users, devices or secrets']] },
      {
        claim: 'deactivate or delete a user\'s device, delete a user\'s keys, overwrite or delete a seed secret: lock an owner out',
        proofs: [[GRANTS, 'a hijacked handler can lock an owner out'], [GRANTS, 'a hijacked handler can overwrite a seed value']],
      },
      {
        claim: 'add a device of its own without the first factor (the user\'s access key exists only in the owner\'s credentials file',
        proofs: [[GRANTS, 'a hijacked handler can add a device of its own to a stack user, but fails to create or reactivate an access key']],
      },
    ])).toEqual([]);
  });
});
