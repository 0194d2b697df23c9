import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { abortableSleep, abortedError, destroyOnAbort } from '../abort';
import { HgbrError } from '../errors';
import { BucketNotFoundError, InvalidKeyError, ObjectExistsError, ObjectNotFoundError, StorageAccessDeniedError, StorageError, StorageUnavailableError } from './errors';
import { checkKey, checkPrefix } from './keys';
import type { BackupStorage, StoredObject, UploadOptions, WriteOptions } from './storage';

const MiB = 1024 * 1024;

export interface S3StorageOptions {
  /** The client to use. @default one per endpoint and region, credentials from the default chain */
  readonly client?: S3Client;
  /** @default AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS; path-style addressing when set */
  readonly endpoint?: string;
  /** @default AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1 */
  readonly region?: string;
  /** Keys per ListObjectsV2 request, 1 to 1000. @default 1000 */
  readonly listPageSize?: number;
  /** Part size of streamed uploads, 5 MiB or more. @default 8 MiB */
  readonly partSize?: number;
  /** Parts of one streamed upload in flight at once; memory is about (queueSize + 1) × partSize. @default 2 */
  readonly queueSize?: number;
  /** Abandons every request once it aborts (see BackupStorage.withSignal). */
  readonly signal?: AbortSignal;
}

/**
 * Objects below `s3://bucket/prefix/`. Each write is one PutObject, or a multipart upload that S3
 * publishes at CompleteMultipartUpload, so readers never see part of an object. `ifAbsent` sends
 * `If-None-Match: *`, which S3 evaluates atomically (412 when the key exists).
 */
export class S3Storage implements BackupStorage {
  readonly root: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly endpoint: string | undefined;
  private readonly listPageSize: number;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly signal?: AbortSignal;

