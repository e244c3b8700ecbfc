import { IAspect, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ASSUME_ONLY_METADATA_KEY } from './contract';
import { awsManagedPolicyName, KNOWN_AWS_MANAGED_POLICIES } from './private/aws-managed-policies';
import { describeResource, GuardTemplate, loadAssembly, nameOf, ResourceRef, resourceOf, Target, World, WorldIndex } from './private/guard-templates';
import {
  admitsAws, allows, coversAction, describePrincipal, describeValue, inspectDocument, isDenyWithoutMfa, isIntrinsic, isOpaque, isUnknown, MfaProblem,
  mfaRequirement, OPAQUE, readDocument, renderString, StatementSlot, statementSlots, trustAdmitsAws, Unknown, UnknownFinding,
} from './private/mfa-policy-inspection';
import { SECRET_BEARING_ATTRIBUTES } from './private/secret-bearing';

/**
 * Properties of an MfaGuard.
 */
export interface MfaGuardProps {
  /**
   * Whether to check identity policies too: an Allow of `sts:AssumeRole` without the MFA condition is an error
   * (rule `MfaGuard::AssumeWithoutMfa`).
   *
   * Checked are the inline and customer managed policies of IAM users and groups, of roles that an IAM user, role or
   * account can assume, and managed policies attached to nothing, or to anything the guard cannot see. Policies
   * attached only to service roles (roles that only service or federated principals can assume) are not: a service
   * cannot present MFA.
   *
   * @default true
   */
  readonly checkIdentityPolicies?: boolean;
}

const MFA_FIX = 'Bool aws:MultiFactorAuthPresent "true"';
const USER = 'AWS::IAM::User';
const GROUP = 'AWS::IAM::Group';
const ROLE = 'AWS::IAM::Role';
const POLICY = 'AWS::IAM::Policy';
const MANAGED_POLICY = 'AWS::IAM::ManagedPolicy';

/** One problem, before it becomes a PolicyViolation. */
interface Finding {
  readonly rule: string;
  readonly template: GuardTemplate;
  /** The resource (or output) it is about; none for the template as a whole. */
  readonly logicalId?: string;
  /** Where in the resource, e.g. `Properties.AssumeRolePolicyDocument`. */
  readonly location: string;
  readonly description: string;
  readonly fix: string;
}

/**
 * Checks every template of a CDK app, as CloudFormation will receive it, for paths to AWS without MFA: a policy
 * validation plugin, registered once for the whole app.
 *
 * ```ts
 * Validations.of(app).addPlugins(new MfaGuard());
 * ```
 *
 * It reads the synthesized templates after every override (`addOverride`, `addPropertyOverride`, L1 properties,
 * `cloudformation-include`), of every stack of the app: stacks in Stages and nested Stages (CDK Pipelines), nested
 * stacks, and the TemplateBody of every `AWS::CloudFormation::StackSet`. Its findings fail `cdk synth` (and
 * `app.synth()`), are listed in the validation report, and each names its rule:
 *
 * - `MfaGuard::TrustWithoutMfa`: a role whose trust policy lets an IAM user, role, account or anyone assume it without
 *   `Bool aws:MultiFactorAuthPresent "true"` (`BoolIfExists` too: the key is absent for long-term access keys).
 *   Service and federated principals are not checked; a Deny of `sts:AssumeRole` for everyone with only
 *   `BoolIfExists aws:MultiFactorAuthPresent "false"` protects its whole document.
 * - `MfaGuard::AssumeWithoutMfa`: an identity policy (inline, customer managed, of a user, group or role) that allows
 *   `sts:AssumeRole` without MFA and is attached, in any stack, by reference, import or name, to a user, a group or a
 *   role that AWS principals can assume (see `checkIdentityPolicies`).
 * - `MfaGuard::AssumeOnlyUserWidened`: a user that MfaUser, MfaDelegation or MfaTeam created or was given (marked
 *   assume-only in the template) gets anything but MFA-conditioned `sts:AssumeRole` (and `iam:ChangePassword` for a
 *   console user): a policy, managed policy, group or grant added anywhere in the app, and resource policies (also as
 *   JSON strings) and Lambda permissions that name the user. The AWS managed policies that the threat model names
 *   (AdministratorAccess, PowerUserAccess, ReadOnlyAccess, SecurityAudit, AWSCloudFormationReadOnlyAccess,
 *   SecretsManagerReadWrite, AWSLambda_FullAccess) are known; any other managed policy that the app does not define is
 *   `CannotEvaluate` on such a user. So is a policy, group addition or resource policy that names a user, group or
 *   principal the guard cannot resolve (a parameter, an import of no export of the app, `user/*`), when the app has such users.
 * - `MfaGuard::TrustsWholeAccount`: a role whose trust lets every principal of an account in (its root, its id, `*`)
 *   with MFA but without narrowing it to named principals (`aws:PrincipalArn`).
 * - `MfaGuard::SecretInTemplate`: a secret-bearing attribute (`Fn::GetAtt [AccessKey, SecretAccessKey]`, ...) used as
 *   a property, output or parameter: CloudFormation records resolved properties in the stack's events.
 * - `MfaGuard::CannotEvaluate`: a policy, statement, principal, action or condition that the guard cannot evaluate
 *   (`Fn::ImportValue`, a parameter, a JSON string built from one, a template it cannot read). `Fn::If` is evaluated
 *   in both branches; a JSON string is parsed.
 *
 * A finding on one resource can be acknowledged with a reason, and the report lists the acknowledgement:
 *
 * ```ts
 * Validations.of(role).acknowledge({ id: MfaGuard.TRUSTS_WHOLE_ACCOUNT, reason: 'Break-glass role for the whole ops account' });
 * ```
 *
 * For compatibility, `Aspects.of(scope).add(new MfaGuard())` registers the guard as a plugin for the stacks under
 * that scope.
 */
