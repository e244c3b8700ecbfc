/**
 * Pure inspection of IAM policy documents as CloudFormation holds them (literal JSON, JSON strings, and values built
 * with intrinsic functions) for `sts:AssumeRole` without MFA. Used by MfaGuard and MfaRequiredRole; every function
 * takes template JSON and never touches a construct.
 *
 * What cannot be read is not guessed: a value the guard cannot evaluate (an intrinsic other than `Fn::If`, `Fn::Join`
 * and `Fn::Sub` of literals, a part of a JSON string built from a parameter, ...) makes a test `UNKNOWN` with the reason,
 * and MfaGuard reports an `UNKNOWN` that matters as a finding of its own.
 */

/** The context key that tells whether the request was signed with MFA credentials. */
const MFA_PRESENT = 'aws:multifactorauthpresent';
/** The context key that holds the seconds since the MFA sign-in; present only with MFA. */
const MFA_AGE = 'aws:multifactorauthage';

/**
 * Stands for a part of a string that the guard cannot know (the value of a `Ref`, `Fn::GetAtt`, `Fn::ImportValue` in a
 * `Fn::Join` or `Fn::Sub`). A character of Unicode's private use area: it never occurs in a policy that someone wrote.
 */
export const OPAQUE = '\u{F8FF}';

/** What is wrong with one statement. */
export enum MfaProblem {
  /** No `Bool aws:MultiFactorAuthPresent "true"` condition. */
  MISSING = 'missing',
  /** `BoolIfExists aws:MultiFactorAuthPresent "true"`, which also lets long-term access keys in. */
  IF_EXISTS = 'if-exists',
}

/** A test whose answer depends on a value that the guard cannot evaluate. */
export interface Unknown {
  /** What could not be evaluated, as a sentence fragment: `the Effect ${Ref Param}`. */
  readonly unknown: string;
}

/** The answer of a test: yes, no, or cannot tell (and why). */
export type Tri = boolean | Unknown;

export function isUnknown(value: unknown): value is Unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'unknown' in value;
}

/** Whether a template value is an intrinsic function (`{ Ref: ... }`, `{ 'Fn::...': ... }`). */
export function isIntrinsic(value: unknown): value is Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Whether a value is, or contains as a string, something the guard cannot know. */
export function isOpaque(value: unknown): boolean {
  return isIntrinsic(value) || (typeof value === 'string' && value.includes(OPAQUE));
}

const NO_VALUE = 'AWS::NoValue';

function isNoValue(value: unknown): boolean {
  return isIntrinsic(value) && (value as any).Ref === NO_VALUE;
}

/** Raised when a value has more `Fn::If` combinations than the guard evaluates. */
export class TooManyVariants extends Error {}

/** The most combinations of `Fn::If` branches evaluated for one statement or document. */
const MAX_VARIANTS = 256;

/**
 * Every value that `value` can take when each `Fn::If` in it picks either branch, with `AWS::NoValue` removed from
 * objects and arrays (`undefined` for the value itself). Throws TooManyVariants beyond 256 combinations.
 */
export function variantsOf(value: any): any[] {
  const result = variants(value);
  return result;
}

