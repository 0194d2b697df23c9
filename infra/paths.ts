import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root (the folder holding cdk.json), found from this file in src or dist. Not
 * package.json: tsc copies that into dist, where the handlers' sources are not.
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'cdk.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdk.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
