/**
 * Pure inspection of resolved IAM policy documents (CloudFormation JSON) for `sts:AssumeRole` without MFA.
 * Used by MfaGuard; every function takes already-resolved JSON and never touches a construct.
 */

/** The context key that tells whether the request was signed with MFA credentials. */
const MFA_PRESENT = 'aws:multifactorauthpresent';

/** What is wrong with one statement. */
export enum MfaProblem {
  /** No `Bool aws:MultiFactorAuthPresent "true"` condition. */
  MISSING = 'missing',
  /** `BoolIfExists aws:MultiFactorAuthPresent "true"`, which also lets long-term access keys in. */
  IF_EXISTS = 'if-exists',
}

/** One Allow statement that grants `sts:AssumeRole` without the MFA condition. */
export interface MfaFinding {
  /** 1-based position of the statement in the document. */
  readonly statementNumber: number;
  /** The statement, as resolved JSON. */
  readonly statement: any;
  /** What is wrong. */
  readonly problem: MfaProblem;
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
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** Whether the statement's Action (or NotAction) covers `sts:AssumeRole`. */
export function grantsAssumeRole(statement: any): boolean {
  if (statement.NotAction !== undefined) {
    return !asArray(statement.NotAction).some((p) => actionPatternMatches(p, 'sts:AssumeRole'));
  }
  return asArray(statement.Action).some((p) => actionPatternMatches(p, 'sts:AssumeRole'));
}

/**
 * Whether a trust statement admits an IAM user, role, account or anyone (`*`), as opposed to only service or federated
 * principals, which cannot present MFA and are not MfaGuard's business.
 */
export function admitsAwsPrincipal(statement: any): boolean {
  if (statement.NotPrincipal !== undefined) {
    return true;
  }
  const principal = statement.Principal;
  if (principal === undefined) {
    return false;
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
function isDenyWithoutMfa(statement: any): boolean {
  if (statement.Effect !== 'Deny' || !grantsAssumeRole(statement)) {
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

/**
 * The Allow statements of a document that grant `sts:AssumeRole` without `Bool aws:MultiFactorAuthPresent "true"`.
 *
 * For a trust policy (`trust: true`) only statements that admit an AWS principal count. A document whose Deny
 * statement blocks `sts:AssumeRole` without MFA for everyone (see `isDenyWithoutMfa`) has no findings.
 */
export function assumeRoleWithoutMfa(document: any, trust: boolean): MfaFinding[] {
  const statements = statementsOf(document);
  if (statements.some(isDenyWithoutMfa)) {
    return [];
  }
  const findings: MfaFinding[] = [];
  statements.forEach((statement, index) => {
    if (statement.Effect !== 'Allow' || !grantsAssumeRole(statement) || (trust && !admitsAwsPrincipal(statement))) {
      return;
    }
    const problem = mfaProblemOf(statement);
    if (problem !== undefined) {
      findings.push({ statementNumber: index + 1, statement, problem });
    }
  });
  return findings;
}

/**
 * Whether a trust policy lets an AWS principal (user, role, account, anyone) assume the role at all, with or without
 * MFA. A role whose trust admits only service or federated principals is a service role.
 */
export function trustAdmitsAwsPrincipal(document: any): boolean {
  return statementsOf(document).some((s) => s.Effect === 'Allow' && grantsAssumeRole(s) && admitsAwsPrincipal(s));
}

/**
 * A readable rendering of a resolved CloudFormation value: `{ Ref: X }` → `${X}`, `{ 'Fn::GetAtt': [X, Y] }` → `${X.Y}`,
 * `Fn::Join` joined, arrays and principal maps listed.
 */
export function describeValue(value: any): string {
  if (typeof value === 'string') {
    return value;
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
