/**
 * The longest time between two runs of an EventBridge Scheduler expression: what a backup's
 * freshness alarm and the Object Lock window are measured in. `rate(…)` is read directly; `cron(…)`
 * (minutes hours day-of-month month day-of-week year, as EventBridge reads it, in UTC or the
 * schedule's time zone alike) is evaluated over a year of days; `at(…)` runs once and has none.
 */
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Milliseconds of the longest gap between runs, or undefined for a one-time `at(…)` or a cron that never runs. */
export function longestInterval(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  if (rate) return Number(rate[1]) * (UNIT_MINUTES[rate[2] as string] as number) * MINUTE;
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return undefined;
  return longestCronGap(cron[1] as string);
}

function longestCronGap(body: string): number | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`cron(${body}) needs 6 fields: minutes hours day-of-month month day-of-week year`);
  const [minutes, hours, dom, month, dow] = fields as [string, string, string, string, string];
  const minuteSet = values(minutes, 0, 59);
  const hourSet = values(hours, 0, 23);
  const monthSet = values(month, 1, 12, MONTHS);
  const domSet = dom === '?' ? undefined : dom === 'L' ? 'L' : values(dom, 1, 31);
  const dowSet = dow === '?' ? undefined : values(dow.replace(/#\d$/, '').replace(/L$/, ''), 1, 7, WEEKDAYS);
  const times: number[] = [];
  // Two years from a fixed start, so the gap across a year's end (and monthly or yearly crons) is seen.
  const start = Date.UTC(2030, 0, 1);
  for (let day = 0; day < 731; day++) {
    const date = new Date(start + day * DAY);
    if (!monthSet.has(date.getUTCMonth() + 1)) continue;
    const lastOfMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    const domOk = domSet === undefined || (domSet === 'L' ? date.getUTCDate() === lastOfMonth : domSet.has(date.getUTCDate()));
    const dowOk = dowSet === undefined || dowSet.has(date.getUTCDay() + 1);
    if (!domOk || !dowOk) continue;
    for (const h of hourSet) for (const m of minuteSet) times.push(start + day * DAY + h * 60 * MINUTE + m * MINUTE);
  }
  if (times.length < 2) return undefined;
  times.sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  return longest;
}

/** The values a cron field names: `*`, `5`, `1-5`, `0/15`, `MON-FRI`, lists of these. */
function values(field: string, min: number, max: number, names: readonly string[] = []): Set<number> {
  const out = new Set<number>();
  const value = (text: string) => {
    const index = names.indexOf(text.toUpperCase());
    const n = index >= 0 ? index + 1 : Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron field ${field}: ${text} is not from ${min} to ${max}`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === '*' ? [min, max] : range.includes('-') ? (range.split('-').map(value) as [number, number]) : [value(range), stepText === undefined ? value(range) : max];
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}
