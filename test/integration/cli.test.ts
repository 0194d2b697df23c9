/**
 * The CLI's failure paths as a person meets them, on one real HugeGraph server with auth on: each
 * mistake exits with its documented status (cli/command.ts), prints its error once with a hint, and
 * leaves nothing behind; a restore that did not finish says how to resume it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_TARGET_CONFLICT, EXIT_UNREACHABLE, EXIT_USAGE } from '../../cli/command';
import { localRuntime } from '../../cli/local-runtime';
import { runBackupLocally } from '../../cli/workflows';
import type { BackupSummary } from '../../functions/backup/types';
import { HugeGraphClient } from '../../functions/hugegraph';
import { runHgbr, waitFor } from '../support/cli';
import { createFixtureSchema, expectedCounts, loadFixtureData } from '../support/graph-fixtures';
import { startHugeGraph, type HugeGraphServer } from '../support/hugegraph-server';
import { freePort } from '../support/ports';

const PASSWORD = 'cli-test-pw';
const AUTH = ['--user', 'admin', '--password', PASSWORD];
const EXTRA_VERTICES = 3000;

let hugegraph: HugeGraphServer;
let client: HugeGraphClient;
let folder: string;
let backup: BackupSummary;
let deadUrl: string;

beforeAll(async () => {
  hugegraph = await startHugeGraph({ auth: { password: PASSWORD } });
  client = await HugeGraphClient.connect({ url: hugegraph.url, graph: 'hugegraph', username: 'admin', password: PASSWORD });
  await createFixtureSchema(client);
  await loadFixtureData(client, { extraVertices: EXTRA_VERTICES });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-cli-'));
  const runtime = localRuntime({ username: 'admin', password: PASSWORD });
  backup = await runBackupLocally(runtime, { server: { url: hugegraph.url, graph: 'hugegraph' }, location: path.join(folder, 'backups'), elementsPerFile: 300 }).finally(() => runtime.close());
  deadUrl = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await client?.close();
  await hugegraph?.stop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

/** The error lines of a run without --json: `hgbr: <code>: …` then `  hint: …`. */
function errorLines(stderr: string): { first: string; hint: string } {
  const lines = stderr.trim().split('\n');
  const first = lines.find((l) => l.startsWith('hgbr: ') && !l.startsWith('hgbr: warning')) ?? '';
  return { first, hint: lines[lines.indexOf(first) + 1] ?? '' };
}

/** Everything under `dir` (empty when it does not exist). */
const contents = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) : []);

describe('a server that is not there, refused credentials, a missing graph', () => {
  it('backup, restore and migrate against a dead port stop before the workflow with exit 6, the error once and the server hint, writing nothing', async () => {
    const to = path.join(folder, 'dead-backup');
    const via = path.join(folder, 'dead-migrate');
    const runs = await Promise.all([
      runHgbr(['backup', '--server', deadUrl, '--graph', 'hugegraph', '--to', to]),
      runHgbr(['restore', '--from', backup.location, '--server', deadUrl, '--graph', 'hugegraph']),
      runHgbr(['migrate', '--server', hugegraph.url, '--graph', 'hugegraph', '--target-server', deadUrl, '--via', via, ...AUTH]),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(EXIT_UNREACHABLE);
      const { first, hint } = errorLines(run.stderr);
      expect(first).toMatch(new RegExp(`^hgbr: ServerUnreachableError: .*cannot reach the HugeGraph server at ${deadUrl}: ECONNREFUSED$`));
      expect(run.stderr.match(/ServerUnreachableError/g)).toHaveLength(1);
      expect(hint).toMatch(/^ {2}hint: is the HugeGraph server running and reachable at this URL\?/);
    }
    expect(contents(to)).toEqual([]);
    expect(contents(via)).toEqual([]);
  });

  it('no credentials, wrong ones, a graph that does not exist: exit 6 with the hint that fits, for backup as for mode get', async () => {
    const to = path.join(folder, 'refused');
    const none = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', to, '--json']);
    const modeNone = await runHgbr(['mode', 'get', '--server', hugegraph.url, '--graph', 'hugegraph', '--json']);
    const wrong = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', to, '--user', 'admin', '--password', 'nope', '--json']);
    const missing = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'nograph', '--to', to, ...AUTH, '--json']);
    for (const run of [none, modeNone, wrong, missing]) expect({ code: run.code, exitCode: JSON.parse(run.stdout).exitCode }).toEqual({ code: EXIT_UNREACHABLE, exitCode: EXIT_UNREACHABLE });
    const [noneError, modeError, wrongError, missingError] = [none, modeNone, wrong, missing].map((run) => JSON.parse(run.stdout).error);
    expect(noneError).toMatchObject({ code: 'HugeGraphUnauthorizedError', hint: expect.stringContaining('HUGEGRAPH_USERNAME') });
    expect(modeError.hint).toBe(noneError.hint);
    expect(wrongError).toMatchObject({ code: 'HugeGraphUnauthorizedError', hint: expect.stringMatching(/^the server refused the username and password given/) });
    expect(missingError).toMatchObject({ code: 'GraphNotFoundError', message: expect.stringContaining("has no graph 'nograph'") });
    expect(contents(to)).toEqual([]);
  });
});

