import { createHash, randomUUID } from 'crypto';
import { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { AwsModel, ModelStack } from './aws-model';
import { awsManagedPolicy, simulate } from './iam-simulation';
import { CustomResourceEvent, handleEvent, HandlerOptions } from '../../lib/handler';

// A CloudFormation lifecycle simulator: it deploys templates of a few resource types against the stateful AWS model and
// sends the custom resources' requests to the real handler entry point, in CloudFormation's documented order:
// - create and update in dependency order; a custom resource whose physical id changes is replaced, and the old
//   physical resource is deleted in the cleanup phase (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS), after the update;
// - on a failure, the rollback undoes the operations of the deployment in reverse order: an Update back to the old
//   properties for the resources updated (with the physical id the resource has now), a Delete for those created;
//   then UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS deletes the physical resources the failed update created;
// - a failed stack creation rolls back with Deletes (ROLLBACK_IN_PROGRESS); a stack deletion deletes in reverse order.
// Resource types: AWS::IAM::User (in the model), AWS::Lambda::Function, AWS::IAM::Role and AWS::IAM::ManagedPolicy
// (names and ARNs), Test::Fail (fails when created or updated: the "later resource" that fails), custom resources (the
// handler), and any other type as a resource that only records its properties (AWS::IAM::Policy, AWS::IAM::Group, ...).
// With runFunctionsAsDeployed, the handler runs as Lambda would run the function its ServiceToken names: that function's
// environment and timeout, the credentials of its role, every AWS call authorized by the IAM evaluator against the
// policies the stack attaches to that role (and a secret's own resource policy).

/** A template as the simulator deploys it. */
export interface SimTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;
}

/** One request the handler got, and what it answered. */
export interface SimExchange {
  readonly event: CustomResourceEvent;
  readonly stackStatus: string;
  readonly response: { Status: 'SUCCESS' | 'FAILED'; Reason: string; PhysicalResourceId: string; Data?: Record<string, string> };
}

/** How a deployment ended. */
export interface SimResult {
  readonly status: string;
  readonly exchanges: SimExchange[];
}

interface Operation {
  readonly kind: 'create' | 'update';
  readonly logicalId: string;
  readonly oldProperties?: Record<string, any>;
  readonly oldPhysicalId?: string;
  /** The properties the update was to give the resource (whether it succeeded or not). */
  readonly newProperties?: Record<string, any>;
}

/** The simulator of one stack. */
export class CfnSimulator {
  public readonly stack: ModelStack;
  /** Every request the handler got, in order. */
  public readonly exchanges: SimExchange[] = [];
  /** The resolved properties each resource has now. */
  private readonly properties = new Map<string, Record<string, any>>();
  /** The response Data of each custom resource's last successful Create or Update: its Fn::GetAtt attributes. */
  private readonly data = new Map<string, Record<string, string>>();
  private template: SimTemplate = { Resources: {} };
  private readonly waiting = new Map<string, (body: SimExchange['response']) => void>();
  private asDeployed = false;

  /**
   * @param model the AWS model (its URL is the handler's AWS_ENDPOINT_URL and the ResponseURL's host)
   * @param stackName the stack's name
   * @param options the handler's options (the stack id is set by the simulator)
   * @param templateDuringRollback which template GetTemplate returns while an update rolls back (AWS does not document it)
   */
  constructor(private readonly model: AwsModel, stackName: string, private readonly options: HandlerOptions = {},
    private readonly templateDuringRollback: 'new' | 'old' = 'new') {
    this.stack = model.addStack(stackName, { Resources: {} });
    this.stack.status = 'REVIEW_IN_PROGRESS';
    model.onCustomResourceResponse = (body) => {
      const parsed = JSON.parse(body);
      const resolve = this.waiting.get(parsed.RequestId);
      if (resolve) {
        this.waiting.delete(parsed.RequestId);
        resolve(parsed);
      }
      return { status: 200 };
    };
  }

  /** The physical id of a resource. */
  public physicalId(logicalId: string): string | undefined {
    return this.stack.resources.get(logicalId)?.physicalId;
  }

