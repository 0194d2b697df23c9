import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error the stand-in answers with, as AWS JSON-protocol services do: HTTP 400 and a `__type`. */
export class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** `X-Amz-Target` (e.g. `AWSStepFunctions.StartExecution`) → the answer to its JSON body. */
export type AwsActions = Record<string, (body: any) => Promise<unknown> | unknown>;

export interface AwsStandIn {
  /** `http://127.0.0.1:<port>`: give it as AWS_ENDPOINT_URL so no SDK call can reach AWS. */
  readonly endpoint: string;
  /** Targets called, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

/**
 * AWS services that speak the JSON protocol (Step Functions, Secrets Manager), on 127.0.0.1, with
 * the actions a test gives. An action nobody gave is answered as AWS answers an unknown one, so a
 * call the test did not expect fails loudly instead of reaching AWS.
 */
export async function startAwsStandIn(actions: AwsActions): Promise<AwsStandIn> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      calls.push(target);
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      const action = actions[target];
      if (!action) return answer(400, { __type: 'UnknownOperationException', message: `the stand-in does not answer ${target || req.url}` });
      try {
        answer(200, (await action(JSON.parse(text || '{}'))) ?? {});
      } catch (error) {
        if (error instanceof AwsFault) return answer(400, { __type: error.type, message: error.message });
        answer(500, { __type: 'InternalFailure', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
