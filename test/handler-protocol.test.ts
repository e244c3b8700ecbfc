import * as http from 'http';
import { AddressInfo } from 'net';
import { CustomResourceEvent, handleEvent } from '../lib/handler';
import { sendResponse } from '../lib/handler/protocol';

// The custom resource protocol apart from the resources: the response PUT as cfn-response sends it, retried with
// backoff; a reason cut to what CloudFormation shows; an invocation that never throws.

let server: http.Server;
let url: string;
let answers: number[];
const bodies: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeEach(async () => {
  bodies.length = 0;
  answers = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(answers.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=presigned`;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  jest.restoreAllMocks();
});

function event(): CustomResourceEvent {
  return {
    RequestType: 'Create',
    ResponseURL: url,
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1',
    RequestId: 'r1',
    LogicalResourceId: 'Device',
    ResourceType: 'Custom::VirtualMfaDevice',
    ResourceProperties: {},
  };
}

describe('the response PUT', () => {
  test('sends the outcome as cfn-response does: a PUT with an empty content-type and the request\'s ids', async () => {
    await sendResponse(event(), { status: 'SUCCESS', reason: 'Done.', physicalResourceId: 'p1', data: { SerialNumber: 's' } });
    expect(bodies).toHaveLength(1);
    expect(bodies[0].headers['content-type']).toEqual('');
    expect(JSON.parse(bodies[0].body)).toEqual({
      Status: 'SUCCESS',
      Reason: 'Done.',
      PhysicalResourceId: 'p1',
      StackId: event().StackId,
      RequestId: 'r1',
      LogicalResourceId: 'Device',
      Data: { SerialNumber: 's' },
    });
  });

  test('tries again with backoff when the PUT fails, until it is accepted', async () => {
    answers = [500, 503];
    await sendResponse(event(), { status: 'FAILED', reason: 'No.', physicalResourceId: 'p1' }, { backoffMs: 10 });
    expect(bodies).toHaveLength(3);
  });

  test('fails after the last attempt with the number of attempts and the last error', async () => {
    answers = [500, 500, 500];
    await expect(sendResponse(event(), { status: 'FAILED', reason: 'No.', physicalResourceId: 'p1' }, { attempts: 3, backoffMs: 10 }))
      .rejects.toThrow('the response PUT failed 3 times, last with HTTP status 500');
  });

  test('cuts a reason longer than 1,000 characters', async () => {
    await sendResponse(event(), { status: 'FAILED', reason: 'x'.repeat(1_500), physicalResourceId: 'p1' });
    expect(JSON.parse(bodies[0].body).Reason).toEqual(`${'x'.repeat(997)}...`);
  });
});

describe('the entry point', () => {
  test('answers FAILED, without throwing, when the request is not its stack\'s', async () => {
    await handleEvent(event(), { stackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Mine/2', response: { backoffMs: 10 } });
    expect(JSON.parse(bodies[0].body)).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'failed-Device-r1',
      Reason: 'Refused: the request names stack "arn:aws:cloudformation:us-east-1:111111111111:stack/S/1", but this handler serves only its own '
        + 'stack arn:aws:cloudformation:us-east-1:111111111111:stack/Mine/2.',
    });
  });

  test('does not throw when no response can be sent', async () => {
    answers = [500, 500, 500, 500, 500];
    await expect(handleEvent(event(), { stackId: 'x', response: { backoffMs: 1 } })).resolves.toBeUndefined();
    expect(bodies).toHaveLength(5);
  });
});
