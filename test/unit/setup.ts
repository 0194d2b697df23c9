// Synthesizing a CDK app takes seconds on a busy 2-core machine.
jest.setTimeout(60_000);
