// Whether the resource properties of a request are what the stack's template says, with the template's intrinsic
// functions resolved from what CloudFormation reports of the stack (resources' physical ids, parameters, pseudo
// parameters). An intrinsic that cannot be resolved from that cannot be checked, and so does not match.
import { HandlerError } from './protocol';

/** What the template's intrinsics resolve against. */
export interface StackFacts {
  /** The stack's id: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
  readonly stackId: string;
  /** The stack's parameters' values. */
  readonly parameters: ReadonlyMap<string, string>;
  /** The stack's resources: logical id → type and physical id. */
  readonly resources: ReadonlyMap<string, { readonly type: string; readonly physicalId?: string }>;
  /** The template's resources: logical id → type. */
  readonly templateTypes: ReadonlyMap<string, string>;
}

/** A property that cannot be checked: a sentence naming it. */
export class Unverifiable extends HandlerError {}

/**
 * Whether `actual` (the resource properties of a request) is what `expected` (the template's Properties of the
 * resource) resolves to. Scalars compare as strings, as CloudFormation passes them to custom resources.
 */
export function matchesTemplate(expected: unknown, actual: unknown, facts: StackFacts, path = 'Properties'): boolean {
  if (isIntrinsic(expected)) {
    return typeof actual === 'string' && new RegExp(`^${pattern(expected, facts, path)}$`).test(actual);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length
      && expected.every((item, i) => matchesTemplate(item, actual[i], facts, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return false;
    }
    const present = Object.entries(expected as Record<string, unknown>).filter(([, v]) => !isNoValue(v));
    const actualKeys = Object.keys(actual as Record<string, unknown>);
    return present.length === actualKeys.length
      && present.every(([key, value]) => key in (actual as object) && matchesTemplate(value, (actual as Record<string, unknown>)[key], facts, `${path}.${key}`));
  }
  return actual === String(expected);
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isNoValue(value: unknown): boolean {
  return isIntrinsic(value) && (value as { Ref?: unknown }).Ref === 'AWS::NoValue';
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A regular expression (source) for the strings an intrinsic resolves to. */
function pattern(value: unknown, facts: StackFacts, path: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return escape(String(value));
  }
  if (!isIntrinsic(value)) {
    throw new Unverifiable(`${path} is not a string in the template`);
  }
  const [fn, args] = Object.entries(value)[0];
  switch (fn) {
    case 'Ref':
      return escape(ref(String(args), facts, path));
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(args) ? args.map(String) : String(args).split(/\.(.*)/s);
      return getAtt(logicalId, attribute, facts, path);
    }
    case 'Fn::Join': {
      if (!Array.isArray(args) || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
        throw new Unverifiable(`${path} has a malformed Fn::Join`);
      }
      return args[1].map((part: unknown) => pattern(part, facts, path)).join(escape(args[0]));
    }
    case 'Fn::Sub': {
      if (typeof args !== 'string') {
        throw new Unverifiable(`${path} uses Fn::Sub with a variable map, which the handler does not resolve`);
      }
      return args.split(/(\$\{[^}]*\})/).map((part) => {
        const variable = /^\$\{([^!}][^}]*)\}$/.exec(part)?.[1];
        if (!variable) {
          return escape(part.replace(/\$\{!/g, '${'));
        }
        const [name, attribute] = variable.split(/\.(.*)/s);
        return attribute ? getAtt(name, attribute, facts, path) : escape(ref(name, facts, path));
      }).join('');
    }
    default:
      throw new Unverifiable(`${path} uses ${fn}, which the handler cannot check against the stack`);
  }
}

/** The value of a Ref: a pseudo parameter, a parameter, or a resource's physical id. */
function ref(name: string, facts: StackFacts, path: string): string {
  const [, partition, , region, account] = facts.stackId.split(':');
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Partition': partition,
    'AWS::Region': region,
    'AWS::StackId': facts.stackId,
    'AWS::StackName': facts.stackId.split(':')[5]?.split('/')[1] ?? '',
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
  const value = pseudo[name] ?? facts.parameters.get(name) ?? facts.resources.get(name)?.physicalId;
  if (value === undefined) {
    throw new Unverifiable(`${path} refers to ${name}, which the stack does not report`);
  }
  return value;
}

/**
 * The ARN of a resource of the stack, from its physical id: IAM names are unique in an account whatever their path,
 * so a role or user ARN ends with its name after any path.
 */
function getAtt(logicalId: string, attribute: string, facts: StackFacts, path: string): string {
  const resource = facts.resources.get(logicalId);
  const type = resource?.type ?? facts.templateTypes.get(logicalId);
  if (!resource?.physicalId || attribute !== 'Arn') {
    throw new Unverifiable(`${path} uses the ${attribute} of ${logicalId}, which the handler cannot check against the stack`);
  }
  const [, partition, , region, account] = facts.stackId.split(':');
  const id = escape(resource.physicalId);
  switch (type) {
    case 'AWS::IAM::Role':
      return `arn:${partition}:iam::${account}:role/(?:[\\w+=,.@-]+/)*${id}`;
    case 'AWS::IAM::User':
      return `arn:${partition}:iam::${account}:user/(?:[\\w+=,.@-]+/)*${id}`;
    case 'AWS::IAM::Group':
      return `arn:${partition}:iam::${account}:group/(?:[\\w+=,.@-]+/)*${id}`;
    case 'AWS::Lambda::Function':
      return `arn:${partition}:lambda:${region}:${account}:function:${id}`;
    case 'AWS::KMS::Key':
      return `arn:${partition}:kms:${region}:${account}:key/${id}`;
    default:
      throw new Unverifiable(`${path} uses the Arn of ${logicalId} (${type}), which the handler cannot check against the stack`);
  }
}