  /**
   * From now on, run each request in the Lambda function that the custom resource's ServiceToken names, as deployed:
   * the handler gets the function's Environment (it reads STACK_ID from there) and its Timeout as the invocation's
   * time, and signs with credentials of the function's Role whose calls carry lambda:SourceFunctionArn = the function;
   * the model authorizes each of those calls with the IAM evaluator against the identity policies the stack attaches to
   * that role as deployed now, and a secret's resource policy. Call it before the handler's first call against this
   * model (the handler's SDK clients keep the credentials they started with).
   */
  public runFunctionsAsDeployed(): void {
    this.asDeployed = true;
    this.model.authorizer = (request) => simulate({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      identityPolicies: this.identityPoliciesOf(request.principal),
      resourcePolicy: request.resourcePolicy,
    });
  }

  /**
   * The identity policies the stack attaches to a role as deployed now: AWS::IAM::ManagedPolicy and AWS::IAM::Policy
   * resources that name it in Roles, and the role's own Policies and ManagedPolicyArns.
   */
  public identityPoliciesOf(roleArn: string): SimulationIdentityPolicy[] {
    const roleName = roleArn.split('/').pop();
    const policies: SimulationIdentityPolicy[] = [];
    for (const [logicalId, resource] of this.stack.resources) {
      const props = this.properties.get(logicalId);
      if (!props) {
        continue;
      }
      if (['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy'].includes(resource.type) && (props.Roles ?? []).includes(roleName)) {
        policies.push({ name: logicalId, policy: props.PolicyDocument });
      }
      if (resource.type === 'AWS::IAM::Role' && resource.physicalId === roleName) {
        for (const inline of props.Policies ?? []) {
          policies.push({ name: `${logicalId}/${inline.PolicyName}`, policy: inline.PolicyDocument });
        }
        for (const arn of props.ManagedPolicyArns ?? []) {
          const own = [...this.stack.resources.values()].find((r) => r.type === 'AWS::IAM::ManagedPolicy' && r.physicalId === arn);
          policies.push(own ? { name: own.logicalId, policy: this.properties.get(own.logicalId)!.PolicyDocument } : awsManagedPolicy(arn));
        }
      }
    }
    return policies;
  }

  /** The status of the stack. */
  public get status(): string {
    return this.stack.status;
  }

  /** Create the stack, or update it to a new template. */
  public async deploy(template: SimTemplate): Promise<SimResult> {
    const first = this.exchanges.length;
    const creating = this.stack.status === 'REVIEW_IN_PROGRESS';
    const previous = this.template;
    this.stack.status = creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    this.template = template;
    this.stack.template = template as ModelStack['template'];
    const done: Operation[] = [];
    const replaced: Array<{ logicalId: string; physicalId: string; type: string; properties: Record<string, any> }> = [];
    let failure: string | undefined;
    for (const logicalId of order(template)) {
      const declared = template.Resources[logicalId];
      const existing = this.stack.resources.get(logicalId);
      const properties = this.resolve(declared.Properties ?? {});
      if (!existing) {
        this.stack.resources.set(logicalId, { logicalId, type: declared.Type, status: 'CREATE_IN_PROGRESS' });
        done.push({ kind: 'create', logicalId });
        failure = await this.createResource(logicalId, declared.Type, properties);
      } else if (JSON.stringify(this.properties.get(logicalId)) !== JSON.stringify(properties)) {
        const oldProperties = this.properties.get(logicalId)!;
        const oldPhysicalId = existing.physicalId;
        existing.status = 'UPDATE_IN_PROGRESS';
        done.push({ kind: 'update', logicalId, oldProperties, oldPhysicalId, newProperties: properties });
        failure = await this.updateResource(logicalId, declared.Type, oldProperties, properties);
        if (!failure && existing.physicalId !== oldPhysicalId) {
          replaced.push({ logicalId, physicalId: oldPhysicalId!, type: declared.Type, properties: oldProperties });
        }
      }
      if (failure) {
        break;
      }
    }
    if (!failure) {
      // Resources the new template no longer has are deleted in the cleanup phase, like replaced ones.
      const removed = [...this.stack.resources.values()].filter((r) => !template.Resources[r.logicalId]);
      this.stack.status = creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      if (!creating) {
        for (const old of replaced.reverse()) {
          await this.deletePhysical(old.logicalId, old.type, old.physicalId, old.properties);
        }
        for (const resource of removed.reverse()) {
          resource.status = 'DELETE_IN_PROGRESS';
          await this.deletePhysical(resource.logicalId, resource.type, resource.physicalId, this.properties.get(resource.logicalId) ?? {});
          this.stack.resources.delete(resource.logicalId);
        }
        this.stack.status = 'UPDATE_COMPLETE';
      }
      return { status: this.stack.status, exchanges: this.exchanges.slice(first) };
    }
    return this.rollBack(creating, previous, done, first);
  }

