import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { CONTEXT, type SystemConfig } from '../../infra/config';

/** The context of cdk.json: feature flags and the sample configuration. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<string, unknown>;
}

export const TARGET_ACCOUNT = '222222222222';
export const READERS = [`arn:aws:iam::${TARGET_ACCOUNT}:role/hgbr-migration-restore`, `arn:aws:iam::${TARGET_ACCOUNT}:role/hgbr-migration-api`];
export const SOURCE_KEY_ARN = 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Everything switched on: two scheduled graphs, a VPC, Object Lock, a migration target. */
export const FULL_SYSTEM: SystemConfig = {
  stackName: 'HgbrFull',
  graphs: [
    { url: 'http://hugegraph-a.internal:8080', graph: 'hugegraph', schedule: 'cron(0 2 * * ? *)', timeZone: 'Europe/Berlin', keep: 14 },
    { url: 'https://hugegraph-b.internal', graph: 'social', graphspace: 'DEFAULT', schedule: 'rate(12 hours)', labels: ['person'], pageSize: 1000 },
  ],
  restoreTargets: [
    { url: 'http://hugegraph-a.internal:8080', graph: 'hugegraph' },
    { url: 'http://hugegraph-staging.internal:8080', graph: 'hugegraph_copy' },
  ],
  bucket: {
    transitionAfterDays: 30,
    expireAfterDays: 365,
    noncurrentVersionExpireAfterDays: 30,
    abortIncompleteUploadsAfterDays: 2,
    objectLock: { mode: 'GOVERNANCE', days: 30 },
    replication: { bucketName: 'hgbr-dr-backups', account: '333333333333', region: 'eu-west-1', keyArn: 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  },
  vpc: { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-central-1a', 'eu-central-1b'], subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] },
  alarmEmail: 'oncall@example.com',
  logRetentionDays: 90,
  crossAccountReaders: READERS,
};

export const MIGRATION_TARGET: SystemConfig = {
  stackName: 'HgbrTarget',
  env: { account: TARGET_ACCOUNT, region: 'eu-central-1' },
  restoreTargets: [{ url: 'http://hugegraph.target.internal:8080', graph: 'hugegraph' }],
  source: { bucketName: 'hgbr-source-backups', keyArn: SOURCE_KEY_ARN, prefix: 'backups' },
  roleNames: { restore: 'hgbr-migration-restore', api: 'hgbr-migration-api' },
  vpc: { vpcId: 'vpc-0fedcba9876543210', availabilityZones: ['eu-central-1a'], subnetIds: ['subnet-0cccccccccccccccc'] },
};

export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: Stack[];
  template(stack: Stack): Template;
}

/**
 * The app as `cdk synth` builds it (infra/app.ts), from cdk.json's context plus `context`,
 * without bundling the Lambdas (fast) and without the cdk-nag plugin (tests run it themselves).
 */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const app = new App({ context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [] } });
  buildApp(app, { nag: false });
  app.synth();
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const templates = new Map<Stack, Template>();
  return {
    app,
    stacks,
    template: (stack) => {
      if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack));
      return templates.get(stack) as Template;
    },
  };
}

export function fullApp(): SynthesizedApp {
  return synthesizeApp({ [CONTEXT.system]: FULL_SYSTEM, [CONTEXT.migrationTarget]: MIGRATION_TARGET });
}

/** cdk-nag findings (errors and warnings) of the AwsSolutions and Serverless packs that no acknowledgement covers. */
export function nagFindings(app: App): { rule: string; severity: string; paths: string[] }[] {
  const reports = [new AwsSolutionsChecks(app).validateScope(app), new ServerlessChecks(app).validateScope(app)];
  return reports.flatMap((report) => report.violations.map((v) => ({ rule: v.ruleName, severity: v.severity ?? '', paths: v.violatingResources.map((r) => r.constructPath ?? '') })));
}

export type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; NotResource?: unknown; Condition?: Record<string, any>; Principal?: unknown };

/** Every statement of the IAM policies attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p: any) => (p.Properties.Roles as unknown[]).some((r: any) => r.Ref === roleLogicalId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Logical id of a construct's CloudFormation resource (an L2's default child). */
export function idOf(construct: IConstruct): string {
  const element = (CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  const r = statement.Resource;
  return Array.isArray(r) ? r : r === undefined ? [] : [r];
}

/** `{"Fn::Join": ["", [{"Fn::GetAtt": ["X","Arn"]}, "/backups/*"]]}` → `<X.Arn>/backups/*`. */
export { flatten } from '../../infra/constructs/nag';

/** A Fn::Join of text and Refs as text, each Ref as <LogicalId>. */
export const joined = (v: any): string => (typeof v === 'string' ? v : v['Fn::Join'] ? v['Fn::Join'][1].map(joined).join(v['Fn::Join'][0]) : `<${v.Ref}>`);
