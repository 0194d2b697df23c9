import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_NODE_MAJOR } from '../../infra/lambda/bundles';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { HgbrStack } from '../../infra/stacks/hgbr-stack';
import { actionsOf, flatten, fullApp, idOf, joined, resourcesOf, statementsOfRole, type Statement, type SynthesizedApp } from './app-fixture';

let synthesized: SynthesizedApp;
let stack: HgbrStack;
let template: Template;

beforeAll(() => {
  synthesized = fullApp();
  stack = synthesized.stacks.find((s) => s.stackName === 'HgbrFull') as HgbrStack;
  template = synthesized.template(stack);
});

const bucketId = () => idOf(stack.system.bucket);
const dataKeyId = () => idOf(stack.system.dataKey);
const flat = (statement: Statement) => resourcesOf(statement).map(flatten);

describe('the backup bucket', () => {
  it('is versioned, SSE-KMS with the customer-managed key and a bucket key, closed to the public, and logs accesses', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [dataKeyId(), 'Arn'] } }, BucketKeyEnabled: true }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: idOf(stack.system.backupBucket!.accessLogsBucket) }, LogFilePrefix: 'backup-bucket/' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
  });

  it('archives and expires backups, expires old versions, and aborts unfinished uploads', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId()] as any;
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'backups', Prefix: 'backups/', Status: 'Enabled', ExpirationInDays: 365, Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] },
      {
        Id: 'old-versions-and-uploads',
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
        ExpiredObjectDeleteMarker: true,
      },
    ]);
  });

  it('denies every request that does not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('is encrypted by keys that rotate', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });
});

describe('least privilege', () => {
  it('lets the restore role read only below the backup prefix and write only the restore-state folder', () => {
    const statements = statementsOfRole(template, idOf(stack.system.restoreRole));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const reads = s3.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(flat);
    const writes = s3.filter((s) => actionsOf(s).some((a) => ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'].includes(a))).flatMap(flat);
    const bucket = `<${bucketId()}.Arn>`;
    expect(new Set(reads)).toEqual(new Set([`${bucket}/backups/*`, `${bucket}/backups/_restores/*`]));
    expect(writes).toEqual([`${bucket}/backups/_restores/*`]);
    for (const list of s3.filter((s) => actionsOf(s).includes('s3:ListBucket'))) {
      expect(list.Condition).toEqual({ StringLike: { 's3:prefix': [expect.stringMatching(/^backups\/(_restores\/)?\*$/)] } });
    }
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:GetObject', 's3:ListBucket', 's3:ListBucket', 's3:PutObject'].sort());
  });

  it('lets the backup role read and write only below the folders of the configured graphs', () => {
    const statements = statementsOfRole(template, idOf(stack.system.backupRole as any));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const folders = [`<${bucketId()}.Arn>/backups/hugegraph/*`, `<${bucketId()}.Arn>/backups/social/*`];
    expect(
      s3
        .filter((s) => !actionsOf(s).includes('s3:ListBucket'))
        .flatMap(flat)
        .sort(),
    ).toEqual([...folders, ...folders].sort());
  });

  it('runs retention, the step that deletes old backups, under a role of its own that cannot read the HugeGraph secret', () => {
    const fns = template.findResources('AWS::Lambda::Function') as Record<string, any>;
    const retention = Object.values(fns).find((f) => f.Properties.Handler === 'index.retention');
    const roleId = retention.Properties.Role['Fn::GetAtt'][0];
    expect(roleId).not.toBe(idOf(stack.system.backupRole as any));
    const statements = statementsOfRole(template, roleId);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(statements.some((s) => actionsOf(s).includes('s3:DeleteObject') && flat(s).includes(`<${bucketId()}.Arn>/backups/hugegraph/*`))).toBe(true);
    expect(retention.Properties.VpcConfig).toBeUndefined();
  });

  it('uses the data key only through S3 and with the exact actions', () => {
    for (const role of [stack.system.restoreRole, stack.system.backupRole, stack.system.apiRole]) {
      const kms = statementsOfRole(template, idOf(role as any)).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
      expect(kms.length).toBeGreaterThan(0);
      for (const s of kms) {
        expect(actionsOf(s).every((a) => ['kms:Decrypt', 'kms:GenerateDataKey'].includes(a))).toBe(true);
        expect(s.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
      }
    }
  });

  it('grants no wildcard action on data anywhere (s3, kms, secrets, states)', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const wild = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actionsOf)
      .filter((a) => /^(s3|kms|secretsmanager|states):.*\*/.test(a));
    expect(wild).toEqual([]);
  });

  it('limits the restore machine\u2019s CDK-granted S3 access to the restore-state folder with an explicit Deny', () => {
    const role = stack.restore.stateMachine.role;
    const deny = statementsOfRole(template, idOf(role)).find((s) => s.Effect === 'Deny');
    expect(deny).toMatchObject({ Action: ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'] });
    expect(flatten(deny?.NotResource)).toBe(`<${bucketId()}.Arn>/backups/_restores/*`);
  });

  it('lets the scheduler role start the backup machine and nothing else in Step Functions', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    const roleIds = new Set(schedules.map((s) => s.Properties.Target.RoleArn['Fn::GetAtt'][0] as string));
    expect(roleIds.size).toBe(1);
    const statements = statementsOfRole(template, [...roleIds][0] as string);
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: idOf(stack.backup.stateMachine) } }]);
    const others = statements.filter((s) => !states.includes(s)).flatMap(actionsOf);
    expect(others.every((a) => a.startsWith('sqs:'))).toBe(true); // dead letters only
  });

  it('requires IAM (SigV4) auth on every API method', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods.length).toBe(3);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });
});

