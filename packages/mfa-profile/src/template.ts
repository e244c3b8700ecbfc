import { CliError } from './errors';
import { isJsonObject, OutputPiece, OutputValue, StackOutputs } from './outputs';
import { SERIAL_NUMBER_ATTRIBUTE, VIRTUAL_MFA_DEVICE_RESOURCE_TYPE } from '../../../lib/contract';

/**
 * What a template preview knows about the account it will be deployed to.
 */
export interface PreviewEnvironment {
  /** The stack name (`AWS::StackName`). */
  readonly stackName: string;
  /** The 12-digit account id (`AWS::AccountId`). */
  readonly account: string;
  /** `AWS::Partition`. */
  readonly partition: string;
  /** `AWS::Region`: unknown when not given. */
  readonly region?: string;
}

interface Resource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
}

/**
 * A resolved expression: its value, or why it is unknown before deploy with the pieces it is made of (the known text
 * and the unknown parts, each with its reason), so that a reader of a JSON output can tell which of its values are known.
 */
type Resolved = { readonly value: string } | Unknown;
type Unknown = { readonly unknown: string; readonly pieces: readonly OutputPiece[] };

const MAX_DEPTH = 20;

/**
 * The outputs of a synthesized CloudFormation template as far as they can be known before deploy.
 *
 * Resolved: literals, `Ref` of pseudo parameters, `Fn::Join`, `Fn::Sub`, `Ref` of an IAM user or role with a literal
 * name, `Fn::GetAtt [X, Arn]` of an IAM user or role with a literal name (and path), and the serial number (`Ref`, or
 * `Fn::GetAtt [X, SerialNumber]`) of a virtual MFA device with a literal name. Anything else is unknown, with the reason.
 */
export function previewOutputs(template: unknown, env: PreviewEnvironment): StackOutputs {
  if (!isJsonObject(template)) {
    throw new CliError(`The template of ${env.stackName} is not a CloudFormation template (a JSON object).`);
  }
  const { Outputs: outputs = {}, Resources: resources = {} } = template as {
    Outputs?: Record<string, { Value?: unknown }>;
    Resources?: Record<string, Resource>;
  };
  const preview = new Preview(resources, env);
  const result: Record<string, OutputValue> = {};
  for (const [key, output] of Object.entries(outputs)) {
    const resolved = preview.resolve(output?.Value);
    result[key] = 'value' in resolved ? resolved.value
      : resolved.pieces.length > 1 ? { unknown: resolved.unknown, pieces: resolved.pieces } : { unknown: resolved.unknown };
  }
  return result;
}

/**
 * The stack name of a synthesized template file: `cdk.out/MfaDelegationExample.template.json` → `MfaDelegationExample`.
 */
export function stackNameOfTemplateFile(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.template\.json$/, '').replace(/\.json$/, '');
}

class Preview {
  private depth = 0;

  constructor(private readonly resources: Record<string, Resource>, private readonly env: PreviewEnvironment) {}

  public resolve(expr: unknown): Resolved {
    if (typeof expr === 'string' || typeof expr === 'number' || typeof expr === 'boolean') {
      return { value: String(expr) };
    }
    if (this.depth > MAX_DEPTH || typeof expr !== 'object' || expr === null || Array.isArray(expr) || Object.keys(expr).length !== 1) {
      return unknown('its value is not an expression this preview understands');
    }
    this.depth++;
    try {
      return this.evaluate(...Object.entries(expr)[0]);
    } finally {
      this.depth--;
    }
  }

