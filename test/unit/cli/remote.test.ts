/**
 * `--remote`: the real hgbr executable and the real AWS SDK against a Step Functions stand-in on
 * 127.0.0.1 (AWS_ENDPOINT_URL_SFN) that speaks the service's JSON protocol. No AWS is called.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT_UNREACHABLE } from '../../../cli/command';
import { runHgbr } from '../../support/cli';

interface Call {
  readonly action: string;
  readonly body: Record<string, unknown>;
}

/** Answers StartExecution, then DescribeExecution: RUNNING `runningPolls` times, then `final`. */
async function fakeStepFunctions(final: Record<string, unknown>, runningPolls = 1, nameTaken = false) {
  const calls: Call[] = [];
  let polls = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target']).replace('AWSStepFunctions.', '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      calls.push({ action, body });
      if (action === 'StartExecution' && nameTaken) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: 'Execution Already Exists' }));
        return;
      }
      const executionArn = 'arn:aws:states:eu-central-1:111111111111:execution:Backup:run-1';
      const answer =
        action === 'StartExecution'
          ? { executionArn, startDate: 1764000000 }
          : polls++ < runningPolls
            ? { executionArn, status: 'RUNNING', startDate: 1764000000 }
            : { executionArn, startDate: 1764000000, ...final };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = {
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    HGBR_REMOTE_POLL_MS: '10',
  };
  return { calls, env, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const BACKUP_MACHINE = 'arn:aws:states:eu-central-1:111111111111:stateMachine:Backup';
const RESTORE_MACHINE = 'arn:aws:states:eu-central-1:111111111111:stateMachine:Restore';

describe('hgbr backup --remote', () => {
  it('starts the deployed machine with the backup request, waits, and prints its summary', async () => {
    const summary = {
      backupId: '20261125T020000Z-abcd',
      location: 's3://b/backups/g/20261125T020000Z-abcd/',
      graph: 'g',
      vertices: { person: 3 },
      edges: {},
      files: 5,
      bytes: 900,
      durationMs: 1200,
      deletedBackups: [],
    };
    const sfn = await fakeStepFunctions({ status: 'SUCCEEDED', output: JSON.stringify(summary) }, 2);
    try {
      const result = await runHgbr(['backup', '--server', 'http://hg:8080', '--graph', 'g', '--to', 's3://b/backups', '--keep', '3', '--remote', BACKUP_MACHINE, '--json'], sfn.env);
      expect(result.stderr).not.toContain('hgbr:');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, ...summary });
      expect(sfn.calls.map((c) => c.action)).toEqual(['StartExecution', 'DescribeExecution', 'DescribeExecution', 'DescribeExecution']);
      expect(sfn.calls[0]?.body.stateMachineArn).toBe(BACKUP_MACHINE);
      expect(JSON.parse(sfn.calls[0]?.body.input as string)).toEqual({ server: { url: 'http://hg:8080', graph: 'g' }, location: 's3://b/backups', keep: 3 });
    } finally {
      await sfn.close();
    }
  });

  it("exits with the execution error's status, its message (out of the Lambda's error JSON) and its hint when it fails", async () => {
    const cause = JSON.stringify({ errorType: 'ServerUnreachableError', errorMessage: 'cannot reach the HugeGraph server at http://hg:8080: ECONNREFUSED', trace: [] });
    const sfn = await fakeStepFunctions({ status: 'FAILED', error: 'ServerUnreachableError', cause });
    try {
      const result = await runHgbr(['backup', '--server', 'http://hg:8080', '--graph', 'g', '--to', 's3://b/backups', '--remote', BACKUP_MACHINE, '--json'], sfn.env);
      expect(result.code).toBe(EXIT_UNREACHABLE);
      const { error, exitCode } = JSON.parse(result.stdout);
      expect(exitCode).toBe(EXIT_UNREACHABLE);
      expect(error.code).toBe('ServerUnreachableError');
      expect(error.message).toBe('execution arn:aws:states:eu-central-1:111111111111:execution:Backup:run-1 ended FAILED: cannot reach the HugeGraph server at http://hg:8080: ECONNREFUSED');
      expect(error.hint).toMatch(/^is the HugeGraph server running and reachable at this URL\?.*get-execution-history --execution-arn arn:aws:states:eu-central-1:111111111111:execution:Backup:run-1/);
    } finally {
      await sfn.close();
    }
  });

  it('refuses a local folder, a malformed ARN and credentials on the command line before calling AWS', async () => {
    const sfn = await fakeStepFunctions({ status: 'SUCCEEDED', output: '{}' });
    try {
      const base = ['backup', '--server', 'http://hg:8080', '--graph', 'g', '--json'];
      const folder = await runHgbr([...base, '--to', '/tmp/backups', '--remote', BACKUP_MACHINE], sfn.env);
      const arn = await runHgbr([...base, '--to', 's3://b/x', '--remote', 'Backup'], sfn.env);
      const password = await runHgbr([...base, '--to', 's3://b/x', '--remote', BACKUP_MACHINE, '--password', 'secret'], sfn.env);
      const listing = await runHgbr(['list', '--from', 's3://b/x', '--remote', BACKUP_MACHINE, '--json'], sfn.env);
      expect([folder, arn, password, listing].map((r) => r.code)).toEqual([2, 2, 2, 2]);
      expect(JSON.parse(folder.stdout).error.message).toContain("--to must be an s3:// location, not '/tmp/backups'");
      expect(JSON.parse(arn.stdout).error.message).toContain('--remote must be a state machine ARN');
      expect(JSON.parse(password.stdout).error.message).toContain("use the stack's HugeGraph secret");
      expect(JSON.parse(listing.stdout).error.message).toContain("'--remote'");
      expect(sfn.calls).toEqual([]);
    } finally {
      await sfn.close();
    }
  });
});

