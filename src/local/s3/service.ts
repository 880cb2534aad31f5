// A small S3 stand-in on the local stack's port, for what byok's fleet keeps in S3: the targets a
// Distributed Map reads (ItemReader), the results it writes (ResultWriter) and the fleet report.
// Path-style REST as @aws-sdk/client-s3 sends it with `forcePathStyle`: CreateBucket, HeadBucket,
// PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, with S3's XML errors. Objects are
// text (JSON, CSV, HTML). With a state dir they are files under `s3/<bucket>/`, kept across
// restarts; otherwise in memory. A bucket belongs to the account that created it: another account
// is AccessDenied (no bucket policies here).
//
// Why not a real S3 server: @20minutes/s3rver 4.0.4 installs and serves offline here, but only to
// its own built-in key pair (every other access key id is InvalidAccessKeyId), so the accounts of
// a local fleet could not be told apart, and it is a second server (Koa, 118 packages) beside the
// stack's one port.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.ts';
import type { RequestContext } from '../protocol.ts';
import { escapeXml } from '../query-protocol.ts';

export interface RestRequest {
  method: string;
  /** The decoded path, `/bucket/key`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface StoredObject {
  body: string;
  contentType: string;
  etag: string;
  lastModified: Date;
}

interface Bucket {
  owner: string;
  created: Date;
  objects: Map<string, StoredObject>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly resource?: string,
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

export class LocalS3 {
  readonly signingName = 's3';
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    /** The directory objects are written under (`<stateDir>/s3`); none keeps them in memory. */
    private readonly directory?: string | undefined,
  ) {
    if (directory) this.load(directory);
  }

  /** Answers one REST request; S3 errors become S3's XML error documents. */
  async handle(request: RestRequest, context: RequestContext): Promise<RestResponse> {
    try {
      return this.route(request, context);
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${escapeXml(
        error.message,
      )}</Message>${error.resource ? `<Resource>${escapeXml(error.resource)}</Resource>` : ''}<RequestId>${context.requestId}</RequestId></Error>`;
      return {
        status: error.status,
        headers: { 'content-type': 'application/xml' },
        body: request.method === 'HEAD' ? '' : body,
      };
    }
  }

  /** Every object of a bucket (tests, the admin view). */
  list(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.objects.keys() ?? [])].sort();
  }

  private route(request: RestRequest, context: RequestContext): RestResponse {
    const [bucketName = '', ...rest] = request.path.replace(/^\/+/, '').split('/');
    const key = rest.join('/');
    if (!bucketName) throw new S3Error('NotImplemented', 'ListBuckets is not served by the local stack', 501);
    if (!key) {
      if (request.method === 'PUT') return this.createBucket(bucketName, context);
      const bucket = this.bucket(bucketName, context);
      if (request.method === 'HEAD') return ok('');
      if (request.method === 'GET') return this.listObjects(bucketName, bucket, request.query);
      throw new S3Error(
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        405,
      );
    }
    const bucket = this.bucket(bucketName, context);
    switch (request.method) {
      case 'PUT':
        return this.putObject(bucketName, bucket, key, request);
      case 'GET':
      case 'HEAD': {
        const object = bucket.objects.get(key);
        if (!object)
          throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, `/${bucketName}/${key}`);
        return {
          status: 200,
          headers: {
            'content-type': object.contentType,
            etag: object.etag,
            'last-modified': object.lastModified.toUTCString(),
            ...(request.method === 'HEAD'
              ? { 'content-length': String(Buffer.byteLength(object.body)) }
              : {}),
          },
          body: request.method === 'HEAD' ? '' : object.body,
        };
      }
      case 'DELETE':
        bucket.objects.delete(key);
        if (this.directory) rmSync(this.objectPath(bucketName, key), { force: true });
        return { status: 204, headers: {}, body: '' };
      default:
        throw new S3Error(
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          405,
        );
    }
  }

  private createBucket(name: string, context: RequestContext): RestResponse {
    if (!BUCKET_NAME.test(name))
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, name);
    const existing = this.buckets.get(name);
    if (existing) {
      if (existing.owner === context.accountId) {
        throw new S3Error(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
          name,
        );
      }
      throw new S3Error('BucketAlreadyExists', 'The requested bucket name is not available.', 409, name);
    }
    this.buckets.set(name, { owner: context.accountId, created: this.clock.now(), objects: new Map() });
    if (this.directory) {
      mkdirSync(join(this.directory, name), { recursive: true, mode: 0o700 });
      writeFileSync(join(this.directory, name, '.owner'), context.accountId, { mode: 0o600 });
    }
    return { status: 200, headers: { location: `/${name}` }, body: '' };
  }

  private bucket(name: string, context: RequestContext): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, name);
    if (bucket.owner !== context.accountId) throw new S3Error('AccessDenied', 'Access Denied', 403, name);
    return bucket;
  }

  private putObject(bucketName: string, bucket: Bucket, key: string, request: RestRequest): RestResponse {
    if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400, key);
    const etag = `"${createHash('md5').update(request.body).digest('hex')}"`;
    const object: StoredObject = {
      body: request.body,
      contentType: request.headers['content-type'] ?? 'binary/octet-stream',
      etag,
      lastModified: this.clock.now(),
    };
    bucket.objects.set(key, object);
    if (this.directory) {
      const path = this.objectPath(bucketName, key);
      writeFileSync(
        `${path}.tmp`,
        JSON.stringify({ ...object, lastModified: object.lastModified.toISOString() }),
        {
          mode: 0o600,
        },
      );
      renameSync(`${path}.tmp`, path);
    }
    return { status: 200, headers: { etag }, body: '' };
  }

  private listObjects(name: string, bucket: Bucket, query: URLSearchParams): RestResponse {
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? '1000') || 1000);
    const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
    const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((key) => {
        const object = bucket.objects.get(key) as StoredObject;
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(
          object.etag,
        )}</ETag><Size>${Buffer.byteLength(object.body)}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const body = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(
      name,
    )}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
      truncated
        ? `<NextContinuationToken>${escapeXml(page[page.length - 1] ?? '')}</NextContinuationToken>`
        : ''
    }${contents}</ListBucketResult>`;
    return { status: 200, headers: { 'content-type': 'application/xml' }, body };
  }

  private objectPath(bucket: string, key: string): string {
    return join(this.directory as string, bucket, encodeURIComponent(key));
  }

  private load(directory: string): void {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(directory)) {
      const owner = readFileSync(join(directory, name, '.owner'), 'utf8').trim();
      const objects = new Map<string, StoredObject>();
      for (const file of readdirSync(join(directory, name))) {
        if (file === '.owner' || file.endsWith('.tmp')) continue;
        const stored = JSON.parse(readFileSync(join(directory, name, file), 'utf8')) as StoredObject & {
          lastModified: string;
        };
        objects.set(decodeURIComponent(file), { ...stored, lastModified: new Date(stored.lastModified) });
      }
      this.buckets.set(name, { owner, created: new Date(0), objects });
    }
  }
}

function ok(body: string): RestResponse {
  return { status: 200, headers: {}, body };
}