function variants(value: any): any[] {
  if (Array.isArray(value)) {
    let lists: any[][] = [[]];
    for (const element of value) {
      const options = variants(element);
      lists = product(lists, options, (list, option) => (option === undefined ? list : [...list, option]));
    }
    return lists;
  }
  if (value === null || typeof value !== 'object') {
    return [value];
  }
  if (isNoValue(value)) {
    return [undefined];
  }
  if (isIntrinsic(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) {
    const all = [...variants(value['Fn::If'][1]), ...variants(value['Fn::If'][2])];
    if (all.length > MAX_VARIANTS) {
      throw new TooManyVariants();
    }
    return all;
  }
  let objects: Array<Record<string, any>> = [{}];
  for (const [key, child] of Object.entries(value)) {
    objects = product(objects, variants(child), (object, option) => (option === undefined ? object : { ...object, [key]: option }));
  }
  return objects;
}

function product<A, B>(left: A[], right: B[], combine: (a: A, b: B) => A): A[] {
  if (left.length * right.length > MAX_VARIANTS) {
    throw new TooManyVariants();
  }
  return left.flatMap((a) => right.map((b) => combine(a, b)));
}

/** The CloudFormation pseudo parameters and what they are, for `Fn::Sub`. */
const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId', 'AWS::NotificationARNs'];

/**
 * The string that a `Fn::Join` or `Fn::Sub` (or a literal) produces, with every part the guard cannot know replaced by
 * OPAQUE; `undefined` when the value is no string at all (a `Ref` alone, an array). `Fn::Sub` `${!Literal}` gives
 * `${Literal}`.
 */
export function renderString(value: any): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (!isIntrinsic(value)) {
    return undefined;
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string') {
    if (!Array.isArray(join[1])) {
      return OPAQUE;
    }
    return join[1].map((part: any) => renderString(part) ?? OPAQUE).join(join[0]);
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof text !== 'string') {
      return OPAQUE;
    }
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) => {
      if (bang) {
        return `\${${name}}`;
      }
      const variable = variables?.[name];
      return variable !== undefined ? (renderString(variable) ?? OPAQUE) : OPAQUE;
    });
  }
  return OPAQUE;
}

/** Whether `${Name}` of a `Fn::Sub` names a pseudo parameter (for readable messages). */
export function isPseudoParameter(name: string): boolean {
  return PSEUDO_PARAMETERS.includes(name);
}

/** A policy document that was read, or why it could not be. */
export type ReadDocument = { readonly documents: any[] } | Unknown;

/**
 * The documents a property holds: a literal object, a JSON string, a `Fn::Join`/`Fn::Sub` that builds a JSON string
 * (unknown parts become OPAQUE inside its strings), or a `Fn::If` of those (every branch; `AWS::NoValue` gives no
 * document). Anything else (a `Ref` to a parameter, `Fn::ImportValue`, a string that is not JSON) is Unknown.
 */
export function readDocument(value: any): ReadDocument {
  if (value === undefined || isNoValue(value)) {
    return { documents: [] };
  }
  if (isIntrinsic(value) && value['Fn::If'] !== undefined) {
    if (!Array.isArray(value['Fn::If']) || value['Fn::If'].length !== 3) {
      return { unknown: `a malformed Fn::If ${describeValue(value)}` };
    }
    const branches = [readDocument(value['Fn::If'][1]), readDocument(value['Fn::If'][2])];
    const unknown = branches.find((b): b is Unknown => 'unknown' in b);
    return unknown ?? { documents: branches.flatMap((b) => (b as { documents: any[] }).documents) };
  }
  if (typeof value === 'string' || isIntrinsic(value)) {
    const parts: any[] = [];
    const text = renderWithParts(value, parts);
    if (text === undefined || /^\u{F8FF}\d+\u{F8FF}$/u.test(text)) {
      return { unknown: `the policy document ${describeValue(value)}, whose value is known only at deployment` };
    }
    try {
      const parsed = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return { unknown: `the policy document ${truncate(text)}, which is not a JSON object` };
      }
      return { documents: [restoreParts(parsed, parts)] };
    } catch {
      return {
        unknown: text.includes(OPAQUE)
          ? `the policy document ${describeValue(value)}, a JSON string with values that are known only at deployment`
          : `the policy document ${truncate(text)}, which is not JSON`,
      };
    }
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { unknown: `the policy document ${describeValue(value)}, which is not a JSON object` };
  }
  return { documents: [value] };
}

/**
 * Like renderString, but each part it cannot know is kept in `parts` and stands in the text as OPAQUE, its index, OPAQUE
 * (a `${Name}` or `${Name.Attribute}` of a Fn::Sub as the Ref or Fn::GetAtt it means), so that a JSON string built
 * with Fn::Sub or Fn::Join can be parsed and its values given back (restoreParts): a principal `${User.Arn}` stays a
 * reference to the user.
 */