  constructor(
    private readonly location: { readonly bucket: string; readonly prefix: string },
    private readonly options: S3StorageOptions = {},
  ) {
    this.bucket = location.bucket;
    this.prefix = location.prefix === '' ? '' : `${location.prefix}/`;
    this.root = location.prefix === '' ? `s3://${this.bucket}` : `s3://${this.bucket}/${location.prefix}`;
    this.endpoint = options.endpoint ?? endpointFromEnvironment();
    this.client = options.client ?? s3Client({ ...options, endpoint: this.endpoint });
    this.listPageSize = options.listPageSize ?? 1000;
    this.partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB);
    this.queueSize = options.queueSize ?? 2;
    this.signal = options.signal;
  }

  withSignal(signal: AbortSignal | undefined): S3Storage {
    return new S3Storage(this.location, { ...this.options, client: this.client, endpoint: this.endpoint, signal });
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${checkKey(key)}`;
  }

  async put(key: string, body: Buffer | string, options: WriteOptions = {}): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.prefix + checkKey(key),
      Body: body,
      // Said outright: the SDK cannot tell an empty string's length and warns on stderr ("Stream of unknown length").
      ContentLength: Buffer.byteLength(body),
      ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
    });
    // S3 answers 409 ConditionalRequestConflict while a competing conditional write is in flight;
    // asking again gives the final answer (success, or 412 once the other write has landed).
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(command, this.requestOptions);
        return;
      } catch (error) {
        if (!(isConflict(error) && attempt < 5)) throw this.fail('put', key, error);
        await abortableSleep(50 * attempt * (1 + Math.random()), this.signal);
      }
    }
  }

  async upload(key: string, body: Readable | AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<{ bytes: number }> {
    let bytes = 0;
    let sourceError: unknown;
    async function* counted(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
          const data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          bytes += data.byteLength;
          yield data;
        }
      } catch (error) {
        sourceError = error;
        throw error;
      }
    }
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.prefix + checkKey(key),
        Body: Readable.from(counted(), { highWaterMark: 1 }), // read ahead one chunk, no more
        // lib-storage sends these params with PutObject or CompleteMultipartUpload, where S3 checks them.
        ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false, // a failed upload is aborted, its parts deleted
      abortController: this.uploadAbortController(),
    });
    const onProgress = options.onProgress;
    if (onProgress) upload.on('httpUploadProgress', (progress) => onProgress(progress.loaded ?? 0));
    try {
      await upload.done();
    } catch (error) {
      if (sourceError !== undefined && error === sourceError) throw error;
      throw this.fail('upload', key, error);
    }
    return { bytes };
  }

  async get(key: string): Promise<Buffer> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }), this.requestOptions);
      const bytes = await output.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw this.fail('get', key, error);
    }
  }

  async openRead(key: string): Promise<Readable> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }), this.requestOptions);
      return destroyOnAbort(output.Body as Readable, this.signal); // in Node.js the SDK's body is an http.IncomingMessage
    } catch (error) {
      throw this.fail('openRead', key, error);
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }), this.requestOptions);
      return { size: output.ContentLength ?? 0 };
    } catch (error) {
      const mapped = this.fail('head', key, error);
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    for await (const page of this.pages(checkPrefix(prefix))) {
      for (const object of page.Contents ?? []) {
        yield { key: object.Key!.slice(this.prefix.length), size: object.Size ?? 0 };
      }
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    for await (const page of this.pages(checkPrefix(prefix), '/')) {
      for (const common of page.CommonPrefixes ?? []) yield common.Prefix!.slice(this.prefix.length);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }), this.requestOptions);
    } catch (error) {
      const mapped = this.fail('delete', key, error);
      if (!(mapped instanceof ObjectNotFoundError)) throw mapped;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (checkPrefix(prefix) === '') throw new InvalidKeyError(prefix, 'deletePrefix needs a non-empty prefix');
    // Always list from the start and delete what it returns, until nothing is left: this does not
    // depend on how a server's continuation tokens behave while the listing shrinks.
    let count = 0;
    for (;;) {
      const first = await this.pages(prefix)[Symbol.asyncIterator]().next();
      const keys = first.done ? [] : (first.value.Contents ?? []).map((object) => object.Key!);
      if (keys.length === 0) return count;
      for (let start = 0; start < keys.length; start += 1000) {
        await this.deleteBatch(prefix, keys.slice(start, start + 1000));
      }
      count += keys.length;
    }
  }

  private async deleteBatch(prefix: string, keys: string[]): Promise<void> {
    let output: DeleteObjectsCommandOutput;
    try {
      output = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
        this.requestOptions,
      );
    } catch (error) {
      throw this.fail('deletePrefix', prefix, error);
    }
    const failure = output.Errors?.[0];
    if (failure) {
      const error = Object.assign(new Error(failure.Message ?? 'delete failed'), { name: failure.Code ?? 'Error' });
      throw this.fail('delete', failure.Key?.slice(this.prefix.length) ?? prefix, error);
    }
  }

  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            Delimiter: delimiter,
            MaxKeys: this.listPageSize,
            ContinuationToken: token,
          }),
          this.requestOptions,
        );
      } catch (error) {
        throw this.fail('list', prefix, error);
      }
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) {
        throw new StorageError(this.uriOf(prefix), 'list', 'a truncated listing came without a continuation token');
      }
    } while (token);
  }

  /** Options of every request: abandoned once the signal aborts. */
  private get requestOptions(): { abortSignal?: AbortSignal } {
    return this.signal ? { abortSignal: this.signal } : {};
  }

  /** A multipart upload aborts through a controller of its own, so one follows the signal. */
  private uploadAbortController(): AbortController | undefined {
    if (!this.signal) return undefined;
    const controller = new AbortController();
    if (this.signal.aborted) controller.abort();
    else this.signal.addEventListener('abort', () => controller.abort(), { once: true });
    return controller;
  }

  private uriOf(keyOrPrefix: string): string {
    return `s3://${this.bucket}/${this.prefix}${keyOrPrefix}`;
  }

  /** Translates an SDK error into the storage's typed errors. */
  private fail(operation: string, keyOrPrefix: string, error: unknown): Error {
    if (HgbrError.isHgbrError(error)) return error;
    if (this.signal?.aborted) return abortedError(this.signal);
    const uri = this.uriOf(keyOrPrefix);
    const { name = '', code, message = String(error), $metadata } = error as SdkError;
    const status = $metadata?.httpStatusCode;
    const options = { cause: error };
    if (name === 'NoSuchBucket') return new BucketNotFoundError(this.bucket, options);
    if (name === 'NoSuchKey' || name === 'NotFound') return new ObjectNotFoundError(uri, options);
    if (name === 'PreconditionFailed' || status === 412) return new ObjectExistsError(uri, options);
    if (name === 'CredentialsProviderError') {
      return new StorageAccessDeniedError(uri, operation, 'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a role', options);
    }
    if (status === 403 || ACCESS_ERRORS.has(name)) {
      return new StorageAccessDeniedError(
        uri,
        operation,
        `${name || 'HTTP 403'}: check the credentials in use and that their policy allows this on ${this.root}/* (without s3:ListBucket, S3 answers a missing object with 403)`,
        options,
      );
    }
    // The SDK may hand over a socket error re-wrapped, with its code only in the message.
    const networkCode = code && NETWORK_ERRORS.has(code) ? code : NETWORK_ERROR_PATTERN.exec(message)?.[0];
    if (networkCode || name === 'TimeoutError' || name === 'AbortError') {
      return new StorageUnavailableError(
        uri,
        operation,
        message.includes(networkCode ?? name) ? message : `${networkCode ?? name}: ${message}`,
        this.endpoint ? `is the S3 endpoint ${this.endpoint} up?` : 'check the network path to S3 and try again',
        options,
      );
    }
    return new StorageError(uri, operation, `${name || code || 'Error'}: ${message}`, undefined, options);
  }
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const ACCESS_ERRORS = new Set(['AccessDenied', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired']);

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
const NETWORK_ERROR_PATTERN = new RegExp(`\\b(${[...NETWORK_ERRORS].join('|')})\\b`);

function isConflict(error: unknown): boolean {
  const { name, $metadata } = error as SdkError;
  return name === 'ConditionalRequestConflict' || $metadata?.httpStatusCode === 409;
}

/** The endpoint the standard AWS variables name, if any (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS honoured). */
export function endpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

const clients = new Map<string, S3Client>();

/**
 * One client per endpoint and region, kept for the life of the process (a Lambda reuses it across
 * invocations). A custom endpoint (a local S3 server) gets path-style addressing.
 */
export function s3Client(options: Pick<S3StorageOptions, 'endpoint' | 'region'> = {}): S3Client {
  const endpoint = options.endpoint ?? endpointFromEnvironment();
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1');
  const cacheKey = `${endpoint ?? ''} ${region}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new S3Client({
      region,
      followRegionRedirects: true, // a bucket in another region still works, after one redirect
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
    clients.set(cacheKey, client);
  }
  return client;
}
