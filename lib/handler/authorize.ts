// The handler acts only for its own stack's CloudFormation requests. Anyone allowed lambda:InvokeFunction can send it a
// made-up event, so every field of an event is checked against what only CloudFormation can say: the stack's id (the
// function's own environment), the stack's status, the resource's type, status and physical id, and the template's
// properties for the resource, resolved against the stack. Whatever cannot be checked is refused.
import { DescribeStacksCommand, GetTemplateCommand, ListStackResourcesCommand, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { Aws } from './aws';
import { DEVICE_RESOURCE_TYPE, USER_CLEANUP_RESOURCE_TYPE } from './names';
import { CustomResourceEvent, HandlerError, step } from './protocol';
import { matchesTemplate, StackFacts, Unverifiable } from './template-match';

/** How far the handler may trust the properties of a request it has verified. */
export type Trust =
  /** ResourceProperties are the template's: act on them. */
  | 'properties'
  /**
   * The Update that rolls a resource back: OldResourceProperties are the template's (the one being rolled back from),
   * ResourceProperties are the ones of before, which the handler may only return to (a device it made for this
   * resource), never create from.
   */
  | 'rollback'
  /** A Delete: nothing in ResourceProperties is trusted; the handler deletes only what its tags say it made for this resource. */
  | 'delete';

/** A request that comes from CloudFormation, for a resource of the handler's own stack. */
export interface Verified {
  readonly trust: Trust;
  readonly stackStatus: string;
  /** The names of the IAM users that are resources of the stack (lower case). */
  readonly stackUsers: ReadonlySet<string>;
}

const RESOURCE_TYPES = [DEVICE_RESOURCE_TYPE, USER_CLEANUP_RESOURCE_TYPE];
const CLEANUP_STATUSES = ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'];

/**
 * Verify a request against CloudFormation: throws a HandlerError (one sentence, naming what did not match) unless it
 * is a request CloudFormation is making now, for a resource of `stackId`.
 */
export async function authorize(event: CustomResourceEvent, aws: Aws, stackId: string | undefined): Promise<Verified> {
  if (!stackId) {
    throw new HandlerError('Refused: the handler\'s environment names no stack (STACK_ID), so it cannot tell its own stack\'s requests from others.');
  }
  if (event.StackId !== stackId) {
    throw new HandlerError(`Refused: the request names stack ${JSON.stringify(event.StackId)}, but this handler serves only its own stack ${stackId}.`);
  }
  if (!RESOURCE_TYPES.includes(event.ResourceType)) {
    throw new HandlerError(`Refused: resource type ${JSON.stringify(event.ResourceType)} is not one this handler serves (${RESOURCE_TYPES.join(', ')}).`);
  }
  if (!['Create', 'Update', 'Delete'].includes(event.RequestType)) {
    throw new HandlerError(`Refused: request type ${JSON.stringify(event.RequestType)} is not Create, Update or Delete.`);
  }
  const described = await step(`Could not read stack ${stackId} to verify the request`, () => aws.send<any>(aws.cloudFormation,
    new DescribeStacksCommand({ StackName: stackId })));
  const stack = described.Stacks?.[0];
  const stackStatus: string = stack?.StackStatus ?? '';
  const resources = await listResources(aws, stackId);
  const resource = resources.get(event.LogicalResourceId);
  if (!resource || resource.ResourceType !== event.ResourceType) {
    throw new HandlerError(`Refused: stack ${stackId} has no ${event.ResourceType} ${JSON.stringify(event.LogicalResourceId)}.`);
  }
  const status = resource.ResourceStatus ?? '';
  const stackUsers = new Set([...resources.values()].filter((r) => r.ResourceType === 'AWS::IAM::User' && r.PhysicalResourceId)
    .map((r) => r.PhysicalResourceId!.toLowerCase()));
  const refuse = (what: string) => new HandlerError(`Refused: ${event.RequestType} of ${event.LogicalResourceId} is not a request CloudFormation `
    + `is making now (${what}; stack ${stackStatus}, resource ${status}).`);

  if (event.RequestType === 'Delete') {
    const deleting = status === 'DELETE_IN_PROGRESS' && resource.PhysicalResourceId === event.PhysicalResourceId;
    // The cleanup after a replacement deletes the previous physical resource; the logical one is the new resource.
    const cleanup = CLEANUP_STATUSES.includes(stackStatus) && !!event.PhysicalResourceId && resource.PhysicalResourceId !== event.PhysicalResourceId;
    if (!deleting && !cleanup) {
      throw refuse('the resource is not being deleted');
    }
    return { trust: 'delete', stackStatus, stackUsers };
  }
  if (event.RequestType === 'Create' && status !== 'CREATE_IN_PROGRESS') {
    throw refuse('the resource is not being created');
  }
  if (event.RequestType === 'Update' && (status !== 'UPDATE_IN_PROGRESS' || resource.PhysicalResourceId !== event.PhysicalResourceId)) {
    throw refuse(resource.PhysicalResourceId !== event.PhysicalResourceId ? 'another physical id' : 'the resource is not being updated');
  }

  const template = await step(`Could not read the template of stack ${stackId} to verify the request`, () => aws.send<any>(aws.cloudFormation,
    new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Processed' })));
  let body: { Resources?: Record<string, { Type?: string; Properties?: unknown }> };
  try {
    body = JSON.parse(template.TemplateBody ?? '');
  } catch {
    throw new HandlerError(`Refused: the template of stack ${stackId} is not JSON, so the request's properties cannot be checked against it.`);
  }
  const declared = body.Resources?.[event.LogicalResourceId];
  if (declared?.Type !== event.ResourceType) {
    throw new HandlerError(`Refused: the template of stack ${stackId} declares no ${event.ResourceType} ${JSON.stringify(event.LogicalResourceId)}.`);
  }
  const facts: StackFacts = {
    stackId,
    parameters: new Map((stack?.Parameters ?? []).map((p: any) => [p.ParameterKey, p.ParameterValue])),
    resources: new Map([...resources].map(([id, r]) => [id, { type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId }])),
    templateTypes: new Map(Object.entries(body.Resources ?? {}).map(([id, r]) => [id, r.Type ?? ''])),
  };
  const matches = (properties: unknown) => {
    try {
      return matchesTemplate(declared.Properties ?? {}, properties ?? {}, facts);
    } catch (err) {
      if (err instanceof Unverifiable) {
        throw new HandlerError(`Refused: ${err.message}, so the request's properties cannot be verified.`);
      }
      throw err;
    }
  };
  if (matches(event.ResourceProperties)) {
    return { trust: 'properties', stackStatus, stackUsers };
  }
  if (event.RequestType === 'Update' && stackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS' && matches(event.OldResourceProperties)) {
    return { trust: 'rollback', stackStatus, stackUsers };
  }
  throw new HandlerError(`Refused: the request's properties of ${event.LogicalResourceId} are not the ones the template of stack ${stackId} gives it.`);
}

async function listResources(aws: Aws, stackId: string): Promise<Map<string, StackResourceSummary>> {
  const resources = new Map<string, StackResourceSummary>();
  let token: string | undefined;
  do {
    const page: any = await step(`Could not list the resources of stack ${stackId} to verify the request`, () => aws.send(aws.cloudFormation,
      new ListStackResourcesCommand({ StackName: stackId, NextToken: token })));
    for (const summary of page.StackResourceSummaries ?? []) {
      resources.set(summary.LogicalResourceId, summary);
    }
    token = page.NextToken;
  } while (token);
  return resources;
}