function renderWithParts(value: any, parts: any[]): string | undefined {
  const part = (v: any) => `${OPAQUE}${parts.push(v) - 1}${OPAQUE}`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (!isIntrinsic(value)) {
    return undefined;
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((p: any) => renderWithParts(p, parts) ?? part(p)).join(join[0]);
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof text !== 'string') {
      return part(value);
    }
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) => {
      if (bang) {
        return `\${${name}}`;
      }
      const variable = variables?.[name];
      if (variable !== undefined) {
        return renderWithParts(variable, parts) ?? part(variable);
      }
      const dot = name.indexOf('.');
      return part(dot > 0 && !name.startsWith('AWS::') ? { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] } : { Ref: name });
    });
  }
  return part(value);
}

/** The parsed document with each string that is exactly one part given back as that part; other parts become OPAQUE. */
function restoreParts(value: any, parts: any[]): any {
  if (typeof value === 'string') {
    const whole = /^\u{F8FF}(\d+)\u{F8FF}$/u.exec(value);
    return whole ? parts[Number(whole[1])] : value.replace(/\u{F8FF}\d+\u{F8FF}/gu, OPAQUE);
  }
  if (Array.isArray(value)) {
    return value.map((v) => restoreParts(v, parts));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [restoreParts(k, parts), restoreParts(v, parts)]));
  }
  return value;
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** One statement slot of a document: its 1-based position and every value it can take (Fn::If branches). */
export interface StatementSlot {
  readonly statementNumber: number;
  readonly variants: any[];
}

/**
 * The statements of a document, each with its variants; Unknown when `Statement` itself cannot be read or has more
 * `Fn::If` combinations than the guard evaluates.
 */
export function statementSlots(document: any): StatementSlot[] | Unknown {
  let lists: any[];
  try {
    lists = variantsOf(document?.Statement);
  } catch (e) {
    if (e instanceof TooManyVariants) {
      return { unknown: 'a Statement with more Fn::If combinations than the guard evaluates (256)' };
    }
    throw e;
  }
  const slots: StatementSlot[] = [];
  const add = (statementNumber: number, statement: any) => {
    const slot = slots.find((s) => s.statementNumber === statementNumber);
    if (slot) {
      slot.variants.push(statement);
    } else {
      slots.push({ statementNumber, variants: [statement] });
    }
  };
  for (const list of lists) {
    if (list === undefined) {
      continue;
    }
    if (Array.isArray(list)) {
      list.forEach((statement, index) => add(index + 1, statement));
    } else if (typeof list === 'object' && !isOpaque(list)) {
      add(1, list);
    } else {
      return { unknown: `the Statement ${describeValue(document?.Statement)}` };
    }
  }
  return slots;
}

