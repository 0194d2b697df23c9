import { CONTEXT, ConfigError, readAppConfig } from '../../infra/config';
import type { Stack } from 'aws-cdk-lib';
import { cdkJsonContext, FULL_SYSTEM, MIGRATION_TARGET, synthesizeApp } from './app-fixture';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('the app configuration', () => {
  it('accepts the sample in cdk.json, and the full example with a migration target', () => {
    expect(readAppConfig(context(cdkJsonContext())).system.graphs).toHaveLength(1);
    const full = readAppConfig(context({ [CONTEXT.system]: FULL_SYSTEM, [CONTEXT.migrationTarget]: MIGRATION_TARGET }));
    expect(full.migrationTarget?.source?.bucketName).toBe('hgbr-source-backups');
  });

  it('takes a configuration given as JSON text (cdk synth -c hgbr=…)', () => {
    expect(readAppConfig(context({ [CONTEXT.system]: JSON.stringify({ prefix: 'b' }) })).system.prefix).toBe('b');
  });

  it('reports every problem at once', () => {
    const wrong = {
      [CONTEXT.system]: { grahps: [], logRetentionDays: 10, vpc: { vpcId: 'vpc-1', subnetIds: ['subnet-1'] }, bucket: { storageClass: 'COLD' }, source: {} },
      [CONTEXT.migrationTarget]: { crossAccountReaders: [] },
    };
    let error: ConfigError | undefined;
    try {
      readAppConfig(context(wrong));
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toEqual([
      expect.stringContaining('hgbr.grahps is not a known setting'),
      expect.stringContaining('hgbr.vpc.availabilityZones must give the AZ of each subnet'),
      expect.stringContaining('hgbr.bucket.storageClass must be one of'),
      expect.stringContaining('hgbr.logRetentionDays must be one of'),
      expect.stringContaining('hgbr.source belongs to hgbrMigrationTarget only'),
      expect.stringContaining('hgbrMigrationTarget.source {bucketName, keyArn, prefix?} is required'),
      expect.stringContaining('hgbrMigrationTarget.crossAccountReaders belongs to the source'),
      expect.stringContaining('hgbrMigrationTarget.env {account, region} is required'),
      expect.stringContaining('hgbrMigrationTarget.roleNames.restore is required'),
    ]);
  });

  it('needs the route tables of the subnets for VPC endpoints, and imports the VPC with them', () => {
    const vpc = { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-central-1a'], subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'], endpoints: true };
    expect(() => readAppConfig(context({ [CONTEXT.system]: { vpc } }))).toThrow('hgbr.vpc.routeTableIds must give the route table of each subnet');
    const app = synthesizeApp({ [CONTEXT.system]: { graphs: [{ url: 'http://hg.internal:8080', graph: 'g' }], vpc: { ...vpc, routeTableIds: ['rtb-0aaaaaaaaaaaaaaaa'] } } });
    app.template(app.stacks[0] as Stack).hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa'] });
  });
});
