import { longestInterval } from '../../infra/constructs/schedule-interval';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the longest time between two runs of a schedule', () => {
  it.each([
    ['rate(15 minutes)', 15 * 60_000],
    ['rate(12 hours)', 12 * HOUR],
    ['rate(1 day)', DAY],
    ['cron(0 2 * * ? *)', DAY],
    ['cron(30 1,13 * * ? *)', 12 * HOUR],
    ['cron(0 2 ? * MON-FRI *)', 3 * DAY],
    ['cron(0 3 ? * SUN *)', 7 * DAY],
    ['cron(0/15 * * * ? *)', 15 * 60_000],
    ['cron(0 4 1 * ? *)', 31 * DAY],
    ['cron(0 4 L * ? *)', 31 * DAY],
  ])('%s: %d ms', (expression, expected) => {
    expect(longestInterval(expression)).toBe(expected);
  });

  it('has none for a one-time at(…)', () => {
    expect(longestInterval('at(2027-01-01T02:00:00)')).toBeUndefined();
  });

  it('refuses a cron that is not six fields or names an impossible value', () => {
    expect(() => longestInterval('cron(0 2 * * *)')).toThrow('needs 6 fields');
    expect(() => longestInterval('cron(0 25 * * ? *)')).toThrow('25 is not from 0 to 23');
  });
});