describe('usage mistakes', () => {
  it('exit 2 and say what to write: a URL without http://, an unknown option, a folder that is not there', async () => {
    const noScheme = await runHgbr(['backup', '--server', '127.0.0.1:8080', '--graph', 'hugegraph', '--to', folder]);
    const unknown = await runHgbr(['restore', '--form', backup.location, '--server', hugegraph.url, '--graph', 'hugegraph']);
    const stray = await runHgbr(['verify', backup.location]);
    const noFolder = await runHgbr(['list', '--from', path.join(folder, 'not-there')]);
    for (const run of [noScheme, unknown, stray, noFolder]) expect(run.code).toBe(EXIT_USAGE);
    expect(errorLines(noScheme.stderr).first).toBe("hgbr: UsageError: hgbr backup: --server must be an http:// or https:// URL, e.g. http://127.0.0.1:8080 (got '127.0.0.1:8080')");
    expect(errorLines(unknown.stderr)).toEqual({ first: "hgbr: UsageError: hgbr restore: unknown option '--form'", hint: '  hint: run `hgbr restore --help` for its options' });
    expect(errorLines(stray.stderr).first).toBe(`hgbr: UsageError: hgbr verify: unexpected argument '${backup.location}' (options start with --)`);
    expect(errorLines(noFolder.stderr).first).toMatch(/^hgbr: UsageError: hgbr list: --from .*not-there: there is no folder /);
  });

  it('list --graph of a graph without backups says so and names the graphs that have some', async () => {
    const result = await runHgbr(['list', '--from', path.join(folder, 'backups'), '--graph', 'hugegrahp']);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout.trim()).toBe(`no backups of graph hugegrahp under ${path.join(folder, 'backups')}; graphs with backups there: hugegraph`);
  });
});

describe('progress in a log', () => {
  it('a backup whose stderr is not a terminal logs a plain line as each work item ends, against the plan, up to 100 %', async () => {
    const result = await runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', path.join(folder, 'logged'), ...AUTH]);
    expect(result.code).toBe(EXIT_OK);
    const lines = result.stderr.split('\n').filter((l) => / backing up: /.test(l));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z backing up: [\d,]+ vertices, [\d,]+ edges, .*; \d+ of \d+ key ranges \(\d+ %\)/);
    expect(lines.at(-1)).toMatch(/; (\d+) of \1 key ranges \(100 %\)/);
  });
});

describe('a backup stopped by SIGTERM', () => {
  it('exits 143 once its clean-up ran: no backup left, the lock released', async () => {
    const root = path.join(folder, 'terminated');
    const run = runHgbr(['backup', '--server', hugegraph.url, '--graph', 'hugegraph', '--to', root, '--page-size', '2', ...AUTH]);
    await waitFor(() => fs.existsSync(path.join(root, 'hugegraph', '.hgbr-backup.lock')), 120_000, 20);
    run.child.kill('SIGTERM');
    const stopped = await run;
    expect(stopped.code).toBe(EXIT_SIGTERM);
    expect(errorLines(stopped.stderr).first).toMatch(/^hgbr: WorkflowAbortedError: backup was stopped; (incomplete backup \S+ removed, lock released|nothing was left behind)$/);
    const listed = JSON.parse((await runHgbr(['list', '--from', root, '--json'])).stdout);
    expect(listed).toMatchObject({ backups: [], exitCode: EXIT_OK });
    expect(fs.existsSync(path.join(root, 'hugegraph', '.hgbr-backup.lock'))).toBe(false);
  });
});

