import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeExitCodes, EXIT_BACKUP_DAMAGED, EXIT_CODES, EXIT_FAILED, EXIT_LOCKED, EXIT_TARGET_CONFLICT, EXIT_UNREACHABLE, EXIT_USAGE, exitCodeOf } from '../../cli/command';
import { RemoteExecutionFailedError, UsageError, WorkflowFailedError } from '../../cli/errors';
import { HgbrError, type HgbrErrorClass } from '../../functions/errors';
import { HugeGraphError, isRetryable } from '../../functions/hugegraph';
import { RestoreModeLostError, TargetNotEmptyError } from '../../functions/restore/errors';
import { TASK_ERRORS, TRANSIENT_TASK_ERRORS } from '../../functions/workflow/errors';

type ErrorClass = HgbrErrorClass;

const ROOT = path.resolve(__dirname, '../..');
/** Bases that are never thrown themselves. */
const ABSTRACT: readonly unknown[] = [HgbrError, HugeGraphError];
/** Errors of the API, the operations functions and the CLI: never thrown by a workflow task. */
const OUTSIDE_TASKS = /^(functions\/(api|ops)|cli)\//;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof HgbrError;
}

/** Every HgbrError class exported by a module of functions/ or cli/, with the file it is in. */
function exportedErrorClasses(): { type: ErrorClass; file: string }[] {
  const found = new Map<ErrorClass, string>();
  for (const dir of ['functions', 'cli']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      // Handler entry points build their AWS clients on import; their errors live in the modules they import.
      if (!file.endsWith('.ts') || file.startsWith('handlers/')) continue;
      const exports = require(path.join(ROOT, dir, file)) as Record<string, unknown>;
      for (const value of Object.values(exports)) {
        if (isErrorClass(value) && !ABSTRACT.includes(value)) found.set(value, `${dir}/${file}`);
      }
    }
  }
  return [...found].map(([type, file]) => ({ type, file }));
}

describe('the error taxonomy', () => {
  const classes = exportedErrorClasses();

  it('finds the error classes it checks', () => {
    expect(classes.length).toBeGreaterThan(50);
  });

  it('gives every class a code that is its own name, ends in Error and no other class uses', () => {
    for (const { type } of classes) expect({ class: type.name, code: type.code }).toEqual({ class: type.name, code: expect.stringMatching(/^[A-Z][A-Za-z]+Error$/) });
    for (const { type } of classes) expect(type.code).toBe(type.name);
    expect(new Set(classes.map(({ type }) => type.code)).size).toBe(classes.length);
  });

  it('lists every error a workflow task may throw in TASK_ERRORS, so no transient one escapes the retry policies', () => {
    const taskErrors = classes
      .filter(({ file }) => !OUTSIDE_TASKS.test(file))
      .map(({ type }) => type.code)
      .sort();
    expect([...TASK_ERRORS].map((type) => type.code).sort()).toEqual(taskErrors);
    const transientOutside = classes.filter(({ type, file }) => OUTSIDE_TASKS.test(file) && type.transient).map(({ type }) => type.code);
    expect(transientOutside).toEqual([]);
  });

  it('derives the transient set from the classes: what a retry may cure', () => {
    expect([...TRANSIENT_TASK_ERRORS].sort()).toEqual(['HugeGraphBusyError', 'HugeGraphConnectionError', 'HugeGraphServerError', 'HugeGraphTimeoutError', 'StorageUnavailableError']);
  });

  it('has the HugeGraph client retry, for an idempotent call, exactly the transient HugeGraph errors', () => {
    const hugeGraphErrors = TASK_ERRORS.filter((type) => type.prototype instanceof HugeGraphError);
    expect(hugeGraphErrors.length).toBeGreaterThan(10);
    for (const type of hugeGraphErrors) {
      const error = Object.create(type.prototype) as HgbrError;
      expect({ code: type.code, retried: isRetryable(error, { idempotent: true }) }).toEqual({ code: type.code, retried: type.transient });
    }
  });

  it('sets name, code, hint and cause', () => {
    const cause = new Error('socket hang up');
    const error = new UsageError('bad flag', { cause });
    expect(error).toMatchObject({ name: 'UsageError', code: 'UsageError', hint: UsageError.hint, cause, message: 'bad flag' });
    expect(new UsageError('bad flag', { hint: 'try --help' }).hint).toBe('try --help');
  });

  it('recognises an HgbrError from another copy of the module, where instanceof cannot', () => {
    let Other: typeof UsageError | undefined;
    jest.isolateModules(() => {
      Other = (require('../../cli/errors') as typeof import('../../cli/errors')).UsageError;
    });
    const foreign = new (Other as typeof UsageError)('from another bundle');
    expect(foreign).not.toBeInstanceOf(HgbrError);
    expect(HgbrError.isHgbrError(foreign)).toBe(true);
    expect(HgbrError.isHgbrError(Object.assign(new Error('x'), { name: 'UsageError', code: 'UsageError' }))).toBe(false);
  });
});

describe('the CLI exit status table', () => {
  it('maps errors by the code they report, a task error run here or in AWS alike; anything else exits 1', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT_USAGE);
    expect(exitCodeOf(new WorkflowFailedError('restore', 'TargetNotEmptyError', 'graph g is not empty'))).toBe(EXIT_TARGET_CONFLICT);
    expect(exitCodeOf(new TargetNotEmptyError('g', '1 vertex label'))).toBe(EXIT_TARGET_CONFLICT);
    expect(exitCodeOf(new RemoteExecutionFailedError('arn:x', 'FAILED', 'LockHeldError', 'another backup holds it'))).toBe(EXIT_LOCKED);
    expect(exitCodeOf(new WorkflowFailedError('backup', 'ServerUnreachableError', 'cannot reach'))).toBe(EXIT_UNREACHABLE);
    expect(exitCodeOf(new WorkflowFailedError('restore', 'ChecksumMismatchError', 'x: SHA-256 mismatch'))).toBe(EXIT_BACKUP_DAMAGED);
    expect(exitCodeOf(new Error('anything'))).toBe(EXIT_FAILED);
  });

  it('names only error codes that exist, each under one status', () => {
    const codes = new Set(exportedErrorClasses().map(({ type }) => type.code));
    const listed = EXIT_CODES.flatMap(({ errors }) => errors);
    expect(listed.filter((code) => !codes.has(code))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(EXIT_CODES.map(({ status }) => status)).size).toBe(EXIT_CODES.length);
  });

  it('is documented in the README as --help prints it', () => {
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(describeExitCodes());
  });

  it("gives a failed workflow its task error's hint, the thrown error's own when this process threw it", () => {
    expect(new WorkflowFailedError('restore', 'TargetNotEmptyError', 'graph g is not empty').hint).toBe(TargetNotEmptyError.hint);
    const thrown = new RestoreModeLostError('g', 'RESTORING', 'NONE', 'r-1');
    expect(new WorkflowFailedError('restore', 'RestoreModeLostError', thrown.message, thrown)).toMatchObject({ hint: thrown.hint, message: `restore failed: ${thrown.message}` });
  });

  it('shows a failed workflow with the error of the task that failed', () => {
    expect(new WorkflowFailedError('restore', 'TargetNotEmptyError', 'graph g is not empty').reportedCode).toBe('TargetNotEmptyError');
  });
});
