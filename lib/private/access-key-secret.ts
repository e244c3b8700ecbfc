import { SecretValue, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * A secret `AccessKeySecret` under `scope` that holds `{ userName, accessKeyId, secretAccessKey }` of an access key
 * (the secret access key only as the key's intrinsic), with its cdk-nag rotation finding acknowledged.
 */
export function accessKeySecret(scope: Construct, key: iam.AccessKey, userName: string,
  options: { readonly description: string; readonly secretName?: string }): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'AccessKeySecret', {
    secretName: options.secretName,
    description: options.description,
    secretObjectValue: {
      userName: SecretValue.unsafePlainText(userName),
      accessKeyId: SecretValue.unsafePlainText(key.accessKeyId),
      secretAccessKey: key.secretAccessKey,
    },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'The secret holds an access key that CloudFormation creates (AWS::IAM::AccessKey): a Secrets Manager rotation would '
      + 'leave the key and the secret apart. The key is rotated by replacing the AccessKey resource, which rewrites the secret.',
  });
  return secret;
}
