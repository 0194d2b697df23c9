import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Servers start and whole workflows run in these tests: minutes, not seconds.
jest.setTimeout(300_000);

// Restore locks of this test file (and the hgbr processes it starts) in a folder of its own, not
// in the user's ~/.local/state/hgbr; the servers' ports keep the files' locks apart anyway.
process.env.HGBR_LOCKS = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-locks-'));
afterAll(() => fs.rmSync(process.env.HGBR_LOCKS as string, { recursive: true, force: true }));
