/**
 * A synthesized template with every intrinsic replaced by the concrete value CloudFormation would give it in account
 * 111111111111, region us-east-1, partition aws: `Ref`/`Fn::GetAtt` of roles, users, policies, secrets, functions and
 * keys become names and ARNs, `Fn::Join`/`Fn::Sub`/`Fn::Select`/`Fn::Split` are evaluated. An intrinsic or a resource
 * type it does not know throws, so nothing is ever left unresolved (or dropped) silently.
 */

export const ACCOUNT = '111111111111';

/** What `{ Ref: 'AWS::NoValue' }` resolves to before it is removed. */
const NO_VALUE = Symbol('AWS::NoValue');
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': PARTITION,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A resource of a concrete template. */
export interface ConcreteResource {
  readonly Type: string;
  readonly Properties: any;
}

/** The concrete id of a stack (`AWS::StackId`). */
export function stackIdOf(stackName: string): string {
  return `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/6a7b8c9d-0000-4000-8000-${stackName.length.toString().padStart(12, '0')}`;
}

/** Values that a template takes from outside: the deployment's choices. */
export interface ConcreteInputs {
  /** The value of each condition that a `Fn::If` names. */
  readonly conditions?: Record<string, boolean>;
  /** The value of each parameter that a `Ref` names. */
  readonly parameters?: Record<string, string>;
  /** The value of each export that a `Fn::ImportValue` names. */
  readonly imports?: Record<string, string>;
  /**
   * The value of `Fn::GetAtt` of custom resources, by `<logical id>.<attribute>` (what their handler answered, e.g. a
   * device's `CreatedAt`). @default - `<attribute>-of-<logical id>`
   */
  readonly attributes?: Record<string, string>;
}

export class ConcreteTemplate {
  /** The resources, properties resolved. */
  public readonly resources: Record<string, ConcreteResource> = {};
  private readonly raw: Record<string, any>;

  constructor(template: any, public readonly stackName: string, private readonly inputs: ConcreteInputs = {}) {
    this.raw = template.Resources ?? {};
    for (const [id, resource] of Object.entries(this.raw)) {
      this.resources[id] = { Type: resource.Type, Properties: this.resolve(resource.Properties ?? {}) };
    }
  }

