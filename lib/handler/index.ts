// Custom resource handler of cdk-mfa-delegation (one Lambda function per stack): Custom::VirtualMfaDevice creates a
// virtual MFA device, stores its seed in a secret it creates and enables it; Custom::MfaUserCleanup removes a user's
// access keys and devices when the user is deleted. Contract: DESIGN.md, "Custom resources".
//
// Every request is verified against the handler's own stack first (authorize.ts). The work runs under a deadline that
// aborts AWS calls in flight; whatever a failed or late invocation created is undone before it answers, so nothing
// happens after FAILED. The seed, the otpauth URI and the codes never reach the response, a log line or an error.
import { authorize, Verified } from './authorize';
import { Aws, RetryOptions } from './aws';
import { DeviceContext, handleDevice, undo } from './device';
import { DEVICE_RESOURCE_TYPE, STACK_ID_VARIABLE } from './names';
import { CustomResourceEvent, Deadline, HandlerError, log, Outcome, redact, ResponseOptions, sendResponse } from './protocol';
import { handleUserCleanup } from './user-cleanup';

export type { CustomResourceEvent } from './protocol';

/**
 * The part of the Lambda context this handler reads.
 */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Seams for tests and the benchmark.
 */
export interface HandlerOptions {
  /** The time the invocation has (Lambda's remaining time). @default no bound */
  readonly remainingMs?: number;
  /** The clock for TOTP codes. @default Date.now */
  readonly now?: () => number;
  /** The handler's own stack. @default process.env.STACK_ID */
  readonly stackId?: string;
  /** How AWS calls are retried. */
  readonly retry?: RetryOptions;
  /** How the response PUT is retried. */
  readonly response?: ResponseOptions;
  /** How long a delivery waits for another delivery of the same request. @default 60 s */
  readonly duplicateWaitMs?: number;
  /** The Lambda container this invocation runs in (its SDK clients are reused). @default one container */
  readonly container?: string;
}

/** At most this much of the invocation's time is kept for undoing after a failure, and as much for the response. */
const RESERVE_MS = 30_000;

/**
 * The Lambda entry point. It always answers CloudFormation, with time left for the answer.
 */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<void> {
  await handleEvent(event, { remainingMs: context?.getRemainingTimeInMillis() });
}

/**
 * Handle one custom resource request and send the response to its ResponseURL. Never throws.
 */
export async function handleEvent(event: CustomResourceEvent, options: HandlerOptions = {}): Promise<void> {
  const started = Date.now();
  const remaining = options.remainingMs ?? Infinity;
  const reserve = Math.min(RESERVE_MS, remaining / 5);
  const workMs = remaining - 2 * reserve;
  const deadline = Deadline.in(workMs);
  const aws = new Aws(deadline, options.retry, options.container);
  const stackId = options.stackId ?? process.env[STACK_ID_VARIABLE];
  const ctx: DeviceContext = {
    event, aws, stackId: stackId ?? '', trust: 'delete', stackUsers: new Set(), now: options.now ?? Date.now, secrets: [], journal: {}, duplicateWaitMs: options.duplicateWaitMs,
  };
  log(event, 'start');
  let outcome: Outcome;
  try {
    const verified: Verified = await authorize(event, aws, stackId);
    outcome = event.ResourceType === DEVICE_RESOURCE_TYPE
      ? await handleDevice({ ...ctx, trust: verified.trust, stackUsers: verified.stackUsers })
      : await handleUserCleanup(event, aws, stackId!);
  } catch (err) {
    outcome = await failed(event, ctx, err, deadline, workMs, reserve, options);
  } finally {
    deadline.dispose();
  }
  outcome = { ...outcome, reason: redact(outcome.reason, ctx.secrets) };
  log(event, `${outcome.status} ${outcome.physicalResourceId}: ${outcome.reason}`);
  try {
    await sendResponse(event, outcome, { ...options.response, notAfter: started + remaining - 1_000 });
    log(event, 'response sent');
  } catch (err) {
    console.error(`${event.RequestType} ${event.LogicalResourceId}: could not send the response to CloudFormation: ${(err as Error).message}`);
  }
}

/** The FAILED outcome: one sentence, after undoing what this invocation created (with its own time). */
async function failed(event: CustomResourceEvent, ctx: DeviceContext, err: unknown, deadline: Deadline, workMs: number, reserve: number,
  options: HandlerOptions): Promise<Outcome> {
  let reason = deadline.expired
    ? `AWS did not answer within ${Math.round(workMs / 1000)} s, before the Lambda function would time out.`
    : err instanceof HandlerError ? err.message : `Unexpected error: ${err instanceof Error ? err.message : String(err)}.`;
  if (ctx.journal.device || ctx.journal.secretName) {
    const cleanupDeadline = Deadline.in(reserve);
    const cleanupAws = new Aws(cleanupDeadline, options.retry, options.container);
    try {
      const undone = await undo({ ...ctx, aws: cleanupAws });
      reason = undone ? `${reason.replace(/\.$/, '')}; ${undone}.` : reason;
    } catch (undoErr) {
      reason = `${reason.replace(/\.$/, '')}; undoing it failed too (${undoErr instanceof Error ? undoErr.message.replace(/\.$/, '') : String(undoErr)}), `
        + 'so the rollback\'s Delete removes what is left.';
    } finally {
      cleanupDeadline.dispose();
    }
  }
  const physicalResourceId = event.PhysicalResourceId
    ?? ctx.journal.attempted
    ?? `failed-${event.LogicalResourceId}-${event.RequestId}`.slice(0, 1000);
  return { status: 'FAILED', reason, physicalResourceId };
}
