import { Aws, Fn, IStackSynthesizer, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The resource policies of the secrets this library creates (DESIGN.md, "Who can read a secret"): an explicit Deny of
 * every Secrets Manager action to every principal whose `aws:PrincipalArn` the stack did not name, so that no identity
 * policy (PowerUserAccess, SecretsManagerReadWrite, `secretsmanager:*`) reaches the secret or changes its policy, key,
 * versions or replicas; the named principals get exactly their actions.
 */

/** What the readers may do: read and describe the value, and delete the secret (forget) when the secret allows it. */
const READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
/** What the handler does with a secret it creates: write the value once, describe it, delete it (with the device). */
const WRITE = ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'];

/** Who may act on one secret, as principal ARNs (tokens allowed). */
export interface SecretCustody {
  /** May read (GetSecretValue, DescribeSecret) and, with `readersMayDelete`, delete. At least one. */
  readonly readers: string[];
  /** Whether the readers may delete the secret (forget a seed). */
  readonly readersMayDelete: boolean;
  /** The handler's role, which created the secret: may only write its value, describe it and delete it. */
  readonly writer?: string;
  /** The CloudFormation execution role, which owns a secret of the template: may do everything. */
  readonly owner?: string;
}

/** The resource policy document of a secret. */
export function secretPolicyDocument(custody: SecretCustody): iam.PolicyDocument {
  const named = [...custody.readers, ...(custody.writer ? [custody.writer] : []), ...(custody.owner ? [custody.owner] : [])];
  const readerActions = custody.readersMayDelete ? [...READ, 'secretsmanager:DeleteSecret'] : READ;
  const anyone = new iam.AnyPrincipal();
  const statements = [
    new iam.PolicyStatement({
      sid: 'DenyEveryoneTheStackDidNotName',
      effect: iam.Effect.DENY,
      principals: [anyone],
      actions: ['secretsmanager:*'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': named } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadersOnlyRead',
      effect: iam.Effect.DENY,
      principals: [anyone],
      notActions: readerActions,
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': custody.readers } },
    }),
  ];
  if (custody.writer) {
    statements.push(new iam.PolicyStatement({
      sid: 'HandlerOnlyWrites',
      effect: iam.Effect.DENY,
      principals: [anyone],
      notActions: WRITE,
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': custody.writer } },
    }));
  }
  statements.push(new iam.PolicyStatement({
    sid: 'ReadersRead',
    principals: custody.readers.map((arn) => new iam.ArnPrincipal(arn)),
    actions: readerActions,
    resources: ['*'],
  }));
  return new iam.PolicyDocument({ statements });
}

const IAM_USER_OR_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/;

/**
 * The ARN (`aws:PrincipalArn`) of a principal named as a secret's reader: an IAM user or role, or an `ArnPrincipal` of
 * one. Accounts, services, federated principals and `*` are refused: a reader is one principal, which the policy names
 * by the ARN IAM puts into `aws:PrincipalArn` (a role's ARN also for its sessions).
 */
export function readerArn(what: string, grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal;
  const candidate = principal as Partial<iam.IRole & iam.IUser>;
  if (typeof candidate.roleArn === 'string') {
    return candidate.roleArn;
  }
  if (typeof candidate.userArn === 'string') {
    return candidate.userArn;
  }
  if (principal instanceof iam.ArnPrincipal && !(principal instanceof iam.AccountPrincipal) && !(principal instanceof iam.AnyPrincipal)) {
    if (Token.isUnresolved(principal.arn) || IAM_USER_OR_ROLE_ARN.test(principal.arn)) {
      return principal.arn;
    }
  }
  throw new Error(`${what} must name IAM users or roles (an iam.IUser, an iam.IRole, or an iam.ArnPrincipal of arn:<partition>:iam::<account>:`
    + `user/... or role/...), but got ${principal}: a secret's policy names its readers by aws:PrincipalArn, which is never an account, `
    + 'a service, a role session or *');
}

/**
 * The ARN of the role CloudFormation deploys the stack of `scope` with (the execution role of the CDK bootstrap, or the
 * one a `DefaultStackSynthesizer` is given), as a template value; a nested stack deploys with its parent's.
 */
export function cloudFormationExecutionRoleArn(scope: IConstruct, what: string): string {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  const synthesizer = stack.synthesizer as IStackSynthesizer & { readonly cloudFormationExecutionRoleArn?: string };
  const arn = synthesizer.cloudFormationExecutionRoleArn;
  if (typeof arn !== 'string') {
    throw new Error(`${what} needs the role CloudFormation deploys stack ${stack.node.path} with, to let it (and no one else but the readers) `
      + `manage the secret, but the stack's synthesizer (${synthesizer.constructor.name}) has none: CloudFormation would act as whoever `
      + 'deploys. Use the DefaultStackSynthesizer (the default; with cloudFormationExecutionRole for a role of your own)');
  }
  return Fn.sub(arn);
}

/** Who may decrypt one secret with its customer managed key, through Secrets Manager. */
export interface SecretKeyCustody {
  /** The secret's readers and its writer (`aws:PrincipalArn`), read when the template is synthesized. */
  readonly principals: () => string[];
  /** The ARN of the secret, or a pattern of it (`...:secret:NAME-??????`): the encryption context Secrets Manager gives KMS. */
  readonly secretArn: string;
}

/**
 * The key policy statements of a secret's customer managed key: the named principals may `kms:Decrypt` for that secret
 * through Secrets Manager (its `SecretARN` encryption context, `kms:ViaService`), and every other principal is denied
 * exactly that, whatever the rest of the key policy or its identity policy allows. Secrets Manager calls KMS with the
 * caller's identity: a reader needs the decrypt to read, the writer (the handler) to write the value, and nobody else
 * gets it. The rest of the key policy is the key owner's.
 */
export function secretKeyStatements(custody: SecretKeyCustody): { allow: iam.PolicyStatement; deny: iam.PolicyStatement } {
  const conditions = {
    StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` },
    StringLike: { 'kms:EncryptionContext:SecretARN': custody.secretArn },
  };
  const allow = new iam.PolicyStatement({
    sid: 'SecretReadersDecryptThroughSecretsManager',
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions,
  });
  const deny = new iam.PolicyStatement({
    sid: 'NobodyElseDecryptsTheSecret',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: { ...conditions, ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => custody.principals() }) } },
  });
  return { allow, deny };
}
