// The AWS clients of one invocation: adaptive retry for throttling, a bound on every attempt (a lost answer is retried),
// and the invocation's deadline on every call (an aborted call is not awaited any further).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { abortable, Deadline, hasCode } from './protocol';

/** How the clients retry. */
export interface RetryOptions {
  /**
   * Attempts per call, throttling included; the SDK's adaptive mode slows the client down when AWS throttles it. The
   * invocation's deadline, not this number, bounds the time spent: a team deployed at once may wait minutes for IAM.
   * @default 100
   */
  readonly maxAttempts?: number;
  /** Upper bound of one attempt (a lost answer is retried after it). @default 10 s */
  readonly attemptTimeoutMs?: number;
  /** Attempts of a call that IAM answers NoSuchEntity for a user created a moment ago. @default 6 */
  readonly eventualConsistencyAttempts?: number;
  /** First delay of those, doubled each time. @default 500 ms */
  readonly eventualConsistencyDelayMs?: number;
}

/** The SDK clients of a Lambda container: made once, reused by the invocations it serves one after the other. */
interface Clients {
  readonly iam: IAMClient;
  readonly secrets: SecretsManagerClient;
  readonly cloudFormation: CloudFormationClient;
}

const CONTAINERS = new Map<string, Clients>();

/**
 * The clients for these retry options (and endpoint): made once per container, as AWS recommends for Lambda, so that
 * warm invocations reuse connections and the adaptive rate limiter keeps what it learned about throttling.
 */
function clientsFor(retry: RetryOptions, container: string): Clients {
  const key = JSON.stringify([retry.maxAttempts, retry.attemptTimeoutMs, process.env.AWS_ENDPOINT_URL, process.env.AWS_REGION, container]);
  const cached = CONTAINERS.get(key);
  if (cached) {
    return cached;
  }
  const config = {
    retryMode: 'adaptive',
    maxAttempts: retry.maxAttempts ?? 100,
    requestHandler: { requestTimeout: retry.attemptTimeoutMs ?? 10_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  };
  const iam = new IAMClient(config);
  // IAM answers LimitExceeded (HTTP 409) for a quota (8 MFA devices per user), which the SDK takes for throttling.
  const strategy = new QuotaIsFinal(iam.config.retryStrategy());
  (iam.config as { retryStrategy: () => Promise<unknown> }).retryStrategy = async () => strategy;
  const clients = { iam, secrets: new SecretsManagerClient(config), cloudFormation: new CloudFormationClient(config) };
  if (CONTAINERS.size >= 100) {
    // Tests point the SDK at a new endpoint each time: keep the cache small.
    const [oldest] = CONTAINERS.keys();
    CONTAINERS.delete(oldest);
  }
  CONTAINERS.set(key, clients);
  return clients;
}

/** The clients and the deadline of one invocation. */
export class Aws {
  public readonly iam: IAMClient;
  public readonly secrets: SecretsManagerClient;
  public readonly cloudFormation: CloudFormationClient;

  /**
   * @param deadline the invocation's deadline: every call gets its abort signal
   * @param retry how calls are retried
   * @param container which container's clients to use (the benchmark runs many containers in one process)
   */
  constructor(public readonly deadline: Deadline, private readonly retry: RetryOptions = {}, container = '') {
    ({ iam: this.iam, secrets: this.secrets, cloudFormation: this.cloudFormation } = clientsFor(retry, container));
  }

  /**
   * Send a command with the deadline's abort signal; rejects as soon as the deadline passes.
   */
  public async send<Output>(client: { send(command: any, options: { abortSignal: AbortSignal }): Promise<Output> }, command: unknown):
  Promise<Output> {
    return abortable(client.send(command, { abortSignal: this.deadline.signal }), this.deadline.signal);
  }

  /**
   * Send an IAM command that names a user, retrying a short while when IAM does not know the user yet (IAM is
   * eventually consistent: a user CloudFormation created a moment ago may be unknown to the next call).
   */
  public async sendForUser<Output>(command: unknown): Promise<Output> {
    let delay = this.retry.eventualConsistencyDelayMs ?? 500;
    const attempts = this.retry.eventualConsistencyAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<Output>(this.iam as any, command);
      } catch (err) {
        if (!hasCode(err, 'NoSuchEntity') || attempt >= attempts) {
          throw err;
        }
        await this.deadline.sleep(delay);
        delay *= 2;
      }
    }
  }
}

/** The SDK's retry strategy (adaptive), except that a quota error (LimitExceeded) is not tried again. */
class QuotaIsFinal {
  private strategy?: any;

  constructor(private readonly inner: Promise<any>) {}

  public async acquireInitialRetryToken(scope: string): Promise<unknown> {
    this.strategy ??= await this.inner;
    return this.strategy.acquireInitialRetryToken(scope);
  }

  public async refreshRetryTokenForRetry(token: unknown, errorInfo: { error?: Error }): Promise<unknown> {
    if (errorInfo.error?.name === 'LimitExceededException') {
      throw errorInfo.error;
    }
    return this.strategy.refreshRetryTokenForRetry(token, errorInfo);
  }

  public recordSuccess(token: unknown): void {
    this.strategy?.recordSuccess(token);
  }
}
