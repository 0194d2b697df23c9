import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { repoRoot } from '../paths';

export interface HandlerFunctionProps {
  /** File under functions/handlers, without extension. */
  readonly entry: string;
  /** Exported handler name in that file. */
  readonly handler: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  readonly extra?: Partial<nodejs.NodejsFunctionProps>;
}

/**
 * A workflow Lambda: nodejs22.x on arm64, bundled by the locally installed esbuild (no Docker),
 * structured JSON logs. The SDK v3 is provided by the runtime, so it stays out of the bundle.
 */
export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): nodejs.NodejsFunction {
  const root = repoRoot();
  return new nodejs.NodejsFunction(scope, id, {
    entry: path.join(root, 'functions', 'handlers', `${props.entry}.ts`),
    handler: props.handler,
    projectRoot: root,
    depsLockFilePath: path.join(root, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout ?? Duration.minutes(15),
    memorySize: props.memorySize ?? 512,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: { externalModules: ['@aws-sdk/*'], minify: true, sourceMap: true, target: 'node22' },
    ...props.extra,
  });
}
