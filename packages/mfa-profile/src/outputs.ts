import { CliError } from './errors';
import { DELEGATION_OUTPUT_FIELDS, DelegationOutputField } from '../../../lib/contract';

/**
 * The fields of a `MfaDelegation`'s stack outputs (lib/contract.ts): each output key is `<prefix><field>`.
 */
export const DELEGATION_FIELDS: readonly DelegationOutputField[] = Object.values(DELEGATION_OUTPUT_FIELDS);

export type DelegationField = DelegationOutputField;

/**
 * The value of one stack output: the string, or (in a template preview) why it is unknown before deploy, with the
 * pieces of an output joined from known text and unknown parts.
 */
export type OutputValue = string | { readonly unknown: string; readonly pieces?: readonly OutputPiece[] };

/** A piece of an output joined in a template preview: known text, or an unknown part with its reason. */
export type OutputPiece = string | { readonly unknown: string };

/**
 * The outputs of one stack, by output key.
 */
export type StackOutputs = Readonly<Record<string, OutputValue>>;

/**
 * One `MfaDelegation` found in a stack's outputs.
 */
export interface Delegation {
  readonly stackName: string;
  /** The output prefix, by default the construct id (`Toolkit`). */
  readonly id: string;
  /** The outputs that have a value. */
  readonly values: Readonly<Partial<Record<DelegationField, string>>>;
  /** The outputs that exist but are unknown before deploy, with the reason. */
  readonly unknown: Readonly<Partial<Record<DelegationField, string>>>;
  /** For a role of an MfaTeam member: the team (its output prefix) and the member. */
  readonly member?: { readonly team: string; readonly userName: string };
}

const ROLE_ARN: DelegationField = DELEGATION_OUTPUT_FIELDS.roleArn;

/**
 * Every `MfaDelegation` in a stack's outputs: one per output key that ends with `MfaRoleArn`, sorted by id.
 */
export function findDelegations(stackName: string, outputs: StackOutputs): Delegation[] {
  return Object.keys(outputs)
    .filter((key) => key.endsWith(ROLE_ARN))
    .map((key) => key.slice(0, key.length - ROLE_ARN.length))
    .sort()
    .map((id) => {
      const values: Partial<Record<DelegationField, string>> = {};
      const unknown: Partial<Record<DelegationField, string>> = {};
      for (const field of DELEGATION_FIELDS) {
        const value = outputs[id + field];
        if (typeof value === 'string') {
          values[field] = value;
        } else if (value !== undefined) {
          unknown[field] = value.unknown;
        }
      }
      return { stackName, id, values, unknown };
    });
}

/**
 * The delegations to use: the one named by `--delegation` (its output prefix, or its construct id), else all of them.
 */
export function pickDelegations(stackName: string, delegations: readonly Delegation[], id?: string): Delegation[] {
  if (delegations.length === 0) {
    throw new CliError(`Stack ${stackName} has no MfaDelegation outputs (no output key ends with ${ROLE_ARN}).`);
  }
  if (id === undefined) {
    return [...delegations];
  }
  const match = delegations.find((d) => d.id === id || d.id === id.replace(/[^A-Za-z0-9]/g, ''));
  if (!match) {
    throw new CliError(`Stack ${stackName} has no delegation "${id}"; it has ${list(delegations.map((d) => d.id))}.`);
  }
  return [match];
}

/**
 * The value of one output of a delegation; a missing or (in a preview) unknown output is an error that says which.
 */
export function requireValue(delegation: Delegation, field: DelegationField): string {
  const value = delegation.values[field];
  if (value !== undefined) {
    return value;
  }
  const key = delegation.id + field;
  const reason = delegation.unknown[field];
  if (reason !== undefined) {
    throw new CliError(`${key} of stack ${delegation.stackName} is unknown before deploy: ${reason}.`);
  }
  if (delegation.member !== undefined) {
    throw new CliError(`Member ${delegation.member.userName} of team ${delegation.member.team} (stack ${delegation.stackName}) has no ${field}: `
      + 'the team defines none for this member.');
  }
  throw new CliError(`Stack ${delegation.stackName} has no output ${key}, which this command needs.`);
}

/** Stacks with at least one MfaDelegation, the default of `pickStack`. */
const DELEGATION_STACKS = { what: 'MfaDelegation', test: (name: string, outputs: StackOutputs) => findDelegations(name, outputs).length > 0 };

/**
 * The stacks of a `cdk deploy --outputs-file` file: `{ "StackName": { "OutputKey": "value" } }`.
 */
export function parseOutputsFile(text: string, file: string): Record<string, StackOutputs> {
  const parsed = parseJson(text, file);
  if (!isJsonObject(parsed) || !Object.values(parsed).every(isJsonObject)) {
    throw new CliError(`${file} is not a cdk outputs file: expected { "StackName": { "OutputKey": "value" } }.`);
  }
  const stacks: Record<string, StackOutputs> = {};
  for (const [stack, outputs] of Object.entries(parsed as Record<string, Record<string, unknown>>)) {
    stacks[stack] = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, String(v)]));
  }
  return stacks;
}

/**
 * The stack to read from an outputs file: the one named, else the only one that holds delegations.
 */
export function pickStack(
  stacks: Readonly<Record<string, StackOutputs>>,
  file: string,
  stackName?: string,
  holds: { readonly what: string; readonly test: (stackName: string, outputs: StackOutputs) => boolean } = DELEGATION_STACKS,
): string {
  const names = Object.keys(stacks);
  const has = names.length === 0 ? 'it holds no stacks' : `it has ${names.length === 1 ? 'stack' : 'stacks'} ${list(names)}`;
  if (stackName !== undefined) {
    if (!(stackName in stacks)) {
      throw new CliError(`${file} has no stack ${stackName}; ${has}.`);
    }
    return stackName;
  }
  const holding = names.filter((name) => holds.test(name, stacks[name]));
  if (holding.length === 1) {
    return holding[0];
  }
  if (holding.length === 0) {
    throw new CliError(`${file} has no ${holds.what} outputs; ${has}.`);
  }
  throw new CliError(`${file} has ${holds.what} outputs in several stacks (${holding.join(', ')}): pick one with --stack-name.`);
}

/**
 * The outputs of a CloudFormation `DescribeStacks` answer.
 */
export function outputsOfStack(outputs: ReadonlyArray<{ readonly OutputKey?: string; readonly OutputValue?: string }>): StackOutputs {
  return Object.fromEntries(outputs.filter((o) => o.OutputKey !== undefined).map((o) => [o.OutputKey as string, o.OutputValue ?? '']));
}

/**
 * Parse JSON; the error names the file and the position, never the content (it may hold secrets).
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const position = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new CliError(`${what} is not valid JSON${position === undefined ? '' : ` (error at character ${position})`}.`);
  }
}

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` parsed as a JSON object; `what` names it in the errors: `WHAT is not valid JSON`, `WHAT is not a JSON object`. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  const parsed = parseJson(text, what);
  if (!isJsonObject(parsed)) {
    throw new CliError(`${what} is not a JSON object.`);
  }
  return parsed;
}

/**
 * `A`, `A and B`, `A, B and C`.
 */
export function list(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The value of an output that a command needs: a sentence when the stack lacks it or a preview cannot know it.
 */
export function knownOutput(stackName: string, outputs: StackOutputs, key: string): string {
  const value = outputs[key];
  if (value === undefined) {
    throw new CliError(`Stack ${stackName} has no output ${key}.`);
  }
  if (typeof value !== 'string') {
    throw new CliError(`${key} of stack ${stackName} is unknown before deploy: ${value.unknown}.`);
  }
  return value;
}
