import { Stack } from 'aws-cdk-lib';
import { checkPolicySize, IAM_POLICY_LIMITS, resolvedPolicySize } from './policy-size';

/**
 * CloudFormation's quotas for one stack, and for one operation on a stack with its nested stacks.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const CLOUDFORMATION_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  /** A template in S3 (`cdk deploy` uploads every template over 50 KiB, and all nested stack templates, to S3). */
  templateBytes: 1_000_000,
  /** Resources one create, update or delete of a stack and its nested stacks may touch. */
  resourcesPerOperation: 2_500,
};

/** IAM's default quotas that a template can break (adjustable ones are warnings). */
export const IAM_LIMITS = {
  groupsPerUser: 10,
  /** Adjustable up to 20. */
  managedPoliciesPerRole: 10,
  /** The most that managedPoliciesPerRole can be raised to. */
  managedPoliciesPerRoleMax: 20,
  /** Adjustable up to 20. */
  managedPoliciesPerGroup: 10,
  /** Not adjustable. */
  usersPerAccount: 5_000,
};

/** The property that names the user, group or role of a single inline policy resource. */
const SINGLE_POLICY_HOLDER: Record<string, string> = {
  'AWS::IAM::UserPolicy': 'UserName',
  'AWS::IAM::GroupPolicy': 'GroupName',
  'AWS::IAM::RolePolicy': 'RoleName',
};

/** What a stack's template holds, as far as CloudFormation's and IAM's quotas are concerned. */
export interface TemplateMeasure {
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly mappings: number;
  /** The size of the template file as `cdk synth` writes it (JSON indented by one space). */
  readonly bytes: number;
}

/** The limits a template breaks: errors for hard limits, warnings for quotas that can be raised. */
export interface LimitReport {
  readonly measure: TemplateMeasure;
  readonly errors: string[];
  readonly warnings: string[];
}

/**
 * The CloudFormation template of a stack, rendered as `cdk synth` renders it.
 *
 * `Stack._toCloudFormation()` is how the CDK renders every stack (and, before validation, every nested stack for its
 * asset); it is not public API, so a CDK that no longer has it yields `undefined` and the checks are skipped.
 */
export function renderTemplate(stack: Stack): Record<string, any> | undefined {
  const render = (stack as unknown as { _toCloudFormation?: () => Record<string, any> })._toCloudFormation;
  return typeof render === 'function' ? render.call(stack) : undefined;
}

/**
 * Check a rendered template against CloudFormation's per-stack quotas and IAM's policy size and attachment quotas.
 *
 * Policy sizes are the JSON of the policy document without white space, where values only known at deploy time count
 * as their CloudFormation intrinsic (about as long as what they resolve to), as IAM counts them.
 *
 * @param where how the messages name the stack, e.g. `Stack App/Team/Members3`
 * @param advice what to do about too many resources or too large a template, e.g. `: raise memberStacks`
 */
export function checkTemplate(where: string, template: Record<string, any>, advice = ''): LimitReport {
  const resources: Record<string, { Type?: string; Properties?: Record<string, any> }> = template.Resources ?? {};
  const measure: TemplateMeasure = {
    resources: Object.keys(resources).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    mappings: Object.keys(template.Mappings ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(template, undefined, 1)),
  };
  const errors: string[] = [];
  const warnings: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  const over = (count: number, limit: number, message: (count: string, limit: string) => string) => {
    if (count > limit) {
      errors.push(`${where} ${message(n(count), n(limit))}`);
    }
  };
  over(measure.resources, CLOUDFORMATION_LIMITS.resources, (c, l) => `holds ${c} resources, over CloudFormation's limit of ${l} resources per stack${advice}`);
  over(measure.outputs, CLOUDFORMATION_LIMITS.outputs, (c, l) => `declares ${c} outputs, over CloudFormation's limit of ${l} outputs per stack`);
  over(measure.parameters, CLOUDFORMATION_LIMITS.parameters, (c, l) => `declares ${c} parameters, over CloudFormation's limit of ${l} parameters per stack`);
  over(measure.mappings, CLOUDFORMATION_LIMITS.mappings, (c, l) => `declares ${c} mappings, over CloudFormation's limit of ${l} mappings per stack`);
  over(measure.bytes, CLOUDFORMATION_LIMITS.templateBytes,
    (c, l) => `has a template of ${c} bytes, over CloudFormation's limit of ${l} bytes for a template in S3${advice}`);

  // Inline policies, by the logical id of the user, group or role they belong to.
  const inline = new Map<string, number>();
  const addInline = (id: string, document: unknown) => inline.set(id, (inline.get(id) ?? 0) + resolvedPolicySize(document));
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    for (const policy of props.Policies ?? []) {
      addInline(id, policy?.PolicyDocument);
    }
    const single = SINGLE_POLICY_HOLDER[resource.Type ?? ''];
    if (single !== undefined && typeof props[single]?.Ref === 'string') {
      addInline(props[single].Ref, props.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy') {
      for (const holder of [...(props.Users ?? []), ...(props.Groups ?? []), ...(props.Roles ?? [])]) {
        if (typeof holder?.Ref === 'string') {
          addInline(holder.Ref, props.PolicyDocument);
        }
      }
    }
  }
  const policyOver = (what: string, chars: number, limit: number) => errors.push(...checkPolicySize(`${where}: ${what}`, chars, limit));
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    const name = `${resource.Type} ${id}`;
    switch (resource.Type) {
      case 'AWS::IAM::User':
        policyOver(`the inline policies of ${name}`, inline.get(id) ?? 0, IAM_POLICY_LIMITS.userInlinePolicies);
        if ((props.Groups ?? []).length > IAM_LIMITS.groupsPerUser) {
          errors.push(`${where}: ${name} is in ${props.Groups.length} groups, over IAM's limit of ${IAM_LIMITS.groupsPerUser} groups per user`);
        }
        break;
      case 'AWS::IAM::Group':
        policyOver(`the inline policies of ${name}`, inline.get(id) ?? 0, IAM_POLICY_LIMITS.groupInlinePolicies);
        attachments(name, props.ManagedPolicyArns, IAM_LIMITS.managedPoliciesPerGroup, 'group', warnings, where);
        break;
      case 'AWS::IAM::Role':
        policyOver(`the trust policy of ${name}`, resolvedPolicySize(props.AssumeRolePolicyDocument), IAM_POLICY_LIMITS.roleTrustPolicy);
        policyOver(`the inline policies of ${name}`, inline.get(id) ?? 0, IAM_POLICY_LIMITS.roleInlinePolicies);
        attachments(name, props.ManagedPolicyArns, IAM_LIMITS.managedPoliciesPerRole, 'role', warnings, where);
        break;
      case 'AWS::IAM::ManagedPolicy':
        policyOver(name, resolvedPolicySize(props.PolicyDocument), IAM_POLICY_LIMITS.managedPolicy);
        break;
    }
  }
  return { measure, errors, warnings };
}

function attachments(name: string, arns: unknown, limit: number, kind: string, warnings: string[], where: string): void {
  const count = Array.isArray(arns) ? arns.length : 0;
  if (count > limit) {
    warnings.push(`${where}: ${name} has ${count} managed policies, over IAM's default quota of ${limit} per ${kind} `
      + '(it can be raised to 20 in Service Quotas)');
  }
}
