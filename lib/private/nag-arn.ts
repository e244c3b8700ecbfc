import { Stack } from 'aws-cdk-lib';

/** An ARN as cdk-nag names it in a finding: `{ Ref: 'AWS::Partition' }` becomes `<AWS::Partition>`. */
export function nagArn(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn);
  if (typeof resolved === 'string') {
    return resolved;
  }
  const [separator, parts] = resolved['Fn::Join'] as [string, unknown[]];
  return parts.map((part) => typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`).join(separator);
}
