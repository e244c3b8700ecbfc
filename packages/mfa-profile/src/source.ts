import { promises as fs } from 'fs';
import { Account, AccountRole, accountRoleDelegations, accountsOfRole, parseAccounts, profileSafeName, readDelegationAccountRoles } from './account-roles';
import { describeStackOutputs, organizationAccounts } from './aws';
import { CliError } from './errors';
import { Delegation, DelegationField, findDelegations, list, outputsOfStack, parseJson, parseOutputsFile, pickDelegations, pickStack, StackOutputs } from './outputs';
import { findMember, findTeams, memberBase, memberDelegations, pickTeam, readTeam } from './team-outputs';
import { previewOutputs, stackNameOfTemplateFile } from './template';

/**
 * Where the stack outputs come from: exactly one of `outputsFile`, `stack` and `template`.
 */
export interface SourceOptions {
  /** A `cdk deploy --outputs-file` file. */
  readonly outputsFile?: string;
  /** The stack in the outputs file (or the stack name of a template). */
  readonly stackName?: string;
  /** A deployed stack, read with CloudFormation `DescribeStacks`. */
  readonly stack?: string;
  /** A synthesized template (`cdk.out/STACK.template.json`), for a preview before deploy. */
  readonly template?: string;
  /** The account of the preview. */
  readonly account?: string;
  /** The region of the deployed stack, or of the preview. */
  readonly region?: string;
  /** The partition of the preview. @default aws */
  readonly partition?: string;
  /** The output prefix of one delegation. */
  readonly delegation?: string;
  /** A member of an `MfaTeam`, by user name: its delegations are one per role it may assume. */
  readonly member?: string;
  /** The `MfaTeam` of `member`, by output prefix. @default the only team of the stack */
  readonly team?: string;
  /**
   * The accounts of roles in other accounts, as `--accounts` takes them (`prod=222222222222,333333333333`): the names
   * of listed accounts, and the accounts of a role of a whole organization.
   * @default - the accounts the outputs list; for a role of an organization, the organization's (AWS Organizations)
   */
  readonly accounts?: string;
}

/** What `loadSource` makes of roles in other accounts. */
export interface LoadOptions {
  /**
   * One delegation per account × role in other accounts (the profiles of `write`), looking the accounts up in AWS
   * Organizations when the outputs do not list them and `--accounts` is not given. Without it, a member whose only roles
   * are in other accounts has one delegation without a role (its user, device and secrets: what `credentials` and
   * `mfa-setup` need).
   * @default false
   */
  readonly accountProfiles?: boolean;
}

/**
 * The delegations picked from the source, and what a preview cannot know.
 */
export interface Source {
  readonly stackName: string;
  /** What was read, for messages: a file, or `stack NAME`. */
  readonly origin: string;
  readonly delegations: Delegation[];
  /** The team member whose delegations these are, if any: they share one user, access key and MFA device. */
  readonly member?: string;
}

/**
 * Read the outputs and pick the delegations (`--delegation`, else all).
 */
export async function loadSource(options: SourceOptions, load: LoadOptions = {}): Promise<Source> {
  const { stackName, origin, outputs } = await readOutputs(options);
  const given = options.accounts === undefined ? undefined : parseAccounts(options.accounts);
  if (options.member === undefined) {
    if (options.team !== undefined) {
      throw new CliError('--team picks the team of --member: name the member too.');
    }
    const found = findDelegations(stackName, outputs);
    const teams = findTeams(outputs);
    if (found.length === 0 && teams.length > 0) {
      throw new CliError(`Stack ${stackName} has no MfaDelegation, only the MfaTeam ${list(teams)}, whose profiles are its members': `
        + `name one with --member USER${teams.length > 1 ? ' and its team with --team ID' : ''}.`);
    }
    const picked = pickDelegations(stackName, found, options.delegation);
    const delegations = [];
    for (const delegation of picked) {
      const roles = load.accountProfiles ? readDelegationAccountRoles(stackName, outputs, delegation.id) : [];
      delegations.push(delegation, ...await accountProfiles(delegation, roles, given));
    }
    return { stackName, origin, delegations };
  }
  if (options.delegation !== undefined) {
    throw new CliError('--delegation and --member exclude each other: a member\'s profiles come from its team, not from an MfaDelegation.');
  }
  const team = readTeam(stackName, outputs, pickTeam(stackName, findTeams(outputs), options.team));
  const accountRoles = findMember(team, options.member).roles.map((name) => team.accountRoles[name]).filter((r) => r !== undefined);
  const base = memberBase(team, options.member);
  const delegations = [
    ...memberDelegations(team, options.member),
    ...(load.accountProfiles ? await accountProfiles(base, accountRoles, given) : accountRoles.length > 0 ? [base] : []),
  ];
  if (delegations.length === 0) {
    throw new CliError(`Member ${options.member} of team ${team.teamName} (stack ${stackName}) may assume no role.`);
  }
  return { stackName, origin, delegations, member: options.member };
}