export class MfaGuard implements IPolicyValidationPlugin, IAspect {
  /** The rule id of a role that can be assumed without MFA. */
  public static readonly TRUST_WITHOUT_MFA = 'MfaGuard::TrustWithoutMfa';
  /** The rule id of an identity policy that allows `sts:AssumeRole` without MFA. */
  public static readonly ASSUME_WITHOUT_MFA = 'MfaGuard::AssumeWithoutMfa';
  /** The rule id of an assume-only user who was given anything else. */
  public static readonly ASSUME_ONLY_USER_WIDENED = 'MfaGuard::AssumeOnlyUserWidened';
  /** The rule id of a role that trusts a whole account (with MFA). */
  public static readonly TRUSTS_WHOLE_ACCOUNT = 'MfaGuard::TrustsWholeAccount';
  /** The rule id of a secret-bearing attribute in a template. */
  public static readonly SECRET_IN_TEMPLATE = 'MfaGuard::SecretInTemplate';
  /** The rule id of something the guard cannot evaluate. */
  public static readonly CANNOT_EVALUATE = 'MfaGuard::CannotEvaluate';

  /** The plugin's name in the validation report; the namespace of its rule ids (`MfaGuard::...`). */
  public readonly name = 'MfaGuard';
  /** The rules it evaluates (without the `MfaGuard::` namespace). */
  public readonly ruleIds?: string[] = [
    MfaGuard.TRUST_WITHOUT_MFA, MfaGuard.ASSUME_WITHOUT_MFA, MfaGuard.ASSUME_ONLY_USER_WIDENED,
    MfaGuard.TRUSTS_WHOLE_ACCOUNT, MfaGuard.SECRET_IN_TEMPLATE, MfaGuard.CANNOT_EVALUATE,
  ].map((id) => id.slice('MfaGuard::'.length));

  private readonly checkIdentityPolicies: boolean;
  /** The scopes that `Aspects.of(scope).add(this)` registered (construct paths). */
  private readonly aspectScopes: string[] = [];

  constructor(props: MfaGuardProps = {}) {
    this.checkIdentityPolicies = props.checkIdentityPolicies ?? true;
  }

  /**
   * Check every template of the app (called by the CDK during synthesis).
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.validateScope(context, '');
  }

  /**
   * Register this guard as a policy validation plugin for the stacks under the scope that the Aspect was added to.
   * Prefer `Validations.of(app).addPlugins(new MfaGuard())`.
   */
  public visit(node: IConstruct): void {
    const scopePath = node.node.path;
    if (this.aspectScopes.some((s) => s === '' || scopePath === s || scopePath.startsWith(`${s}/`))) {
      return;
    }
    this.aspectScopes.push(scopePath);
    Validations.of(node).addPlugins({
      name: this.name,
      ruleIds: this.ruleIds,
      validate: (context: IPolicyValidationContext) => this.validateScope(context, scopePath),
    });
  }

  private validateScope(context: IPolicyValidationContext, scopePath: string): PolicyValidationPluginReport {
    const { worlds, unread } = loadAssembly(context, scopePath);
    const findings: Finding[] = unread.map(({ template, logicalId, reason }) => ({
      rule: 'CannotEvaluate',
      template,
      logicalId,
      location: 'Properties',
      description: `MfaGuard cannot read the template of ${describeResource({ template, logicalId })}: ${reason}`,
      fix: 'Define the stack in this app (a NestedStack, or a StackSet whose TemplateBody is JSON), or acknowledge '
        + `${MfaGuard.CANNOT_EVALUATE} on it with the reason its template is safe`,
    }));
    for (const world of worlds) {
      findings.push(...new WorldCheck(world, this.checkIdentityPolicies).run());
    }
    const violations = findings.map(toViolation);
    return { success: violations.length === 0, violations };
  }
}

function toViolation(finding: Finding): PolicyViolation {
  const { template, logicalId } = finding;
  const host = template.host;
  const resource = host
    ? { constructPath: host.constructPath, locations: [`Properties.TemplateBody.Resources.${logicalId}.${finding.location}`] }
    : {
      constructPath: (logicalId && template.paths.get(logicalId)) ?? template.rootPath,
      templatePath: template.templatePath,
      locations: [logicalId ? `${template.template.Outputs?.[logicalId] && !template.template.Resources?.[logicalId] ? 'Outputs' : 'Resources'}.${logicalId}.${finding.location}` : finding.location],
    };
  return { ruleName: finding.rule, description: finding.description, fix: finding.fix, severity: 'error', violatingResources: [resource] };
}

const CANNOT_EVALUATE_FIX = 'Write it as literal JSON (Fn::If is fine: both branches are checked; so is a JSON string), or acknowledge '
  + `${MfaGuard.CANNOT_EVALUATE} on the resource with the reason it is safe`;

const UNREADABLE_MANAGED_POLICY_FIX = 'Grant the permissions to a role that the user assumes with MFA instead, define the managed policy in this app, '
  + `or acknowledge ${MfaGuard.CANNOT_EVALUATE} on the resource with the reason the policy allows the user nothing but sts:AssumeRole with MFA`;

/** An assume-only user: a resource of the world, or a name that only the templates' policies know. */
interface AssumeOnlyUser {
  readonly ref?: ResourceRef;
  readonly name?: string;
  readonly consoleAccess: boolean;
  /** How the user is named in findings. */
  readonly label: string;
  /**
   * Stands for every assume-only user at once, matched by the users, groups and principals that MfaGuard cannot resolve
   * (a parameter, an import of no export of the app, a wildcard): what would widen one is a CannotEvaluate finding.
   */
  readonly unresolved?: boolean;
  /** With `unresolved`: whether an assume-only user is in a group, so that a group MfaGuard cannot resolve may be one of its. */
  readonly inGroups?: boolean;
}

/** An Allow statement of a resource policy (not a trust policy) with AWS principals, or a resource policy that cannot be read. */
interface ResourceGrant {
  readonly ref: ResourceRef;
  readonly location: string;
  /** 1-based; 0 for a policy that cannot be read. */
  readonly statementNumber: number;
  readonly statement?: any;
  /** Why the policy cannot be read. */
  readonly unknown?: string;
  readonly principals: Target[];
}

/** The rules, applied to the templates of one world. */
class WorldCheck {
  private readonly index: WorldIndex;
  private readonly findings: Finding[] = [];
  private readonly listedCache = new Map<string, Target[]>();
  private grants?: ResourceGrant[];

