import { EvaluationResult, runSimulation, SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, ConcreteTemplate } from './concrete-template';

/**
 * Offline IAM evaluation of synthesized templates with `@cloud-copilot/iam-simulate` (AGPL: a devDependency for tests,
 * never shipped). `collect*` gather the policies of a principal from a ConcreteTemplate; `simulate` evaluates one
 * request and refuses to answer when the simulator would have ignored part of the request.
 */

/**
 * The AWS managed policies that the templates under test attach to principals whose requests are simulated, as AWS
 * publishes them. A policy not listed here makes `collectIdentityPolicies` throw instead of being left out.
 */
const AWS_MANAGED_POLICIES: Record<string, any> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/** An identity policy that grants every action on every resource, as an administrator of the account has. */
export const ADMINISTRATOR: SimulationIdentityPolicy = {
  name: 'AdministratorAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** The request context of a call signed with credentials obtained with MFA. */
export const WITH_MFA = { 'aws:MultiFactorAuthPresent': 'true' };

type IdentityKind = 'Users' | 'Roles';
const IDENTITY_TYPE: Record<IdentityKind, string> = { Users: 'AWS::IAM::User', Roles: 'AWS::IAM::Role' };
/** The single-identity policy resources: type and the property that names the identity. */
const SINGLE_POLICY: Record<IdentityKind, [string, string]> = { Users: ['AWS::IAM::UserPolicy', 'UserName'], Roles: ['AWS::IAM::RolePolicy', 'RoleName'] };

function includes(list: unknown, name: string): boolean {
  return Array.isArray(list) && list.includes(name);
}

/** An AWS managed policy by ARN (`arn:aws:iam::aws:policy/...`), as AWS publishes it; throws for one not modelled. */
export function awsManagedPolicy(arn: string): SimulationIdentityPolicy {
  const name = /^arn:aws:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  if (name === undefined || !AWS_MANAGED_POLICIES[name]) {
    throw new Error(`The AWS managed policy ${arn} is not modelled: add its document to AWS_MANAGED_POLICIES`);
  }
  return { name, policy: AWS_MANAGED_POLICIES[name] };
}

function managedPolicy(template: ConcreteTemplate, arn: string): SimulationIdentityPolicy {
  if (/^arn:aws:iam::aws:policy\//.test(arn)) {
    return awsManagedPolicy(arn);
  }
  const id = template.idsOf('AWS::IAM::ManagedPolicy').find((i) => template.ref(i) === arn);
  if (id === undefined) {
    throw new Error(`The managed policy ${arn} is not defined in the template`);
  }
  return { name: id, policy: template.resources[id].Properties.PolicyDocument };
}

/**
 * Every identity policy of the user or role with the given (concrete) name: `AWS::IAM::Policy`,
 * `AWS::IAM::UserPolicy`/`RolePolicy` and `AWS::IAM::ManagedPolicy` resources that name it, and the inline and managed policies of its own resource when the
 * template defines it. Group membership is not modelled and throws.
 */
export function collectIdentityPolicies(template: ConcreteTemplate, kind: IdentityKind, name: string): SimulationIdentityPolicy[] {
  const policies: SimulationIdentityPolicy[] = [];
  for (const id of template.idsOf('AWS::IAM::Policy', (p) => includes(p[kind], name))) {
    policies.push({ name: id, policy: template.resources[id].Properties.PolicyDocument });
  }
  const [singleType, nameKey] = SINGLE_POLICY[kind];
  for (const id of template.idsOf(singleType, (p) => p[nameKey] === name)) {
    policies.push({ name: id, policy: template.resources[id].Properties.PolicyDocument });
  }
  for (const id of template.idsOf('AWS::IAM::ManagedPolicy', (p) => includes(p[kind], name))) {
    policies.push({ name: id, policy: template.resources[id].Properties.PolicyDocument });
  }
  for (const id of template.idsOf(IDENTITY_TYPE[kind]).filter((i) => template.ref(i) === name)) {
    const props = template.resources[id].Properties;
    if (props.Groups !== undefined) {
      throw new Error(`${id} is a member of groups, which collectIdentityPolicies does not model`);
    }
    for (const inline of props.Policies ?? []) {
      policies.push({ name: `${id}/${inline.PolicyName}`, policy: inline.PolicyDocument });
    }
    for (const arn of props.ManagedPolicyArns ?? []) {
      policies.push(managedPolicy(template, arn));
    }
  }
  return policies;
}

/** One request to evaluate. */
export interface SimulationRequest {
  /** The ARN of the calling principal. */
  readonly principal: string;
  readonly action: string;
  /** The ARN of the resource (`*` for actions without a resource type). */
  readonly resource: string;
  /** The request context (a multivalued key, such as aws:TagKeys, as a list). @default - no context keys */
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicies: SimulationIdentityPolicy[];
  /** The resource's own policy (a role's trust policy, a key policy). @default - none */
  readonly resourcePolicy?: any;
}

/**
 * Evaluate one request. Throws, instead of answering, when the simulator rejects the input (an unknown action, a
 * resource that does not fit the action, an invalid policy), when it would ignore a context key (a misspelled key
 * would otherwise be silently dropped and could make a denial pass for the wrong reason), or when the resource is a
 * pattern rather than one resource.
 */
export async function simulate(request: SimulationRequest): Promise<EvaluationResult> {
  const resourceAccount = request.resource.split(':')[4] || ACCOUNT;
  const result = await runSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: request.context ?? {},
    },
    identityPolicies: request.identityPolicies,
    resourcePolicy: request.resourcePolicy,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, { simulationMode: 'Strict' });
  const what = `${request.principal} ${request.action} ${request.resource}`;
  if (result.resultType === 'error') {
    throw new Error(`The simulation of ${what} could not run: ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType !== 'single') {
    throw new Error(`The simulation of ${what} evaluated a resource pattern, not one resource`);
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(`The simulation of ${what} ignored the context keys ${ignored.join(', ')}: misspelled, or not applicable to the action`);
  }
  return result.overallResult;
}
