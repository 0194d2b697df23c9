import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * The objects below one key prefix of a bucket, with the KMS key that encrypts them. The grants
 * here are written out instead of `bucket.grantRead()` so that they name the prefix, the exact
 * actions and nothing else: `grant*` adds `s3:GetObject*`, `s3:List*` on the whole bucket and
 * `kms:ReEncrypt*`, more than a workflow needs.
 */
export class S3Area {
  /** @param prefix key prefix without leading or trailing slash, e.g. `backups` */
  constructor(
    readonly bucketArn: string,
    readonly prefix: string,
    readonly keyArn?: string,
    /** The bucket's region when it is not the stack's: KMS sees the calls of S3 in that region. @default the stack's */
    readonly region?: string,
  ) {}

  /** ARN pattern of the objects below the prefix (what IAM5 findings name). */
  get objectsArn(): string {
    return `${this.bucketArn}/${this.prefix}/*`;
  }

  /** An area below this one, e.g. the restores' state folder `backups/_restores`. */
  sub(folder: string): S3Area {
    return new S3Area(this.bucketArn, `${this.prefix}/${folder}`, this.keyArn, this.region);
  }

  /** Get and list objects below the prefix; decrypt them (through S3 only). */
  readStatements(): iam.PolicyStatement[] {
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn] }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucketArn], conditions: { StringLike: { 's3:prefix': [`${this.prefix}/*`] } } }),
    ];
    if (this.keyArn) statements.push(keyStatement(['kms:Decrypt'], this.keyArn, this.region));
    return statements;
  }

  /** Read, plus put (single and multipart) and delete objects below the prefix. */
  readWriteStatements(): iam.PolicyStatement[] {
    const statements = [...this.readStatements(), new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [this.objectsArn] })];
    if (this.keyArn) statements.push(keyStatement(['kms:GenerateDataKey'], this.keyArn, this.region));
    return statements;
  }
}

/** Use of a KMS key only on behalf of S3 in this region: the key cannot be used directly. */
function keyStatement(actions: string[], keyArn: string, region: string = Aws.REGION): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources: [keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } } });
}

/** `arn:…:execution:<state machine name>:*` — the executions of one state machine. */
export function executionsArn(stateMachine: sfn.StateMachine): string {
  return Stack.of(stateMachine).formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** `arn:…:mapRun:<state machine name>/*` — the Distributed Map runs of one state machine. */
export function mapRunsArn(stateMachine: sfn.StateMachine): string {
  return Stack.of(stateMachine).formatArn({ service: 'states', resource: 'mapRun', resourceName: `${stateMachine.stateMachineName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