  /** Delete the stack: every resource, in reverse dependency order. */
  public async destroy(): Promise<SimResult> {
    const first = this.exchanges.length;
    this.stack.status = 'DELETE_IN_PROGRESS';
    for (const logicalId of order(this.template).reverse()) {
      const resource = this.stack.resources.get(logicalId);
      if (!resource) {
        continue;
      }
      resource.status = 'DELETE_IN_PROGRESS';
      const failure = await this.deletePhysical(logicalId, resource.type, resource.physicalId, this.properties.get(logicalId) ?? {});
      if (failure) {
        resource.status = 'DELETE_FAILED';
        this.stack.status = 'DELETE_FAILED';
        return { status: this.stack.status, exchanges: this.exchanges.slice(first) };
      }
      this.stack.resources.delete(logicalId);
    }
    this.stack.status = 'DELETE_COMPLETE';
    return { status: this.stack.status, exchanges: this.exchanges.slice(first) };
  }

  /** Send one request to the handler as CloudFormation would, and wait for its response. */
  public async send(event: Omit<CustomResourceEvent, 'ResponseURL' | 'StackId' | 'RequestId'> & { RequestId?: string }): Promise<SimExchange['response']> {
    const full: CustomResourceEvent = {
      ...event,
      StackId: this.stack.stackId,
      RequestId: event.RequestId ?? randomUUID(),
      ResponseURL: `${this.model.url}/cloudformation-response/${this.stack.stackName}?X-Amz-Signature=presigned`,
    };
    return this.invoke(full);
  }

  /**
   * The request CloudFormation is about to send for a custom resource of the stack's current template, for tests and
   * the benchmark that deliver it themselves (twice, at once, at scale): a Create puts the resource into
   * CREATE_IN_PROGRESS, a Delete into DELETE_IN_PROGRESS with its physical id; the properties are the template's,
   * resolved against the stack.
   */
  public createEvent(logicalId: string, requestType: 'Create' | 'Delete' = 'Create', requestId = `${requestType.toLowerCase()}-${logicalId}`):
  CustomResourceEvent {
    const declared = this.stack.template.Resources[logicalId];
    const resource = this.stack.resources.get(logicalId) ?? { logicalId, type: declared.Type, status: '' };
    resource.status = requestType === 'Create' ? 'CREATE_IN_PROGRESS' : 'DELETE_IN_PROGRESS';
    this.stack.resources.set(logicalId, resource);
    return {
      RequestType: requestType,
      RequestId: requestId,
      ResponseURL: `${this.model.url}/cloudformation-response/${this.stack.stackName}?X-Amz-Signature=presigned`,
      StackId: this.stack.stackId,
      LogicalResourceId: logicalId,
      ResourceType: declared.Type,
      ...(requestType === 'Delete' ? { PhysicalResourceId: resource.physicalId } : {}),
      ResourceProperties: this.resolve(declared.Properties ?? {}),
    };
  }

