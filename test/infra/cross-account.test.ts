import type { Template } from 'aws-cdk-lib/assertions';
import type { HgbrRestoreStack } from '../../infra/stacks/hgbr-restore-stack';
import type { HgbrStack } from '../../infra/stacks/hgbr-stack';
import { CONTEXT } from '../../infra/config';
import { actionsOf, flatten, FULL_SYSTEM, fullApp, idOf, MIGRATION_TARGET, READERS, resourcesOf, SOURCE_KEY_ARN, statementsOfRole, synthesizeApp, TARGET_ACCOUNT, type Statement } from './app-fixture';

let source: HgbrStack;
let target: HgbrRestoreStack;
let sourceTemplate: Template;
let targetTemplate: Template;

beforeAll(() => {
  const app = fullApp();
  source = app.stacks.find((s) => s.stackName === 'HgbrFull') as HgbrStack;
  target = app.stacks.find((s) => s.stackName === 'HgbrTarget') as HgbrRestoreStack;
  sourceTemplate = app.template(source);
  targetTemplate = app.template(target);
});

const onlyReaders = { ArnEquals: { 'aws:PrincipalArn': READERS } };
const targetRoot = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TARGET_ACCOUNT}:root`]] } };

describe('the source account', () => {
  it('lets exactly the named target roles list and read the backup prefix, nothing more', () => {
    const policy = Object.values(sourceTemplate.findResources('AWS::S3::BucketPolicy'))
      .map((p: any) => p.Properties)
      .find((p) => p.Bucket.Ref === idOf(source.system.bucket));
    const foreign = (policy.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes(TARGET_ACCOUNT));
    const bucket = `<${idOf(source.system.bucket)}.Arn>`;
    expect(foreign.map((s) => ({ actions: actionsOf(s), resources: resourcesOf(s).map(flatten), principal: s.Principal, condition: s.Condition }))).toEqual([
      { actions: ['s3:ListBucket'], resources: [bucket], principal: targetRoot, condition: { ...onlyReaders, StringLike: { 's3:prefix': ['backups/*'] } } },
      { actions: ['s3:GetObject'], resources: [`${bucket}/backups/*`], principal: targetRoot, condition: onlyReaders },
    ]);
  });

  it('lets the same roles decrypt with the data key, through S3 only', () => {
    const key = (sourceTemplate.findResources('AWS::KMS::Key')[idOf(source.system.dataKey)] as any).Properties;
    const foreign = (key.KeyPolicy.Statement as Statement[]).filter((s) => JSON.stringify(s.Principal).includes(TARGET_ACCOUNT));
    expect(foreign).toEqual([
      {
        Sid: 'MigrationReadersDecryptThroughS3',
        Effect: 'Allow',
        Principal: targetRoot,
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ...onlyReaders, StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
    ]);
  });
});

describe('the target account', () => {
  const sourceBucket = 'arn:<AWS::Partition>:s3:::hgbr-source-backups';

  it('has a restore workflow and API but no backup workflow and no schedules', () => {
    expect(target.system.backup).toBeUndefined();
    targetTemplate.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    targetTemplate.resourceCountIs('AWS::Scheduler::Schedule', 0);
    targetTemplate.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  });

  it('names the roles the source grants to', () => {
    targetTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: 'hgbr-migration-restore' });
    targetTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: 'hgbr-migration-api' });
  });

  it('lets the restore role read the source backups, decrypt with the source key, and write only its own state folder', () => {
    const statements = statementsOfRole(targetTemplate, idOf(target.system.restoreRole));
    const bucket = `<${idOf(target.system.bucket)}.Arn>`;
    const on = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).flatMap((s) => resourcesOf(s).map(flatten));
    expect(on('s3:GetObject').sort()).toEqual([`${sourceBucket}/backups/*`, `${bucket}/backups/_restores/*`].sort());
    expect(on('s3:PutObject')).toEqual([`${bucket}/backups/_restores/*`]);
    expect(on('s3:DeleteObject')).toEqual([`${bucket}/backups/_restores/*`]);
    expect(on('kms:Decrypt')).toContain(SOURCE_KEY_ARN);
    expect(on('kms:GenerateDataKey')).not.toContain(SOURCE_KEY_ARN);
  });

  it('points the API at the source backups and the local state folder', () => {
    const api = Object.values(targetTemplate.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Handler === 'index.handler') as any;
    expect(api.Properties.Environment.Variables.BACKUP_ROOT).toBe('s3://hgbr-source-backups/backups');
    expect(flatten(api.Properties.Environment.Variables.RESTORE_STATE_LOCATION)).toBe(`s3://<${idOf(target.system.bucket)}>/backups`);
  });

  it("across regions: decrypts the source backups through S3 of the source bucket's region", () => {
    const app = synthesizeApp({ [CONTEXT.system]: FULL_SYSTEM, [CONTEXT.migrationTarget]: { ...MIGRATION_TARGET, source: { ...MIGRATION_TARGET.source, region: 'us-west-2' } } });
    const stack = app.stacks.find((s) => s.stackName === 'HgbrTarget') as HgbrRestoreStack;
    const decrypt = statementsOfRole(app.template(stack), idOf(stack.system.restoreRole)).filter((s) => actionsOf(s).includes('kms:Decrypt') && resourcesOf(s).includes(SOURCE_KEY_ARN));
    expect(decrypt.map((s) => s.Condition?.StringEquals?.['kms:ViaService'])).toEqual(['s3.us-west-2.amazonaws.com']);
  });
});
