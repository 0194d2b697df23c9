import type { CfnTemplate } from '../../infra/workflows/synth';
import { definitionOf, synthesizeWorkflows, type SynthesizedWorkflows } from '../../infra/workflows/synth';
import type { HgbrRestoreStack } from '../../infra/stacks/hgbr-restore-stack';
import type { HgbrStack } from '../../infra/stacks/hgbr-stack';
import { fullApp, synthesizeApp } from './app-fixture';

/**
 * What is deployed is what is tested: the state machines of the app's stacks, however they are
 * configured, are exactly the definitions the local runner executes (infra/workflows/synth.ts).
 */
let local: SynthesizedWorkflows;

beforeAll(() => {
  local = synthesizeWorkflows();
});

it('the sample configuration deploys the state machines the local runner runs', () => {
  const app = synthesizeApp();
  const stack = app.stacks[0] as HgbrStack;
  const template = app.template(stack).toJSON() as CfnTemplate;
  expect(definitionOf(stack, template, stack.backup.stateMachine)).toEqual(local.backup);
  expect(definitionOf(stack, template, stack.restore.stateMachine)).toEqual(local.restore);
});

it('so does a fully configured source and a migration target', () => {
  const app = fullApp();
  for (const stack of app.stacks) {
    const template = app.template(stack).toJSON() as CfnTemplate;
    const system = (stack as HgbrStack | HgbrRestoreStack).system;
    expect(definitionOf(stack, template, system.restore.stateMachine)).toEqual(local.restore);
    if (system.backup) expect(definitionOf(stack, template, system.backup.stateMachine)).toEqual(local.backup);
  }
});

it('every definition the CLI runs is valid ASL (the local runner trusts them and does not validate at start)', () => {
  const validate = require('asl-validator') as (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string };
  const generated = require('../../cli/generated/state-machines.json') as Record<string, unknown>;
  const machines = Object.entries(generated).filter(([name]) => name !== '//');
  expect(machines.map(([name]) => name).sort()).toEqual(['backup', 'restore']);
  for (const [name, definition] of machines) {
    // A copy: the validator fills in defaults (QueryLanguage) in place.
    const result = validate(structuredClone(definition), { checkArn: false, checkPaths: true });
    expect({ name, errors: result.isValid ? '' : result.errorsText('\n') }).toEqual({ name, errors: '' });
  }
});
