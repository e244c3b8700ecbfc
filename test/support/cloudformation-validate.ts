import * as fs from 'fs';
import { createRequire } from 'module';
import * as zlib from 'zlib';

/**
 * Offline validators of synthesized templates that we did not write:
 *
 * - `@aws/cloudformation-validate` (AWS, Apache-2.0), the engine behind aws-cdk-lib's own "CloudFormation Validate"
 *   plugin. It bundles the CloudFormation resource provider schemas (the registry schemas: required properties, types,
 *   patterns, lengths, enums) and the cfn-lint rules. It is a dependency of aws-cdk-lib, loaded from where aws-cdk-lib
 *   resolves it, so no second copy is installed.
 * - `@aws-cdk/aws-service-spec` (the database aws-cdk-lib's L1 classes are generated from): property names and
 *   required properties of every resource type.
 */

/** One finding of `@aws/cloudformation-validate`. */
export interface CfnDiagnostic {
  readonly ruleId: string;
  readonly severity: 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
  readonly message: string;
  readonly entity?: { readonly logicalId: string; readonly resourceType?: string };
  readonly propertyPath?: string;
}

interface CfnValidateModule {
  TemplateContent: new (content: string, name?: string) => unknown;
  SchemaValidator: new () => { validate(template: unknown, region?: string): CfnDiagnostic[]; schemaCount(): number; free(): void };
  CompositeEngine: new () => { validateTemplate(template: unknown, config?: object): { status: string; diagnostics: CfnDiagnostic[] }; free(): void };
}

/** `@aws/cloudformation-validate`, as aws-cdk-lib loads it. */
export function loadCloudFormationValidate(): CfnValidateModule {
  return createRequire(require.resolve('aws-cdk-lib/package.json'))('@aws/cloudformation-validate');
}

/** A finding as one line: `<severity> <rule> <logical id> <property path>: <message>`. */
export function describeDiagnostic(d: CfnDiagnostic): string {
  return `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? '-'} ${d.propertyPath ?? '-'}: ${d.message}`;
}

/** Property names and required properties of a resource type, from the aws-service-spec database. */
export interface ResourceSpec {
  readonly properties: string[];
  readonly required: string[];
}

/** The resource types of the aws-service-spec database, by CloudFormation type. */
export function loadResourceSpecs(): Map<string, ResourceSpec> {
  const file = require.resolve('@aws-cdk/aws-service-spec/db.json.gz');
  const db = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
  const specs = new Map<string, ResourceSpec>();
  for (const entity of db.schema.resource.entities) {
    const properties = Object.entries(entity.properties as Record<string, { required?: boolean }>);
    specs.set(entity.cloudFormationType, {
      properties: properties.map(([name]) => name),
      required: properties.filter(([, p]) => p.required).map(([name]) => name),
    });
  }
  return specs;
}
