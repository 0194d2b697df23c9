/**
 * A fresh CDK app outside the repository that installs hgbr the way a platform team would: from
 * the packed tarball, with aws-cdk-lib and constructs, offline. The app gets a package-lock.json
 * cut from this repository's lock (the same versions the tests ran, resolved from the npm cache by
 * their integrity), so `npm ci --offline` needs no registry.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

type LockEntry = {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
};
export type Lockfile = { name?: string; lockfileVersion: number; requires?: boolean; packages: Record<string, LockEntry> };

/** Where Node would find `name` from the package installed at `from` ('' for the app itself). */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** The entries of `lock` that installing `names` from the root pulls in, at the paths they have there. */
export function lockClosure(lock: Lockfile, names: readonly string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    const at = resolveIn(lock, from, name);
    if (!at) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in the lock file`);
    }
    if (out[at]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[at] as LockEntry;
    out[at] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(at, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(at, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) visit(at, dep, entry.peerDependenciesMeta?.[dep]?.optional === true);
  };
  for (const name of names) visit('', name, false);
  return out;
}

export interface ConsumerApp {
  readonly dir: string;
  /** The dependencies of the app's package.json, hgbr included. */
  readonly dependencies: Record<string, string>;
}

/**
 * Writes package.json and package-lock.json of an app in `dir` that depends on the tarball (copied
 * into `dir`) and on `extra` packages at the versions this repository's lock holds.
 */
export function writeConsumerApp(dir: string, repoRoot: string, tarball: string, extra: readonly string[]): ConsumerApp {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as LockEntry & { name: string; bin?: unknown; engines?: unknown; license?: string };
  const tarballName = path.basename(tarball);
  fs.copyFileSync(tarball, path.join(dir, tarballName));
  const spec = `file:${tarballName}`;
  const versions = Object.fromEntries(extra.map((name) => [name, lock.packages[`node_modules/${name}`]?.version as string]));
  const dependencies = { [manifest.name]: spec, ...versions };
  const production = Object.keys(manifest.dependencies ?? {});
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer-app', dependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
      engines: manifest.engines,
    },
    ...lockClosure(lock, [...production, ...extra]),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer-app', private: true, dependencies }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer-app', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  return { dir, dependencies };
}
