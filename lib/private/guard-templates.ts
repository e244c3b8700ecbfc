import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, IPolicyValidationContext, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeValue, isIntrinsic, isOpaque, OPAQUE, readDocument, renderString, variantsOf } from './mfa-policy-inspection';

/**
 * The templates that MfaGuard reads (what CloudFormation receives: the synthesized files, after every override), and
 * how a value in one of them refers to a resource in any of them (`Ref`, `Fn::GetAtt`, `Fn::ImportValue` of another
 * stack's export, a nested stack's parameter or output, or a name).
 */

/** A StackSet whose TemplateBody is a template: its construct path, and where the body is in the StackSet. */
export interface TemplateHost {
  readonly constructPath: string;
  readonly template: GuardTemplate;
  readonly logicalId: string;
}

/** One template and where it comes from. */
export interface GuardTemplate {
  /** The template JSON. */
  readonly template: any;
  /** The template's file, for the report (none for a StackSet's TemplateBody). */
  readonly templatePath?: string;
  /** The construct path of the stack (or, for a StackSet's TemplateBody, of the StackSet resource). */
  readonly rootPath: string;
  /** The construct path of each resource and output, by logical id. */
  readonly paths: ReadonlyMap<string, string>;
  /** The parent template and the `AWS::CloudFormation::Stack` resource of a nested stack. */
  readonly parent?: { readonly template: GuardTemplate; readonly logicalId: string };
  /** The StackSet whose TemplateBody this template is. */
  readonly host?: TemplateHost;
}

/**
 * A set of templates whose resources can refer to each other: the stacks of an app (one account, as far as the guard
 * can tell), or the TemplateBody of one StackSet (deployed to other accounts).
 */
export interface World {
  readonly templates: GuardTemplate[];
}

/** A template that could not be read, and why. */
export interface UnreadTemplate {
  readonly template: GuardTemplate;
  readonly logicalId: string;
  readonly reason: string;
}

