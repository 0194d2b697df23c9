import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

describe('bin/hgbr.js', () => {
  it('refuses the Node.js majors that package.json "engines" refuses', () => {
    const bin = fs.readFileSync(path.join(REPO, 'bin', 'hgbr.js'), 'utf8');
    const required = /var REQUIRED_NODE_MAJOR = (\d+);/.exec(bin)?.[1];
    const engines = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toBe(`>=${required}`);
  });

  it('is plain JavaScript an old Node parses: no optional chaining, no ??, no const/let before the version check', () => {
    const bin = fs.readFileSync(path.join(REPO, 'bin', 'hgbr.js'), 'utf8');
    const check = bin.slice(0, bin.indexOf('process.exit(EXIT_USAGE);'));
    expect(check).not.toMatch(/\?\.|\?\?|\bconst\b|\blet\b|=>/);
  });
});