describe('the restore API', () => {
  it('validates the POST body against a model and logs access, throttled and traced', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['target', 'mode'], additionalProperties: false, oneOf: [{ required: ['backup'] }, { required: ['graph', 'backupId'] }] }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, LoggingLevel: 'ERROR', DataTraceEnabled: false })],
    });
  });

  it('gives its Lambda the restore machine, the backup root, the state location and the allowed targets', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          RESTORE_STATE_MACHINE_ARN: { Ref: idOf(stack.restore.stateMachine) },
          BACKUP_ROOT: { 'Fn::Join': ['', ['s3://', { Ref: bucketId() }, '/backups']] },
          RESTORE_STATE_LOCATION: { 'Fn::Join': ['', ['s3://', { Ref: bucketId() }, '/backups']] },
          RESTORE_TARGETS: JSON.stringify([
            { url: 'http://hugegraph-a.internal:8080', graph: 'hugegraph' },
            { url: 'http://hugegraph-staging.internal:8080', graph: 'hugegraph_copy' },
          ]),
        }),
      },
    });
  });
});

describe('the schedules', () => {
  it('start a backup of each configured graph with cron and time zone, retries and a dead-letter queue', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    const schedule = (Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[]).find((s) => s.Properties.ScheduleExpression.startsWith('cron'));
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: { Arn: { Ref: idOf(stack.backup.stateMachine) }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: expect.anything() } },
    });
    const input = JSON.parse(joined(schedule.Properties.Target.Input));
    expect(input).toEqual({
      server: { url: 'http://hugegraph-a.internal:8080', graph: 'hugegraph' },
      location: `s3://<${bucketId()}>/backups`,
      keep: 14,
      waitForServer: { attempts: 3, delaySeconds: 300 },
    });
  });

  it('keep their dead letters encrypted', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as any[];
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });
});

describe('operations', () => {
  it.each(['backup', 'restore'] as const)('the %s machine logs ALL to an encrypted log group with retention, and traces with X-Ray', (name) => {
    const machine = stack[name].stateMachine;
    const props = (template.findResources('AWS::StepFunctions::StateMachine')[idOf(machine)] as any).Properties;
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const logGroupId = props.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    const logGroup = (template.findResources('AWS::Logs::LogGroup')[logGroupId] as any).Properties;
    expect(logGroup).toMatchObject({ RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [idOf(stack.system.opsKey), 'Arn'] } });
    expect(logGroup.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\//);
  });

  it.each(['backup', 'restore'] as const)('alarms on failed, timed-out and aborted %s executions to the encrypted topic', (name) => {
    const machine = stack[name].stateMachine;
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: idOf(machine) } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: idOf(stack.system.operations.topic as any) }],
      });
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [idOf(stack.system.opsKey), 'Arn'] } });
  });

  it('alarms on throttles of every Lambda, at most ten per metric-math alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) =>
      (a.Properties.Metrics ?? []).some((m: any) => m.MetricStat?.Metric?.MetricName === 'Throttles'),
    ) as any[];
    const watched = alarms.flatMap((a) => a.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions[0].Value.Ref));
    expect(new Set(watched)).toEqual(new Set(stack.system.functions.map(idOf)));
    for (const alarm of alarms) expect(alarm.Properties.Metrics.filter((m: any) => m.MetricStat).length).toBeLessThanOrEqual(10);
  });

  it('alarms per scheduled graph when its newest complete backup is older than 1.5 × its schedule allows, or the check stops', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'BackupAgeMinutes' } })) as any[];
    const byFolder = Object.fromEntries(alarms.map((a) => [joined(a.Properties.Dimensions[0].Value), a.Properties]));
    expect(byFolder[`s3://<${bucketId()}>/backups/hugegraph`]).toMatchObject({ Threshold: 36 * 60, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching', Namespace: 'hgbr' });
    expect(byFolder[`s3://<${bucketId()}>/backups/social`]).toMatchObject({ Threshold: 18 * 60 });
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    expect(rules.some((r) => JSON.stringify(r.Properties.EventPattern?.detail?.status) === '["SUCCEEDED"]')).toBe(true);
    const check = Object.values(template.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Handler === 'index.checkBackupFreshness') as any;
    expect(check.Properties.VpcConfig).toBeUndefined();
    expect(JSON.stringify(check.Properties.Environment.Variables)).not.toContain('HUGEGRAPH_SECRETS');
  });

  it('keeps alarm e-mails SNS could not deliver in a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', RedrivePolicy: { deadLetterTargetArn: Match.anyValue() } });
  });

  it('sends asynchronous invocations of the ops Lambdas that keep failing to the ops dead-letter queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as any[];
    const handlers = configs.map((c) => (template.findResources('AWS::Lambda::Function')[c.Properties.FunctionName.Ref] as any).Properties.Handler).sort();
    expect(handlers).toEqual(['index.backupEnded', 'index.checkBackupFreshness', 'index.checkGraphModes', 'index.restoreEnded']);
    for (const config of configs) expect(config.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]).toBe(idOf(stack.system.operations.deadLetters));
  });

  it('alarms when a graph is left in a restore mode, from the metric the mode check publishes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'hgbr', MetricName: 'GraphLeftInRestoreMode', Statistic: 'Maximum', EvaluationPeriods: 2, Threshold: 1 });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.checkGraphModes',
      Environment: { Variables: Match.objectLike({ WATCHED_GRAPHS: Match.stringLikeRegexp('hugegraph_copy') }) },
    });
  });

  it.each([
    ['restore', 'restoreEnded'],
    ['backup', 'backupEnded'],
  ] as const)('sends FAILED, TIMED_OUT and ABORTED %s executions to the clean-up Lambda', (name, handler) => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    const rule = rules.find((r) => r.Properties.EventPattern?.detail?.stateMachineArn?.[0]?.Ref === idOf(stack[name].stateMachine));
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: idOf(stack[name].stateMachine) }] },
    });
    const targetId = rule.Properties.Targets[0].Arn['Fn::GetAtt'][0];
    expect((template.findResources('AWS::Lambda::Function')[targetId] as any).Properties.Handler).toBe(`index.${handler}`);
    expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
  });
});

