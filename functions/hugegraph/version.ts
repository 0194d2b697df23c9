/** Server version handling (docs/hugegraph-api.md §1: detect by `core`, not by `api`). */

/** Numeric parts of a version such as `1.5.0` or `1.7.0-SNAPSHOT` (missing parts are 0). */
export function parseVersion(version: string): [number, number, number] {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!m) throw new RangeError(`Not a version: '${version}'`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** Negative, zero or positive as a is older than, equal to or newer than b. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let k = 0; k < 3; k++) {
    const d = (x[k] ?? 0) - (y[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

/** From 1.7.0 every graph resource lives under `/graphspaces/{gs}/graphs/{g}`. */
export function usesGraphspaces(version: string): boolean {
  return versionAtLeast(version, '1.7.0');
}
