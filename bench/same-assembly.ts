// What bench/synth.ts checks before it compares the example app with the hand-written stack: that both synthesize the
// same thing. Logical ids and construct paths are free to differ (the hand-written stack names its constructs its own
// way); everything else must be equal: every resource with its properties, dependencies, policies and asset metadata,
// the outputs, parameters and rules, and the cdk-nag acknowledgements that apply to each resource.
import { createHash } from 'crypto';
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted, so that equal values give equal text. */
function stableJson(value: Json): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A name for each resource of a template that depends on what the resource is, not on its logical id: its type and a
 * hash of its definition, in which the logical ids it refers to are replaced by their own such names (and its own
 * logical id, e.g. the PolicyName aws-cdk-lib derives from it, by `<self>`). Construct paths are left out.
 */
export function canonicalNames(template: any): Map<string, string> {
  const resources: Record<string, any> = template.Resources ?? {};
  const names = new Map<string, string>();
  const visiting = new Set<string>();
  const nameOf = (logicalId: string): string => {
    const known = names.get(logicalId);
    if (known) {
      return known;
    }
    if (visiting.has(logicalId)) {
      throw new Error(`The resources of the template refer to each other in a cycle through ${logicalId}`);
    }
    visiting.add(logicalId);
    const { Metadata: metadata, ...definition } = resources[logicalId];
    const { 'aws:cdk:path': _path, ...otherMetadata } = metadata ?? {};
    const body = rewriteIds({ ...definition, Metadata: otherMetadata }, (id) => id === logicalId ? '<self>' : nameOf(id), resources);
    const name = `${definition.Type}#${createHash('sha256').update(stableJson(body)).digest('hex').slice(0, 12)}`;
    visiting.delete(logicalId);
    names.set(logicalId, name);
    return name;
  };
  for (const logicalId of Object.keys(resources)) {
    nameOf(logicalId);
  }
  return names;
}

/** A copy of `value` in which every logical id of `resources` (as Ref, GetAtt, DependsOn, Sub variable or plain string) is renamed. */
function rewriteIds(value: Json, rename: (logicalId: string) => string, resources: Record<string, unknown>): Json {
  const isId = (s: string) => Object.prototype.hasOwnProperty.call(resources, s);
  if (typeof value === 'string') {
    return isId(value) ? rename(value) : value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => rewriteIds(v, rename, resources));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::GetAtt' && typeof v === 'string') {
        const [id, ...attribute] = v.split('.');
        out[key] = [isId(id) ? rename(id) : id, attribute.join('.')];
      } else if (key === 'Fn::Sub') {
        const sub = (s: Json) => typeof s === 'string'
          ? s.replace(/\$\{([^}.!]+)((\.[^}]*)?)\}/g, (whole, id: string, rest: string) => isId(id) ? `\${${rename(id)}${rest}}` : whole)
          : rewriteIds(s, rename, resources);
        out[key] = Array.isArray(v) ? [sub(v[0]), rewriteIds(v[1], rename, resources)] : sub(v);
      } else {
        out[key] = rewriteIds(v, rename, resources);
      }
    }
    // DependsOn is a set, listed in the order of the logical ids.
    if (Array.isArray(out.DependsOn)) {
      out.DependsOn = [...out.DependsOn as string[]].sort();
    }
    return out;
  }
  return value;
}

/** The template with its resources under their canonical names (and references renamed to match), without construct paths. */
export function canonicalTemplate(template: any): any {
  const names = canonicalNames(template);
  const resources = template.Resources ?? {};
  const rename = (id: string) => names.get(id)!;
  const canonical: Record<string, Json> = {};
  for (const [logicalId, resource] of Object.entries<any>(resources)) {
    const { 'aws:cdk:path': _path, ...metadata } = resource.Metadata ?? {};
    const name = names.get(logicalId)!;
    if (canonical[name] !== undefined) {
      throw new Error(`Two resources of the template are defined alike (${logicalId}); the comparison cannot tell them apart`);
    }
    canonical[name] = rewriteIds({ ...resource, Metadata: metadata }, (id) => id === logicalId ? '<self>' : rename(id), resources);
  }
  const { Resources: _resources, Outputs: outputs, ...rest } = template;
  return { ...rest, Resources: canonical, Outputs: rewriteIds(outputs ?? {}, rename, resources) };
}

/** For each resource of `stack`, by canonical name: the rule ids acknowledged on it or on a construct above it, sorted. */
export function acknowledgedRules(stack: Stack, template: any): Record<string, string[]> {
  const names = canonicalNames(template);
  const rules: Record<string, string[]> = {};
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) {
      continue;
    }
    const ids: string[] = [];
    for (let scope: IConstruct | undefined = construct; scope; scope = scope.node.scope) {
      for (const entry of scope.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          ids.push(...Object.keys(entry.data));
        }
      }
    }
    if (ids.length > 0) {
      rules[names.get(stack.resolve(construct.logicalId))!] = [...new Set(ids)].sort();
    }
  }
  return rules;
}

/**
 * Where two synthesized stacks differ, in one sentence per difference (empty when they define the same resources,
 * outputs and acknowledgements).
 */
export function assemblyDifferences(a: { stack: Stack; template: any }, b: { stack: Stack; template: any }): string[] {
  const [ta, tb] = [canonicalTemplate(a.template), canonicalTemplate(b.template)];
  const differences: string[] = [];
  const describe = (t: any, name: string) => `${name.split('#')[0]} ${stableJson(t.Resources[name])}`;
  for (const name of Object.keys(ta.Resources).filter((n) => !(n in tb.Resources))) {
    differences.push(`only the first (${a.stack.node.path}) defines ${describe(ta, name)}`);
  }
  for (const name of Object.keys(tb.Resources).filter((n) => !(n in ta.Resources))) {
    differences.push(`only the second (${b.stack.node.path}) defines ${describe(tb, name)}`);
  }
  for (const section of Object.keys({ ...ta, ...tb }).filter((s) => s !== 'Resources')) {
    if (stableJson(ta[section] ?? null) !== stableJson(tb[section] ?? null)) {
      differences.push(`their ${section} differ: ${stableJson(ta[section] ?? null)} against ${stableJson(tb[section] ?? null)}`);
    }
  }
  const [ra, rb] = [acknowledgedRules(a.stack, a.template), acknowledgedRules(b.stack, b.template)];
  for (const name of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (stableJson(ra[name] ?? []) !== stableJson(rb[name] ?? [])) {
      differences.push(`the acknowledgements on ${name} differ: ${stableJson(ra[name] ?? [])} against ${stableJson(rb[name] ?? [])}`);
    }
  }
  return differences;
}