/** What loading the assembly gave. */
export interface LoadedAssembly {
  readonly worlds: World[];
  readonly unread: UnreadTemplate[];
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** The construct path of every CfnElement of the stack (not of its nested stacks), by resolved logical id. */
function pathsOf(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  const visit = (construct: IConstruct) => {
    for (const child of construct.node.children) {
      if (Stack.isStack(child)) {
        continue;
      }
      if (CfnElement.isCfnElement(child)) {
        paths.set(stack.resolve(child.logicalId), child.node.path);
      }
      visit(child);
    }
  };
  visit(stack);
  return paths;
}

function isUnder(constructPath: string, scopePath: string): boolean {
  return scopePath === '' || constructPath === scopePath || constructPath.startsWith(`${scopePath}/`);
}

/**
 * Load every template of the assembly (the stacks of every Stage, their nested stacks, and the TemplateBody of every
 * StackSet in them), limited to the stacks under `scopePath` ('' for all).
 */
export function loadAssembly(context: IPolicyValidationContext, scopePath: string): LoadedAssembly {
  const stacks = new Map<string, Stack>();
  for (const construct of context.appConstruct.node.findAll()) {
    if (Stack.isStack(construct)) {
      stacks.set(construct.node.path, construct);
    }
  }
  const app: World = { templates: [] };
  const worlds: World[] = [app];
  const unread: UnreadTemplate[] = [];
  const addStack = (stack: Stack | undefined, templatePath: string, rootPath: string, parent?: GuardTemplate['parent']) => {
    const loaded: GuardTemplate = {
      template: readJson(templatePath),
      templatePath,
      rootPath,
      paths: stack ? pathsOf(stack) : new Map(),
      parent,
    };
    app.templates.push(loaded);
    const nested = stack ? [...stacks.values()].filter((s) => s.nestedStackParent === stack) as NestedStack[] : [];
    for (const child of nested) {
      const logicalId = stack!.resolve((child.nestedStackResource as CfnElement).logicalId);
      addStack(child, path.join(Stage.of(child)!.outdir, child.templateFile), child.node.path, { template: loaded, logicalId });
    }
    const loadedNested = new Set(nested.map((child) => stack!.resolve((child.nestedStackResource as CfnElement).logicalId)));
    for (const [logicalId, resource] of Object.entries<any>(loaded.template.Resources ?? {})) {
      if (resource.Type === 'AWS::CloudFormation::Stack' && !loadedNested.has(logicalId)) {
        unread.push({ template: loaded, logicalId, reason: `its TemplateURL ${describeValue(resource.Properties?.TemplateURL)} is not a template of this app` });
      }
    }
    loadStackSets(loaded, worlds, unread);
  };
  for (const entry of context.stackTemplates) {
    if (isUnder(entry.stackConstructPath, scopePath)) {
      addStack(stacks.get(entry.stackConstructPath), entry.templatePath, entry.stackConstructPath);
    }
  }
  return { worlds, unread };
}

/** Read the TemplateBody of every StackSet of a template as a world of its own (and theirs, recursively). */
function loadStackSets(host: GuardTemplate, worlds: World[], unread: UnreadTemplate[]): void {
  for (const [logicalId, resource] of Object.entries<any>(host.template.Resources ?? {})) {
    if (resource.Type !== 'AWS::CloudFormation::StackSet') {
      continue;
    }
    const body = resource.Properties?.TemplateBody;
    if (body === undefined) {
      unread.push({ template: host, logicalId, reason: `its template is given by TemplateURL ${describeValue(resource.Properties?.TemplateURL)}, which MfaGuard cannot read` });
      continue;
    }
    const read = readDocument(body);
    if ('unknown' in read || read.documents.length !== 1) {
      const reason = 'unknown' in read ? read.unknown.replace('the policy document', 'its TemplateBody') : 'its TemplateBody differs between the branches of a Fn::If';
      unread.push({ template: host, logicalId, reason });
      continue;
    }
    const constructPath = host.paths.get(logicalId) ?? host.rootPath;
    const inner: GuardTemplate = {
      template: read.documents[0],
      rootPath: constructPath,
      paths: new Map(),
      host: { constructPath, template: host, logicalId },
    };
    worlds.push({ templates: [inner] });
    loadStackSets(inner, worlds, unread);
  }
}

/** A resource of a template. */
export interface ResourceRef {
  readonly template: GuardTemplate;
  readonly logicalId: string;
}

/** What a value refers to: a resource of the world, a name (or ARN) the world may define, or nothing the guard can tell. */
export type Target = { readonly resource: ResourceRef } | { readonly name: string; readonly text: string } | { readonly unknown: string };

const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
};

/** The resource of a template. */
export function resourceOf(ref: ResourceRef): any {
  return ref.template.template.Resources?.[ref.logicalId];
}

/** The literal name of an IAM user, role, group or managed policy, if its template gives one. */
export function nameOf(ref: ResourceRef): string | undefined {
  const resource = resourceOf(ref);
  const key = NAME_PROPERTY[resource?.Type];
  const name = key ? renderString(resource.Properties?.[key]) : undefined;
  return name === undefined || name.includes(OPAQUE) ? undefined : name;
}

/** The last part of an IAM ARN (`arn:...:user/path/name` → `name`), or the value itself when it is a plain name. */
function nameInArn(text: string): string | undefined {
  const name = text.startsWith('arn:') ? text.slice(text.lastIndexOf('/') + 1) : text;
  return name === '' || name.includes(OPAQUE) || name.includes('*') ? undefined : name;
}

/** Resolves references between the templates of one world. */
export class WorldIndex {
  private readonly exports = new Map<string, { template: GuardTemplate; value: any }>();
  private readonly byType = new Map<string, ResourceRef[]>();

  constructor(public readonly world: World) {
    for (const template of world.templates) {
      for (const output of Object.values<any>(template.template.Outputs ?? {})) {
        const name = renderString(output?.Export?.Name);
        if (name !== undefined && !name.includes(OPAQUE)) {
          this.exports.set(name, { template, value: output.Value });
        }
      }
    }
  }

