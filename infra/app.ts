/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Configured through context, see infra/config.ts
 * and docs/deployment.md. cdk-nag's AwsSolutions and Serverless packs check every stack at synth;
 * an unacknowledged error fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { migrationTargetStackProps, readAppConfig, systemStackProps } from './config';
import { HgbrRestoreStack } from './stacks/hgbr-restore-stack';
import { HgbrStack } from './stacks/hgbr-stack';

/** Builds the app's stacks; `nag: false` leaves the cdk-nag plugin out (tests run it themselves). */
export function buildApp(app: App = new App(), options: { nag?: boolean } = {}): App {
  const config = readAppConfig(app.node);
  new HgbrStack(app, config.system.stackName ?? 'Hgbr', systemStackProps(config.system));
  if (config.migrationTarget) new HgbrRestoreStack(app, config.migrationTarget.stackName ?? 'HgbrMigrationTarget', migrationTargetStackProps(config.migrationTarget));
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return app;
}

if (require.main === module) buildApp().synth();