/**
 * One delegation per account × role in other accounts; the accounts of a role of a whole organization come from
 * `--accounts`, else from AWS Organizations (asked once).
 */
async function accountProfiles(base: Delegation, roles: readonly AccountRole[], given?: readonly Account[]): Promise<Delegation[]> {
  const organization = given === undefined && roles.some((r) => r.accounts === undefined) ? await organizationAccounts(profileSafeName) : undefined;
  return roles.flatMap((role) => accountRoleDelegations(base, role, accountsOfRole(role, given, organization)));
}

/**
 * The one delegation a command works on.
 */
export function onlyDelegation(source: Source): Delegation {
  if (source.delegations.length > 1 && source.member === undefined) {
    throw new CliError(`Stack ${source.stackName} has several delegations (${source.delegations.map((d) => d.id).join(', ')}): pick one with --delegation.`);
  }
  return source.delegations[0];
}

/**
 * The outputs of delegations that are unknown before deploy, as `[output key, reason]`.
 */
export function unknownOutputs(delegations: readonly Delegation[]): Array<[string, string]> {
  // Each output once: the profiles of roles in other accounts share the outputs of their delegation or member.
  return [...new Map(delegations.flatMap((d) => Object.entries(d.unknown)
    .map(([field, reason]): [string, string] => [d.id + (field as DelegationField), reason]))).entries()];
}

/**
 * Read a text file; a missing or unreadable file is one sentence.
 */
export async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file} (${code ?? (e as Error).message}).`);
  }
}

async function readOutputs(options: SourceOptions): Promise<{ stackName: string; origin: string; outputs: StackOutputs }> {
  const given = [options.outputsFile, options.stack, options.template].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new CliError('Say where the outputs come from with one of --outputs-file FILE, --stack NAME or --template FILE.');
  }
  if (options.outputsFile !== undefined) {
    const stacks = parseOutputsFile(await readText(options.outputsFile), options.outputsFile);
    // Without --member, the stack of the delegations; a stack with only teams is picked when no stack has delegations, so
    // that the sentence says to name a member.
    const teams = { what: 'MfaTeam', test: (_: string, outputs: StackOutputs) => findTeams(outputs).length > 0 };
    const delegations = Object.entries(stacks).some(([name, outputs]) => findDelegations(name, outputs).length > 0);
    const holds = options.member !== undefined ? teams : delegations ? undefined : { ...teams, what: 'MfaDelegation or MfaTeam' };
    const stackName = pickStack(stacks, options.outputsFile, options.stackName, holds);
    return { stackName, origin: options.outputsFile, outputs: stacks[stackName] };
  }
  if (options.stack !== undefined) {
    return { stackName: options.stack, origin: `stack ${options.stack}`, outputs: outputsOfStack(await describeStackOutputs(options.stack, options.region)) };
  }
  const template = options.template as string;
  if (options.account === undefined || !/^\d{12}$/.test(options.account)) {
    throw new CliError(`A preview needs the 12-digit account it will be deployed to: --account ID${options.account === undefined ? '' : ` (not "${options.account}")`}.`);
  }
  const partition = options.partition ?? 'aws';
  if (!/^aws(-[a-z]+)*$/.test(partition)) {
    throw new CliError(`--partition "${partition}" is not an AWS partition (like aws, aws-cn or aws-us-gov).`);
  }
  const stackName = options.stackName ?? stackNameOfTemplateFile(template);
  const parsed = parseJson(await readText(template), template);
  const outputs = previewOutputs(parsed, { stackName, account: options.account, partition, region: options.region });
  return { stackName, origin: template, outputs };
}
