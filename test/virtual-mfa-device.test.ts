import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { VirtualMfaDevice } from '../lib';
import { newStack } from './support/stacks';

const MFA_ARN_OF_ALICE = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:mfa/alice']] };

describe('VirtualMfaDevice', () => {
  test('defines a custom resource, not AWS::IAM::VirtualMFADevice, that receives user, name, path, secret and enable', () => {
    // GIVEN
    const stack = newStack();
    const user = iam.User.fromUserName(stack, 'User', 'alice');
    // WHEN
    const device = new VirtualMfaDevice(stack, 'Device', { user });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::VirtualMFADevice', 0);
    template.hasResourceProperties('Custom::VirtualMfaDevice', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VirtualMfaDeviceHandler'), 'Arn'] },
      UserName: 'alice',
      DeviceName: 'alice',
      Path: '/',
      Enable: 'true',
      SeedSecretName: Match.stringLikeRegexp('^mfa-seed/alice-[0-9a-f]{8}$'),
      SeedSecretPolicy: Match.objectLike({ Version: '2012-10-17' }),
      SeedSecretArn: Match.absent(),
      KmsKeyId: Match.absent(),
    });
    expect(stack.resolve(device.serialNumber)).toEqual(MFA_ARN_OF_ALICE);
    expect(stack.resolve(device.seedSecretArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Device/), 'SeedSecretArn'] });
  });

  test('leaves the seed secret to its handler: no secret in the template, a name computed at synth and the policy to lock it with', () => {
    const stack = newStack();
    const device = new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), path: '/people/' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('Custom::VirtualMfaDevice', { SeedSecretName: Match.stringLikeRegexp('^mfa-seed/people/alice-[0-9a-f]{8}$') });
    expect(stack.resolve(device.seedSecretName)).toMatch(/^mfa-seed\/people\/alice-[0-9a-f]{8}$/);
  });

  test('names the default seed secret after a hash of its synthesized policy: other readers in code are another secret (decision 8)', () => {
    const nameWith = (readers: (stack: Stack) => iam.IPrincipal[] | undefined, grant?: boolean) => {
      const stack = newStack();
      const device = new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), secretReaders: readers(stack) });
      if (grant) {
        device.grantReadSeed(iam.Role.fromRoleName(stack, 'Auditor', 'auditor'));
      }
      const props = Template.fromStack(stack).findResources('Custom::VirtualMfaDevice');
      return Object.values<any>(props)[0].Properties.SeedSecretName;
    };
    const byDefault = nameWith(() => undefined);
    expect(nameWith(() => undefined)).toEqual(byDefault);
    const names = [
      byDefault,
      nameWith((stack) => [iam.Role.fromRoleName(stack, 'Security', 'security')]),
      nameWith((stack) => [iam.Role.fromRoleName(stack, 'Security', 'security-2')]),
      nameWith(() => undefined, true),
    ];
    expect(new Set(names).size).toEqual(4);
    names.forEach((name) => expect(name).toMatch(/^mfa-seed\/alice-[0-9a-f]{8}$/));
  });

  test('keeps a seedSecretName given as it is, whatever the readers', () => {
    const stack = newStack();
    const device = new VirtualMfaDevice(stack, 'Device', {
      user: iam.User.fromUserName(stack, 'User', 'alice'), seedSecretName: 'seeds/alice', secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')],
    });
    Template.fromStack(stack).hasResourceProperties('Custom::VirtualMfaDevice', { SeedSecretName: 'seeds/alice' });
    expect(device.seedSecretName).toEqual('seeds/alice');
  });

  test('locks the seed secret: denies everything to every principal but the user (reads, deletes) and the handler (writes, deletes)', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }) });
    const [device] = Object.values(Template.fromStack(stack).findResources('Custom::VirtualMfaDevice')) as any[];
    const alice = { 'Fn::GetAtt': [expect.stringMatching(/^Alice/), 'Arn'] };
    const handler = { 'Fn::GetAtt': [expect.stringMatching(/^VirtualMfaDeviceHandler\w+ServiceRole/), 'Arn'] };
    expect(device.Properties.SeedSecretPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyEveryoneTheStackDidNotName',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'secretsmanager:*',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': [alice, handler] } },
        },
        {
          Sid: 'ReadersOnlyRead',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Resource: '*',
          NotAction: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
          Condition: { ArnEquals: { 'aws:PrincipalArn': [alice] } },
        },
        {
          Sid: 'HandlerOnlyWrites',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Resource: '*',
          NotAction: ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
          Condition: { ArnEquals: { 'aws:PrincipalArn': handler } },
        },
        {
          Sid: 'ReadersRead',
          Effect: 'Allow',
          Principal: { AWS: alice },
          Resource: '*',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
        },
      ],
    });
  });

  test('names the readers given in secretReaders instead of the user, and those of grantReadSeed too', () => {
    const stack = newStack();
    const device = new VirtualMfaDevice(stack, 'Device', {
      user: iam.User.fromUserName(stack, 'User', 'alice'),
      secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')],
    });
    const grant = device.grantReadSeed(iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111111111111:role/admin'));
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::VirtualMfaDevice')) as any[];
    const allow = resource.Properties.SeedSecretPolicy.Statement.find((st: any) => st.Effect === 'Allow');
    expect(allow.Principal.AWS).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/security']] },
      'arn:aws:iam::111111111111:role/admin',
    ]);
    expect(grant.success).toBe(true);
  });

  test('fails for a reader that is not one IAM user or role, naming it', () => {
    const stack = newStack();
    const user = iam.User.fromUserName(stack, 'User', 'alice');
    expect(() => new VirtualMfaDevice(stack, 'Device', { user, secretReaders: [new iam.AccountRootPrincipal()] })).toThrow(
      'secretReaders must name IAM users or roles (an iam.IUser, an iam.IRole, or an iam.ArnPrincipal of arn:<partition>:iam::<account>:user/... '
      + 'or role/...), but got AccountRootPrincipal(): a secret\'s policy names its readers by aws:PrincipalArn, which is never an account, '
      + 'a service, a role session or *');
    expect(() => new VirtualMfaDevice(stack, 'Other', { user, secretReaders: [new iam.ArnPrincipal('arn:aws:sts::111111111111:assumed-role/admin/me')] }))
      .toThrow(/^secretReaders must name IAM users or roles .* but got ArnPrincipal\(arn:aws:sts::111111111111:assumed-role\/admin\/me\)/);
    expect(() => new VirtualMfaDevice(stack, 'Third', { user, secretReaders: [] })).toThrow(
      'secretReaders must name at least one principal, or nobody could read the seed: leave it out to let the device\'s user read it');
  });

  test('fails for a statement on the seed secret that is not a read by users or roles', () => {
    const stack = newStack();
    const device = new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice') });
    expect(() => device.addToResourcePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:PutResourcePolicy'], principals: [new iam.AnyPrincipal()] })))
      .toThrow(/^The seed secret of Stack\/Device takes only statements that let IAM users or roles read the seed \(Allow secretsmanager:GetSecretValue, /);
  });

  test('fails for a seed secret name that Secrets Manager rejects, naming it and its length', () => {
    const stack = newStack();
    expect(() => new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), deviceName: 'a,b' })).toThrow(
      "The seed secret name 'mfa-seed/a,b-<hash of its readers>' (21 characters) must be 1 to 512 letters, digits and /_+=.@-: it is derived "
      + "from the device's path and name and an 8-character hash of its readers; give a seedSecretName");
  });

  test('names the device and its serial after deviceName and path', () => {
    const stack = newStack();
    const device = new VirtualMfaDevice(stack, 'Device', {
      user: iam.User.fromUserName(stack, 'User', 'alice'),
      deviceName: 'alice-phone',
      path: '/people/',
      enable: false,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::VirtualMfaDevice', { DeviceName: 'alice-phone', Path: '/people/', Enable: 'false' });
    expect(stack.resolve(device.serialNumber)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:mfa/people/alice-phone']],
    });
  });

  test('grants its handler one policy, whose every Allow needs the handler function itself (lambda:SourceFunctionArn)', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::RolePolicy', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    expect(policies).toHaveLength(1);
    const allows = policies[0].Properties.PolicyDocument.Statement.filter((st: any) => st.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const statement of allows) {
      expect(statement.Condition.ArnEquals['lambda:SourceFunctionArn']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VirtualMfaDeviceHandler/), 'Arn'] });
    }
  });

  test('passes no access key to its custom resource, and its handler may never read a secret', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::VirtualMfaDevice', { UserName: 'alice', AccessKeyId: Match.absent(), SecretAccessKey: Match.absent() });
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((st: any) => st.Effect === 'Allow' && JSON.stringify(st.Action).includes('GetSecretValue'))).toEqual([]);
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Resource: '*', Action: expect.arrayContaining(['secretsmanager:GetSecretValue', 'iam:CreateAccessKey', 'iam:CreateLoginProfile']),
    }));
  });

  test('tags its user for the handler with the stack\'s id, the tag the handler\'s role requires', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::User', {
      Tags: [{ Key: 'cdk-mfa-delegation:stack-id', Value: { Ref: 'AWS::StackId' } }],
    });
  });

  test('warns that an imported user must be tagged by an IAM administrator', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice') });
    Annotations.fromStack(stack).hasWarning('/Stack/Device', 'The user Stack/User is not defined in this stack, so the stack cannot tag it for '
      + 'the device handler: an IAM administrator must tag the user with cdk-mfa-delegation:stack-id = this stack\'s id, or the handler '
      + 'refuses it. [ack: cdk-mfa-delegation:VirtualMfaDevice.importedUser]');
  });

  test('encrypts with the seed secret\'s key and never decrypts', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }), encryptionKey: new kms.Key(stack, 'Key') });
    const kmsActions = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement).flatMap((st: any) => st.Action).filter((a: string) => a.startsWith('kms:')).sort();
    // The key's grants go to the role's default policy; the handler's own policy never decrypts.
    expect(kmsActions).toEqual(['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
  });

  test('fails when a property of the device is a secret-bearing attribute, naming the attribute and why', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const user = new iam.User(stack, 'Alice', { userName: 'alice' });
    const key = new iam.AccessKey(stack, 'Key', { user });
    new VirtualMfaDevice(stack, 'Device', { user, deviceName: key.secretAccessKey.unsafeUnwrap() });
    const why = 'a secret-bearing attribute: CloudFormation would resolve it and record the resolved value in the stack\'s events, which '
      + 'read-only principals (ReadOnlyAccess, cloudformation:DescribeStackEvents) can read; keep secrets out of CloudFormation (mfa-profile '
      + 'creates access keys on the owner\'s machine)';
    expect(() => app.synth()).toThrow('Validation failed with the following errors:\n'
      + `  [Stack/Device] Stack/Device/Resource/Default uses Key961B73FD.SecretAccessKey, ${why}`);
  });

  test('ignores the deprecated grantHandlerPermissions: the handler\'s policy is the same', () => {
    const template = (grant: boolean) => {
      const stack = newStack();
      new VirtualMfaDevice(stack, 'Device', { user: new iam.User(stack, 'Alice', { userName: 'alice' }), grantHandlerPermissions: grant });
      return Template.fromStack(stack).toJSON();
    };
    expect(template(false)).toEqual(template(true));
  });

  test('shares one handler per stack between devices', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'A', { user: iam.User.fromUserName(stack, 'UserA', 'alice') });
    new VirtualMfaDevice(stack, 'B', { user: iam.User.fromUserName(stack, 'UserB', 'bob') });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::VirtualMfaDevice', 2);
  });

  test('acknowledges the shared handler\'s managed-policy finding once, however many devices the stack has', () => {
    const stack = newStack();
    const devices = ['alice', 'bob', 'carol'].map((name) =>
      new VirtualMfaDevice(stack, name, { user: iam.User.fromUserName(stack, `User${name}`, name) }));
    const role = devices[0].handler.role!;
    expect(devices.every((device) => device.handler === devices[0].handler)).toBe(true);
    const acknowledged = role.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data));
    expect(acknowledged).toEqual([expect.stringMatching(/AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/)]);
  });

  test('fits any number of devices: a hundred devices add no policy to the handler\'s role', () => {
    const stack = newStack();
    for (let i = 0; i < 100; i++) {
      new VirtualMfaDevice(stack, `Device${i}`, { user: new iam.User(stack, `User${i}`, { userName: `user-${i}` }) });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::RolePolicy', 0);
  });

  test('runs its handler on a current Node.js runtime that ships the AWS SDK v3', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 600 });
  });

  test('creates the device only after the handler may act, so that deleting it also happens first', () => {
    const stack = newStack();
    new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice') });
    const device = Object.values(Template.fromStack(stack).findResources('Custom::VirtualMfaDevice'))[0] as any;
    expect(device.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^VirtualMfaDeviceHandler\w+Permissions[0-9A-F]{8}$/),
      expect.stringMatching(/^VirtualMfaDeviceHandler.*ServiceRole[0-9A-F]{8}$/),
    ]));
  });

  test('encrypts the seed with the given key and lets the handler use it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::VirtualMfaDevice', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Encrypt']) }));
  });

  test('imports an existing virtual device by its ARN', () => {
    const stack = newStack();
    const device = VirtualMfaDevice.fromSerialNumber(stack, 'Device', 'arn:aws:iam::111111111111:mfa/alice');
    expect(device.serialNumber).toEqual('arn:aws:iam::111111111111:mfa/alice');
    // No resource at all (a synthesized empty template would only draw CloudFormation Validate's warning that it is empty).
    expect(stack.node.findAll().filter((c) => CfnResource.isCfnResource(c))).toEqual([]);
  });

  test('imports a hardware device by its serial', () => {
    const device = VirtualMfaDevice.fromSerialNumber(newStack(), 'Device', 'GAHT12345678');
    expect(device.serialNumber).toEqual('GAHT12345678');
  });

  test('fails to import a serial number that is neither an MFA ARN nor a hardware serial', () => {
    expect(() => VirtualMfaDevice.fromSerialNumber(newStack(), 'Device', 'arn:aws:iam::111111111111:role/alice')).toThrow(
      'serialNumber must be an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial '
      + "(9 to 256 characters of letters, digits and _+=/:,.@-), but got 'arn:aws:iam::111111111111:role/alice'");
  });

  test('fails to import a hardware serial that is too short', () => {
    expect(() => VirtualMfaDevice.fromSerialNumber(newStack(), 'Device', 'ABC')).toThrow(
      'serialNumber must be an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial '
      + "(9 to 256 characters of letters, digits and _+=/:,.@-), but got 'ABC'");
  });

  test('fails with a device name that IAM rejects', () => {
    const stack = newStack();
    expect(() => new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), deviceName: 'alice phone' }))
      .toThrow("deviceName must be 1 to 226 characters of letters, digits and _+=,.@- but got 'alice phone'");
  });

  test('fails with a device name longer than 226 characters', () => {
    const stack = newStack();
    const deviceName = 'd'.repeat(227);
    expect(() => new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), deviceName }))
      .toThrow(`deviceName must be 1 to 226 characters of letters, digits and _+=,.@- but got '${deviceName}'`);
  });

  test('fails with a device path without its trailing slash', () => {
    const stack = newStack();
    expect(() => new VirtualMfaDevice(stack, 'Device', { user: iam.User.fromUserName(stack, 'User', 'alice'), path: '/people' }))
      .toThrow("path must be 1 to 512 characters that start and end with '/' (printable ASCII in between), but got '/people'");
  });
});