describe('hgbr restore --remote', () => {
  it('follows the execution a restore id already names instead of failing, and refuses an id Step Functions cannot take', async () => {
    const summary = {
      restoreId: 'nightly-1',
      mode: 'RESTORING',
      target: { url: 'http://hg:8080', graph: 'g' },
      source: 's3://b/x/',
      vertices: {},
      edges: {},
      durationMs: 10,
      modeRestoredTo: 'NONE',
      countedOnTarget: false,
    };
    const sfn = await fakeStepFunctions({ status: 'SUCCEEDED', output: JSON.stringify(summary) }, 0, true);
    try {
      const base = ['restore', '--from', 's3://b/backups/g/20261125T020000Z-abcd', '--server', 'http://hg:8080', '--graph', 'g', '--remote', RESTORE_MACHINE, '--json'];
      const again = await runHgbr([...base, '--restore-id', 'nightly-1'], sfn.env);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('nightly-1 names an execution started before (arn:aws:states:eu-central-1:111111111111:execution:Restore:nightly-1)');
      expect(sfn.calls.map((c) => c.action)).toEqual(['StartExecution', 'DescribeExecution']);
      expect(sfn.calls[1]?.body.executionArn).toBe('arn:aws:states:eu-central-1:111111111111:execution:Restore:nightly-1');

      const long = await runHgbr([...base, '--restore-id', 'r'.repeat(81)], sfn.env);
      expect(long.code).toBe(2);
      expect(JSON.parse(long.stdout).error.message).toContain('1 to 80 letters');
    } finally {
      await sfn.close();
    }
  });

  it('names the execution after the restore id and sends verifyTarget along', async () => {
    const summary = {
      restoreId: 'nightly-1',
      mode: 'RESTORING',
      target: { url: 'http://hg:8080', graph: 'g' },
      source: 's3://b/backups/g/x/',
      vertices: { person: 3 },
      edges: {},
      durationMs: 10,
      modeRestoredTo: 'NONE',
      countedOnTarget: true,
    };
    const sfn = await fakeStepFunctions({ status: 'SUCCEEDED', output: JSON.stringify(summary) });
    try {
      const result = await runHgbr(
        [
          'restore',
          '--from',
          's3://b/backups/g/20261125T020000Z-abcd',
          '--server',
          'http://hg:8080',
          '--graph',
          'g',
          '--restore-id',
          'nightly-1',
          '--verify-target',
          '--remote',
          RESTORE_MACHINE,
          '--json',
        ],
        sfn.env,
      );
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, restoreId: 'nightly-1', countedOnTarget: true });
      expect(sfn.calls[0]?.body.name).toBe('nightly-1');
      expect(JSON.parse(sfn.calls[0]?.body.input as string)).toEqual({
        source: 's3://b/backups/g/20261125T020000Z-abcd',
        target: { url: 'http://hg:8080', graph: 'g' },
        mode: 'RESTORING',
        restoreId: 'nightly-1',
        verifyTarget: true,
      });
    } finally {
      await sfn.close();
    }
  });
});
