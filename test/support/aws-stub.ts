import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * One request that reached the stub, decoded.
 */
export interface StubRequest {
  /** HTTP method. */
  readonly method: string;
  /** Request path (with query string). */
  readonly path: string;
  /** The signing name of the service from the SigV4 credential scope (`iam`, `sts`, `secretsmanager`, `cloudformation`), or '' when unsigned. */
  readonly service: string;
  /** The operation: `Action` of a Query request, or the part after the dot of `X-Amz-Target` for JSON protocols. */
  readonly action: string;
  /** Decoded parameters: form fields for Query protocols, the parsed JSON body for JSON protocols. */
  readonly params: Record<string, any>;
  /** Raw body. */
  readonly body: string;
  /** Lower-cased request headers. */
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * What a stub handler answers.
 */
export interface StubResponse {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export type StubHandler = (request: StubRequest) => StubResponse | Promise<StubResponse>;

/**
 * A loopback HTTP server (127.0.0.1, random port) that stands in for AWS endpoints in tests.
 *
 * Point the real AWS SDK v3 at it with `AWS_ENDPOINT_URL` (or a service-specific `AWS_ENDPOINT_URL_<SERVICE>`).
 * Every request is recorded in `requests`. A test must `stop()` it (e.g. in `afterEach`).
 * Requests time out after `timeoutMs` so that a hung client cannot hold a test forever.
 */
export class AwsStub {
  /**
   * Start a stub on 127.0.0.1 with the given handler.
   */
  public static async start(handler: StubHandler, timeoutMs = 10_000): Promise<AwsStub> {
    const stub = new AwsStub(handler, timeoutMs);
    await new Promise<void>((resolve, reject) => {
      stub.server.once('error', reject);
      stub.server.listen(0, '127.0.0.1', () => resolve());
    });
    return stub;
  }

  public readonly requests: StubRequest[] = [];
  private readonly server: http.Server;

  private constructor(private handler: StubHandler, timeoutMs: number) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const request = decode(req, body);
        this.requests.push(request);
        Promise.resolve()
          .then(() => this.handler(request))
          .then(
            (answer) => {
              res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml', ...answer.headers });
              res.end(answer.body ?? '');
            },
            (err: Error) => {
              res.writeHead(500, { 'content-type': 'text/plain' });
              res.end(`stub handler failed: ${err.message}`);
            },
          );
      });
    });
    this.server.requestTimeout = timeoutMs;
    this.server.headersTimeout = timeoutMs;
    this.server.keepAliveTimeout = 100;
  }

  /** The base URL, e.g. `http://127.0.0.1:43123`. */
  public get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Replace the handler (e.g. to inject a failure for one test). */
  public setHandler(handler: StubHandler): void {
    this.handler = handler;
  }

  /** The recorded requests of one action. */
  public calls(action: string): StubRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  /** Stop the server and drop open connections. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decode(req: http.IncomingMessage, body: string): StubRequest {
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  const target = String(req.headers['x-amz-target'] ?? '');
  const contentType = String(req.headers['content-type'] ?? '');
  let params: Record<string, any> = {};
  let action = '';
  if (target) {
    action = target.split('.').pop() ?? '';
    params = body ? JSON.parse(body) : {};
  } else if (contentType.includes('x-www-form-urlencoded')) {
    params = Object.fromEntries(new URLSearchParams(body));
    action = params.Action ?? '';
  } else if (body) {
    try {
      params = JSON.parse(body);
    } catch {
      params = {};
    }
  }
  return { method: req.method ?? '', path: req.url ?? '', service: scope?.[1] ?? '', action, params, body, headers: req.headers };
}

const NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
};

/**
 * A successful AWS Query protocol answer (IAM, STS, CloudFormation): `<ActionResponse><ActionResult>inner</ActionResult>...`.
 */
export function queryResult(service: 'iam' | 'sts' | 'cloudformation', action: string, innerXml: string): StubResponse {
  return {
    body: `<${action}Response xmlns="${NAMESPACES[service]}"><${action}Result>${innerXml}</${action}Result>`
      + `<ResponseMetadata><RequestId>stub-request-id</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/**
 * A failed AWS Query protocol answer, e.g. `queryError('EntityAlreadyExists', 'MFADevice entity ... already exists.', 409)`.
 */
export function queryError(code: string, message: string, status = 400): StubResponse {
  return {
    status,
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`
      + '<RequestId>stub-request-id</RequestId></ErrorResponse>',
  };
}

/**
 * A successful AWS JSON protocol answer (Secrets Manager).
 */
export function jsonResult(result: unknown): StubResponse {
  return { body: JSON.stringify(result), headers: { 'content-type': 'application/x-amz-json-1.1' } };
}

/**
 * A failed AWS JSON protocol answer, e.g. `jsonError('ResourceNotFoundException', 'Secrets Manager can't find the specified secret.')`.
 */
export function jsonError(type: string, message: string, status = 400): StubResponse {
  return {
    status,
    body: JSON.stringify({ __type: type, message }),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  };
}

/** Escape text for an XML element. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Environment for the real AWS SDK v3 to talk to the stub only: fake static credentials, a region, and the endpoint.
 * Returns a function that restores the previous environment.
 */
export function useStubEnvironment(url: string, extra: Record<string, string> = {}): () => void {
  const vars: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'stub-secret-not-real',
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    ...extra,
  };
  const before: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    before[k] = process.env[k];
    if (v === undefined) {
      delete process.env[k];
    } else {
      process.env[k] = v;
    }
  }
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  };
}
