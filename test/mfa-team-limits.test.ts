import { packJson } from '../lib/private/json-outputs';
import { jumpHash, memberStackIndex } from '../lib/private/member-placement';
import { checkTemplate } from '../lib/private/template-limits';

/** A template with `count` entries in a section. */
function many(count: number, make: (i: number) => unknown): Record<string, unknown> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`E${i}`, make(i)]));
}

/** A policy document of about `chars` characters without white space. */
function policyOf(chars: number): any {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '' }] }).length;
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'r'.repeat(chars - base) }] };
}

describe('checkTemplate', () => {
  test('passes a template within every limit', () => {
    const report = checkTemplate('Stack S', { Resources: many(500, () => ({ Type: 'AWS::SNS::Topic' })), Outputs: many(200, () => ({ Value: 'x' })) });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.measure).toMatchObject({ resources: 500, outputs: 200, parameters: 0, mappings: 0 });
  });

  test('names each CloudFormation limit a template breaks, with the measured value', () => {
    const template = {
      Resources: many(501, () => ({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 't'.repeat(2_000) } })),
      Outputs: many(201, () => ({ Value: 'x' })),
      Parameters: many(202, () => ({ Type: 'String' })),
      Mappings: many(203, () => ({})),
    };
    const { errors, measure } = checkTemplate('Stack S', template, ': do something');
    expect(measure.bytes).toBeGreaterThan(1_000_000);
    expect(errors).toEqual([
      'Stack S holds 501 resources, over CloudFormation\'s limit of 500 resources per stack: do something',
      'Stack S declares 201 outputs, over CloudFormation\'s limit of 200 outputs per stack',
      'Stack S declares 202 parameters, over CloudFormation\'s limit of 200 parameters per stack',
      'Stack S declares 203 mappings, over CloudFormation\'s limit of 200 mappings per stack',
      `Stack S has a template of ${measure.bytes.toLocaleString('en-US')} bytes, over CloudFormation's limit of 1,000,000 bytes for a template in S3: do something`,
    ]);
  });

  test('measures the template as cdk synth writes it, indented by one space', () => {
    const template = { Resources: { A: { Type: 'AWS::SNS::Topic' } } };
    expect(checkTemplate('Stack S', template).measure.bytes).toBe(JSON.stringify(template, undefined, 1).length);
  });

  test('adds up the inline policies of a group, in its Policies and in AWS::IAM::Policy and AWS::IAM::GroupPolicy resources', () => {
    const template = {
      Resources: {
        G: { Type: 'AWS::IAM::Group', Properties: { Policies: [{ PolicyName: 'a', PolicyDocument: policyOf(2000) }] } },
        P: { Type: 'AWS::IAM::Policy', Properties: { Groups: [{ Ref: 'G' }], PolicyDocument: policyOf(2000) } },
        Q: { Type: 'AWS::IAM::GroupPolicy', Properties: { GroupName: { Ref: 'G' }, PolicyDocument: policyOf(1121) } },
      },
    };
    expect(checkTemplate('Stack S', template).errors).toEqual([
      'Stack S: the inline policies of AWS::IAM::Group G is 5121 characters, over IAM\'s limit of 5120 characters (not counting white space)',
    ]);
  });

  test('checks trust and inline policies of roles, inline policies and groups of users, and managed policies', () => {
    const template = {
      Resources: {
        R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: policyOf(2049) } },
        RP: { Type: 'AWS::IAM::RolePolicy', Properties: { RoleName: { Ref: 'R' }, PolicyDocument: policyOf(10241) } },
        U: { Type: 'AWS::IAM::User', Properties: { Groups: Array.from({ length: 11 }, (_, i) => `g${i}`) } },
        UP: { Type: 'AWS::IAM::Policy', Properties: { Users: [{ Ref: 'U' }], PolicyDocument: policyOf(2049) } },
        M: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: policyOf(6145) } },
      },
    };
    expect(checkTemplate('Stack S', template).errors).toEqual([
      'Stack S: the trust policy of AWS::IAM::Role R is 2049 characters, over IAM\'s limit of 2048 characters (not counting white space)',
      'Stack S: the inline policies of AWS::IAM::Role R is 10241 characters, over IAM\'s limit of 10240 characters (not counting white space)',
      'Stack S: the inline policies of AWS::IAM::User U is 2049 characters, over IAM\'s limit of 2048 characters (not counting white space)',
      'Stack S: AWS::IAM::User U is in 11 groups, over IAM\'s limit of 10 groups per user',
      'Stack S: AWS::IAM::ManagedPolicy M is 6145 characters, over IAM\'s limit of 6144 characters (not counting white space)',
    ]);
  });

  test('warns about more managed policies on a role or group than IAM allows by default', () => {
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
    const report = checkTemplate('Stack S', {
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: arns } }, G: { Type: 'AWS::IAM::Group', Properties: { ManagedPolicyArns: arns } } },
    });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([
      'Stack S: AWS::IAM::Role R has 11 managed policies, over IAM\'s default quota of 10 per role (it can be raised to 20 in Service Quotas)',
      'Stack S: AWS::IAM::Group G has 11 managed policies, over IAM\'s default quota of 10 per group (it can be raised to 20 in Service Quotas)',
    ]);
  });
});

describe('packJson', () => {
  const entry = (key: string, bytes: number) => ({ key, value: 'v'.repeat(bytes - 2), bytes });

  test('keeps everything in one object while it fits', () => {
    expect(packJson([entry('a', 10), entry('b', 10)], 100)).toEqual([{ a: 'v'.repeat(8), b: 'v'.repeat(8) }]);
  });

  test('starts a new object exactly when the next entry would pass the limit', () => {
    // {"a":<10>} is 2 + 4 + 10 = 16 bytes; adding ,"b":<10> makes 31.
    const entries = [entry('a', 10), entry('b', 10), entry('c', 10)];
    expect(packJson(entries, 31).map((o) => Object.keys(o))).toEqual([['a', 'b'], ['c']]);
    expect(packJson(entries, 30).map((o) => Object.keys(o))).toEqual([['a'], ['b'], ['c']]);
    for (const chunk of packJson(entries, 31)) {
      expect(JSON.stringify(chunk).length).toBeLessThanOrEqual(31);
    }
  });

  test('fails for an entry that cannot fit into one object', () => {
    expect(() => packJson([entry('a', 100)], 50)).toThrow('The output entry a needs 106 bytes, more than the 50 bytes of one output');
  });

  test('gives nothing for no entries', () => {
    expect(packJson([], 100)).toEqual([]);
  });
});

describe('member placement', () => {
  test('is the jump consistent hash of Lamping and Veach', () => {
    // The reference values of the published algorithm (as in github.com/dgryski/go-jump).
    const cases: Array<[bigint, number, number]> = [[1n, 1, 0], [42n, 57, 43], [0xDEAD10CCn, 1, 0], [0xDEAD10CCn, 666, 361], [256n, 1024, 520]];
    for (const [key, buckets, bucket] of cases) {
      expect(jumpHash(key, buckets)).toBe(bucket);
    }
  });

  test('ignores the case of the user name, as IAM does', () => {
    expect(memberStackIndex('Alice.Smith', 17)).toBe(memberStackIndex('alice.smith', 17));
  });

  test('spreads names evenly', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      counts[memberStackIndex(`user${i}`, 10)]++;
    }
    expect(Math.min(...counts)).toBeGreaterThan(900);
    expect(Math.max(...counts)).toBeLessThan(1100);
  });
});
