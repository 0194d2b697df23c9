import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  type GetObjectCommandOutput,
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
import { digestingStream, holdsSameBytes, holdsSameDigest } from './create-only';
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
        if (isConflict(error) && attempt < 5) {
          await abortableSleep(50 * attempt * (1 + Math.random()), this.signal);
          continue;
        }
        const failure = this.fail('put', key, error);
        if (failure instanceof ObjectExistsError && (await settles(holdsSameBytes(this, key, body)))) return;
        throw failure;
      }
    }
  }

  async upload(key: string, body: Readable | AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<{ bytes: number }> {
    let bytes = 0;
    let sourceError: unknown;
    const sent = digestingStream(body as AsyncIterable<Uint8Array | string>, options.ifAbsent === true);
    async function* counted(): AsyncGenerator<Buffer> {
      try {
        for await (const data of sent.stream) {
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
      const failure = this.fail('upload', key, error);
      // A create-only upload that failed after sending everything (412, or a lost answer to its
      // CompleteMultipartUpload) is done if the object stored is the one it sent.
      const digest = sent.digest();
      if (options.ifAbsent && digest && !this.signal?.aborted && (await settles(holdsSameDigest(this, key, digest)))) return { bytes };
      throw failure;
    }
    return { bytes };
  }

  async get(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.resumableBody('get', key, await this.getObject('get', key))) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async openRead(key: string): Promise<Readable> {
    const first = await this.getObject('openRead', key); // ObjectNotFoundError here, before any byte
    return destroyOnAbort(Readable.from(this.resumableBody('openRead', key, first), { objectMode: false }), this.signal);
  }

  private async getObject(operation: string, key: string, from?: { offset: number; etag?: string }): Promise<GetObjectCommandOutput> {
    try {
      return await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + checkKey(key),
          ...(from ? { Range: `bytes=${from.offset}-`, IfMatch: from.etag } : {}),
        }),
        this.requestOptions,
      );
    } catch (error) {
      const failure = this.fail(operation, key, error);
      // On a resumed read, 412 means the object changed since the first byte: not a create clash.
      if (from && failure instanceof ObjectExistsError) throw new StorageError(this.uri(key), operation, 'the object changed while it was being read', 'read it again', { cause: error });
      throw failure;
    }
  }

  /**
   * The object's bytes; a transfer cut midway (a reset, a proxy timing out) goes on from the byte
   * it reached, with a ranged GET of the same version (If-Match), up to {@link READ_RESUMES} times.
   */
  private async *resumableBody(operation: string, key: string, first: GetObjectCommandOutput): AsyncGenerator<Buffer> {
    const total = first.ContentLength;
    let output = first;
    let offset = 0;
    for (let resumes = 0; ; resumes++) {
      let cut: unknown;
      try {
        for await (const chunk of (output.Body ?? []) as AsyncIterable<Buffer>) {
          offset += (chunk as Buffer).byteLength;
          yield chunk as Buffer;
        }
      } catch (error) {
        cut = error;
      }
      if (this.signal?.aborted) throw abortedError(this.signal);
      if (cut === undefined && (total === undefined || offset >= total)) return;
      if (resumes >= READ_RESUMES) {
        const detail = `the transfer was cut ${resumes + 1} times, the last at byte ${offset}${total === undefined ? '' : ` of ${total}`}: ${(cut as Error)?.message ?? 'the body ended early'}`;
        throw new StorageUnavailableError(this.uri(key), operation, detail, this.unavailableHint(), { cause: cut });
      }
      await abortableSleep(Math.random() * Math.min(5000, 200 * 2 ** resumes), this.signal);
      output = await this.getObject(operation, key, { offset, etag: first.ETag });
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
    if ((status !== undefined && status >= 500) || SERVER_ERRORS.has(name)) {
      const attempts = $metadata?.attempts;
      return new StorageUnavailableError(
        uri,
        operation,
        `${name || `HTTP ${status}`}${status ? ` (HTTP ${status})` : ''}${attempts ? ` after ${attempts} attempts` : ''}: ${message}`,
        this.unavailableHint(),
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

  private unavailableHint(): string {
    const where = this.endpoint ? `the S3 endpoint ${this.endpoint}` : `S3 (bucket ${this.bucket})`;
    return `${where} kept failing or throttling (503 SlowDown) after the retries; run again later (a restore run again with the same --restore-id skips the files it finished), or raise AWS_MAX_ATTEMPTS`;
  }
}

/** Whether a check succeeds; a check that itself fails counts as no. */
async function settles(check: Promise<boolean>): Promise<boolean> {
  return check.catch(() => false);
}

/** Times a read cut midway goes on from where it stopped before it fails. */
const READ_RESUMES = 5;

/** S3 error codes of a server that failed or throttled, whatever the status says. */
const SERVER_ERRORS = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'ThrottlingException']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
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

/** Attempts per S3 request (AWS_MAX_ATTEMPTS overrides). */
export const S3_MAX_ATTEMPTS = 8;

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
      // The SDK's standard retry (exponential back-off, full jitter, up to 20 s a wait) with more
      // attempts than its 3: a burst of 503 SlowDown lasts longer than three tries.
      retryMode: process.env.AWS_RETRY_MODE || 'standard',
      maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || S3_MAX_ATTEMPTS,
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
    clients.set(cacheKey, client);
  }
  return client;
}
