// The S3 stand-in through @aws-sdk/client-s3 over HTTP (path style): objects in, objects out,
// prefixes listed, S3's named errors, buckets owned per account, and objects kept in the state dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

let stack: LocalStack;
let stateDir: string;
const clients: S3Client[] = [];

function s3As(accessKeyId: string, url = stack.url): S3Client {
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'byok-s3-'));
  stack = await startLocalStack({ port: 0, stateDir });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('the S3 stand-in', () => {
  it('stores, lists, reads back and deletes objects', async () => {
    // Prepare
    const s3 = s3As('byoklocal');
    await s3.send(new CreateBucketCommand({ Bucket: 'byok-fleet' }));
    const report = JSON.stringify({ pairs: 3, accounts: ['111122223333'] });

    // Act
    await s3.send(
      new PutObjectCommand({
        Bucket: 'byok-fleet',
        Key: 'fleet/runs/1/report.json',
        Body: report,
        ContentType: 'application/json',
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'byok-fleet', Key: 'fleet/runs/1/report.csv', Body: 'a,b\r\n' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'byok-fleet', Key: 'other/x', Body: 'x' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'byok-fleet', Prefix: 'fleet/runs/1/' }));
    const read = await s3.send(
      new GetObjectCommand({ Bucket: 'byok-fleet', Key: 'fleet/runs/1/report.json' }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'byok-fleet', Key: 'other/x' }));

    // Assess
    expect(listed.Contents?.map((object) => object.Key)).toEqual([
      'fleet/runs/1/report.csv',
      'fleet/runs/1/report.json',
    ]);
    expect(await read.Body?.transformToString()).toBe(report);
    expect(read.ContentType).toBe('application/json');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'byok-fleet', Key: 'other/x' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('names missing buckets and refuses another account’s bucket', async () => {
    // Prepare
    await s3As('222233334444').send(new CreateBucketCommand({ Bucket: 'spoke-bucket' }));

    // Act
    const answers = await Promise.allSettled([
      s3As('byoklocal').send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })),
      s3As('byoklocal').send(new PutObjectCommand({ Bucket: 'spoke-bucket', Key: 'k', Body: 'x' })),
      s3As('byoklocal').send(new HeadBucketCommand({ Bucket: 'spoke-bucket' })),
    ]);

    // Assess
    const reasons = answers.map((answer) => (answer.status === 'rejected' ? answer.reason : undefined));
    expect(reasons[0]).toMatchObject({ name: 'NoSuchBucket' });
    expect(reasons[1]).toMatchObject({ name: 'AccessDenied' });
    expect(reasons[2]).toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('keeps objects across a restart with a state dir', async () => {
    // Prepare
    await s3As('byoklocal').send(new CreateBucketCommand({ Bucket: 'kept' }));
    await s3As('byoklocal').send(
      new PutObjectCommand({ Bucket: 'kept', Key: 'a/b.json', Body: '{"kept":true}' }),
    );
    await stack.stop();

    // Act
    stack = await startLocalStack({ port: 0, stateDir });
    const read = await s3As('byoklocal', stack.url).send(
      new GetObjectCommand({ Bucket: 'kept', Key: 'a/b.json' }),
    );

    // Assess
    expect(await read.Body?.transformToString()).toBe('{"kept":true}');
  });
});