describe('the Lambdas', () => {
  it('run the Node major their bundles target (nodejs24.x, the latest aws-cdk-lib offers) on arm64 with JSON logs in their own encrypted log groups, traced by X-Ray', () => {
    expect(lambda.Runtime.NODEJS_LATEST.name).toBe(`nodejs${LAMBDA_NODE_MAJOR}.x`);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const ours = functions.filter((f) => f.Properties.Runtime?.startsWith('nodejs'));
    expect(ours.length).toBeGreaterThanOrEqual(14);
    for (const fn of ours) {
      expect(fn.Properties).toMatchObject({
        Runtime: `nodejs${LAMBDA_NODE_MAJOR}.x`,
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('take HugeGraph credentials from the secrets of the servers they serve only, and reach HugeGraph from the configured subnets', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const talking = functions.filter((f) => f.Properties.Environment?.Variables?.HUGEGRAPH_SECRETS);
    expect(talking.length).toBe(12); // 4 backup and 6 restore task Lambdas, the restore clean-up, the mode check
    for (const fn of functions) {
      const vars = JSON.stringify(fn.Properties.Environment?.Variables ?? {});
      expect(vars).not.toMatch(/password|HUGEGRAPH_USERNAME/i);
    }
    for (const fn of talking) expect(fn.Properties.VpcConfig.SubnetIds).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
    const servedBy = (handler: string) =>
      (JSON.parse(joined(talking.find((f) => f.Properties.Handler === handler).Properties.Environment.Variables.HUGEGRAPH_SECRETS)) as { url: string }[]).map((e) => e.url).sort();
    expect(servedBy('index.exportChunk')).toEqual(['http://hugegraph-a.internal:8080', 'https://hugegraph-b.internal']);
    expect(servedBy('index.restoreFiles')).toEqual(['http://hugegraph-a.internal:8080', 'http://hugegraph-staging.internal:8080']);
    expect(servedBy('index.checkGraphModes')).toEqual(['http://hugegraph-a.internal:8080', 'http://hugegraph-staging.internal:8080', 'https://hugegraph-b.internal']);
  });

  it('keep one secret per server, never one for all, each readable only by the roles that serve that server', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret') as Record<string, any>;
    expect(
      Object.values(secrets)
        .map((s) => s.Properties.Description.match(/for (\S+),/)?.[1])
        .sort(),
    ).toEqual(['http://hugegraph-a.internal:8080', 'http://hugegraph-staging.internal:8080', 'https://hugegraph-b.internal']);
    const staging = Object.keys(secrets).find((id) => secrets[id].Properties.Description.includes('staging')) as string;
    const backupReads = statementsOfRole(template, idOf(stack.system.backupRole as any))
      .filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'))
      .flatMap(flat);
    expect(backupReads).toHaveLength(2);
    expect(backupReads.join(' ')).not.toContain(staging);
    const restoreReads = statementsOfRole(template, idOf(stack.system.restoreRole as any))
      .filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'))
      .flatMap(flat);
    expect(restoreReads.join(' ')).toContain(staging);
  });

  it('reach out only to HTTPS and the HugeGraph ports', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }), Match.objectLike({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 })],
    });
  });
});
