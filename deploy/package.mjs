#!/usr/bin/env node
// `npm run package -- [--stage prod] [--region eu-west-1] [--aws-profile p] [--param k=v ...]
// [--out dir]`: packages the stack with osls (offline, no AWS credentials) and leaves a
// self-contained artefact in dist/stack/ (deploy/artefact.mjs) that `aws cloudformation package`
// and `aws cloudformation deploy` deploy without osls (docs/deploy.md). The Region comes from
// --region, else AWS_REGION/AWS_DEFAULT_REGION, else the AWS profile (deploy/region.cjs); with
// none, nothing is packaged.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeArtefact } from './artefact.mjs';

const require = createRequire(import.meta.url);
const { resolveRegion } = require('./region.cjs');
const repoRoot = resolve(import.meta.dirname, '..');

class PackageUsageError extends Error {
  name = 'PackageUsageError';
}

function options(argv) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string', default: 'dev' },
        region: { type: 'string' },
        'aws-profile': { type: 'string' },
        param: { type: 'string', multiple: true, default: [] },
        out: { type: 'string', default: join(repoRoot, 'dist', 'stack') },
      },
      strict: true,
      allowPositionals: false,
    });
    for (const param of values.param) {
      if (!/^[A-Za-z0-9]+=/.test(param)) throw new PackageUsageError(`--param "${param}" is not name=value`);
    }
    if (!/^[a-z0-9-]{1,20}$/.test(values.stage))
      throw new PackageUsageError(`--stage "${values.stage}" is not [a-z0-9-]{1,20}`);
    return values;
  } catch (error) {
    if (error instanceof PackageUsageError) throw error;
    throw new PackageUsageError(error.message, { cause: error });
  }
}

function main() {
  const values = options(process.argv.slice(2));
  const { region, source } = resolveRegion({ flag: values.region, profile: values['aws-profile'] });
  const placement =
    values.param.find((param) => param.startsWith('hsmPlacement='))?.split('=')[1] ?? 'lambda';
  const packageDir = join(repoRoot, '.serverless');
  process.stderr.write(`Packaging stage ${values.stage} for ${region} (${source})\n`);
  const osls = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--package',
      packageDir,
      '--stage',
      values.stage,
      '--region',
      region,
      ...values.param.flatMap((param) => ['--param', param]),
    ],
    { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } },
  );
  if (osls.status !== 0) return osls.status ?? 1;
  const manifest = writeArtefact({
    packageDir,
    outDir: values.out,
    service: 'byok',
    stage: values.stage,
    region,
    placement,
  });
  const out = relative(process.cwd(), values.out) || '.';
  process.stdout.write(
    [
      `Artefact in ${out}/: template.json and ${Object.keys(manifest.files).length - 1} function zips (stage ${values.stage}, ${region}, hsmPlacement=${placement}).`,
      'Deploy it without osls (docs/deploy.md):',
      `  aws cloudformation package --region ${region} --template-file ${out}/template.json --s3-bucket <artefact bucket> --s3-prefix byok-${values.stage} --output-template-file ${out}/packaged.json`,
      `  aws cloudformation deploy --region ${region} --template-file ${out}/packaged.json --stack-name byok-${values.stage} --s3-bucket <artefact bucket> --s3-prefix byok-${values.stage} --capabilities CAPABILITY_NAMED_IAM --parameter-overrides ...`,
      '',
    ].join('\n'),
  );
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  const known = ['NoRegionError', 'InvalidRegionError', 'PackageUsageError', 'ArtefactError'];
  if (!known.includes(error?.name)) throw error;
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exitCode = 2;
}
