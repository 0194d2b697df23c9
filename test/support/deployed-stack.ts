/**
 * What AWS would run, run here: a stack synthesized with its real Lambda bundles (the assets CDK
 * stages, built by infra/lambda/bundles.ts as `cdk synth` builds them), its state machines taken from
 * the template, each Task state answered by its function's bundle in a Node.js process of the
 * Lambda runtime's major (LambdaHost), and a Step Functions stand-in that runs executions this way.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { adaptDistributedMaps, itemReaderHandler } from '../../cli/distributed-map';
import { runLocally, type LocalRunEvent, type LocalRunOutcome, type TaskHandler } from '../../cli/local-runner';
import { readWorkList } from '../../cli/workflows';
import { HgbrStack, type HgbrStackProps } from '../../infra/stacks/hgbr-stack';
import { APP_CONTEXT, type AslDefinition, type CfnTemplate } from '../../infra/workflows/synth';
import { AwsFault, type AwsActions } from './aws-stand-in';
import { LambdaHost, type DeployedFunction } from './lambda-host';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const REPO = path.resolve(__dirname, '..', '..');

export type Machine = 'backup' | 'restore';

/** A Node.js binary of exactly this major (scripts/node.sh installs it from the npm registry once). */
export function nodeBinaryOfMajor(major: number): string {
  const bin = execFileSync('bash', [path.join(REPO, 'scripts', 'node.sh'), 'bin', String(major), '--exact'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return path.join(bin, 'node');
}

export interface SynthesizedStack {
  readonly outdir: string;
  readonly template: CfnTemplate;
  /** Lambda functions by logical id. */
  readonly functions: Map<string, DeployedFunction>;
  readonly definitions: Record<Machine, AslDefinition>;
  readonly stateMachineArns: Record<Machine, string>;
  /** The execution inputs of the backup schedules, as EventBridge Scheduler would send them. */
  readonly scheduleInputs: unknown[];
  dispose(): void;
}

/**
 * Synthesizes an HgbrStack into a temporary cloud assembly, bundling the Lambdas for real, and reads
 * back what CloudFormation would receive. `bucketName` stands for the backup bucket's name.
 */
export function synthesizeStack(props: HgbrStackProps, bucketName: string): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgbr-assembly-'));
  const app = new App({ outdir, context: { ...APP_CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new HgbrStack(app, 'HgbrBundled', props);
  const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  const resources = template.Resources as Record<string, { Type: string; Properties: any; Metadata?: Record<string, string> }>;
  const resolve = tokenResolver(resources, bucketName);

  const functions = new Map<string, DeployedFunction>();
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !r.Metadata?.['aws:asset:path']) continue;
    const environment = Object.fromEntries(Object.entries((r.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolve(v)]));
    functions.set(logicalId, {
      logicalId,
      codeDir: path.join(outdir, r.Metadata['aws:asset:path']),
      handler: r.Properties.Handler,
      runtime: r.Properties.Runtime,
      timeoutSeconds: r.Properties.Timeout ?? 3,
      environment,
    });
  }
  const machineId = (machine: Machine) => stack.getLogicalId((machine === 'backup' ? stack.backup : stack.restore).stateMachine.node.defaultChild as any);
  const definitionOf = (machine: Machine) => JSON.parse(resolve(resources[machineId(machine)]?.Properties.DefinitionString)) as AslDefinition;
  const scheduleInputs = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
    .map((r) => JSON.parse(resolve(r.Properties.Target.Input)));
  return {
    outdir,
    template,
    functions,
    definitions: { backup: definitionOf('backup'), restore: definitionOf('restore') },
    stateMachineArns: { backup: resolve({ Ref: machineId('backup') }), restore: resolve({ Ref: machineId('restore') }) },
    scheduleInputs,
    dispose: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

/** CloudFormation intrinsics → the values they would have once deployed here. */
function tokenResolver(resources: Record<string, { Type: string }>, bucketName: string): (value: unknown) => string {
  const refOf = (id: string): string => {
    const type = resources[id]?.Type;
    if (type === 'AWS::S3::Bucket') return bucketName;
    if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
    if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}`;
    if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    return `${id}-physical-id`;
  };
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const token = value as Record<string, any>;
    if (token['Fn::Join']) return (token['Fn::Join'][1] as unknown[]).map(resolve).join(token['Fn::Join'][0]);
    if (token.Ref === 'AWS::Partition') return 'aws';
    if (token.Ref === 'AWS::Region') return REGION;
    if (token.Ref === 'AWS::AccountId') return ACCOUNT;
    if (token.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (token.Ref) return refOf(token.Ref);
    if (token['Fn::GetAtt']) {
      const [id, attribute] = token['Fn::GetAtt'] as [string, string];
      if (resources[id]?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      if (resources[id]?.Type === 'AWS::S3::Bucket' && attribute === 'Arn') return `arn:aws:s3:::${bucketName}`;
      return `${id}.${attribute}`;
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

/** Task state name → the Lambda it invokes, nested states included. */
function taskFunctions(definition: { States: Record<string, any> }): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') {
      const match = /:function:([A-Za-z0-9]+)$/.exec(state.Resource ?? '');
      if (!match) throw new Error(`task ${name} does not invoke a Lambda directly: ${state.Resource}`);
      out.set(name, match[1] as string);
    }
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (inner) for (const [k, v] of taskFunctions(inner)) out.set(k, v);
  }
  return out;
}

interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  stopDate?: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: string;
  error?: string;
  cause?: string;
  readonly events: Record<string, unknown>[];
  readonly done: Promise<LocalRunOutcome>;
}

/**
 * Step Functions for the synthesized stack: executions of its state machines run with the local
 * runner over the template's definitions, every task answered by its function's bundle.
 */
export class DeployedStepFunctions {
  private readonly hosts = new Map<string, LambdaHost>();
  private readonly executions = new Map<string, Execution>();

  constructor(
    readonly stack: SynthesizedStack,
    private readonly nodeBinary: string,
    /** Added to every function's environment: endpoints and credentials of the stand-ins. */
    private readonly env: Record<string, string>,
  ) {}

  /** The function's process, started on first use. */
  host(logicalId: string): LambdaHost {
    let host = this.hosts.get(logicalId);
    if (!host) {
      const fn = this.stack.functions.get(logicalId);
      if (!fn) throw new Error(`no function ${logicalId} in the template`);
      host = new LambdaHost(fn, this.nodeBinary, this.env);
      this.hosts.set(logicalId, host);
    }
    return host;
  }

  /** The function whose logical id starts with `prefix` (e.g. 'HugeGraphBackupApiFunction'). */
  functionId(prefix: string): string {
    const ids = [...this.stack.functions.keys()].filter((id) => id.startsWith(prefix));
    if (ids.length !== 1) throw new Error(`${ids.length} functions start with ${prefix}`);
    return ids[0] as string;
  }

  /** Starts an execution (a new name, or `name`), as StartExecution does. */
  start(machine: Machine, input: unknown, name = randomUUID()): Execution {
    const stateMachineArn = this.stack.stateMachineArns[machine];
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const { definition, readerStates } = adaptDistributedMaps(this.stack.definitions[machine]);
    const handlers: Record<string, TaskHandler> = {};
    for (const [state, fn] of taskFunctions(this.stack.definitions[machine])) handlers[state] = (taskInput) => this.host(fn).invoke(taskInput);
    for (const state of readerStates) handlers[state] = itemReaderHandler(readWorkList);
    const events: Record<string, unknown>[] = [];
    const text = JSON.stringify(input);
    const done = runLocally(definition, input, { handlers, executionId: executionArn, onEvent: (event) => events.push(historyEvent(event, events.length + 1)) });
    const execution: Execution = { executionArn, stateMachineArn, name, input: text, startDate: Date.now() / 1000, status: 'RUNNING', events, done };
    this.executions.set(executionArn, execution);
    void done.then((outcome) => {
      execution.stopDate = Date.now() / 1000;
      execution.status = outcome.status;
      if (outcome.status === 'SUCCEEDED') execution.output = JSON.stringify(outcome.output);
      if (outcome.status === 'FAILED') Object.assign(execution, { error: outcome.error, cause: outcome.cause });
    });
    return execution;
  }

  async run(machine: Machine, input: unknown): Promise<LocalRunOutcome> {
    return this.start(machine, input).done;
  }

  /** The Step Functions actions the functions and the API call, for startAwsStandIn. */
  actions(): AwsActions {
    const find = (executionArn: string) => {
      const execution = this.executions.get(executionArn);
      if (!execution) throw new AwsFault('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      return execution;
    };
    return {
      'AWSStepFunctions.StartExecution': ({ stateMachineArn, name, input }) => {
        const machine = (Object.entries(this.stack.stateMachineArns).find(([, arn]) => arn === stateMachineArn)?.[0] ?? '') as Machine;
        if (!machine) throw new AwsFault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
        const existing = name && this.executions.get(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`);
        if (existing) {
          if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.executionArn, startDate: existing.startDate };
          throw new AwsFault('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
        }
        const started = this.start(machine, JSON.parse(input ?? '{}'), name);
        return { executionArn: started.executionArn, startDate: started.startDate };
      },
      'AWSStepFunctions.DescribeExecution': ({ executionArn }) => {
        const { events: _events, done: _done, ...described } = find(executionArn);
        return described;
      },
      'AWSStepFunctions.GetExecutionHistory': ({ executionArn }) => ({ events: find(executionArn).events }),
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
    await Promise.all([...this.hosts.values()].map((h) => h.stop()));
  }

  /** Every execution's input, output, error and events, as Step Functions would keep them. */
  history(): unknown[] {
    return [...this.executions.values()].map(({ done: _done, ...execution }) => execution);
  }

  /** Everything the functions logged, for assertions and for a failing test's report. */
  logs(): string {
    return [...this.hosts.values()].map((h) => `── ${h.fn.logicalId}\n${h.log.join('')}`).join('\n');
  }
}

/** A local runner event as the Step Functions history shows it (the parts the restore API reads). */
function historyEvent(event: LocalRunEvent, id: number): Record<string, unknown> {
  const base = { id, timestamp: (event.timestamp ?? Date.now()) / 1000 };
  if (event.type === 'StateEntered') return { ...base, type: `${event.stateType}StateEntered`, stateEnteredEventDetails: { name: event.state } };
  if (event.type === 'StateExited') return { ...base, type: `${event.stateType}StateExited`, stateExitedEventDetails: { name: event.state } };
  return { ...base, type: event.type };
}
