import { MfaGuard } from '../lib';
import { Claim, claimProblems, readmeText } from './support/readme-claims';
import { KNOWN_AWS_MANAGED_POLICIES } from '../lib/private/aws-managed-policies';

// What the README says about MfaGuard, each claim with the tests that would fail if it became false.

const GUARD = 'test/mfa-guard.test.ts';
const CORPUS = 'test/mfa-guard-corpus.test.ts';

const CLAIMS: Claim[] = [
  {
    claim: 'one line covers every stack of the app, including stacks in Stages and nested Stages (CDK Pipelines), nested stacks, and the template of every `AWS::CloudFormation::StackSet`',
    proofs: [[CORPUS, 'a role without MFA in a Stack of a Stage'], [CORPUS, 'a role without MFA in a nested Stage'], [CORPUS, 'a role without MFA in a nested stack'],
      [CORPUS, 'a StackSet whose TemplateBody defines a role without MFA'], [GUARD, 'fails on a role without MFA in a StackSet\'s TemplateBody']],
  },
  {
    claim: 'It reads the templates that CloudFormation will receive, after every `addOverride`, `addPropertyOverride`, L1 assignment and `cloudformation-include`',
    proofs: [[CORPUS, 'addPropertyDeletionOverride removes the MFA condition'], [CORPUS, 'addOverride replaces the MFA condition'],
      [CORPUS, 'an L1 assignment replaces an MfaRequiredRole\'s trust policy'], [CORPUS, 'cloudformation-include of a legacy template']],
  },
  {
    claim: 'checks roles and policies of any library, not only this one\'s',
    proofs: [[GUARD, 'fails on a plain iam.Role that trusts its account without MFA'], [GUARD, 'fails on an iam.Policy of a user that allows sts:AssumeRole without MFA']],
  },
  {
    claim: 'Each finding fails `cdk synth` (and `app.synth()`), names the resource\'s construct path, says why and what to write instead, and appears in `cdk.out/validation-report.json` under its rule',
    proofs: [[GUARD, 'fails on a plain iam.Role that trusts an IAM user of the stack without MFA'], ['test/support/guard.ts', 'app.synth() ${report.synthFailed ? \'failed\' : \'succeeded\'}']],
  },
  {
    claim: '(`BoolIfExists` too: the key is absent for long-term access keys)',
    proofs: [[GUARD, 'fails on BoolIfExists aws:MultiFactorAuthPresent "true", which lets long-term access keys in']],
  },
  {
    claim: 'attached, in any stack, by reference, export or name, to a user, a group or a role that AWS principals can assume',
    proofs: [[CORPUS, 'attached to a user by reference'], [CORPUS, 'attached to a user by name'], [GUARD, 'fails on a group\'s policy and on a managed policy attached to nothing']],
  },
  {
    claim: 'a policy, managed policy, group or grant added anywhere in the app, a resource policy (also one given as a JSON string) or a Lambda permission that names the user',
    proofs: [[CORPUS, 'an MfaUser given AdministratorAccess'], [CORPUS, 'statements added to an MfaUser\'s policy'], [CORPUS, 'an MfaUser added to a group of administrators'],
      [CORPUS, 'a bucket grant to an MfaUser'], [CORPUS, 'an existing user given to an MfaDelegation, widened by name in another stack'],
      [CORPUS, 'a secret\'s resource policy given as a JSON string'], [CORPUS, 'a Lambda permission that lets an MfaUser invoke a function']],
  },
  {
    claim: 'anyone there with `sts:AssumeRole` on `*` and a device of their own gets in',
    proofs: [[CORPUS, 'a role that trusts its whole account with MFA (#17.2): an insider assumes it with their own device']],
  },
  {
    claim: '`MfaRequiredRole` acknowledges it for you where you chose account trust explicitly',
    // Every configuration passes the guard; one of them is a role with trustAccount: true.
    proofs: [[GUARD, 'test.each(CONFIGURATIONS.slice(1))(\'$name\''], ['test/support/configurations.ts', 'trustAccount: true'],
      [GUARD, 'passes an MfaRoleStackSet without principalPath']],
  },
  {
    claim: 'used as a property, output or parameter: CloudFormation records resolved properties in the stack\'s events',
    proofs: [[GUARD, 'fails on an access key\'s secret in an output, a resource property (Fn::Sub) and a nested stack\'s parameter'],
      [CORPUS, 'a PowerUser reads it in the stack\'s events']],
  },
  {
    claim: 'a policy from a parameter or `Fn::ImportValue`, a JSON string built from one, a template from a URL, a `Transform`',
    proofs: [[GUARD, 'fails on a trust policy, an Action, an Effect and inline policies it cannot read'], [GUARD, 'fails on a template it cannot read'],
      [CORPUS, 'a trust policy imported from another stack\'s export (cannot be evaluated)'], [CORPUS, 'an MFA condition whose value is a parameter']],
  },
  {
    claim: 'a policy, group addition or resource policy that names a user or group it cannot resolve (a parameter, an import of no export of the app, `user/*`) in an app with assume-only users',
    proofs: [[GUARD, 'fails closed on a policy, a group addition and a resource policy that name users it cannot resolve'],
      [GUARD, 'passes policies and resource policies that name users it cannot resolve in an app without assume-only users'],
      [GUARD, 'fails closed on a policy of a group it cannot resolve when an assume-only user is in a group'],
      [CORPUS, 'a policy attached to a user named by a parameter'], [CORPUS, 'a bucket policy whose principal is a parameter']],
  },
  {
    claim: '`Fn::If` is checked in both branches; a JSON string is parsed',
    proofs: [[CORPUS, 'a trust statement wrapped in Fn::If whose other branch has no MFA condition'], [CORPUS, 'a trust statement in Fn::If with the MFA condition in both branches'],
      [CORPUS, 'a trust policy given as a JSON string'], [CORPUS, 'a KMS key policy given as a JSON string']],
  },
  {
    claim: 'Service and federated principals, and policies attached only to service roles, are not its business',
    proofs: [[GUARD, 'service and federated principals, and a Lambda service role that may assume roles without MFA'],
      [CORPUS, 'a Lambda service role that may assume any role, and a web identity role']],
  },
  {
    claim: 'A Deny of `sts:AssumeRole` for everyone with `BoolIfExists aws:MultiFactorAuthPresent "false"` (AWS\'s "force MFA" pattern) protects its whole document',
    proofs: [[CORPUS, 'AWS\'s "force MFA" pattern'], [GUARD, 'fails on a trust policy whose Deny uses Bool instead of BoolIfExists']],
  },
  {
    claim: 'a numeric condition on `aws:MultiFactorAuthAge` counts as requiring MFA (the key is absent without MFA)',
    proofs: [[CORPUS, 'a trust whose only MFA condition is NumericLessThan aws:MultiFactorAuthAge']],
  },
  {
    claim: 'and names what each allows when one is attached to an `MfaUser`; any other managed policy that the app does not define is `MfaGuard::CannotEvaluate` there',
    proofs: [[GUARD, 'fails on a managed policy, an inline statement, a grant and a group added to an MfaUser'], [GUARD, 'fails closed on a managed policy it cannot read on an MfaUser'],
      [GUARD, 'each AWS managed policy MfaGuard knows has its document as a fixture'], [CORPUS, 'an MfaUser given the AWS managed policy ReadOnlyAccess']],
  },
  {
    claim: '`new MfaGuard({ checkIdentityPolicies: false })` leaves out `MfaGuard::AssumeWithoutMfa`',
    proofs: [[GUARD, 'identity policies when checkIdentityPolicies is false']],
  },
  {
    claim: 'A finding on one resource is acknowledged with a reason, and the report lists the acknowledgement',
    proofs: [[GUARD, 'an acknowledgement with a reason on the role lets synthesis pass, and the report lists it'],
      [GUARD, 'an acknowledgement of another rule, or on another resource, does not hide the finding']],
  },
  {
    claim: '`Aspects.of(scope).add(new MfaGuard())`, as earlier versions were used, still works: it registers the plugin for the stacks under that scope',
    proofs: [[GUARD, 'Aspects.of(app).add(new MfaGuard()) keeps working'], [GUARD, 'Aspects.of(stack).add(new MfaGuard()) checks the stacks under that scope only']],
  },
];

describe('the README on MfaGuard', () => {
  test('each claim is still in the README, and each test that proves it exists', () => {
    expect(claimProblems(CLAIMS)).toEqual([]);
  });

  test('the table of rules lists exactly the rules MfaGuard reports', () => {
    const rules = [...readmeText().matchAll(/\| `MfaGuard::(\w+)` \|/g)].map((m) => m[1]);
    expect(rules).toEqual(new MfaGuard().ruleIds);
  });

  test('the AWS managed policies it names are exactly those MfaGuard knows', () => {
    const text = readmeText();
    const sentence = text.slice(text.indexOf('the guard knows those of the threat model'), text.indexOf('and names what each allows'));
    expect([...sentence.matchAll(/`(\w+)`/g)].map((m) => m[1])).toEqual(Object.keys(KNOWN_AWS_MANAGED_POLICIES));
  });
});
