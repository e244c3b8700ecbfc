// The CloudFormation custom resource protocol, apart from what the resources do: the request and response shapes, the
// response PUT (with retries), the deadline that aborts AWS calls, one-sentence errors, and redaction of secrets.
import * as http from 'http';
import * as https from 'https';

/**
 * A CloudFormation custom resource request (the fields this handler reads).
 */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/**
 * What the response to CloudFormation says.
 */
export interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation shows at most this much of a reason. */
const MAX_REASON_LENGTH = 1_000;

/**
 * An error whose message is one sentence for CloudFormation's status reason (never a secret).
 */
export class HandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

/**
 * The time an invocation may spend: a signal that aborts in-flight AWS calls when the work must stop, and how long is left.
 */
export class Deadline {
  /** A deadline `ms` from now (never, for Infinity). */
  public static in(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }

  public readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;

  private constructor(public readonly at: number) {
    this.signal = this.controller.signal;
    if (Number.isFinite(at)) {
      this.timer = setTimeout(() => this.controller.abort(new HandlerError('the deadline passed')), Math.max(0, at - Date.now()));
    }
  }

  /** Milliseconds left (Infinity for no deadline). */
  public remaining(): number {
    return Number.isFinite(this.at) ? Math.max(0, this.at - Date.now()) : Infinity;
  }

  /** Whether the deadline passed. */
  public get expired(): boolean {
    return this.signal.aborted;
  }

  /** Stop the timer (the work finished). */
  public dispose(): void {
    clearTimeout(this.timer);
  }

  /** Wait `ms`, or less when the deadline comes first (then throws). */
  public async sleep(ms: number): Promise<void> {
    await abortable(new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, this.remaining()))), this.signal);
  }
}

/** `work`, or a rejection as soon as `signal` aborts. */
export async function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    throw abortReason(signal);
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    work.catch(() => undefined);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new HandlerError('the deadline passed');
}

/** Whether an error is the deadline's (the work was aborted). */
export function isDeadline(err: unknown, deadline: Deadline): boolean {
  return deadline.expired && (err === deadline.signal.reason || (err instanceof Error && /abort/i.test(`${err.name} ${err.message}`)));
}

/** The name of an AWS error without the `Exception` suffix (`NoSuchEntity`, `ResourceNotFound`, ...). */
export function errorCode(err: unknown): string {
  return err instanceof Error ? err.name.replace(/Exception$/, '') : '';
}

/** Whether an AWS error has one of the codes. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return codes.includes(errorCode(err));
}

/** An AWS error as `<message> (<code>)`, without a final period. */
export function awsMessage(err: unknown): string {
  if (!(err instanceof Error)) {
    return String(err);
  }
  if (err instanceof HandlerError) {
    return err.message.replace(/\.$/, '');
  }
  const code = errorCode(err);
  const message = err.message.replace(/\.$/, '');
  return message && message !== err.name ? `${message} (${code})` : code;
}

/** Run one step; its AWS error becomes one sentence that starts with `failure`. A HandlerError passes as it is. */
export async function step<T>(failure: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof HandlerError) {
      throw err;
    }
    throw new HandlerError(`${failure}: ${awsMessage(err)}.`);
  }
}

/** Replace every secret value in a text by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((result, secret) => result.split(secret).join('***'), text);
}

/** Log one line: request type, logical id, physical id and a step. Never the event (its ResponseURL is presigned). */
export function log(event: Pick<CustomResourceEvent, 'RequestType' | 'LogicalResourceId' | 'PhysicalResourceId'>, message: string): void {
  console.log(`${event.RequestType} ${event.LogicalResourceId} (${event.PhysicalResourceId ?? 'new'}): ${message}`);
}

/** How the response PUT is tried. */
export interface ResponseOptions {
  /** Attempts in all. @default 5 */
  readonly attempts?: number;
  /** Upper bound of one attempt. @default 10 s */
  readonly attemptTimeoutMs?: number;
  /** Delay before the second attempt, doubled for each further one. @default 500 ms */
  readonly backoffMs?: number;
  /** No attempt starts after this time (ms since the epoch). @default none */
  readonly notAfter?: number;
}

/**
 * PUT the response to the presigned ResponseURL as cfn-response does (empty content-type), retried with exponential
 * backoff on a network error or an HTTP status other than 2xx.
 */
export async function sendResponse(event: CustomResourceEvent, outcome: Outcome, options: ResponseOptions = {}): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.length > MAX_REASON_LENGTH ? `${outcome.reason.slice(0, MAX_REASON_LENGTH - 3)}...` : outcome.reason,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data ?? {},
  });
  const attempts = options.attempts ?? 5;
  let delay = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await put(event.ResponseURL, body, options.attemptTimeoutMs ?? 10_000);
      return;
    } catch (err) {
      const next = Date.now() + delay;
      if (attempt >= attempts || (options.notAfter !== undefined && next >= options.notAfter)) {
        throw new HandlerError(`the response PUT failed ${attempt} time${attempt === 1 ? '' : 's'}, last with ${awsMessage(err)}`);
      }
      log(event, `the response PUT failed (${awsMessage(err)}); trying again in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}

async function put(responseUrl: string, body: string, timeoutMs: number): Promise<void> {
  const url = new URL(responseUrl);
  const request = url.protocol === 'http:' ? http.request : https.request;
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        return status >= 200 && status < 300 ? resolve() : reject(new HandlerError(`HTTP status ${status}`));
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new HandlerError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}
