import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The attributes whose value is a secret, by name, whatever the resource type (a custom resource that returns
 * `SecretAccessKey` leaks as much as `AWS::IAM::AccessKey`): the secret access key of an access key, the password of a
 * service-specific credential, the secret of a Cognito app client, a password, an MFA seed or its QR code, a secret's
 * value, a private key, an AppSync API key, a Managed Blockchain billing token. The constructs check their own
 * resources with it, MfaGuard the whole assembly.
 */
export const SECRET_BEARING_ATTRIBUTES: readonly string[] = [
  'SecretAccessKey', 'ServicePassword', 'ClientSecret', 'Password', 'Base32StringSeed', 'QRCodePNG', 'SecretString', 'PrivateKey',
  'ApiKey', 'BillingToken',
];

/**
 * The secret-bearing attributes that a (resolved) template value refers to, as `Logical.Attribute`: `Fn::GetAtt` in
 * either form, and `${Logical.Attribute}` inside `Fn::Sub`.
 */
export function secretBearingReferences(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (v === null || typeof v !== 'object') {
      return;
    }
    for (const [key, inner] of Object.entries(v as Record<string, unknown>)) {
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(inner) ? inner : String(inner).split('.');
        if (typeof attribute === 'string' && SECRET_BEARING_ATTRIBUTES.includes(attribute)) {
          found.push(`${typeof id === 'string' ? id : JSON.stringify(id)}.${attribute}`);
        }
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const match of String(text).matchAll(/\$\{([^}!.]+)\.([^}]+)\}/g)) {
          if (SECRET_BEARING_ATTRIBUTES.includes(match[2])) {
            found.push(`${match[1]}.${match[2]}`);
          }
        }
      }
      visit(inner);
    }
  };
  visit(value);
  return found;
}

/** The constructs that check their own subtree; a check stops at another one's subtree (that one reports it). */
const CHECKED = new WeakSet<IConstruct>();

/**
 * Make `scope` fail synthesis when a resource or output under it uses a secret-bearing attribute: CloudFormation would
 * resolve it and record the resolved properties in the stack's events, which `ReadOnlyAccess` and every principal with
 * `cloudformation:DescribeStackEvents` read (also after the stack is deleted).
 */
export function checkNoSecretBearingAttributes(scope: IConstruct): void {
  CHECKED.add(scope);
  scope.node.addValidation({
    validate: () => elementsUnder(scope).flatMap((element) => {
      const render = (element as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
      const rendered = typeof render === 'function' ? Stack.of(element).resolve(render.call(element)) : undefined;
      return [...new Set(secretBearingReferences(rendered))].map((reference) => `${element.node.path} uses ${reference}, a secret-bearing `
        + 'attribute: CloudFormation would resolve it and record the resolved value in the stack\'s events, which read-only principals '
        + '(ReadOnlyAccess, cloudformation:DescribeStackEvents) can read; keep secrets out of CloudFormation (mfa-profile creates access '
        + 'keys on the owner\'s machine)');
    }),
  });
}

function elementsUnder(scope: IConstruct): CfnElement[] {
  const elements: CfnElement[] = [];
  const visit = (c: IConstruct): void => {
    if (c !== scope && CHECKED.has(c)) {
      return;
    }
    if (CfnElement.isCfnElement(c)) {
      elements.push(c);
    }
    c.node.children.forEach(visit);
  };
  visit(scope);
  return elements;
}