  constructor(private readonly world: World, private readonly checkIdentityPolicies: boolean) {
    this.index = new WorldIndex(world);
  }

  public run(): Finding[] {
    for (const template of this.world.templates) {
      this.checkTransform(template);
      this.checkSecrets(template);
    }
    for (const ref of this.index.resources(ROLE)) {
      this.checkRole(ref);
    }
    if (this.checkIdentityPolicies) {
      for (const ref of this.index.resources(USER, GROUP)) {
        this.inlinePolicies(ref).forEach(({ label, document, location }) => this.checkIdentityDocument(ref, label, document, location));
      }
      for (const ref of this.index.resources(POLICY, MANAGED_POLICY, 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy', 'AWS::IAM::RolePolicy')) {
        this.checkPolicyResource(ref);
      }
    }
    const users = this.assumeOnlyUsers();
    for (const user of users) {
      this.checkAssumeOnly(user);
    }
    if (users.length > 0) {
      // Fail closed: what names a user that MfaGuard cannot resolve may name any of them.
      const labels = users.map((u) => u.label);
      const label = labels.length === 1 ? labels[0] : `${labels.slice(0, 3).join(', ')}${labels.length > 3 ? ` and ${labels.length - 3} more` : ''}`;
      const inGroups = users.some((u) => u.ref && resourceOf(u.ref).Properties?.Groups !== undefined)
        || this.index.resources('AWS::IAM::UserToGroupAddition').length > 0;
      this.checkAssumeOnly({ unresolved: true, inGroups, consoleAccess: users.every((u) => u.consoleAccess), label });
    }
    return this.findings;
  }

  private add(finding: Finding): void {
    this.findings.push(finding);
  }

  private unknown(ref: ResourceRef, location: string, what: string, unknown: string, fix = CANNOT_EVALUATE_FIX): void {
    this.add({
      rule: 'CannotEvaluate',
      template: ref.template,
      logicalId: ref.logicalId,
      location,
      description: `MfaGuard cannot evaluate ${what} of ${describeResource(ref)}: ${unknown}`,
      fix,
    });
  }

  /** A macro (`Transform`) rewrites the template after the guard read it. */
  private checkTransform(template: GuardTemplate): void {
    if (template.template.Transform === undefined) {
      return;
    }
    const where = template.host ? `the TemplateBody of StackSet ${template.host.constructPath}` : `stack ${template.rootPath}`;
    this.add({
      rule: 'CannotEvaluate',
      template,
      location: 'Transform',
      description: `MfaGuard cannot evaluate ${where}: its Transform ${describeValue(template.template.Transform)} rewrites the template after synthesis`,
      fix: CANNOT_EVALUATE_FIX,
    });
  }

  /** `Fn::GetAtt` (or `Fn::Sub`) of a secret-bearing attribute anywhere in a resource or output. */
  private checkSecrets(template: GuardTemplate): void {
    const resources = template.template.Resources ?? {};
    // The attributes that hold a secret, by name whatever the type (a custom resource can return one): one list, shared
    // with the constructs' own check (lib/private/secret-bearing.ts).
    const secretAttribute = (id: string, attribute: unknown): boolean | Unknown => {
      const type: string | undefined = resources[id]?.Type;
      if (type === undefined) {
        return false;
      }
      if (typeof attribute !== 'string' || attribute.includes(OPAQUE)) {
        return { unknown: `the attribute ${describeValue(attribute)} of ${id} (${type})` };
      }
      return SECRET_BEARING_ATTRIBUTES.includes(attribute);
    };
    const scan = (section: 'Resources' | 'Outputs', logicalId: string, value: any, location: string): void => {
      if (Array.isArray(value)) {
        value.forEach((v, i) => scan(section, logicalId, v, `${location}.${i}`));
        return;
      }
      if (value === null || typeof value !== 'object') {
        return;
      }
      const uses: Array<[string, unknown]> = [];
      if (isIntrinsic(value) && value['Fn::GetAtt'] !== undefined) {
        const getAtt = value['Fn::GetAtt'];
        uses.push(Array.isArray(getAtt) ? [getAtt[0], getAtt[1]] : String(getAtt).split(/\.(.*)/s) as [string, string]);
      }
      const sub = isIntrinsic(value) ? value['Fn::Sub'] : undefined;
      const subText = Array.isArray(sub) ? sub[0] : sub;
      if (typeof subText === 'string') {
        for (const match of subText.matchAll(/\$\{([^}!.]+)\.([^}]+)\}/g)) {
          uses.push([match[1], match[2]]);
        }
      }
      for (const [id, attribute] of uses) {
        const secret = secretAttribute(id, attribute);
        const ref = { template, logicalId };
        const where = section === 'Outputs' ? `output ${logicalId} of ${template.host ? describeResource(ref) : template.rootPath}` : describeResource(ref);
        if (isUnknown(secret)) {
          this.unknown(ref, location, `a Fn::GetAtt in ${location}`, secret.unknown);
        } else if (secret) {
          this.add({
            rule: 'SecretInTemplate',
            template,
            logicalId,
            location,
            description: `${where} uses the secret ${id}.${attribute} (${resources[id].Type}) in ${location}: CloudFormation records resolved `
              + 'properties in the stack\'s events, and outputs and parameters are readable by anyone who may describe the stack',
            fix: 'Never pass a secret through CloudFormation: let its owner create it where it is used (mfa-profile creates access keys '
              + 'with the caller\'s IAM rights), or pass a Secrets Manager dynamic reference ({{resolve:secretsmanager:...}}) to a property that takes one',
          });
        }
      }
      for (const [key, child] of Object.entries(value)) {
        scan(section, logicalId, child, `${location}.${key}`);
      }
    };
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      for (const [key, value] of Object.entries<any>(resource ?? {})) {
        if (key !== 'Type') {
          scan('Resources', logicalId, value, key);
        }
      }
    }
    for (const [logicalId, output] of Object.entries<any>(template.template.Outputs ?? {})) {
      for (const [key, value] of Object.entries<any>(output ?? {})) {
        scan('Outputs', logicalId, value, key);
      }
    }
  }

  private checkRole(ref: ResourceRef): void {
    const trust = resourceOf(ref).Properties?.AssumeRolePolicyDocument;
    const location = 'Properties.AssumeRolePolicyDocument';
    const inspection = inspectDocument(trust, true);
    const where = describeResource(ref);
    for (const finding of inspection.findings) {
      const who = `Role ${where} lets ${describePrincipal(finding.statement)} assume it`;
      this.add({
        rule: 'TrustWithoutMfa',
        template: ref.template,
        logicalId: ref.logicalId,
        location,
        description: finding.problem === MfaProblem.IF_EXISTS
          ? `${who} with BoolIfExists aws:MultiFactorAuthPresent (trust policy statement ${finding.statementNumber}), which also admits long-term access keys without MFA`
          : `${who} without MFA (trust policy statement ${finding.statementNumber})`,
        fix: finding.problem === MfaProblem.IF_EXISTS
          ? `Use ${MFA_FIX} instead`
          : `Put the condition ${MFA_FIX} on that principal, e.g. new iam.PrincipalWithConditions(principal, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }), or use MfaRequiredRole`,
      });
    }
    this.reportUnknowns(ref, location, 'the trust policy', inspection.unknowns);
    this.checkWholeAccount(ref, trust, location);
    if (this.checkIdentityPolicies && trustAdmitsAws(trust) !== false) {
      this.inlinePolicies(ref).forEach(({ label, document, location: at }) => this.checkIdentityDocument(ref, label, document, at));
    }
  }

  private reportUnknowns(ref: ResourceRef, location: string, what: string, unknowns: UnknownFinding[]): void {
    for (const { statementNumber, unknown } of unknowns) {
      this.unknown(ref, location, statementNumber ? `statement ${statementNumber} of ${what}` : what, unknown);
    }
  }

  /** #17.2: a trust statement that admits a whole account (with MFA) and no narrower set of principals. */
  private checkWholeAccount(ref: ResourceRef, trust: any, location: string): void {
    const read = readDocument(trust);
    if ('unknown' in read) {
      return;
    }
    for (const document of read.documents) {
      const slots = statementSlots(document);
      if (isUnknown(slots)) {
        continue;
      }
      // AWS's "force MFA" pattern (a Deny without MFA for everyone) makes every Allow of its document an Allow with MFA.
      const denyWithoutMfa = (slots as StatementSlot[]).some((slot) => slot.variants.length === 1 && isDenyWithoutMfa(slot.variants[0]));
      for (const slot of slots as StatementSlot[]) {
        for (const statement of slot.variants) {
          if (allows(statement) !== true || coversAction(statement, 'sts:AssumeRole') !== true || admitsAws(statement) !== true
            || (mfaRequirement(statement) !== undefined && !denyWithoutMfa) || narrowedToPrincipals(statement)) {
            continue;
          }
          const account = wholeAccount(statement, (id) => resourceOf({ template: ref.template, logicalId: id })?.Type);
          if (account === undefined) {
            continue;
          }
          if (isUnknown(account)) {
            this.unknown(ref, location, `statement ${slot.statementNumber} of the trust policy`,
              `${account.unknown}, which may be a whole account`);
          } else {
            this.add({
              rule: 'TrustsWholeAccount',
              template: ref.template,
              logicalId: ref.logicalId,
              location,
              description: `Role ${describeResource(ref)} trusts ${account} (trust policy statement ${slot.statementNumber}): with MFA, but anyone `
                + 'there whose own policies allow sts:AssumeRole on it (e.g. on *) assumes it with an MFA device of their own',
              fix: 'Trust the principals who need the role (MfaRequiredRole\'s trustedPrincipals, or a condition on aws:PrincipalArn), or '
                + `acknowledge ${MfaGuard.TRUSTS_WHOLE_ACCOUNT} on the role with the reason the whole account may assume it`,
            });
          }
          break;
        }
      }
    }
  }

  /** The inline `Policies` of a user, group or role, one entry per policy (and Fn::If branch). */
  private inlinePolicies(ref: ResourceRef): Array<{ label: string; document: any; location: string }> {
    const policies = resourceOf(ref).Properties?.Policies;
    if (policies === undefined) {
      return [];
    }
    const list = readList(policies);
    if (isUnknown(list)) {
      this.unknown(ref, 'Properties.Policies', 'the inline policies', list.unknown);
      return [];
    }
    return list.map((policy, i) => ({
      label: `inline policy ${describeValue(policy?.PolicyName)} of ${describeResource(ref)}`,
      document: policy?.PolicyDocument,
      location: `Properties.Policies.${i}.PolicyDocument`,
    }));
  }

  private checkIdentityDocument(ref: ResourceRef, label: string, document: any, location: string,
    inspection = inspectDocument(document, false)): void {
    for (const finding of inspection.findings) {
      this.add({
        rule: 'AssumeWithoutMfa',
        template: ref.template,
        logicalId: ref.logicalId,
        location,
        description: `Statement ${finding.statementNumber} of ${label} allows ${describeGrant(finding.statement)} `
          + `${finding.problem === MfaProblem.IF_EXISTS ? 'with BoolIfExists aws:MultiFactorAuthPresent, which also admits long-term access keys without MFA' : 'without MFA'}`,
        fix: `Add the condition ${MFA_FIX} to the statement (as MfaRequiredRole.grantAssumeRole and MfaUser.allowAssume do)`,
      });
    }
    this.reportUnknowns(ref, location, label, inspection.unknowns);
  }

  private checkPolicyResource(ref: ResourceRef): void {
    const properties = resourceOf(ref).Properties ?? {};
    const inspection = inspectDocument(properties.PolicyDocument, false);
    // Most policies grant no sts:AssumeRole without MFA: look at the attachments only for those that do.
    if ((inspection.findings.length === 0 && inspection.unknowns.length === 0) || this.attachedOnlyToServiceRoles(ref)) {
      return;
    }
    const name = properties.ManagedPolicyName ?? properties.PolicyName ?? ref.logicalId;
    this.checkIdentityDocument(ref, `policy ${describeResource(ref)} (${describeValue(name)})`, undefined, 'Properties.PolicyDocument', inspection);
  }

  /**
   * Whether the policy is attached to at least one role and only to roles of the world that only service or federated
   * principals can assume. Users, groups, roles the guard cannot find or read, or no attachment at all: false.
   */
  private attachedOnlyToServiceRoles(ref: ResourceRef): boolean {
    if (this.listed(ref, 'Users', 'UserName', 'Groups', 'GroupName').length > 0) {
      return false;
    }
    const roles = this.listed(ref, 'Roles', 'RoleName');
    if (resourceOf(ref).Type === MANAGED_POLICY) {
      for (const holder of this.index.resources(USER, GROUP, ROLE)) {
        if (this.index.targets(holder.template, resourceOf(holder).Properties?.ManagedPolicyArns).some((t) => this.index.is(t, ref))) {
          if (resourceOf(holder).Type !== ROLE) {
            return false;
          }
          roles.push({ resource: holder });
        }
      }
    }
    return roles.length > 0 && roles.every((target) => {
      const role = this.index.find(target, ROLE);
      return role !== undefined && trustAdmitsAws(resourceOf(role).Properties?.AssumeRolePolicyDocument) === false;
    });
  }

  /** What the properties of a resource name (users, groups, roles), each Fn::If branch and list element. */
  private listed(ref: ResourceRef, ...keys: string[]): Target[] {
    const cacheKey = `${this.world.templates.indexOf(ref.template)} ${ref.logicalId} ${keys.join(' ')}`;
    let targets = this.listedCache.get(cacheKey);
    if (!targets) {
      const properties = resourceOf(ref).Properties ?? {};
      targets = keys.flatMap((key) => this.index.targets(ref.template, properties[key]));
      this.listedCache.set(cacheKey, targets);
    }
    return targets;
  }

  /** The users marked assume-only: on their own resource, or on a policy (then every user it is attached to). */
  private assumeOnlyUsers(): AssumeOnlyUser[] {
    const users: AssumeOnlyUser[] = [];
    const add = (user: AssumeOnlyUser) => {
      const same = (u: AssumeOnlyUser) => (user.ref && u.ref && this.index.is({ resource: user.ref }, u.ref))
        || (user.name && u.name?.toLowerCase() === user.name.toLowerCase());
      if (!users.some(same)) {
        users.push(user);
      }
    };
    for (const template of this.world.templates) {
      for (const [logicalId, resource] of Object.entries<any>(template.template.Resources ?? {})) {
        const marker = resource?.Metadata?.[ASSUME_ONLY_METADATA_KEY];
        if (marker === undefined) {
          continue;
        }
        const ref = { template, logicalId };
        const consoleAccess = marker?.ConsoleAccess === true || marker?.ConsoleAccess === 'true';
        const subjects: Target[] = resource.Type === USER ? [{ resource: ref }] : this.index.targets(template, resource.Properties?.Users);
        for (const subject of subjects) {
          if ('unknown' in subject) {
            this.unknown(ref, 'Properties.Users', 'the users of the assume-only policy', `the user ${subject.unknown}`);
            continue;
          }
          const user = this.index.find(subject, USER);
          const name = user ? nameOf(user) : 'name' in subject ? subject.name : undefined;
          add({ ref: user, name, consoleAccess, label: user ? describeResource(user) : `${name}` });
        }
      }
    }
    return users;
  }

  private isUser(user: AssumeOnlyUser, target: Target): boolean {
    if (user.unresolved) {
      return mayNameUser(target);
    }
    if (user.ref && this.index.is(target, user.ref)) {
      return true;
    }
    return 'name' in target && user.name !== undefined && target.name.toLowerCase() === user.name.toLowerCase();
  }

  /** #10.3: everything attached to an assume-only user, directly or through groups, is MFA-conditioned sts:AssumeRole. */
  private checkAssumeOnly(user: AssumeOnlyUser): void {
    const groups: Array<{ target: Target; from: ResourceRef; location: string }> = [];
    if (user.ref) {
      const properties = resourceOf(user.ref).Properties ?? {};
      for (const { label, document, location } of this.inlinePolicies(user.ref)) {
        this.checkAssumeOnlyDocument(user, user.ref, label, document, location);
      }
      this.checkAssumeOnlyManagedPolicies(user, user.ref, properties.ManagedPolicyArns, '');
      this.index.targets(user.ref.template, properties.Groups).forEach((target, i) => groups.push({ target, from: user.ref!, location: `Properties.Groups.${i}` }));
    }
    for (const ref of this.index.resources(POLICY, MANAGED_POLICY, 'AWS::IAM::UserPolicy')) {
      const properties = resourceOf(ref).Properties ?? {};
      if (this.listed(ref, 'Users', 'UserName').some((t) => this.isUser(user, t))) {
        const name = properties.ManagedPolicyName ?? properties.PolicyName ?? ref.logicalId;
        this.checkAssumeOnlyDocument(user, ref, `policy ${describeResource(ref)} (${describeValue(name)})`, properties.PolicyDocument, 'Properties.PolicyDocument');
      }
    }
    for (const ref of this.index.resources('AWS::IAM::UserToGroupAddition')) {
      const properties = resourceOf(ref).Properties ?? {};
      if (this.index.targets(ref.template, properties.Users).some((t) => this.isUser(user, t))) {
        const group = this.index.target(ref.template, properties.GroupName);
        if (user.unresolved) {
          // A group is there to give its members permissions: one that an assume-only user may be added to is a widening.
          this.widened(user, ref, 'Properties.Users', `adds it to the group ${describeTarget(group)}`);
        } else {
          groups.push({ target: group, from: ref, location: 'Properties.GroupName' });
        }
      }
    }
    for (const { target, from, location } of groups) {
      this.checkAssumeOnlyGroup(user, target, from, location);
    }
    if (user.inGroups) {
      // A policy attached to a group MfaGuard cannot resolve may be attached to a group of an assume-only user.
      for (const ref of this.index.resources(POLICY, MANAGED_POLICY, 'AWS::IAM::GroupPolicy')) {
        const properties = resourceOf(ref).Properties ?? {};
        if (this.listed(ref, 'Groups', 'GroupName').some((t) => 'unknown' in t)) {
          const name = properties.ManagedPolicyName ?? properties.PolicyName ?? ref.logicalId;
          this.checkAssumeOnlyDocument(user, ref, `policy ${describeResource(ref)} (${describeValue(name)}) (through a group)`, properties.PolicyDocument,
            'Properties.PolicyDocument');
        }
      }
    }
    this.checkResourcePolicyGrants(user);
  }

  /**
   * Resource policies (a bucket's, a key's, a secret's, ...) that allow the user something: a grant is a grant, whichever
   * side of IAM it is written on. Trust policies are not grants of this kind: they are how the user reaches roles.
   */
  private checkResourcePolicyGrants(user: AssumeOnlyUser): void {
    for (const grant of this.resourcePolicyGrants()) {
      if (grant.principals.some((t) => this.isUser(user, t))) {
        this.widened(user, grant.ref, grant.location, grant.unknown !== undefined
          ? `has a resource policy that MfaGuard cannot read (${grant.unknown}), which may allow it anything`
          : `allows it ${describeGrant(grant.statement)} in statement ${grant.statementNumber} of its resource policy`);
      }
    }
  }

  /** The Allow statements of resource policies (not trust policies) with AWS principals, read once per world. */
  private resourcePolicyGrants(): ResourceGrant[] {
    if (this.grants) {
      return this.grants;
    }
    this.grants = [];
    for (const template of this.world.templates) {
      for (const [logicalId, resource] of Object.entries<any>(template.template.Resources ?? {})) {
        if (IDENTITY_POLICY_TYPES.includes(resource?.Type)) {
          continue;
        }
        const ref = { template, logicalId };
        for (const found of policyDocumentsIn(resource?.Properties, 'Properties')) {
          const [location, document] = found;
          const slots = isUnknown(document) ? document : statementSlots(document);
          if (isUnknown(slots)) {
            this.grants.push({ ref, location, statementNumber: 0, unknown: slots.unknown, principals: [{ unknown: slots.unknown }] });
            continue;
          }
          for (const slot of slots) {
            for (const statement of slot.variants.filter((v) => allows(v) !== false && !decryptsSecretsOnly(v))) {
              const principals = this.principalsOf(ref, statement);
              if (principals.length > 0) {
                this.grants.push({ ref, location, statementNumber: slot.statementNumber, statement, principals });
              }
            }
          }
        }
        if (PERMISSION_TYPES.includes(resource?.Type)) {
          // A Lambda permission is one statement of the function's resource policy, written as properties.
          const { Action, Principal, FunctionName, LayerVersionArn } = resource.Properties ?? {};
          const statement = { Effect: 'Allow', Action, Principal: { AWS: Principal }, Resource: FunctionName ?? LayerVersionArn };
          this.grants.push({ ref, location: 'Properties.Principal', statementNumber: 1, statement, principals: this.index.targets(template, Principal) });
        }
      }
    }
    return this.grants;
  }

  /**
   * The AWS principals of an Allow statement of a resource policy. `*` (and NotPrincipal) grants the public, not a user
   * in particular, unless a condition picks principals: then those its `aws:PrincipalArn` names, or, for a condition on
   * another key of the principal (its name, id, tags) or one MfaGuard cannot read, anyone.
   */
  private principalsOf(ref: ResourceRef, statement: any): Target[] {
    const everyone = statement?.Principal === '*' || statement?.Principal?.AWS === '*' || statement?.NotPrincipal !== undefined;
    if (!everyone) {
      const aws = statement?.Principal?.AWS;
      return aws === undefined ? [] : this.index.targets(ref.template, aws);
    }
    const condition = statement.Condition;
    if (condition === undefined) {
      return [];
    }
    if (condition === null || typeof condition !== 'object' || isOpaque(condition)) {
      return [{ unknown: `a principal * with the condition ${describeValue(condition)}` }];
    }
    const targets: Target[] = [];
    for (const [operator, block] of Object.entries<any>(condition)) {
      const keys = block !== null && typeof block === 'object' && !isOpaque(block) ? Object.entries<any>(block) : [[operator, block]];
      for (const [key, values] of keys) {
        const name = String(key).toLowerCase();
        if (name === 'aws:principalarn' && !operator.startsWith('ArnNot') && !operator.startsWith('StringNot')) {
          targets.push(...this.index.targets(ref.template, values));
        } else if (/^aws:(principal|user|username|userid|sourceidentity)/.test(name) || isOpaque(key) || isOpaque(values)) {
          targets.push({ unknown: `a principal * with the condition ${operator} ${describeValue(key)}` });
        }
      }
    }
    return targets;
  }

  private checkAssumeOnlyGroup(user: AssumeOnlyUser, target: Target, from: ResourceRef, location: string): void {
    const group = this.index.find(target, GROUP);
    if (!group) {
      this.widened(user, from, location, `adds it to the group ${describeTarget(target)}, whose policies MfaGuard cannot see`);
      return;
    }
    const through = ` (through group ${describeResource(group)})`;
    for (const { label, document, location: at } of this.inlinePolicies(group)) {
      this.checkAssumeOnlyDocument(user, group, label + through, document, at);
    }
    this.checkAssumeOnlyManagedPolicies(user, group, resourceOf(group).Properties?.ManagedPolicyArns, through);
    for (const ref of this.index.resources(POLICY, MANAGED_POLICY, 'AWS::IAM::GroupPolicy')) {
      const properties = resourceOf(ref).Properties ?? {};
      if (this.listed(ref, 'Groups', 'GroupName').some((t) => this.index.is(t, group))) {
        const name = properties.ManagedPolicyName ?? properties.PolicyName ?? ref.logicalId;
        this.checkAssumeOnlyDocument(user, ref, `policy ${describeResource(ref)} (${describeValue(name)})${through}`, properties.PolicyDocument, 'Properties.PolicyDocument');
      }
    }
  }

  private checkAssumeOnlyManagedPolicies(user: AssumeOnlyUser, holder: ResourceRef, arns: any, through: string): void {
    this.index.targets(holder.template, arns).forEach((target, i) => {
      const policy = this.index.find(target, MANAGED_POLICY);
      if (policy) {
        // Checked where the policy lists the user (or group) only if it does; an attachment by ManagedPolicyArns is checked here.
        const name = resourceOf(policy).Properties?.ManagedPolicyName ?? policy.logicalId;
        this.checkAssumeOnlyDocument(user, policy, `managed policy ${describeResource(policy)} (${describeValue(name)})${through}`,
          resourceOf(policy).Properties?.PolicyDocument, 'Properties.PolicyDocument');
        return;
      }
      const awsName = 'name' in target ? awsManagedPolicyName(target.text) : undefined;
      const known = awsName === undefined ? undefined : KNOWN_AWS_MANAGED_POLICIES[awsName];
      if (known) {
        this.widened(user, holder, `Properties.ManagedPolicyArns.${i}`, `attaches the AWS managed policy ${awsName}${through}, which allows `
          + `${known.allows} (${known.examples.join(', ')}, ...)`);
      } else {
        this.unknown(holder, `Properties.ManagedPolicyArns.${i}`, `the managed policy ${describeTarget(target)}, attached to the assume-only user `
          + `${user.label}${through},`, awsName === undefined
          ? 'it is not defined in this app, so MfaGuard cannot read it'
          : 'MfaGuard does not know this AWS managed policy', UNREADABLE_MANAGED_POLICY_FIX);
      }
    });
  }

  private checkAssumeOnlyDocument(user: AssumeOnlyUser, ref: ResourceRef, label: string, document: any, location: string): void {
    const read = readDocument(document);
    if ('unknown' in read) {
      this.unknown(ref, location, `${label}, attached to the assume-only user ${user.label},`, read.unknown);
      return;
    }
    const allowed = ['sts:assumerole', ...(user.consoleAccess ? ['iam:changepassword'] : [])];
    for (const doc of read.documents) {
      const slots = statementSlots(doc);
      if (isUnknown(slots)) {
        this.unknown(ref, location, `${label}, attached to the assume-only user ${user.label},`, (slots as Unknown).unknown);
        continue;
      }
      for (const slot of slots as StatementSlot[]) {
        for (const statement of slot.variants) {
          const effect = allows(statement);
          if (effect === false) {
            continue;
          }
          const actions: unknown[] = statement.NotAction !== undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action];
          const literal = statement.NotAction === undefined && !isOpaque(statement.Action) && actions.every((a) => typeof a === 'string' && !isOpaque(a));
          const onlyAllowed = literal && actions.every((a) => allowed.includes(String(a).toLowerCase()));
          const mfa = actions.some((a) => String(a).toLowerCase() === 'sts:assumerole') ? mfaRequirement(statement) : undefined;
          if (!isUnknown(effect) && onlyAllowed && mfa === undefined) {
            continue;
          }
          if (isUnknown(effect) || (onlyAllowed && isUnknown(mfa))) {
            this.unknown(ref, location, `statement ${slot.statementNumber} of ${label}, attached to the assume-only user ${user.label},`,
              (isUnknown(effect) ? effect : mfa as Unknown).unknown);
          } else {
            this.widened(user, ref, location, `gets statement ${slot.statementNumber} of ${label}, which allows ${describeGrant(statement)}`
              + (onlyAllowed ? ' without MFA' : ''));
          }
          break;
        }
      }
    }
  }

  private widened(user: AssumeOnlyUser, ref: ResourceRef, location: string, what: string): void {
    if (user.unresolved) {
      const where = describeResource(ref);
      this.add({
        rule: 'CannotEvaluate',
        template: ref.template,
        logicalId: ref.logicalId,
        location,
        description: `MfaGuard cannot resolve a user, group or principal that ${where} names, which may be the assume-only user ${user.label} (an `
          + `MfaUser's, MfaDelegation's or MfaTeam's user, which may only assume roles with MFA): ${where} ${what}`,
        fix: 'Name users and groups by reference or by their literal name (not a parameter, an import of no export of this app or a wildcard), or acknowledge '
          + `${MfaGuard.CANNOT_EVALUATE} on ${where} with the reason it names no assume-only user`,
      });
      return;
    }
    this.add({
      rule: 'AssumeOnlyUserWidened',
      template: ref.template,
      logicalId: ref.logicalId,
      location,
      description: `The IAM user ${user.label} may only assume roles with MFA (it is an MfaUser's, MfaDelegation's or MfaTeam's user), but `
        + `${describeResource(ref)} ${what}`,
      fix: 'Grant the permissions to a role that the user assumes with MFA (e.g. MfaRequiredRole\'s managedPolicies or role.addToPolicy) '
        + `instead of to the user, or acknowledge ${MfaGuard.ASSUME_ONLY_USER_WIDENED} on ${describeResource(ref)} with the reason`,
    });
  }
}

