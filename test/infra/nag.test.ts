import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { acknowledgeWildcards } from '../../infra/constructs/nag';
import { Validations } from 'aws-cdk-lib';
import { fullApp, nagFindings, synthesizeApp, type SynthesizedApp } from './app-fixture';

/** Every acknowledgement in the tree: rule id and reason. */
function acknowledgements(app: App): { id: string; reason: string; path: string }[] {
  const out: { id: string; reason: string; path: string }[] = [];
  for (const node of app.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) out.push({ id, reason, path: node.node.path });
    }
  }
  return out;
}

describe.each([
  ['the sample configuration of cdk.json', () => synthesizeApp()],
  ['everything switched on (VPC, Object Lock, migration source and target)', fullApp],
])('cdk-nag AwsSolutions and Serverless on %s', (_name, build) => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = build();
  });

  it('finds no unacknowledged error or warning in any stack', () => {
    expect(synthesized.stacks.length).toBeGreaterThan(0);
    expect(nagFindings(synthesized.app)).toEqual([]);
  });

  it('has a written reason on every acknowledgement', () => {
    const acks = acknowledgements(synthesized.app).filter((a) => /(AwsSolutions|Serverless)-/.test(a.id));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect({ id: ack.id, reason: ack.reason.length >= 40 }).toEqual({ id: ack.id, reason: true });
  });
});

describe('the cdk-nag check itself', () => {
  it('does report a wildcard that nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Careless');
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    app.synth();
    expect(nagFindings(app).map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']));
  });

  it('does report a Lambda without X-Ray tracing or dead letters (the Serverless pack)', () => {
    const app = new App();
    const stack = new Stack(app, 'Untraced');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
    app.synth();
    expect(nagFindings(app).map((f) => f.rule)).toEqual(expect.arrayContaining(['Serverless-LambdaTracing', 'Serverless-LambdaDLQ']));
  });

  it('does not let an allowance for some actions on "*" cover other actions on "*"', () => {
    const app = new App();
    const stack = new Stack(app, 'Sneaky');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 's3:DeleteObject'], resources: ['*'] }));
    acknowledgeWildcards(role, [{ resource: '*', onlyActions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], reason: 'X-Ray actions have no resource-level permissions.' }]);
    app.synth();
    expect(nagFindings(app).map((f) => f.rule)).toContain('AwsSolutions-IAM5[Resource::*]');
  });
});
