import { randomUUID } from 'crypto';
import { AwsModel, ModelStack } from './aws-model';
import { CustomResourceEvent, handleEvent, HandlerOptions } from '../../lib/handler';

// A CloudFormation lifecycle simulator: it deploys templates of a few resource types against the stateful AWS model and
// sends the custom resources' requests to the real handler entry point, in CloudFormation's documented order:
// - create and update in dependency order; a custom resource whose physical id changes is replaced, and the old
//   physical resource is deleted in the cleanup phase (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS), after the update;
// - on a failure, the rollback undoes the operations of the deployment in reverse order: an Update back to the old
//   properties for the resources updated (with the physical id the resource has now), a Delete for those created;
//   then UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS deletes the physical resources the failed update created;
// - a failed stack creation rolls back with Deletes (ROLLBACK_IN_PROGRESS); a stack deletion deletes in reverse order.
// Resource types: AWS::IAM::User (in the model), AWS::Lambda::Function and AWS::IAM::Role (names only), Test::Fail
// (fails when created or updated: the "later resource" that fails), and custom resources (the handler).

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

  /** Invoke the handler with an event and wait for its response (or undefined when it sends none). */
  public async invoke(event: CustomResourceEvent): Promise<SimExchange['response']> {
    const response = new Promise<SimExchange['response']>((resolve) => this.waiting.set(event.RequestId, resolve));
    const stackStatus = this.stack.status;
    await handleEvent(event, { remainingMs: 60_000, ...this.options, stackId: this.stack.stackId });
    const answer = await Promise.race([response, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
    if (!answer) {
      throw new Error(`The handler sent no response to ${event.RequestType} ${event.LogicalResourceId}.`);
    }
    this.exchanges.push({ event, stackStatus, response: answer });
    return answer;
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
    const failure = this.native('create', logicalId, type, properties);
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
      const failure = this.native('create', logicalId, type, properties);
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
  private native(kind: 'create', logicalId: string, type: string, properties: Record<string, any>): string | undefined {
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
      case 'AWS::IAM::Role':
        resource.physicalId = `${this.stack.stackName}-${logicalId}-${kind === 'create' ? 'A1B2C3D4E5F6' : ''}`;
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
      return this.arnOf(id, attribute);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = value['Fn::Join'];
      return parts.map((p: any) => this.resolve(p)).join(separator);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      return String(value['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const [id, attribute] = name.split('.');
        return attribute ? this.arnOf(id, attribute) : this.ref(id);
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

  private arnOf(logicalId: string, attribute: string): string {
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
    switch (resource.type) {
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${region}:${account}:function:${resource.physicalId}`;
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${resource.physicalId}`;
      case 'AWS::IAM::User':
        return `arn:${partition}:iam::${account}:user/${resource.physicalId}`;
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
