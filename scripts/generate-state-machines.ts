/**
 * Writes cli/generated/state-machines.json: the backup and restore state machines exactly as CDK
 * synthesizes them (infra/workflows/synth.ts). The CLI's local runner executes this file, so an
 * installed hgbr needs neither aws-cdk-lib nor a synthesis at run time.
 * test/infra/generated-definitions.test.ts fails when the file and CDK's output differ.
 *
 *   npm run generate
 */
import * as fs from 'node:fs';
import { generatedStateMachines, STATE_MACHINES_FILE } from '../infra/workflows/generated';

fs.writeFileSync(STATE_MACHINES_FILE, `${JSON.stringify(generatedStateMachines(), null, 2)}\n`);
console.log(`wrote ${STATE_MACHINES_FILE}`);
