import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLE_FILE, type LambdaEntry } from './bundles';

/** Where `npm run build` puts the bundles: dist/lambda-bundles/<entry>, beside dist/infra. */
export const PREBUILT_BUNDLES = path.join(__dirname, '..', '..', 'lambda-bundles');

/**
 * The code of a Lambda: the prebuilt bundle when this runs from the package (nothing of the
 * consumer's app, lock file or folder layout is read), else bundled from this checkout's sources
 * at synth time by the same build function, without Docker.
 */
export function lambdaCode(entry: LambdaEntry): lambda.Code {
  const prebuilt = path.join(PREBUILT_BUNDLES, entry);
  if (fs.existsSync(path.join(prebuilt, BUNDLE_FILE))) return lambda.Code.fromAsset(prebuilt);
  const sources = path.join(__dirname, '..', '..', 'functions');
  return lambda.Code.fromAsset(sources, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('hgbr-bundles-are-built-locally'),
      // CDK caches bundles by source folder and bundling options, not by the local bundler: without
      // the entry in the options every function would get the first entry's bundle.
      command: ['hgbr-lambda-bundle', entry],
      local: {
        tryBundle(outputDir: string): boolean {
          const { buildLambdaBundle } = require('./bundles') as typeof import('./bundles');
          buildLambdaBundle(entry, outputDir);
          return true;
        },
      },
    },
  });
}