  /** Invoke the handler with an event and wait for its response (or undefined when it sends none). */
  public async invoke(event: CustomResourceEvent): Promise<SimExchange['response']> {
    const response = new Promise<SimExchange['response']>((resolve) => this.waiting.set(event.RequestId, resolve));
    const stackStatus = this.stack.status;
    if (this.asDeployed) {
      await this.inFunction(event);
    } else {
      await handleEvent(event, { remainingMs: 60_000, ...this.options, stackId: this.stack.stackId });
    }
    const answer = await Promise.race([response, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
    if (!answer) {
      throw new Error(`The handler sent no response to ${event.RequestType} ${event.LogicalResourceId}.`);
    }
    this.exchanges.push({ event, stackStatus, response: answer });
    return answer;
  }

  /** Invoke the handler as Lambda runs the function the event's ServiceToken names (runFunctionsAsDeployed). */
  private async inFunction(event: CustomResourceEvent): Promise<void> {
    const token = String(event.ResourceProperties.ServiceToken);
    const fn = [...this.stack.resources.values()].find((r) => r.type === 'AWS::Lambda::Function' && r.physicalId
      && this.getAtt(r.logicalId, 'Arn') === token);
    if (!fn) {
      throw new Error(`No function of stack ${this.stack.stackName} has the ARN ${token}, the ServiceToken of ${event.LogicalResourceId}.`);
    }
    const props = this.properties.get(fn.logicalId)!;
    const accessKeyId = `ASIA${createHash('sha256').update(token).digest('hex').slice(0, 16).toUpperCase()}`;
    this.model.principals.set(accessKeyId, { arn: props.Role, context: { 'lambda:SourceFunctionArn': token } });
    const environment: Record<string, string> = {
      ...props.Environment?.Variables,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'function-role-secret',
      AWS_SESSION_TOKEN: 'function-role-session',
    };
    const before = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    try {
      await handleEvent(event, { ...this.options, remainingMs: Number(props.Timeout ?? 3) * 1000 });
    } finally {
      for (const [name, value] of Object.entries(before)) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    }
  }

  private async rollBack(creating: boolean, previous: SimTemplate, done: Operation[], first: number): Promise<SimResult> {
    this.stack.status = creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
    if (!creating && this.templateDuringRollback === 'old') {
      this.template = previous;
      this.stack.template = previous as ModelStack['template'];
    }
    const created: Array<{ logicalId: string; physicalId: string; type: string; properties: Record<string, any> }> = [];
    for (const op of done.reverse()) {
      const resource = this.stack.resources.get(op.logicalId)!;
      if (op.kind === 'create') {
        resource.status = 'DELETE_IN_PROGRESS';
        await this.deletePhysical(op.logicalId, resource.type, resource.physicalId, this.properties.get(op.logicalId) ?? {});
        this.stack.resources.delete(op.logicalId);
        this.properties.delete(op.logicalId);
        continue;
      }
      // Update back: old properties, the physical id the resource has now.
      const newPhysicalId = resource.physicalId;
      const newProperties = op.newProperties!;
      if (!resource.type.startsWith('Custom::')) {
        // A native resource returns to its old physical resource; a replacement made by the update goes in the cleanup.
        resource.physicalId = op.oldPhysicalId;
        resource.status = 'UPDATE_COMPLETE';
        this.properties.set(op.logicalId, op.oldProperties!);
        if (newPhysicalId !== op.oldPhysicalId && newPhysicalId) {
          created.push({ logicalId: op.logicalId, physicalId: newPhysicalId, type: resource.type, properties: newProperties });
        }
        continue;
      }
      resource.status = 'UPDATE_IN_PROGRESS';
      const failure = await this.updateResource(op.logicalId, resource.type, newProperties, op.oldProperties!);
      if (failure) {
        resource.status = 'UPDATE_FAILED';
        this.stack.status = 'UPDATE_ROLLBACK_FAILED';
        return { status: this.stack.status, exchanges: this.exchanges.slice(first) };
      }
      if (resource.physicalId !== newPhysicalId && newPhysicalId) {
        created.push({ logicalId: op.logicalId, physicalId: newPhysicalId, type: resource.type, properties: newProperties });
      }
    }
    this.template = previous;
    this.stack.template = previous as ModelStack['template'];
    if (creating) {
      this.stack.status = 'ROLLBACK_COMPLETE';
    } else {
      this.stack.status = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
      for (const leftover of created) {
        await this.deletePhysical(leftover.logicalId, leftover.type, leftover.physicalId, leftover.properties);
      }
      this.stack.status = 'UPDATE_ROLLBACK_COMPLETE';
    }
    return { status: this.stack.status, exchanges: this.exchanges.slice(first) };
  }

  /** Create one resource; returns a failure reason, or undefined. */
  private async createResource(logicalId: string, type: string, properties: Record<string, any>): Promise<string | undefined> {
    const resource = this.stack.resources.get(logicalId)!;
    if (type.startsWith('Custom::')) {
      const answer = await this.send({ RequestType: 'Create', LogicalResourceId: logicalId, ResourceType: type, ResourceProperties: properties });
      resource.physicalId = answer.PhysicalResourceId;
      this.data.set(logicalId, answer.Status === 'SUCCESS' ? answer.Data ?? {} : {});
      this.properties.set(logicalId, properties);
      resource.status = answer.Status === 'SUCCESS' ? 'CREATE_COMPLETE' : 'CREATE_FAILED';
      return answer.Status === 'SUCCESS' ? undefined : answer.Reason;
    }
    const failure = this.native(logicalId, type, properties);
    resource.status = failure ? 'CREATE_FAILED' : 'CREATE_COMPLETE';
    if (!failure) {
      this.properties.set(logicalId, properties);
    }
    return failure;
  }

  private async updateResource(logicalId: string, type: string, oldProperties: Record<string, any>,
    properties: Record<string, any>): Promise<string | undefined> {
    const resource = this.stack.resources.get(logicalId)!;
    if (type.startsWith('Custom::')) {
      const answer = await this.send({
        RequestType: 'Update',
        LogicalResourceId: logicalId,
        ResourceType: type,
        PhysicalResourceId: resource.physicalId,
        ResourceProperties: properties,
        OldResourceProperties: oldProperties,
      });
      if (answer.Status === 'SUCCESS') {
        resource.physicalId = answer.PhysicalResourceId;
        this.data.set(logicalId, answer.Data ?? {});
        this.properties.set(logicalId, properties);
        resource.status = 'UPDATE_COMPLETE';
        return undefined;
      }
      resource.status = 'UPDATE_FAILED';
      return answer.Reason;
    }
    if (type === 'AWS::IAM::User' && properties.UserName !== oldProperties.UserName) {
      // A new name replaces the user: the new one now, the old one in the cleanup phase.
      const failure = this.native(logicalId, type, properties);
      if (!failure) {
        this.properties.set(logicalId, properties);
      }
      resource.status = failure ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE';
      return failure;
    }
    const failure = type === 'Test::Fail' ? `Resource ${logicalId} failed to update (simulated).` : undefined;
    if (!failure) {
      this.properties.set(logicalId, properties);
    }
    const user = type === 'AWS::IAM::User' ? this.model.users.get(String(properties.UserName).toLowerCase()) : undefined;
    if (user && !failure) {
      // New tags on the same user.
      user.tags.clear();
      (properties.Tags ?? []).forEach((t: { Key: string; Value: string }) => user.tags.set(t.Key, t.Value));
    }
    resource.status = failure ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE';
    return failure;
  }

  /** Delete one physical resource; returns a failure reason, or undefined. */
  private async deletePhysical(logicalId: string, type: string, physicalId: string | undefined,
    properties: Record<string, any>): Promise<string | undefined> {
    if (type.startsWith('Custom::')) {
      if (physicalId === undefined) {
        return undefined;
      }
      const answer = await this.send({
        RequestType: 'Delete', LogicalResourceId: logicalId, ResourceType: type, PhysicalResourceId: physicalId, ResourceProperties: properties,
      });
      return answer.Status === 'SUCCESS' ? undefined : answer.Reason;
    }
    if (type === 'AWS::IAM::User' && physicalId) {
      const user = this.model.users.get(physicalId.toLowerCase());
      if (user) {
        const blocked = user.accessKeys.length > 0 || [...this.model.devices.values()].some((d) => d.user === user.userName);
        if (blocked) {
          return `Cannot delete entity, must delete access keys and MFA devices first (user ${physicalId}).`;
        }
        this.model.users.delete(physicalId.toLowerCase());
      }
    }
    return undefined;
  }

  /** Create a resource that is not a custom resource; returns a failure reason, or undefined. */
  /** A name CloudFormation generates for a resource: stack name, logical id and a random part, at most 64 characters. */
  private generatedName(logicalId: string): string {
    return `${this.stack.stackName}-${logicalId}`.slice(0, 51) + '-A1B2C3D4E5F6';
  }

  private native(logicalId: string, type: string, properties: Record<string, any>): string | undefined {
    const resource = this.stack.resources.get(logicalId)!;
    switch (type) {
      case 'AWS::IAM::User': {
        const tags = Object.fromEntries((properties.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
        if (this.model.users.has(String(properties.UserName).toLowerCase())) {
          return `${properties.UserName} already exists.`;
        }
        this.model.createUser(properties.UserName, properties.Path ?? '/', tags);
        resource.physicalId = properties.UserName;
        return undefined;
      }
      case 'AWS::Lambda::Function':
        resource.physicalId = properties.FunctionName ?? this.generatedName(logicalId);
        return undefined;
      case 'AWS::IAM::Role':
        resource.physicalId = properties.RoleName ?? this.generatedName(logicalId);
        return undefined;
      case 'AWS::IAM::ManagedPolicy':
        resource.physicalId = `arn:aws:iam::${this.stack.stackId.split(':')[4]}:policy${properties.Path ?? '/'}`
          + `${properties.ManagedPolicyName ?? this.generatedName(logicalId)}`;
        return undefined;
      case 'Test::Fail':
        return `Resource ${logicalId} failed to create (simulated).`;
      default:
        resource.physicalId = `${logicalId}-physical`;
        return undefined;
    }
  }

  /** Resolve Ref, Fn::GetAtt (Arn), Fn::Join and Fn::Sub against the stack, as CloudFormation does before it sends properties. */
  public resolve(value: any): any {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v));
    }
    if (value === null || typeof value !== 'object') {
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref') {
      return this.ref(value.Ref);
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attribute] = value['Fn::GetAtt'];
      return this.getAtt(id, attribute);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = value['Fn::Join'];
      return parts.map((p: any) => this.resolve(p)).join(separator);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      return String(value['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const [id, attribute] = name.split('.');
        return attribute ? this.getAtt(id, attribute) : this.ref(id);
      });
    }
    return Object.fromEntries(Object.entries(value).filter(([, v]) => !(v && typeof v === 'object' && (v as any).Ref === 'AWS::NoValue'))
      .map(([k, v]) => [k, this.resolve(v)]));
  }

