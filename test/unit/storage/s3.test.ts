import { AbortedError } from '../../../functions/abort';
import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { endpointFromEnvironment, s3Client, S3Storage } from '../../../functions/storage/s3';
import { BucketNotFoundError, InvalidKeyError, ObjectExistsError, ObjectNotFoundError, StorageAccessDeniedError, StorageError, StorageUnavailableError } from '../../../functions/storage/storage';
import { openStorage } from '../../../functions/storage/open';

/** A client whose send() plays back scripted answers and records the commands it got. */
function scriptedClient(...answers: Array<unknown | ((input: Record<string, unknown>) => unknown)>) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      const answer = answers.shift();
      const value = typeof answer === 'function' ? (answer as (input: Record<string, unknown>) => unknown)(command.input) : answer;
      if (value instanceof Error) throw value;
      return value ?? {};
    },
  } as unknown as S3Client;
  return { client, sent };
}

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
}

const location = { bucket: 'bucket', prefix: 'root/dir' };

/** A GetObject answer with these bytes. */
function body(text: string) {
  return { ContentLength: Buffer.byteLength(text), Body: Readable.from([Buffer.from(text)]) };
}

/** A body that yields `text`, then fails as a connection reset midway does. */
function cutAfter(text: string): Readable {
  return Readable.from(
    (async function* () {
      if (text) yield Buffer.from(text);
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    })(),
  );
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3Storage', () => {
  it('passes its signal to every request and reports an abandoned one as AbortedError, not as S3 being down', async () => {
    const controller = new AbortController();
    const options: unknown[] = [];
    const client = {
      send: async (_command: unknown, requestOptions: { abortSignal?: AbortSignal }) => {
        options.push(requestOptions);
        controller.abort();
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      },
    } as unknown as S3Client;
    const storage = new S3Storage(location, { client }).withSignal(controller.signal);
    await expect(storage.get('g/x')).rejects.toBeInstanceOf(AbortedError);
    expect(options).toEqual([{ abortSignal: controller.signal }]);
  });

  it('addresses keys below the prefix', async () => {
    const { client, sent } = scriptedClient({});
    const storage = new S3Storage(location, { client });
    expect(storage.root).toBe('s3://bucket/root/dir');
    expect(storage.uri('g/b/manifest.json')).toBe('s3://bucket/root/dir/g/b/manifest.json');
    expect(new S3Storage({ bucket: 'bucket', prefix: '' }, { client }).uri('g/x')).toBe('s3://bucket/g/x');
    await storage.put('g/b/x', 'body');
    expect(sent).toEqual([{ command: 'PutObjectCommand', input: { Bucket: 'bucket', Key: 'root/dir/g/b/x', Body: 'body', ContentLength: 4 } }]);
  });

  it('sends If-None-Match: * for a create-if-absent write, and maps 412 to ObjectExistsError', async () => {
    const { client, sent } = scriptedClient(sdkError('PreconditionFailed', 412));
    const error = await new S3Storage(location, { client }).put('g/lock', 'x', { ifAbsent: true }).catch((e: unknown) => e);
    expect(sent[0]!.input.IfNoneMatch).toBe('*');
    expect(error).toBeInstanceOf(ObjectExistsError);
    expect((error as ObjectExistsError).message).toBe('s3://bucket/root/dir/g/lock already exists');
  });

  it('asks again while S3 reports a conflicting conditional write in flight (409)', async () => {
    const { client, sent } = scriptedClient(sdkError('ConditionalRequestConflict', 409), sdkError('ConditionalRequestConflict', 409), sdkError('PreconditionFailed', 412), body('y'));
    await expect(new S3Storage(location, { client }).put('g/lock', 'x', { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
    expect(sent.map((s) => s.command)).toEqual(['PutObjectCommand', 'PutObjectCommand', 'PutObjectCommand', 'GetObjectCommand']);
  });

  it('takes a create-if-absent write that finds its own bytes (its first answer was lost) as written', async () => {
    // What the SDK hands over after its retry of a PUT whose 200 was lost met 412.
    const { client, sent } = scriptedClient(sdkError('PreconditionFailed', 412, { $metadata: { httpStatusCode: 412, attempts: 2 } }), body('{"v":1}'));
    await expect(new S3Storage(location, { client }).put('g/manifest.json', '{"v":1}', { ifAbsent: true })).resolves.toBeUndefined();
    expect(sent[1]).toEqual({ command: 'GetObjectCommand', input: { Bucket: 'bucket', Key: 'root/dir/g/manifest.json' } });
  });

  it('goes on from the byte it reached when a transfer is cut, with a ranged GET of the same version', async () => {
    const { client, sent } = scriptedClient({ ContentLength: 6, ETag: '"e1"', Body: cutAfter('abc') }, { ContentLength: 3, Body: Readable.from([Buffer.from('def')]) });
    expect((await new S3Storage(location, { client }).get('g/x')).toString()).toBe('abcdef');
    expect(sent[1]!.input).toMatchObject({ Range: 'bytes=3-', IfMatch: '"e1"' });
  });

  it('names the store and the object when a transfer keeps being cut', async () => {
    const cuts = Array.from({ length: 6 }, () => ({ ContentLength: 6, ETag: '"e1"', Body: cutAfter('') }));
    const storage = new S3Storage(location, { ...scriptedClient(...cuts), endpoint: 'http://127.0.0.1:1' });
    const error = await readAll(await storage.openRead('g/x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/^openRead s3:\/\/bucket\/root\/dir\/g\/x failed: the transfer was cut 6 times, the last at byte 0 of 6/);
    expect((error as StorageUnavailableError).hint).toMatch(/http:\/\/127\.0\.0\.1:1 kept failing/);
  });

  it.each([
    [sdkError('NoSuchKey', 404), ObjectNotFoundError, /s3:\/\/bucket\/root\/dir\/g\/x does not exist/],
    [sdkError('NoSuchBucket', 404), BucketNotFoundError, /bucket bucket does not exist/],
    [sdkError('AccessDenied', 403), StorageAccessDeniedError, /access denied: get s3:\/\/bucket\/root\/dir\/g\/x/],
    [sdkError('InvalidAccessKeyId', 403), StorageAccessDeniedError, /access denied/],
    [sdkError('CredentialsProviderError'), StorageAccessDeniedError, /access denied/],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), StorageUnavailableError, /ECONNREFUSED/],
    [new Error('AWS SDK error wrapper for Error: connect ECONNRESET 127.0.0.1:1'), StorageUnavailableError, /ECONNRESET/],
    [sdkError('InternalError', 500), StorageUnavailableError, /get s3:\/\/bucket\/root\/dir\/g\/x failed: InternalError \(HTTP 500\)/],
    [sdkError('SlowDown', 503, { $metadata: { httpStatusCode: 503, attempts: 8 } }), StorageUnavailableError, /failed: SlowDown \(HTTP 503\) after 8 attempts/],
    [sdkError('MalformedXML', 400), StorageError, /failed: MalformedXML/],
  ])('maps %s to a typed error', async (thrown, type, message) => {
    const { client } = scriptedClient(thrown);
    const error = await new S3Storage(location, { client }).get('g/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).cause).toBe(thrown);
  });

  it('gives hints that say what to check', async () => {
    const denied = await new S3Storage(location, scriptedClient(sdkError('AccessDenied', 403))).get('g/x').catch((e: StorageAccessDeniedError) => e);
    expect((denied as StorageAccessDeniedError).hint).toMatch(/s3:ListBucket/);
    const noCredentials = await new S3Storage(location, scriptedClient(sdkError('CredentialsProviderError'))).get('g/x').catch((e: StorageAccessDeniedError) => e);
    expect((noCredentials as StorageAccessDeniedError).hint).toMatch(/AWS_ACCESS_KEY_ID/);
    const down = await new S3Storage(location, { ...scriptedClient(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), endpoint: 'http://127.0.0.1:1' })
      .get('g/x')
      .catch((e: StorageUnavailableError) => e);
    expect((down as StorageUnavailableError).hint).toMatch(/http:\/\/127\.0\.0\.1:1/);
  });

  it('answers head of a missing object with undefined (HEAD has no error body: "NotFound")', async () => {
    const { client } = scriptedClient(sdkError('NotFound', 404), { ContentLength: 12 });
    const storage = new S3Storage(location, { client });
    expect(await storage.head('g/x')).toBeUndefined();
    expect(await storage.head('g/x')).toEqual({ size: 12 });
  });

  it('follows continuation tokens and strips the root prefix from keys', async () => {
    const { client, sent } = scriptedClient(
      { Contents: [{ Key: 'root/dir/g/a', Size: 1 }], IsTruncated: true, NextContinuationToken: 't1' },
      { Contents: [{ Key: 'root/dir/g/b', Size: 2 }], IsTruncated: false },
    );
    const keys = [];
    for await (const object of new S3Storage(location, { client, listPageSize: 1 }).list('g/')) keys.push(object);
    expect(keys).toEqual([
      { key: 'g/a', size: 1 },
      { key: 'g/b', size: 2 },
    ]);
    expect(sent.map((s) => [s.input.Prefix, s.input.MaxKeys, s.input.ContinuationToken])).toEqual([
      ['root/dir/g/', 1, undefined],
      ['root/dir/g/', 1, 't1'],
    ]);
  });

  it('refuses a truncated listing without a token instead of stopping silently', async () => {
    const { client } = scriptedClient({ Contents: [], IsTruncated: true });
    const listing = new S3Storage(location, { client }).list('')[Symbol.asyncIterator]();
    await expect(listing.next()).rejects.toThrow(/without a continuation token/);
  });

  it('lists common prefixes with the delimiter', async () => {
    const { client, sent } = scriptedClient({ CommonPrefixes: [{ Prefix: 'root/dir/g/b1/' }, { Prefix: 'root/dir/g/b2/' }] });
    const prefixes = [];
    for await (const prefix of new S3Storage(location, { client }).listPrefixes('g/')) prefixes.push(prefix);
    expect(prefixes).toEqual(['g/b1/', 'g/b2/']);
    expect(sent[0]!.input.Delimiter).toBe('/');
  });

  it('deletes a prefix by listing from the start until nothing is left', async () => {
    const { client, sent } = scriptedClient(
      { Contents: [{ Key: 'root/dir/g/b/1' }, { Key: 'root/dir/g/b/2' }], IsTruncated: true, NextContinuationToken: 'x' },
      {},
      { Contents: [{ Key: 'root/dir/g/b/3' }], IsTruncated: false },
      {},
      { Contents: [], IsTruncated: false },
    );
    expect(await new S3Storage(location, { client, listPageSize: 2 }).deletePrefix('g/b/')).toBe(3);
    expect(sent.map((s) => s.command)).toEqual(['ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command']);
    expect(sent.every((s) => s.input.ContinuationToken === undefined)).toBe(true);
    expect(sent[1]!.input.Delete).toEqual({ Objects: [{ Key: 'root/dir/g/b/1' }, { Key: 'root/dir/g/b/2' }], Quiet: true });
  });

  it('reports a key DeleteObjects could not delete', async () => {
    const { client } = scriptedClient({ Contents: [{ Key: 'root/dir/g/b/1' }] }, { Errors: [{ Key: 'root/dir/g/b/1', Code: 'AccessDenied', Message: 'no' }] });
    const error = await new S3Storage(location, { client }).deletePrefix('g/b/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    expect((error as Error).message).toContain('s3://bucket/root/dir/g/b/1');
  });

  it('refuses to delete the whole root, and invalid keys, before sending anything', async () => {
    const { client, sent } = scriptedClient();
    const storage = new S3Storage(location, { client });
    await expect(storage.deletePrefix('')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.get('../x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.put('a//b', 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(sent).toEqual([]);
  });
});

describe('S3 client configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL', () => {
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL_S3: 'http://a', AWS_ENDPOINT_URL: 'http://b' })).toBe('http://a');
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL: 'http://b' })).toBe('http://b');
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL: 'http://b', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
    expect(endpointFromEnvironment({})).toBeUndefined();
  });

  it('uses path-style addressing against a custom endpoint, and us-east-1 when no region is set', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const client = s3Client({ endpoint: 'http://127.0.0.1:9999' });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    const endpoint = await client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9999');
    expect(s3Client({ endpoint: 'http://127.0.0.1:9999' })).toBe(client);
  });

  it('keeps virtual-hosted addressing for AWS itself and honours AWS_REGION', async () => {
    process.env.AWS_REGION = 'eu-west-3';
    const client = s3Client({});
    expect(client.config.forcePathStyle).toBeFalsy();
    expect(await client.config.region()).toBe('eu-west-3');
  });

  it('opens s3:// locations with the endpoint from the environment', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9998';
    const storage = openStorage('s3://bucket/p');
    expect(storage).toBeInstanceOf(S3Storage);
    expect(storage.root).toBe('s3://bucket/p');
    const client = (storage as unknown as { client: S3Client }).client;
    expect((await client.config.endpoint!()).port).toBe(9998);
  });
});
