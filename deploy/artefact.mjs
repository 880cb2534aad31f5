// Turns what `osls package` writes (.serverless/) into a self-contained deployment artefact that a
// bank's pipeline deploys with plain CloudFormation, without osls:
//   template.json   the stack, with each function's Code the path of its zip beside it (what
//                   `aws cloudformation package` uploads and rewrites to S3 locations), and
//                   without the framework's own deployment bucket
//   <function>.zip  the bundles
//   artefact.json   service, stage, Region, placement, and the SHA-256 of every file
// Anything else in the template that points at the framework's bucket stops it (ArtefactError):
// the artefact references only its own files and the stack's parameters.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export class ArtefactError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'ArtefactError';
  }
}

const FRAMEWORK_BUCKET = 'ServerlessDeploymentBucket';
const FRAMEWORK_RESOURCES = [FRAMEWORK_BUCKET, 'ServerlessDeploymentBucketPolicy'];

function mentions(value, logicalId) {
  return JSON.stringify(value).includes(`"${logicalId}"`);
}

/** The artefact's template: a copy of `template` with local Code paths; `zips` lists the files. */
export function artefactTemplate(template) {
  const copy = structuredClone(template);
  for (const id of FRAMEWORK_RESOURCES) delete copy.Resources[id];
  for (const [id, output] of Object.entries(copy.Outputs ?? {})) {
    if (mentions(output, FRAMEWORK_BUCKET)) delete copy.Outputs[id];
  }
  const zips = [];
  for (const [id, resource] of Object.entries(copy.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const code = resource.Properties?.Code;
    const key = code?.S3Key;
    if (
      !code ||
      !mentions(code.S3Bucket, FRAMEWORK_BUCKET) ||
      typeof key !== 'string' ||
      !key.endsWith('.zip')
    ) {
      throw new ArtefactError(
        `${id}: Code is not a zip in the framework's deployment bucket: ${JSON.stringify(code)}`,
      );
    }
    const zip = basename(key);
    resource.Properties.Code = zip;
    zips.push(zip);
  }
  const left = Object.entries(copy.Resources)
    .filter(([, resource]) => mentions(resource, FRAMEWORK_BUCKET))
    .map(([id]) => id);
  if (left.length > 0) {
    throw new ArtefactError(`still referring to the framework's bucket: ${left.join(', ')}`);
  }
  return { template: copy, zips: [...new Set(zips)].sort() };
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Writes the artefact of the osls output in `packageDir` to `outDir` (emptied first) and returns
 * its manifest.
 */
export function writeArtefact({ packageDir, outDir, service, stage, region, placement }) {
  const source = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  const { template, zips } = artefactTemplate(source);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const zip of zips) copyFileSync(join(packageDir, zip), join(outDir, zip));
  writeFileSync(join(outDir, 'template.json'), `${JSON.stringify(template, null, 2)}\n`);
  const files = Object.fromEntries(
    ['template.json', ...zips].map((file) => [file, sha256(join(outDir, file))]),
  );
  const manifest = { service, stage, region, hsmPlacement: placement, files };
  writeFileSync(join(outDir, 'artefact.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
