import { parseCommandArgs, serverUrl } from '../../../cli/args';
import { backupCommand } from '../../../cli/commands/backup';
import { resumeCommand } from '../../../cli/commands/restore';
import type { Output } from '../../../cli/output';

const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { message: (error as Error).message, hint: (error as { hint?: string }).hint };
  }
  throw new Error('no error');
};

describe('the CLI arguments', () => {
  it("names an unknown option, a missing value and a stray argument, and points at the command's --help", () => {
    expect(problem(() => parseCommandArgs('backup', ['--bogus'], {}))).toEqual({ message: "hgbr backup: unknown option '--bogus'", hint: 'run `hgbr backup --help` for its options' });
    expect(problem(() => parseCommandArgs('backup', ['--server'], { server: { type: 'string' } })).message).toBe("hgbr backup: option '--server' needs a value");
    expect(problem(() => parseCommandArgs('verify', ['x/y'], {})).message).toBe("hgbr verify: unexpected argument 'x/y' (options start with --)");
    expect(parseCommandArgs('mode', ['get'], {}, true).positionals).toEqual(['get']);
  });

  it('takes --wait-for-server as ATTEMPTSxSECONDS, bounded, and not with --all-graphs (whose listing comes first)', async () => {
    const refusal = (args: string[]) =>
      backupCommand(['--server', 'http://127.0.0.1:9', '--to', '/tmp/hgbr-never-written', ...args], {} as Output).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    const withWait = (wait: string) => refusal(['--graph', 'g', '--wait-for-server', wait]);
    expect(await withWait('3m')).toBe("hgbr backup: --wait-for-server takes ATTEMPTSxSECONDS, e.g. 3x600, got '3m'");
    expect(await withWait('3x0')).toBe('hgbr backup: --wait-for-server: its seconds (S) must be a whole number from 1 to 3600');
    expect(await withWait('101x1')).toBe('hgbr backup: --wait-for-server: its attempts (N) must be a whole number from 0 to 100');
    expect(await withWait('10x3600')).toBe('hgbr backup: --wait-for-server: its attempts (N) × its seconds (S) must be at most 21600 s (6 hours) in all, got 36000 s');
    expect(await refusal(['--all-graphs', '--wait-for-server', '3x300'])).toContain('with --all-graphs the graphs are listed first: give --graph per backup');
  });

  it('takes a server URL only with http:// or https://, and says which', () => {
    expect(serverUrl('backup', { server: 'https://hg:8080' }, 'server')).toBe('https://hg:8080');
    expect(problem(() => serverUrl('backup', { server: 'hg:8080' }, 'server')).message).toContain('e.g. http://hg:8080');
    expect(problem(() => serverUrl('migrate', { 'target-server': 'ftp://hg' }, 'target-server')).message).toBe(
      "hgbr migrate: --target-server must be an http:// or https:// URL, e.g. http://127.0.0.1:8080 (got 'ftp://hg')",
    );
  });

  it('writes a resume command a shell reads back as it was meant, quoting only what needs it', () => {
    const command = resumeCommand({
      source: "/backups/it's here/hugegraph/20261124T215600Z-3f9a",
      target: { url: 'http://hg:8080', graph: 'g' },
      mode: 'MERGING',
      stateLocation: 's3://b/state',
      restoreId: 'r-1',
      verifyTarget: true,
    });
    expect(command).toBe(
      "hgbr restore --from '/backups/it'\\''s here/hugegraph/20261124T215600Z-3f9a' --server http://hg:8080 --graph g --mode merging --state s3://b/state --restore-id r-1 --verify-target",
    );
  });
});
