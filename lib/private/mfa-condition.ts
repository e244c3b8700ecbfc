import { Duration } from 'aws-cdk-lib';

/**
 * The longest time since the MFA sign-in after which a role may still be assumed, unless a construct is given another
 * value: one hour, so that one code buys at most an hour of new role sessions.
 */
export const DEFAULT_MAX_MFA_AGE = Duration.hours(1);

/**
 * The IAM condition that requires MFA: `Bool aws:MultiFactorAuthPresent "true"` and `NumericLessThan
 * aws:MultiFactorAuthAge <seconds>` (one hour unless given). `Bool` (not `BoolIfExists`): the key is absent for
 * long-term access keys, and an absent key must not match; `aws:MultiFactorAuthAge` is absent for them too.
 */
export function mfaCondition(maxMfaAge: Duration = DEFAULT_MAX_MFA_AGE): Record<string, Record<string, unknown>> {
  return {
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    NumericLessThan: { 'aws:MultiFactorAuthAge': String(maxMfaAge.toSeconds()) },
  };
}

/** `Bool aws:MultiFactorAuthPresent "true"` alone: for actions other than assuming a role (changing one's password). */
export const MFA_PRESENT: Record<string, Record<string, unknown>> = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