  /** Every resource of the world of one of the types. */
  public resources(...types: string[]): ResourceRef[] {
    const key = types.join(' ');
    let found = this.byType.get(key);
    if (!found) {
      found = this.world.templates.flatMap((template) => Object.entries<any>(template.template.Resources ?? {})
        .filter(([, resource]) => types.includes(resource?.Type))
        .map(([logicalId]) => ({ template, logicalId })));
      this.byType.set(key, found);
    }
    return found;
  }

  /** What a value in a template refers to. */
  public target(template: GuardTemplate, value: any): Target {
    if (typeof value === 'string' || (isIntrinsic(value) && (value['Fn::Join'] !== undefined || value['Fn::Sub'] !== undefined))) {
      const text = renderString(value)!;
      const name = nameInArn(text);
      return name === undefined ? { unknown: describeValue(value) } : { name, text: describeValue(value) };
    }
    if (!isIntrinsic(value)) {
      return { unknown: describeValue(value) };
    }
    const resources = template.template.Resources ?? {};
    if (typeof value.Ref === 'string') {
      if (resources[value.Ref]) {
        return { resource: { template, logicalId: value.Ref } };
      }
      const parameter = template.parent && resourceOf(template.parent)?.Properties?.Parameters?.[value.Ref];
      return parameter !== undefined ? this.target(template.parent!.template, parameter) : { unknown: describeValue(value) };
    }
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const [id, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split(/\.(.*)/s);
      if (attribute === 'Arn' && resources[id]) {
        return { resource: { template, logicalId: id } };
      }
      const output = typeof attribute === 'string' && attribute.startsWith('Outputs.') ? this.nestedOutput(template, id, attribute.slice(8)) : undefined;
      return output ?? { unknown: describeValue(value) };
    }
    if (value['Fn::ImportValue'] !== undefined) {
      const name = renderString(value['Fn::ImportValue']);
      const exported = name === undefined ? undefined : this.exports.get(name);
      return exported ? this.target(exported.template, exported.value) : { unknown: describeValue(value) };
    }
    return { unknown: describeValue(value) };
  }

  /** The target of an output of a nested stack, from its parent's `Fn::GetAtt [NestedStack, Outputs.X]`. */
  private nestedOutput(parent: GuardTemplate, logicalId: string, output: string): Target | undefined {
    const child = this.world.templates.find((t) => t.parent?.template === parent && t.parent.logicalId === logicalId);
    const value = child?.template.Outputs?.[output]?.Value;
    return value === undefined ? undefined : this.target(child!, value);
  }

  /** The resources a value can name (one per Fn::If branch and list element), and the values that name nothing known. */
  public targets(template: GuardTemplate, value: any): Target[] {
    let variants: any[];
    try {
      variants = variantsOf(value);
    } catch {
      return [{ unknown: describeValue(value) }];
    }
    return variants.flatMap((variant) => (variant === undefined ? [] : Array.isArray(variant) ? variant : [variant]))
      .map((v) => (isOpaque(v) && typeof v !== 'string' && !isIntrinsic(v) ? { unknown: describeValue(v) } : this.target(template, v)));
  }

  /** Whether a target is the resource (by reference, or by the literal name of an IAM identity or managed policy). */
  public is(target: Target, ref: ResourceRef): boolean {
    if ('resource' in target) {
      return target.resource.template === ref.template && target.resource.logicalId === ref.logicalId;
    }
    if ('name' in target) {
      const name = nameOf(ref);
      return name !== undefined && name.toLowerCase() === target.name.toLowerCase();
    }
    return false;
  }

  /** The resource of the world of one of the types that a target names, if any. */
  public find(target: Target, ...types: string[]): ResourceRef | undefined {
    if ('resource' in target) {
      return types.includes(resourceOf(target.resource)?.Type) ? target.resource : undefined;
    }
    return this.resources(...types).find((ref) => this.is(target, ref));
  }
}

/** The construct path that a finding about a resource names, and where in the template the resource is. */
export function describeResource(ref: ResourceRef): string {
  const { template, logicalId } = ref;
  if (template.host) {
    return `${logicalId} in the TemplateBody of StackSet ${template.host.constructPath}`;
  }
  return template.paths.get(logicalId) ?? `${logicalId} of ${template.rootPath}`;
}