describe('hgbr migrate checks the target before it backs anything up', () => {
  it('into a graph that is not empty: exit 5 at once, nothing backed up, and the hint names --mode merging and --restore-id', async () => {
    const via = path.join(folder, 'migrate-not-empty');
    // The target defaults to the source's graph name: here the very graph that holds the data.
    const result = await runHgbr(['migrate', '--server', hugegraph.url, '--graph', 'hugegraph', '--target-server', hugegraph.url, '--via', via, ...AUTH, '--json']);
    expect(result.code).toBe(EXIT_TARGET_CONFLICT);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('TargetNotEmptyError');
    expect(error.hint).toContain('--mode merging');
    expect(error.hint).toContain('--restore-id');
    expect(result.stderr).not.toContain('resume');
    expect(contents(via)).toEqual([]);
  });
});

describe('a restore that did not finish', () => {
  it('stopped by Ctrl-C: exit 130, its id and the exact resume command; list shows it apart from the backups; the command completes it', async () => {
    await client.clear();
    const root = path.join(folder, 'backups');
    const run = runHgbr(['restore', '--from', backup.location, '--server', hugegraph.url, '--graph', 'hugegraph', '--concurrency', '1', ...AUTH]);
    await waitFor(() => {
      const restores = path.join(root, '_restores');
      return contents(restores).some((entry) => String(entry).includes(`${path.sep}done${path.sep}`));
    }, 120_000);
    run.child.kill('SIGINT');
    const stopped = await run;
    expect(stopped.code).toBe(EXIT_SIGINT);
    const resume = /restore (\S+) did not finish; resume it with: (hgbr restore .*)$/m.exec(stopped.stderr);
    if (!resume) throw new Error(`no resume command in:\n${stopped.stderr}`);
    const [, restoreId, command] = resume as unknown as [string, string, string];
    expect(command).toContain(`--restore-id ${restoreId}`);

    const listed = await runHgbr(['list', '--from', root, '--json']);
    const { backups, restores } = JSON.parse(listed.stdout);
    expect(backups.map((b: { graph: string }) => b.graph)).toEqual(['hugegraph']);
    expect(restores).toEqual([expect.objectContaining({ restoreId, mode: 'RESTORING', filesDone: expect.any(Number) })]);
    const human = await runHgbr(['list', '--from', root]);
    // list knows where the records are, not the options of the run: its command names the state folder instead.
    expect(human.stdout).toContain(`resume: hgbr restore --from ${backup.location} --server ${hugegraph.url} --graph hugegraph --mode restoring --state ${root} --restore-id ${restoreId}`);

    const resumed = await runHgbr([...command.split(' ').slice(1), ...AUTH, '--verify-target']);
    expect(resumed.code).toBe(EXIT_OK);
    // The plan says what a resume skips; counting on the target logs a line per label (stderr is a pipe here).
    expect(resumed.stderr).toMatch(new RegExp(`^restore ${restoreId}: \\d+ files, [\\d,]+ elements$`, 'm'));
    expect(resumed.stderr).toMatch(new RegExp(`^hgbr: warning: [1-9]\\d* file\\(s\\) restored by an earlier attempt of ${restoreId} will be skipped$`, 'm'));
    expect(resumed.stderr).toMatch(/^\S+Z restoring: [\d,]+ of [\d,]+ elements \(\d+ %\).*; (\d+) of \1 files \(100 %\)$/m);
    expect(resumed.stderr).toMatch(/^\S+Z counting on the target: (\d+) of \1 labels \(100 %\)/m);
    expect(await client.count('vertex', 'v_auto')).toBe(expectedCounts({ extraVertices: EXTRA_VERTICES }).vertices.v_auto);
    expect(JSON.parse((await runHgbr(['list', '--from', root, '--json'])).stdout).restores).toEqual([]);
  });
});
