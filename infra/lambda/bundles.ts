/**
 * The Lambda bundles: one esbuild bundle per file of functions/handlers, built by this one function
 * for every use, so what AWS runs is what the tests run:
 * - `npm run build` (scripts/build.ts) prebuilds them into dist/lambda-bundles/ for the package;
 * - a synthesis from the sources (this checkout) bundles them the same way (infra/lambda/code.ts);
 * - test/integration/lambda-bundles.test.ts runs the bundles of a synthesized stack.
 *
 * The AWS SDK is bundled, not taken from the Lambda runtime: the bundle then runs the SDK version
 * the tests ran, and runs anywhere (the tests load it from an empty folder, where a module missing
 * from the bundle fails).
 *
 * Build-time only: esbuild is a devDependency, loaded here and nowhere at run time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

/** The handler files (functions/handlers/<entry>.ts), one bundle each. */
export const LAMBDA_ENTRIES = ['api', 'backup', 'restore', 'ops'] as const;
export type LambdaEntry = (typeof LAMBDA_ENTRIES)[number];

/** Node major of the Lambda runtime (nodejs24.x, the latest aws-cdk-lib offers); the bundles target it. */
export const LAMBDA_NODE_MAJOR = 24;

/** The file of a bundle; a function's handler is `index.<export>`. */
export const BUNDLE_FILE = 'index.js';

const SOURCE_ROOT = path.join(__dirname, '..', '..');

export function bundleOptions(entry: LambdaEntry, outDir: string): BuildOptions {
  return {
    absWorkingDir: SOURCE_ROOT,
    entryPoints: [path.join(SOURCE_ROOT, 'functions', 'handlers', `${entry}.ts`)],
    outfile: path.join(outDir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${LAMBDA_NODE_MAJOR}`,
    // The SDK's ES module builds tree-shake far better than its CommonJS ones.
    mainFields: ['module', 'main'],
    minify: true,
    // Stack traces name our source files and lines (NODE_OPTIONS=--enable-source-maps on the function).
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}

export interface BundleReport {
  readonly entry: LambdaEntry;
  readonly bytes: number;
  /** Input bytes per package (`(ours)` for this project's files), largest first. */
  readonly packages: [string, number][];
}

/** Bundles one handler file into `outDir` (created); synchronous, as CDK's local bundling needs. */
export function buildLambdaBundle(entry: LambdaEntry, outDir: string): BundleReport {
  if (!fs.existsSync(path.join(SOURCE_ROOT, 'functions', 'handlers'))) {
    throw new Error(`hgbr: no Lambda sources below ${SOURCE_ROOT} and no prebuilt bundle for '${entry}'; build the package with \`npm run build\``);
  }
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const result = esbuild.buildSync(bundleOptions(entry, outDir));
  return { entry, bytes: fs.statSync(path.join(outDir, BUNDLE_FILE)).size, packages: packagesOf(result.metafile as Metafile) };
}

function packagesOf(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const name = match?.[1] ?? '(ours)';
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes.entries()].sort((a, b) => b[1] - a[1]);
}
