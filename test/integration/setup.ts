// Servers start and whole workflows run in these tests: minutes, not seconds.
jest.setTimeout(300_000);