  /** The logical ids of the resources of a type whose (resolved) properties match a predicate. */
  public idsOf(type: string, predicate: (properties: any) => boolean = () => true): string[] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type && predicate(r.Properties)).map(([id]) => id);
  }

  /** The one logical id of a type (and predicate); throws when there is none or more than one. */
  public idOf(type: string, predicate?: (properties: any) => boolean): string {
    const ids = this.idsOf(type, predicate);
    if (ids.length !== 1) {
      throw new Error(`Expected exactly one ${type} in ${this.stackName}, but found ${ids.length}: ${ids.join(', ')}`);
    }
    return ids[0];
  }

  /** The value of `{ Ref: logicalId }`. */
  public ref(logicalId: string): string {
    if (PSEUDO[logicalId] !== undefined) {
      return PSEUDO[logicalId];
    }
    if (logicalId === 'AWS::StackName') {
      return this.stackName;
    }
    if (logicalId === 'AWS::StackId') {
      return stackIdOf(this.stackName);
    }
    const resource = this.raw[logicalId];
    if (!resource && this.inputs.parameters?.[logicalId] !== undefined) {
      return this.inputs.parameters[logicalId];
    }
    if (!resource) {
      throw new Error(`Ref to ${logicalId}, which is not a resource of ${this.stackName}`);
    }
    const props = resource.Properties ?? {};
    const name = (key: string) => (props[key] !== undefined ? this.resolve(props[key]) : this.generatedName(logicalId));
    switch (resource.Type) {
      case 'AWS::IAM::User': return name('UserName');
      case 'AWS::IAM::Role': return name('RoleName');
      case 'AWS::IAM::Group': return name('GroupName');
      case 'AWS::IAM::Policy': return name('PolicyName');
      case 'AWS::IAM::ManagedPolicy': return `arn:${PARTITION}:iam::${ACCOUNT}:policy${this.pathOf(logicalId)}${name('ManagedPolicyName')}`;
      case 'AWS::IAM::AccessKey': return `AKIA${logicalId.replace(/[^A-Z0-9]/g, '').padEnd(16, 'X').slice(0, 16)}`;
      case 'AWS::SecretsManager::Secret': return `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${name('Name')}-AbCdEf`;
      case 'AWS::Lambda::Function': return name('FunctionName');
      case 'AWS::S3::Bucket': return name('BucketName');
      case 'AWS::KMS::Key': return `${logicalId.toLowerCase().slice(0, 8).padEnd(8, '0')}-1234-4abc-8def-1234567890ab`;
      default:
        if (resource.Type.startsWith('Custom::')) {
          return `physical-id-of-${logicalId}`;
        }
        throw new Error(`No concrete value for Ref of ${logicalId} (${resource.Type}) in ${this.stackName}`);
    }
  }

  /** The value of `{ 'Fn::GetAtt': [logicalId, attribute] }`. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.raw[logicalId];
    if (!resource) {
      throw new Error(`Fn::GetAtt of ${logicalId}, which is not a resource of ${this.stackName}`);
    }
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::IAM::User.Arn': return `arn:${PARTITION}:iam::${ACCOUNT}:user${this.pathOf(logicalId)}${this.ref(logicalId)}`;
      case 'AWS::IAM::Role.Arn': return `arn:${PARTITION}:iam::${ACCOUNT}:role${this.pathOf(logicalId)}${this.ref(logicalId)}`;
      case 'AWS::IAM::Group.Arn': return `arn:${PARTITION}:iam::${ACCOUNT}:group${this.pathOf(logicalId)}${this.ref(logicalId)}`;
      case 'AWS::IAM::AccessKey.SecretAccessKey': return '<the secret access key, known to CloudFormation only>';
      case 'AWS::SecretsManager::Secret.Id': return this.ref(logicalId);
      case 'AWS::S3::Bucket.Arn': return `arn:${PARTITION}:s3:::${this.ref(logicalId)}`;
      case 'AWS::Lambda::Function.Arn': return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${this.ref(logicalId)}`;
      case 'AWS::KMS::Key.Arn': return `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${this.ref(logicalId)}`;
      default:
        if (resource.Type.startsWith('Custom::')) {
          return this.inputs.attributes?.[`${logicalId}.${attribute}`] ?? `${attribute}-of-${logicalId}`;
        }
        throw new Error(`No concrete value for Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) in ${this.stackName}`);
    }
  }

  /** Resolve a template value (`AWS::NoValue` removes an array element or object key). */
  public resolve(value: any): any {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (value.Ref === 'AWS::NoValue') {
      return NO_VALUE;
    }
    if (value['Fn::If'] !== undefined) {
      const [condition, whenTrue, whenFalse] = value['Fn::If'];
      if (this.inputs.conditions?.[condition] === undefined) {
        throw new Error(`Fn::If of condition ${condition}, whose value is not given to ConcreteTemplate (${this.stackName})`);
      }
      return this.resolve(this.inputs.conditions[condition] ? whenTrue : whenFalse);
    }
    if (value['Fn::ImportValue'] !== undefined) {
      const name = this.resolve(value['Fn::ImportValue']);
      if (this.inputs.imports?.[name] === undefined) {
        throw new Error(`Fn::ImportValue of ${name}, whose value is not given to ConcreteTemplate (${this.stackName})`);
      }
      return this.inputs.imports[name];
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]).filter(([, v]) => v !== NO_VALUE));
  }

  private intrinsic(name: string, arg: any): any {
    switch (name) {
      case 'Ref': return this.ref(arg);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.getAtt(id, attribute);
      }
      case 'Fn::Join': return (this.resolve(arg[1]) as string[]).join(arg[0]);
      case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
      case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
        return String(text).replace(/\$\{([^}!]+)\}/g, (_, v: string) => {
          if (variables[v] !== undefined) {
            return this.resolve(variables[v]);
          }
          const [id, attribute] = v.split('.');
          return attribute ? this.getAtt(id, attribute) : this.ref(id);
        });
      }
      default:
        throw new Error(`Intrinsic ${name} is not supported by ConcreteTemplate (${this.stackName}): ${JSON.stringify(arg)}`);
    }
  }

  /** The IAM path of a user, role, group or managed policy: its `Path`, else `/`. */
  private pathOf(logicalId: string): string {
    const path = this.raw[logicalId].Properties?.Path;
    return path === undefined ? '/' : this.resolve(path);
  }

  /** A name as CloudFormation generates it: `<stack>-<logical id>-<random>`, at most 64 characters. */
  private generatedName(logicalId: string): string {
    return `${this.stackName}-${logicalId}`.slice(0, 51) + '-GENERATED123';
  }
}