/** The statements of a policy document as an array (a document may hold a single statement object). */
export function statementsOf(document: any): any[] {
  const statement = document?.Statement;
  if (Array.isArray(statement)) {
    return statement;
  }
  return statement && typeof statement === 'object' ? [statement] : [];
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** Whether an IAM action pattern (with `*` and `?` wildcards, case-insensitive) matches the action. */
export function actionPatternMatches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string') {
    // An intrinsic we cannot read: assume the worst.
    return true;
  }
  const regex = pattern.split('').map((c) => (c === '*' || c === OPAQUE ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** Whether the statement's Action (or NotAction) covers `sts:AssumeRole`; an intrinsic counts as covering it. */
export function grantsAssumeRole(statement: any): boolean {
  return coversAction(statement, 'sts:AssumeRole') !== false;
}

/**
 * Whether the statement's Action (or NotAction) covers the action: a pattern that matches covers it, an unknown
 * pattern (an intrinsic, an OPAQUE part) that could match makes the answer Unknown.
 */
export function coversAction(statement: any, action: string): Tri {
  const notAction = statement.NotAction !== undefined;
  const list = notAction ? statement.NotAction : statement.Action;
  if (list === undefined) {
    return false;
  }
  if (isIntrinsic(list)) {
    return { unknown: `the ${notAction ? 'NotAction' : 'Action'} ${describeValue(list)}` };
  }
  const patterns = asArray(list);
  const literal = patterns.filter((p) => !isOpaque(p));
  const opaque = patterns.filter((p) => isOpaque(p) && (typeof p !== 'string' || actionPatternMatches(p, action)));
  const matched = literal.some((p) => actionPatternMatches(p, action));
  if (notAction) {
    if (matched) {
      return false;
    }
    return opaque.length > 0 ? { unknown: `the NotAction ${describeValue(opaque)}` } : true;
  }
  if (matched) {
    return true;
  }
  return opaque.length > 0 ? { unknown: `the Action ${describeValue(opaque)}` } : false;
}

/** Whether the statement allows (true), denies (false), or has an Effect the guard cannot read. */
export function allows(statement: any): Tri {
  if (isOpaque(statement.Effect)) {
    return { unknown: `the Effect ${describeValue(statement.Effect)}` };
  }
  return statement.Effect === 'Allow';
}

/**
 * Whether a trust statement admits an IAM user, role, account or anyone (`*`), as opposed to only service or federated
 * principals, which cannot present MFA and are not MfaGuard's business.
 */
export function admitsAwsPrincipal(statement: any): boolean {
  return admitsAws(statement) !== false;
}

/** admitsAwsPrincipal, with Unknown for a principal the guard cannot read. */
export function admitsAws(statement: any): Tri {
  if (statement.NotPrincipal !== undefined) {
    return true;
  }
  const principal = statement.Principal;
  if (principal === undefined) {
    return false;
  }
  if (isOpaque(principal)) {
    return { unknown: `the Principal ${describeValue(principal)}` };
  }
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) {
    return true;
  }
  return Object.keys(principal).some((key) => key !== 'Service' && key !== 'Federated');
}

/** The values of a condition key under an operator, with the key matched case-insensitively as IAM does. */
function conditionValues(condition: any, operator: string, key: string): unknown[] | undefined {
  const block = condition?.[operator];
  if (!block || typeof block !== 'object') {
    return undefined;
  }
  const name = Object.keys(block).find((k) => k.toLowerCase() === key);
  return name === undefined ? undefined : asArray(block[name]);
}

function allTrue(values: unknown[] | undefined): boolean {
  return values !== undefined && values.length > 0 && values.every((v) => String(v).toLowerCase() === 'true');
}

/**
 * Whether a Deny statement blocks `sts:AssumeRole` for every principal and resource whenever MFA is absent:
 * `BoolIfExists aws:MultiFactorAuthPresent "false"` and no other condition. Such a statement protects every Allow of
 * its document. (`Bool ... "false"` does not: the key is absent for long-term access keys, so it would not match.)
 */
export function isDenyWithoutMfa(statement: any): boolean {
  if (statement.Effect !== 'Deny' || coversAction(statement, 'sts:AssumeRole') !== true || statement.NotPrincipal !== undefined) {
    return false;
  }
  const everyone = statement.Principal === undefined || statement.Principal === '*' || statement.Principal?.AWS === '*';
  const everywhere = statement.NotResource === undefined && (statement.Resource === undefined || asArray(statement.Resource).includes('*'));
  const condition = statement.Condition ?? {};
  const values = conditionValues(condition, 'BoolIfExists', MFA_PRESENT);
  const onlyMfaCondition = Object.keys(condition).length === 1 && Object.keys(condition.BoolIfExists ?? {}).length === 1;
  return everyone && everywhere && onlyMfaCondition && values !== undefined && values.length > 0
    && values.every((v) => String(v).toLowerCase() === 'false');
}

/**
 * What is wrong with the MFA condition of a statement, if anything: it must carry `Bool aws:MultiFactorAuthPresent
 * "true"` (the key matched case-insensitively, as IAM does).
 */
export function mfaProblemOf(statement: any): MfaProblem | undefined {
  if (allTrue(conditionValues(statement.Condition, 'Bool', MFA_PRESENT))) {
    return undefined;
  }
  return conditionValues(statement.Condition, 'BoolIfExists', MFA_PRESENT) !== undefined ? MfaProblem.IF_EXISTS : MfaProblem.MISSING;
}

/** The numeric operators that are false when their key is absent (not `...IfExists`). */
const NUMERIC_OPERATORS = ['NumericLessThan', 'NumericLessThanEquals', 'NumericEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'NumericNotEquals'];

/**
 * Whether the statement's condition holds only for requests signed with MFA, as IAM evaluates it:
 * `Bool aws:MultiFactorAuthPresent "true"`; or a numeric operator (not `...IfExists`) on `aws:MultiFactorAuthAge`, or
 * `Null aws:MultiFactorAuthAge "false"`, which fail when the key is absent, and it is absent without MFA. Returns the
 * problem (MISSING, IF_EXISTS), `undefined` when MFA is required, or Unknown when the condition cannot be read.
 */
export function mfaRequirement(statement: any): MfaProblem | undefined | Unknown {
  const condition = statement.Condition;
  if (condition === undefined) {
    return MfaProblem.MISSING;
  }
  if (isOpaque(condition) || typeof condition !== 'object' || Array.isArray(condition)) {
    return { unknown: `the Condition ${describeValue(condition)}` };
  }
  const bool = conditionValues(condition, 'Bool', MFA_PRESENT);
  if (bool !== undefined && bool.some(isOpaque)) {
    return { unknown: `the condition Bool aws:MultiFactorAuthPresent ${describeValue(bool)}` };
  }
  if (allTrue(bool)) {
    return undefined;
  }
  for (const operator of NUMERIC_OPERATORS) {
    const age = conditionValues(condition, operator, MFA_AGE);
    if (age !== undefined && age.length > 0) {
      return undefined;
    }
  }
  const isNull = conditionValues(condition, 'Null', MFA_AGE);
  if (isNull !== undefined && isNull.length > 0 && isNull.every((v) => String(v).toLowerCase() === 'false')) {
    return undefined;
  }
  const blocks = Object.entries(condition);
  const opaque = blocks.find(([operator, block]) => operator.includes(OPAQUE) || isOpaque(block)
    || (block !== null && typeof block === 'object' && Object.keys(block).some((k) => k.includes(OPAQUE))));
  if (opaque) {
    return { unknown: `the condition ${describeValue({ [opaque[0]]: opaque[1] })}` };
  }
  return conditionValues(condition, 'BoolIfExists', MFA_PRESENT) !== undefined ? MfaProblem.IF_EXISTS : MfaProblem.MISSING;
}

/** One Allow statement that grants `sts:AssumeRole` without the MFA condition. */
export interface MfaFinding {
  /** 1-based position of the statement in the document. */
  readonly statementNumber: number;
  /** The statement, as template JSON (the Fn::If branch that has the problem). */
  readonly statement: any;
  /** What is wrong. */
  readonly problem: MfaProblem;
}

/** One statement that MfaGuard cannot evaluate. */
export interface UnknownFinding {
  /** 1-based position of the statement in the document, 0 for the document as a whole. */
  readonly statementNumber: number;
  readonly unknown: string;
}

/** What the inspection of one document found. */
export interface DocumentInspection {
  readonly findings: MfaFinding[];
  readonly unknowns: UnknownFinding[];
}

/**
 * The Allow statements of a document (as the template holds it, see readDocument) that grant `sts:AssumeRole` without
 * `Bool aws:MultiFactorAuthPresent "true"` or an equivalent condition, and the statements it cannot evaluate.
 *
 * For a trust policy (`trust: true`) only statements that admit an AWS principal count. A document whose Deny
 * statement (the same in every Fn::If branch) blocks `sts:AssumeRole` without MFA for everyone (see
 * `isDenyWithoutMfa`) has no findings. Every branch of a `Fn::If` is checked.
 */
export function inspectDocument(value: any, trust: boolean): DocumentInspection {
  const read = readDocument(value);
  if ('unknown' in read) {
    return { findings: [], unknowns: [{ statementNumber: 0, unknown: read.unknown }] };
  }
  const findings: MfaFinding[] = [];
  const unknowns: UnknownFinding[] = [];
  for (const document of read.documents) {
    const slots = statementSlots(document);
    if (isUnknown(slots)) {
      unknowns.push({ statementNumber: 0, unknown: (slots as Unknown).unknown });
      continue;
    }
    const list = slots as StatementSlot[];
    if (list.some((slot) => slot.variants.length === 1 && isDenyWithoutMfa(slot.variants[0]))) {
      continue;
    }
    for (const slot of list) {
      for (const statement of slot.variants) {
        const result = inspectStatement(statement, trust);
        if (result === undefined) {
          continue;
        }
        if ('unknown' in result) {
          unknowns.push({ statementNumber: slot.statementNumber, unknown: result.unknown });
        } else {
          findings.push({ statementNumber: slot.statementNumber, statement, problem: result.problem });
        }
        break;
      }
    }
  }
  return { findings, unknowns };
}

/** The problem of one statement (no Fn::If left in it): undefined when it is safe. */
function inspectStatement(statement: any, trust: boolean): { problem: MfaProblem } | Unknown | undefined {
  if (statement === null || typeof statement !== 'object' || isOpaque(statement)) {
    return { unknown: `the statement ${describeValue(statement)}` };
  }
  const tests: Tri[] = [allows(statement), coversAction(statement, 'sts:AssumeRole'), trust ? admitsAws(statement) : true];
  if (tests.includes(false)) {
    return undefined;
  }
  const mfa = mfaRequirement(statement);
  if (mfa === undefined) {
    return undefined;
  }
  const unknown = [...tests, mfa].find((t): t is Unknown => typeof t === 'object');
  if (unknown) {
    return unknown;
  }
  return { problem: mfa as MfaProblem };
}

/**
 * The Allow statements of a resolved document that grant `sts:AssumeRole` without MFA (no Unknown: for callers that
 * hold literal JSON).
 */
export function assumeRoleWithoutMfa(document: any, trust: boolean): MfaFinding[] {
  return inspectDocument(document, trust).findings;
}

/**
 * Whether a trust policy lets an AWS principal (user, role, account, anyone) assume the role at all, with or without
 * MFA; Unknown when the trust policy cannot be read. A role whose trust admits only service or federated principals is
 * a service role.
 */
export function trustAdmitsAws(value: any): Tri {
  const read = readDocument(value);
  if ('unknown' in read) {
    return read;
  }
  let unknown: Unknown | undefined;
  for (const document of read.documents) {
    const slots = statementSlots(document);
    if (isUnknown(slots)) {
      return slots as Unknown;
    }
    for (const statement of (slots as StatementSlot[]).flatMap((s) => s.variants)) {
      const tests = [allows(statement), coversAction(statement, 'sts:AssumeRole'), admitsAws(statement)];
      if (tests.every((t) => t === true)) {
        return true;
      }
      if (!tests.includes(false)) {
        unknown = unknown ?? tests.find((t): t is Unknown => typeof t === 'object');
      }
    }
  }
  return unknown ?? false;
}

/**
 * Whether a trust policy lets an AWS principal assume the role at all, with or without MFA, for literal JSON (an
 * Unknown counts as yes).
 */
export function trustAdmitsAwsPrincipal(document: any): boolean {
  return trustAdmitsAws(document) !== false;
}

/**
 * A readable rendering of a CloudFormation value: `{ Ref: X }` → `${X}`, `{ 'Fn::GetAtt': [X, Y] }` → `${X.Y}`,
 * `Fn::Join` joined, other intrinsics by name, arrays and principal maps listed, OPAQUE as `${?}`.
 */
export function describeValue(value: any): string {
  if (typeof value === 'string') {
    return value.split(OPAQUE).join('${?}');
  }
  if (Array.isArray(value)) {
    return value.map(describeValue).join(', ');
  }
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') {
      return `\${${value.Ref}}`;
    }
    if (Array.isArray(value['Fn::GetAtt'])) {
      return `\${${value['Fn::GetAtt'].join('.')}}`;
    }
    if (Array.isArray(value['Fn::Join']) && Array.isArray(value['Fn::Join'][1])) {
      return value['Fn::Join'][1].map(describeValue).join(value['Fn::Join'][0]);
    }
    if (isIntrinsic(value)) {
      const [name, arg] = Object.entries(value)[0];
      return `${name}(${typeof arg === 'string' ? arg : JSON.stringify(arg)})`;
    }
    return Object.entries(value).map(([k, v]) => `${k} ${describeValue(v)}`).join(', ');
  }
  return JSON.stringify(value);
}

/** The principal of a trust statement, readable (`AWS arn:...:user/alice`, `*`, or `everyone but ...` for NotPrincipal). */
export function describePrincipal(statement: any): string {
  if (statement.NotPrincipal !== undefined) {
    return `every principal but ${describeValue(statement.NotPrincipal)}`;
  }
  return describeValue(statement.Principal);
}