/** The IAM resources whose policies are identity policies (checked as such, not as resource policies). */
const IDENTITY_POLICY_TYPES = [USER, GROUP, ROLE, POLICY, MANAGED_POLICY, 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy', 'AWS::IAM::RolePolicy'];

/**
 * Whether a key policy statement allows only `kms:Decrypt` through Secrets Manager (`kms:ViaService`) for given secrets
 * (`kms:EncryptionContext:SecretARN`): what a secret's reader needs to read a secret with a customer managed key, which
 * grants nothing the secret's own policy (checked for itself) does not.
 */
function decryptsSecretsOnly(statement: any): boolean {
  const actions = [statement.Action].flat();
  const condition = statement.Condition ?? {};
  const keyIn = (operator: string, key: string) => Object.keys(condition[operator] ?? {}).some((k) => k.toLowerCase() === key);
  const viaService = renderString(Object.entries<any>(condition.StringEquals ?? {}).find(([k]) => k.toLowerCase() === 'kms:viaservice')?.[1]);
  return statement.NotAction === undefined && actions.length === 1 && String(actions[0]).toLowerCase() === 'kms:decrypt'
    && typeof viaService === 'string' && viaService.startsWith('secretsmanager.')
    && (keyIn('StringEquals', 'kms:encryptioncontext:secretarn') || keyIn('StringLike', 'kms:encryptioncontext:secretarn'));
}

/** The resource types whose properties are one statement of a resource policy (Principal, Action). */
const PERMISSION_TYPES = ['AWS::Lambda::Permission', 'AWS::Lambda::LayerVersionPermission'];

/** The properties that hold a resource policy document in CloudFormation's resource types. */
const POLICY_PROPERTIES = ['PolicyDocument', 'ResourcePolicy', 'KeyPolicy', 'Policy', 'PolicyText', 'RepositoryPolicyText', 'AccessPolicies'];

/**
 * Every policy document in a value, with where it is: an object with a Statement, a JSON string of one (also built with
 * Fn::Sub or Fn::Join, in each Fn::If branch), and, as Unknown, what a policy property holds that cannot be read.
 */
function policyDocumentsIn(value: any, location: string, key = ''): Array<[string, any]> {
  const policyProperty = POLICY_PROPERTIES.includes(key);
  const fnIf = isIntrinsic(value) ? value['Fn::If'] : undefined;
  if (Array.isArray(fnIf) && fnIf.length === 3) {
    return [fnIf[1], fnIf[2]].flatMap((branch) => policyDocumentsIn(branch, location, key));
  }
  if (typeof value === 'string' || (isIntrinsic(value) && value['Fn::GetAtt'] === undefined)) {
    const text = renderString(value);
    const looksLikePolicy = text !== undefined && /"Statement"\s*:/.test(text);
    if (!looksLikePolicy && !(policyProperty && isIntrinsic(value))) {
      return [];
    }
    const read = readDocument(value);
    if ('unknown' in read) {
      return [[location, read]];
    }
    return read.documents.filter((d) => d?.Statement !== undefined).map((d) => [location, d]);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  if (!Array.isArray(value) && value.Statement !== undefined) {
    return [[location, value]];
  }
  return Object.entries(value).flatMap(([k, child]) => policyDocumentsIn(child, `${location}.${k}`, Array.isArray(value) ? key : k));
}

/** The elements of a list property (every Fn::If branch), or Unknown. */
function readList(value: any): any[] | Unknown {
  if (isOpaque(value) && !(isIntrinsic(value) && value['Fn::If'] !== undefined)) {
    return { unknown: describeValue(value) };
  }
  const slots = statementSlots({ Statement: value });
  if (isUnknown(slots)) {
    return slots as Unknown;
  }
  return (slots as StatementSlot[]).flatMap((s) => s.variants);
}

/**
 * Whether a target that MfaGuard cannot resolve may name an IAM user: anything but a role, an assumed role, an account
 * or a service. (A resolved target names a user only if it is one, which isUser checks.)
 */
function mayNameUser(target: Target): boolean {
  if (!('unknown' in target)) {
    return false;
  }
  return !/^arn:.*:(iam|sts)::.*:(role|assumed-role)\/|^arn:.*:iam::.*:root$|^\d{12}$|\.amazonaws\.com$/.test(target.unknown);
}

function describeTarget(target: Target): string {
  if ('resource' in target) {
    return describeResource(target.resource);
  }
  return 'name' in target ? target.text : target.unknown;
}

/** What a statement grants, readable: `sts:AssumeRole on arn:...`, `every action but iam:* on *`. */
function describeGrant(statement: any): string {
  const actions = statement.NotAction !== undefined ? `every action but ${describeValue(statement.NotAction)}` : describeValue(statement.Action);
  const resources = statement.NotResource !== undefined ? `every resource but ${describeValue(statement.NotResource)}` : describeValue(statement.Resource ?? '*');
  return `${actions} on ${resources}`;
}

/** The condition operators that narrow a principal to the ARNs they list (not `...IfExists`, not `Not...`). */
const NARROWING_OPERATORS = ['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'];

/**
 * Whether a trust statement lets in only principals whose ARN it names (`aws:PrincipalArn` with user or role ARNs
 * that name at least a path or a name, not `user/*`).
 */
function narrowedToPrincipals(statement: any): boolean {
  const condition = statement.Condition;
  if (condition === null || typeof condition !== 'object' || isOpaque(condition)) {
    return false;
  }
  return NARROWING_OPERATORS.some((operator) => {
    const block = condition[operator];
    const key = block && typeof block === 'object' ? Object.keys(block).find((k) => k.toLowerCase() === 'aws:principalarn') : undefined;
    if (key === undefined) {
      return false;
    }
    const values = Array.isArray(block[key]) ? block[key] : [block[key]];
    return values.length > 0 && values.every((v: unknown) => {
      const text = renderString(v);
      return text !== undefined && /:(user|role)\/[^*?]/.test(text);
    });
  });
}

/**
 * Whether a trust statement's AWS principals include a whole account: `*`, an account id, an account's root ARN,
 * `${AWS::AccountId}`; a readable description of it, undefined when every principal is a user or role, or Unknown.
 */
function wholeAccount(statement: any, typeOf: (logicalId: string) => string | undefined): string | Unknown | undefined {
  if (statement.NotPrincipal !== undefined) {
    return `every principal but ${describeValue(statement.NotPrincipal)}`;
  }
  const principal = statement.Principal;
  const values = principal === '*' ? ['*'] : Array.isArray(principal?.AWS) ? principal.AWS : principal?.AWS !== undefined ? [principal.AWS] : [];
  let unknown: Unknown | undefined;
  for (const value of values) {
    if (isIntrinsic(value) && value.Ref === 'AWS::AccountId') {
      return 'every principal of its own account';
    }
    const getAtt = isIntrinsic(value) ? value['Fn::GetAtt'] : undefined;
    const id = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
    if (id !== undefined && [USER, ROLE].includes(typeOf(id) ?? '')) {
      continue;
    }
    const text = renderString(value);
    if (text === '*') {
      return 'every AWS principal (Principal *)';
    }
    if (text !== undefined && /^\d{12}$/.test(text)) {
      return `every principal of account ${text}`;
    }
    if (text !== undefined && /^arn:[^:]*:iam::[^:]*:root$/.test(text)) {
      const account = text.split(':')[4];
      if (!account.includes(OPAQUE)) {
        return `every principal of account ${account}`;
      }
      return JSON.stringify(value).includes('"Ref":"AWS::AccountId"') ? 'every principal of its own account' : `every principal of the account of ${describeValue(value)}`;
    }
    if (text !== undefined && /^arn:[^:]*:(iam|sts)::[^:]*:(user|role|assumed-role)\//.test(text)) {
      continue;
    }
    unknown = unknown ?? { unknown: `the principal ${describeValue(value)}` };
  }
  return unknown;
}

