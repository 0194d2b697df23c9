import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BACKUP_TYPES } from '../../functions/backup/types';
import { acknowledge } from './nag';

export interface RestoreApiProps {
  /** The Lambda behind every method (functions/handlers/api.ts). */
  readonly handler: lambda.IFunction;
  /** Access logs, one JSON line per request. */
  readonly accessLogGroup: logs.ILogGroup;
  /** Steady-state requests per second of the stage. @default 5 */
  readonly rateLimit?: number;
  /** @default 10 */
  readonly burstLimit?: number;
  /**
   * Create the account-wide role API Gateway uses to write execution logs. Needed once per account
   * and region; turn it off where it already exists (it is one setting shared by every API).
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

const RESTORE_ID = '^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$';
const GRAPH = '^[A-Za-z][A-Za-z0-9_]{0,47}$';

/**
 * The restore API: REST, IAM (SigV4) auth on every method, requests checked against models before
 * the Lambda runs, JSON access logs, throttling, X-Ray.
 *
 *   POST /restores        start a restore            → 202 {restoreId, statusUrl, executionArn}
 *   GET  /restores/{id}   status and progress        → 200
 *   GET  /backups?graph=&graphspace=  complete backups, counts   → 200
 */
export class RestoreApi extends Construct {
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: RestoreApiProps) {
    super(scope, id);
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'hgbr restores: start one, follow it, list backups',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole ?? true,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(props.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // request bodies name servers and graphs; keep them out of the logs
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit ?? 5,
        throttlingBurstLimit: props.burstLimit ?? 10,
      },
    });
    const integration = new apigw.LambdaIntegration(props.handler, { timeout: Duration.seconds(29) });
    const validateBody = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    const validateParams = this.api.addRequestValidator('ParameterValidator', { validateRequestBody: false, validateRequestParameters: true });

    const restores = this.api.root.addResource('restores');
    restores.addMethod('POST', integration, {
      requestValidator: validateBody,
      requestModels: { 'application/json': this.restoreRequestModel() },
    });
    restores.addResource('{id}').addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true },
    });
    this.api.root.addResource('backups').addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.querystring.graph': false },
    });

    for (const method of this.api.methods) {
      acknowledge(method, 'COG4', 'The API uses IAM (SigV4) authorization on every method: callers are IAM principals of the account, not Cognito users.');
    }
    acknowledge(
      this.api.deploymentStage,
      'APIG3',
      'No WAF web ACL by default: every method requires SigV4-signed IAM credentials and the stage is throttled; attach a web ACL to the stage if your policy requires one.',
    );
    if (props.cloudWatchRole ?? true) {
      acknowledge(
        this.api,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The account-level API Gateway logging role uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, the documented way to let API Gateway write execution logs.',
      );
    }
  }

  /** JSON schema (draft 4) of `POST /restores`; functions/api/restore-request.ts checks the same again. */
  private restoreRequestModel(): apigw.Model {
    const s = apigw.JsonSchemaType;
    return this.api.addModel('RestoreRequest', {
      contentType: 'application/json',
      modelName: 'RestoreRequest',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'RestoreRequest',
        type: s.OBJECT,
        additionalProperties: false,
        required: ['target', 'mode'],
        properties: {
          backup: { type: s.STRING, pattern: '^s3://', description: '<backup root>/<graph>/<backupId>' },
          graph: { type: s.STRING, pattern: GRAPH },
          backupId: { type: s.STRING, pattern: '^([0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}|latest)$' },
          target: {
            type: s.OBJECT,
            additionalProperties: false,
            required: ['graph'],
            properties: { url: { type: s.STRING, pattern: '^https?://' }, graph: { type: s.STRING, pattern: GRAPH }, graphspace: { type: s.STRING } },
          },
          mode: { type: s.STRING, enum: ['RESTORING', 'MERGING'] },
          restoreId: { type: s.STRING, pattern: RESTORE_ID },
          verifyTarget: { type: s.BOOLEAN, description: 'also count every label on the target by reading it back' },
          types: { type: s.ARRAY, minItems: 1, uniqueItems: true, items: { type: s.STRING, enum: [...BACKUP_TYPES] }, description: 'what to restore; default: all the backup holds' },
          authConflict: {
            type: s.STRING,
            enum: ['stop', 'skip', 'overwrite'],
            description: 'auth objects the target server already has: refuse (stop, the default), keep them (skip), take the backup fields (overwrite)',
          },
          preflightRead: {
            type: s.BOOLEAN,
            description: 'read every data file once (checksum, line shape) before the first write; false for a backup verified already or too large to read within 15 minutes',
          },
        },
        oneOf: [{ required: ['backup'] }, { required: ['graph', 'backupId'] }],
      },
    });
  }
}
