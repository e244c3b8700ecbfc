import { Duration } from 'aws-cdk-lib';

/**
 * The IAM condition that requires MFA: `Bool aws:MultiFactorAuthPresent "true"` and, with a bound, `NumericLessThan
 * aws:MultiFactorAuthAge <seconds>`. `Bool` (not `BoolIfExists`): the key is absent for long-term access keys, and an
 * absent key must not match.
 */
export function mfaCondition(maxMfaAge?: Duration): Record<string, Record<string, unknown>> {
  return {
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    ...(maxMfaAge ? { NumericLessThan: { 'aws:MultiFactorAuthAge': String(maxMfaAge.toSeconds()) } } : {}),
  };
}
