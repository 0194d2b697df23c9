/**
 * `npm run build` (and `npm pack`, through prepack): the package's dist/.
 *   dist/{functions,infra,cli}   the compiled sources with type declarations (tsc)
 *   dist/lambda-bundles/<entry>  the Lambda bundles the construct deploys (infra/lambda/bundles.ts)
 * It refuses to build when cli/generated/state-machines.json differs from what CDK synthesizes,
 * so a package never runs other state machines than its construct deploys.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildLambdaBundle, LAMBDA_ENTRIES } from '../infra/lambda/bundles';
import { generatedStateMachines, STATE_MACHINES_FILE } from '../infra/workflows/generated';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

function checkGeneratedDefinitions(): void {
  const expected = `${JSON.stringify(generatedStateMachines(), null, 2)}\n`;
  if (fs.readFileSync(STATE_MACHINES_FILE, 'utf8') !== expected) {
    throw new Error(`${path.relative(ROOT, STATE_MACHINES_FILE)} is not what CDK synthesizes from infra/: run \`npm run generate\` and commit the result`);
  }
}

function main(): void {
  const started = Date.now();
  checkGeneratedDefinitions();
  fs.rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  for (const entry of LAMBDA_ENTRIES) {
    const report = buildLambdaBundle(entry, path.join(DIST, 'lambda-bundles', entry));
    const top = report.packages
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`)
      .join(', ');
    console.error(`lambda bundle ${entry.padEnd(8)} ${(report.bytes / 1024).toFixed(0).padStart(5)} KiB  (${top})`);
  }
  console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