  private ref(name: string): string {
    const [, partition, , region, account] = this.stack.stackId.split(':');
    const pseudo: Record<string, string> = {
      'AWS::StackId': this.stack.stackId, 'AWS::StackName': this.stack.stackName, 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::Partition': partition,
    };
    const value = pseudo[name] ?? this.stack.resources.get(name)?.physicalId;
    if (value === undefined) {
      throw new Error(`The simulator cannot resolve Ref ${name}.`);
    }
    return value;
  }

  /** The properties of a resource as CloudFormation resolved them at its last create or update. */
  public resolvedProperties(logicalId: string): Record<string, any> | undefined {
    return this.properties.get(logicalId);
  }

  private getAtt(logicalId: string, attribute: string): string {
    const resource = this.stack.resources.get(logicalId);
    // A custom resource's attributes are the Data of its last successful Create or Update, as CloudFormation keeps them.
    const data = this.data.get(logicalId)?.[attribute];
    if (resource?.type.startsWith('Custom::') && data !== undefined) {
      return data;
    }
    if (!resource?.physicalId || attribute !== 'Arn') {
      throw new Error(`The simulator cannot resolve ${logicalId}.${attribute}.`);
    }
    const [, partition, , region, account] = this.stack.stackId.split(':');
    const path = this.properties.get(logicalId)?.Path ?? '/';
    switch (resource.type) {
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${region}:${account}:function:${resource.physicalId}`;
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role${path}${resource.physicalId}`;
      case 'AWS::IAM::User':
        return `arn:${partition}:iam::${account}:user${path}${resource.physicalId}`;
      default:
        throw new Error(`The simulator cannot resolve the Arn of ${resource.type}.`);
    }
  }
}

/** The resources in dependency order (Ref, Fn::GetAtt, ${...} and DependsOn), stable by template order otherwise. */
export function order(template: SimTemplate): string[] {
  const ids = Object.keys(template.Resources);
  const deps = new Map(ids.map((id) => [id, new Set<string>(template.Resources[id].DependsOn ?? [])]));
  const visit = (value: any, into: Set<string>): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => visit(v, into));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'Ref' && typeof v === 'string' && template.Resources[v]) {
          into.add(v);
        } else if (k === 'Fn::GetAtt') {
          into.add((v as string[])[0]);
        } else if (k === 'Fn::Sub' && typeof v === 'string') {
          for (const m of v.matchAll(/\$\{([^}.]+)/g)) {
            if (template.Resources[m[1]]) {
              into.add(m[1]);
            }
          }
        } else {
          visit(v, into);
        }
      }
    }
  };
  ids.forEach((id) => visit(template.Resources[id].Properties ?? {}, deps.get(id)!));
  const sorted: string[] = [];
  const seen = new Set<string>();
  const place = (id: string): void => {
    if (seen.has(id)) {
      return;
    }
    seen.add(id);
    deps.get(id)!.forEach(place);
    sorted.push(id);
  };
  ids.forEach(place);
  return sorted;
}