  private evaluate(fn: string, arg: unknown): Resolved {
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
        return this.getAtt(id, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, parts] = Array.isArray(arg) ? arg : [];
        return Array.isArray(parts) ? join(parts.map((p) => this.resolve(p)), String(delimiter ?? '')) : unknown('its Fn::Join is malformed');
      }
      case 'Fn::Sub':
        return this.sub(arg);
      default:
        return unknown(`${fn} is evaluated by CloudFormation at deploy`);
    }
  }

  private ref(name: string): Resolved {
    const pseudo: Record<string, string | undefined> = {
      'AWS::AccountId': this.env.account,
      'AWS::Partition': this.env.partition,
      'AWS::Region': this.env.region,
      'AWS::URLSuffix': this.env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      'AWS::StackName': this.env.stackName,
    };
    if (name in pseudo) {
      const value = pseudo[name];
      return value === undefined ? unknown(`${name} is not given (pass --region)`) : { value };
    }
    if (name.startsWith('AWS::')) {
      return unknown(`${name} is known only after deploy`);
    }
    const resource = this.resources[name];
    switch (resource?.Type) {
      case 'AWS::IAM::User':
        return this.named(resource, name, 'UserName');
      case 'AWS::IAM::Role':
        return this.named(resource, name, 'RoleName');
      case 'AWS::IAM::VirtualMFADevice':
      case VIRTUAL_MFA_DEVICE_RESOURCE_TYPE:
        return this.serialNumber(resource, name);
      case undefined:
        return unknown(`${name} is a parameter or not in the template`);
      default:
        return unknown(`${name} (${resource.Type}) gets its name or ARN at deploy`);
    }
  }

  private getAtt(id: string, attribute: string): Resolved {
    const resource = this.resources[id];
    const type = resource?.Type;
    if ((type === 'AWS::IAM::Role' || type === 'AWS::IAM::User') && attribute === 'Arn') {
      return type === 'AWS::IAM::Role' ? this.iamArn('role', resource, id, 'RoleName') : this.iamArn('user', resource, id, 'UserName');
    }
    if ((type === VIRTUAL_MFA_DEVICE_RESOURCE_TYPE || type === 'AWS::IAM::VirtualMFADevice') && attribute === SERIAL_NUMBER_ATTRIBUTE) {
      return this.serialNumber(resource, id);
    }
    return unknown(`${id}.${attribute}${type ? ` (${type})` : ''} is set at deploy`);
  }

  /**
   * A virtual MFA device's serial number is its ARN: `arn:<partition>:iam::<account>:mfa<path><name>`.
   */
  private serialNumber(resource: Resource, id: string): Resolved {
    return this.iamArn('mfa', resource, id, resource.Type === 'AWS::IAM::VirtualMFADevice' ? 'VirtualMfaDeviceName' : 'DeviceName');
  }

  private iamArn(kind: string, resource: Resource, id: string, property: string): Resolved {
    const name = this.named(resource, id, property);
    const path = this.resolve(resource.Properties?.Path ?? '/');
    return join([{ value: `arn:${this.env.partition}:iam::${this.env.account}:${kind}` }, path, name], '');
  }

  private named(resource: Resource, id: string, property: string): Resolved {
    const value = resource.Properties?.[property];
    return value === undefined
      ? unknown(`${id} (${resource.Type}) has no explicit ${property}, so its name is generated at deploy`)
      : this.resolve(value);
  }

  private sub(arg: unknown): Resolved {
    const [text, variables = {}] = Array.isArray(arg) ? arg : [arg];
    if (typeof text !== 'string') {
      return unknown('its Fn::Sub is malformed');
    }
    const parts: Resolved[] = [];
    let last = 0;
    for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
      const name = match[1];
      parts.push({ value: text.slice(last, match.index) });
      if (name.startsWith('!')) {
        parts.push({ value: `\${${name.slice(1)}}` });
      } else if (name in variables) {
        parts.push(this.resolve((variables as Record<string, unknown>)[name]));
      } else if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attribute] = name.split(/\.(.*)/s);
        parts.push(this.getAtt(id, attribute));
      } else {
        parts.push(this.ref(name));
      }
      last = (match.index ?? 0) + match[0].length;
    }
    parts.push({ value: text.slice(last) });
    return join(parts, '');
  }
}

function unknown(reason: string): Unknown {
  return { unknown: reason, pieces: [{ unknown: reason }] };
}

/**
 * The parts joined: a value when every part is known, else unknown for the first unknown part's reason, with the
 * pieces of all parts (adjacent known text merged).
 */
function join(parts: readonly Resolved[], delimiter: string): Resolved {
  const first = parts.find((p): p is Unknown => 'unknown' in p);
  if (first === undefined) {
    return { value: parts.map((p) => (p as { value: string }).value).join(delimiter) };
  }
  const pieces: OutputPiece[] = [];
  const add = (piece: OutputPiece) => {
    const last = pieces[pieces.length - 1];
    if (typeof piece === 'string' && typeof last === 'string') {
      pieces[pieces.length - 1] = last + piece;
    } else if (piece !== '') {
      pieces.push(piece);
    }
  };
  parts.forEach((part, i) => {
    if (i > 0) {
      add(delimiter);
    }
    ('value' in part ? [part.value] : part.pieces).forEach(add);
  });
  return { unknown: first.unknown, pieces };
}
