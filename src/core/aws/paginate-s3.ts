// S3's list calls, every page, through the SDK's paginators (one place for this service).
import { type _Object, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** Every object under a prefix of a bucket (ListObjectsV2). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix }))
    objects.push(...(page.Contents ?? []));
  return objects;
}
