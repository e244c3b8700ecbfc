import { CfnDiagnostic, describeDiagnostic, loadCloudFormationValidate, loadResourceSpecs, ResourceSpec } from './support/cloudformation-validate';
import { CONFIGURATIONS, synthTemplate } from './support/configurations';
import { createOrgExampleApp } from '../bin/org-app';

// Deploy confidence without an account: every resource of every synthesized template is checked against the
// CloudFormation resource provider schemas (required properties, types, patterns, lengths, enums) by AWS's own
// offline validator, and against the aws-service-spec database. Custom resources (Custom::VirtualMfaDevice) have no
// schema: their properties are the handler's contract (DESIGN.md), tested by the handler's tests.

const cfn = loadCloudFormationValidate();
let schemaValidator: InstanceType<typeof cfn.SchemaValidator>;
let engine: InstanceType<typeof cfn.CompositeEngine>;
let specs: Map<string, ResourceSpec>;
const templates = new Map<string, any>();
/** The organization example: both stacks, and the template its StackSet deploys to every account (TemplateBody). */
const ORG_TEMPLATES = ['MfaOrgIdentity', 'MfaOrgRoles', 'MfaOrgRoles StackSet TemplateBody'];

beforeAll(() => {
  schemaValidator = new cfn.SchemaValidator();
  engine = new cfn.CompositeEngine();
  specs = loadResourceSpecs();
  for (const config of CONFIGURATIONS) {
    templates.set(config.stackName, synthTemplate(config));
  }
  const org = createOrgExampleApp().synth();
  templates.set(ORG_TEMPLATES[0], org.getStackByName('MfaOrgIdentity').template);
  templates.set(ORG_TEMPLATES[1], org.getStackByName('MfaOrgRoles').template);
  const stackSet = Object.values(templates.get(ORG_TEMPLATES[1]).Resources).find((r: any) => r.Type === 'AWS::CloudFormation::StackSet') as any;
  templates.set(ORG_TEMPLATES[2], JSON.parse(stackSet.Properties.TemplateBody));
});

afterAll(() => {
  schemaValidator.free();
  engine.free();
});

/** Schema findings above INFO (INFO only says which properties are create-only). */
function schemaFindings(name: string, template: any): string[] {
  const diagnostics: CfnDiagnostic[] = schemaValidator.validate(new cfn.TemplateContent(JSON.stringify(template), name), 'us-east-1');
  return diagnostics.filter((d) => d.severity !== 'INFO' && d.severity !== 'DEBUG').map(describeDiagnostic);
}

/** Errors of the full rule set (schemas and the cfn-lint rules). */
function lintErrors(name: string, template: any): string[] {
  const report = engine.validateTemplate(new cfn.TemplateContent(JSON.stringify(template), name), { detailLevel: 'STANDARD', severityLevel: 'ERROR' });
  return [`status ${report.status}`, ...report.diagnostics.map(describeDiagnostic)];
}

/** Property names a resource uses that its type does not have, and required properties it lacks, per the aws-service-spec database. */
function specFindings(template: any): string[] {
  return Object.entries(template.Resources as Record<string, any>).flatMap(([id, resource]) => {
    if (resource.Type.startsWith('Custom::')) {
      return [];
    }
    const spec = specs.get(resource.Type);
    if (!spec) {
      return [`${id}: unknown resource type ${resource.Type}`];
    }
    const properties = Object.keys(resource.Properties ?? {});
    return [
      ...properties.filter((p) => !spec.properties.includes(p)).map((p) => `${id}: ${resource.Type} has no property ${p}`),
      ...spec.required.filter((p) => !properties.includes(p)).map((p) => `${id}: ${resource.Type} requires ${p}`),
    ];
  });
}

describe('the CloudFormation resource schemas', () => {
  test('are known for every resource type of the templates but custom resources', () => {
    const types = new Set([...templates.values()].flatMap((t) => Object.values(t.Resources as Record<string, any>).map((r) => r.Type)));
    expect(schemaValidator.schemaCount()).toBeGreaterThan(1000);
    expect([...types].filter((type) => !type.startsWith('Custom::') && !specs.has(type))).toEqual([]);
    expect([...types].sort()).toEqual(expect.arrayContaining(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::Lambda::Function', 'AWS::SecretsManager::Secret']));
  });

  test.each(CONFIGURATIONS)('accept every resource of $name', (config) => {
    expect(schemaFindings(config.stackName, templates.get(config.stackName))).toEqual([]);
  });

  test.each(CONFIGURATIONS)('and the cfn-lint rules find no error in $name', (config) => {
    expect(lintErrors(config.stackName, templates.get(config.stackName))).toEqual(['status OK']);
  });

  test.each(CONFIGURATIONS)('and the aws-service-spec database knows every property of $name, and every required one is set', (config) => {
    expect(specFindings(templates.get(config.stackName))).toEqual([]);
  });

  test.each(ORG_TEMPLATES)('accept every resource of the organization example\'s %s, by the schemas, the cfn-lint rules and the spec database', (name) => {
    const template = templates.get(name);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    expect(schemaFindings(name, template)).toEqual([]);
    expect(lintErrors(name, template)).toEqual(['status OK']);
    expect(specFindings(template)).toEqual([]);
  });

  test('know the StackSet and the roles of its template (the organization example is checked, not skipped)', () => {
    expect(Object.values(templates.get(ORG_TEMPLATES[1]).Resources).map((r: any) => r.Type)).toContain('AWS::CloudFormation::StackSet');
    expect(Object.values(templates.get(ORG_TEMPLATES[2]).Resources).map((r: any) => r.Type)).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role']);
    expect(specs.has('AWS::CloudFormation::StackSet')).toBe(true);
  });

  test('fails on a missing required property, a wrong type, a broken pattern and an unknown type (the check is not vacuous)', () => {
    const broken = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'toolkit role', MaxSessionDuration: 'an hour' } },
        User: { Type: 'AWS::IAM::Usr', Properties: {} },
        Device: { Type: 'Custom::VirtualMfaDevice', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:handler' } },
      },
    };
    expect(schemaFindings('broken', broken).sort()).toEqual([
      'FATAL F3003 Role Properties: \'AssumeRolePolicyDocument\' is a required property',
      'FATAL F3012 Role Properties.MaxSessionDuration: \'an hour\' is not of type \'integer\'',
      'FATAL F3031 Role Properties.RoleName: \'toolkit role\' does not match pattern \'^[\\w+=,.@-]+$\'',
    ]);
    // A type without a schema is the rule engine's finding; the custom resource is not one.
    expect(lintErrors('broken', broken)).toContain('FATAL F3006 User -: Unknown resource type \'AWS::IAM::Usr\'');
    expect(lintErrors('broken', broken).filter((line) => / Device /.test(line))).toEqual([]);
    expect(specFindings(broken)).toEqual([
      'Role: AWS::IAM::Role requires AssumeRolePolicyDocument',
      'User: unknown resource type AWS::IAM::Usr',
    ]);
  });
});
