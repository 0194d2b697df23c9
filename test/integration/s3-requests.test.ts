/**
 * What an S3 bucket with Object Lock demands of every write: a checksum (Content-MD5 or an
 * x-amz-checksum-*). s3proxy, the tests' S3 server, does not implement Object Lock (it answers
 * NotImplemented), so the lock itself is asserted on the template (test/infra); here a recording
 * proxy in front of s3proxy shows that each write hgbr's S3 storage makes carries one.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Storage } from '../../functions/storage/s3';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '../support/recording-proxy';
import { startS3Server, type S3Server } from '../support/s3-server';

let s3: S3Server;
let proxy: RecordingProxy;

beforeAll(async () => {
  s3 = await startS3Server();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY, AWS_REGION: s3.env.AWS_REGION });
  proxy = await startRecordingProxy(s3.endpoint);
});

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
});

function carriesChecksum(request: RecordedRequest): boolean {
  const h = request.headers;
  const trailer = String(h['x-amz-trailer'] ?? '');
  return h['content-md5'] !== undefined || Object.keys(h).some((name) => name.startsWith('x-amz-checksum-')) || trailer.startsWith('x-amz-checksum-');
}

it('sends a checksum with every write: PutObject, a multipart upload\u2019s parts, DeleteObjects', async () => {
  const storage = new S3Storage({ bucket: s3.bucket, prefix: 'object-lock' }, { endpoint: proxy.endpoint, partSize: 5 * 1024 * 1024 });
  await storage.put('g/b/manifest.json', '{"v":1}', { ifAbsent: true });
  const big = randomBytes(11 * 1024 * 1024);
  await storage.upload('g/b/vertices-0000-00000.zip', Readable.from([big.subarray(0, 6 * 1024 * 1024), big.subarray(6 * 1024 * 1024)]));
  expect(await storage.head('g/b/vertices-0000-00000.zip')).toEqual({ size: big.length });
  expect(await storage.deletePrefix('g/')).toBe(2);

  const writes = proxy.requests.filter((r) => r.method === 'PUT' || (r.method === 'POST' && r.url.includes('delete')));
  const kinds = writes.map((r) => (r.url.includes('partNumber=') ? 'UploadPart' : r.method === 'POST' ? 'DeleteObjects' : 'PutObject'));
  expect(new Set(kinds)).toEqual(new Set(['PutObject', 'UploadPart', 'DeleteObjects']));
  expect(writes.filter((r) => !carriesChecksum(r)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
});
