import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { BUNDLE_FILE, type LambdaEntry } from '../lambda/bundles';
import { lambdaCode } from '../lambda/code';

export interface HandlerFunctionProps {
  /** File under functions/handlers, without extension: one bundle per file. */
  readonly entry: LambdaEntry;
  /** Exported handler name in that file. */
  readonly handler: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  readonly extra?: Partial<lambda.FunctionProps>;
}

/** The runtime of every hgbr Lambda: the latest Node.js aws-cdk-lib offers, which the bundles target. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * A workflow Lambda: the entry's bundle (infra/lambda/bundles.ts) on arm64, structured JSON logs,
 * X-Ray tracing, source-mapped stack traces.
 */
export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): lambda.Function {
  return new lambda.Function(scope, id, {
    code: lambdaCode(props.entry),
    handler: `${BUNDLE_FILE.replace(/\.js$/, '')}.${props.handler}`,
    runtime: LAMBDA_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout ?? Duration.minutes(15),
    memorySize: props.memorySize ?? 512,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: lambda.Tracing.ACTIVE,
    ...props.extra,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment, ...props.extra?.environment },
  });
}
