// `npm run package` as a bank's pipeline uses it: the Region it packages for comes from --region,
// the environment or the profile, never a default; it leaves a self-contained artefact (template
// and the zips it references) that the real AWS CLI's `aws cloudformation package` turns into a
// deployable template without osls; the artefact references nothing but its own files and the
// stack's parameters; every resource and property is one the CloudFormation resource
// specification knows (shown failing on a misspelled property).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  type PackagedService,
  packageService,
  repoRoot,
} from '../../deploy/package-service.ts';
import { checkTemplateAgainstSpec } from './support/cfn-spec.ts';

/** The interpreter of Debian's AWS CLI (/usr/bin/aws starts with #!/usr/bin/python3). */
const AWS_CLI_PYTHON = '/usr/bin/python3';
const PSEUDO_PARAMETERS = new Set([
  'AWS::Partition',
  'AWS::Region',
  'AWS::AccountId',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NoValue',
]);

let packaged: PackagedService;
/** Temporary dirs this file makes; removed after it. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

beforeAll(() => {
  packaged = packageService(repoRoot, [], { cache: true });
}, 300_000);

afterAll(() => {
  packaged?.cleanup();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function artefactTemplate(): CfnTemplate {
  return JSON.parse(readFileSync(join(packaged.artefactDir, 'template.json'), 'utf8')) as CfnTemplate;
}

/** Runs `npm run package` (deploy/package.mjs) in a bare environment: no AWS_* and no config. */
function runPackage(args: string[], env: Record<string, string> = {}) {
  const home = tempDir('byok-package-home-');
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) base[name] = value;
  return spawnSync(process.execPath, [join(repoRoot, 'deploy/package.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...base, HOME: home, AWS_CONFIG_FILE: join(home, 'none'), ...env },
  });
}

/** serverless.yml's provider.region as osls resolves it (`osls print`), in a bare environment. */
function oslsRegion(args: string[], env: Record<string, string>) {
  const home = tempDir('byok-print-home-');
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) base[name] = value;
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/osls/bin/serverless.js'), 'print', '--format', 'json', ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...base, HOME: home, AWS_CONFIG_FILE: join(home, 'none'), SLS_TELEMETRY_DISABLED: '1', ...env },
    },
  );
  if (result.status !== 0) return { error: `${result.stdout}${result.stderr}` };
  return { region: (JSON.parse(result.stdout) as { provider: { region: string } }).provider.region };
}

describe('the Region packaging uses', () => {
  it('refuses to package with no Region from the flag, the environment or a profile: NoRegionError, nothing written', () => {
    // Prepare
    const out = join(tempDir('byok-artefact-'), 'stack');

    // Act
    const result = runPackage(['--out', out]);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^NoRegionError: no AWS Region to package for: pass --region/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("is the one serverless.yml gives osls: the flag over the environment, the profile's, none fails", () => {
    // Prepare (the whole order is test/unit/deploy/region.test.ts; this is the same resolver in osls)
    const home = tempDir('byok-print-config-');
    const config = join(home, 'config');
    writeFileSync(config, '[profile bank]\nregion = eu-north-1\n');

    // Act
    const fromFlag = oslsRegion(['--region', 'ap-south-1'], { AWS_REGION: 'eu-central-1' });
    const fromProfile = oslsRegion([], { AWS_PROFILE: 'bank', AWS_CONFIG_FILE: config });
    const none = oslsRegion([], {});

    // Assess
    expect(fromFlag).toEqual({ region: 'ap-south-1' });
    expect(fromProfile).toEqual({ region: 'eu-north-1' });
    expect(none.error).toContain('NoRegionError');
  }, 240_000);

  it('names the roles of the packaged template after the Region it was packaged for', () => {
    // Prepare
    const names = JSON.stringify(packaged.template);

    // Assess
    expect(names).toContain('dev-us-east-1-byok-');
    expect(JSON.parse(readFileSync(join(packaged.artefactDir, 'artefact.json'), 'utf8'))).toMatchObject({
      stage: 'dev',
      region: 'us-east-1',
      hsmPlacement: 'lambda',
    });
  });
});

describe('the artefact', () => {
  it('holds the template and every zip it references, each listed with its SHA-256, and nothing of osls', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(packaged.artefactDir, 'artefact.json'), 'utf8')) as {
      files: Record<string, string>;
    };
    const template = artefactTemplate();
    const codes = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties?.Code);

    // Assess
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) {
      expect(typeof code).toBe('string');
      expect(existsSync(join(packaged.artefactDir, code as string))).toBe(true);
    }
    expect(Object.keys(manifest.files).sort()).toEqual(
      readdirSync(packaged.artefactDir)
        .filter((file) => file !== 'artefact.json')
        .sort(),
    );
    for (const [file, digest] of Object.entries(manifest.files)) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(packaged.artefactDir, file)))
          .digest('hex'),
        file,
      ).toBe(digest);
    }
    expect(JSON.stringify(template)).not.toContain('ServerlessDeploymentBucket');
  });

  it('references only its own files, resources and parameters', () => {
    // Prepare
    const template = artefactTemplate();
    const parameters = new Set(Object.keys(template.Parameters ?? {}));
    const resources = new Set(Object.keys(template.Resources));
    const conditions = new Set(Object.keys(template.Conditions ?? {}));
    const problems: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) visit(item, `${where}[${index}]`);
        return;
      }
      if (typeof value === 'string') {
        // A literal ARN with an account id would point outside the stack.
        if (/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/.test(value))
          problems.push(`${where}: literal ARN ${value}`);
        if (/^s3:\/\/|^https:\/\/[^"]*\.s3[.-]/.test(value)) problems.push(`${where}: S3 location ${value}`);
        return;
      }
      if (!value || typeof value !== 'object') return;
      for (const [key, item] of Object.entries(value)) {
        if (key === 'Ref' && typeof item === 'string') {
          if (!parameters.has(item) && !resources.has(item) && !PSEUDO_PARAMETERS.has(item))
            problems.push(`${where}: Ref ${item} is no parameter or resource of the template`);
        } else if (key === 'Fn::GetAtt') {
          const [id] = (typeof item === 'string' ? item.split('.') : item) as [string];
          if (!resources.has(id)) problems.push(`${where}: Fn::GetAtt ${id} is no resource of the template`);
        } else if (key === 'Fn::Sub') {
          const text = (Array.isArray(item) ? item[0] : item) as string;
          const local = Array.isArray(item) ? Object.keys(item[1] as object) : [];
          for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const name = (match[1] as string).split('.')[0] as string;
            if (
              ![parameters, resources, PSEUDO_PARAMETERS].some((set) => set.has(name)) &&
              !local.includes(name)
            )
              problems.push(`${where}: \${${match[1]}} is no parameter or resource of the template`);
          }
          if (Array.isArray(item)) visit(item[1], `${where}.Fn::Sub`);
        } else if (key === 'Fn::If' || (key === 'Condition' && typeof item === 'string')) {
          const name = (Array.isArray(item) ? item[0] : item) as string;
          if (!conditions.has(name)) problems.push(`${where}: condition ${name} is not defined`);
          if (Array.isArray(item)) visit(item.slice(1), `${where}.${key}`);
        } else if (['Fn::ImportValue', 'S3Bucket', 'S3Key', 'TemplateURL', 'BodyS3Location'].includes(key)) {
          problems.push(`${where}: ${key} points outside the artefact`);
        } else {
          visit(item, `${where}.${key}`);
        }
      }
    };

    // Act
    for (const [id, resource] of Object.entries(template.Resources)) visit(resource, id);
    visit(template.Outputs ?? {}, 'Outputs');

    // Assess
    expect(problems).toEqual([]);
  });

  it("is turned by the AWS CLI's own `cloudformation package` code into a template whose code is in S3", () => {
    // Prepare: the AWS CLI's template exporter (awscli.customizations.cloudformation, the code
    // behind `aws cloudformation package`), run by the AWS CLI's Python with an uploader that
    // records each file instead of sending it to S3 (this machine reaches no S3).
    const exporter = [
      'import hashlib, json, sys',
      'from awscli.customizations.cloudformation.artifact_exporter import Template',
      'class Uploader:',
      '    def __init__(self): self.uploads = {}',
      '    def upload_with_dedup(self, path, extension=None):',
      '        key = "byok-dev/" + hashlib.md5(open(path, "rb").read()).hexdigest()',
      '        self.uploads[key] = path',
      '        return "s3://bank-artefacts/" + key',
      'uploader = Uploader()',
      'exported = Template(sys.argv[1], sys.argv[2], uploader).export()',
      'print(json.dumps({"template": exported, "uploads": uploader.uploads}))',
    ].join('\n');

    // Act
    const result = spawnSync(
      AWS_CLI_PYTHON,
      ['-c', exporter, join(packaged.artefactDir, 'template.json'), packaged.artefactDir],
      { encoding: 'utf8', timeout: 120_000 },
    );

    // Assess
    expect(result.status, result.stderr).toBe(0);
    const { template: deployable, uploads } = JSON.parse(result.stdout) as {
      template: CfnTemplate;
      uploads: Record<string, string>;
    };
    const source = artefactTemplate();
    for (const [id, resource] of Object.entries(source.Resources)) {
      const after = deployable.Resources[id];
      if (resource.Type !== 'AWS::Lambda::Function') {
        expect(after, id).toEqual(resource);
        continue;
      }
      const code = after?.Properties?.Code as { S3Bucket: string; S3Key: string };
      expect(code.S3Bucket, id).toBe('bank-artefacts');
      expect(uploads[code.S3Key], id).toBe(join(packaged.artefactDir, resource.Properties?.Code as string));
      expect({ ...after?.Properties, Code: undefined }).toEqual({ ...resource.Properties, Code: undefined });
    }
    expect(deployable.Parameters).toEqual(source.Parameters);
    expect(checkTemplateAgainstSpec(deployable)).toEqual([]);
  });
});

describe('the CloudFormation resource specification (@aws-cdk/aws-service-spec)', () => {
  it('knows every resource type and property of the packaged template', () => {
    // Act
    const problems = checkTemplateAgainstSpec(packaged.template);

    // Assess
    expect(problems).toEqual([]);
  });

  it('finds a misspelled property, a nested one, a missing required one and an unknown attribute', () => {
    // Prepare: the fixture, the packaged template with four mistakes.
    const template = structuredClone(packaged.template);
    const verify = template.Resources.VerifyImportLambdaFunction?.Properties as Record<string, unknown>;
    verify.MemmorySize = verify.MemorySize;
    delete verify.MemorySize;
    const table = template.Resources.ApprovalsTable?.Properties as Record<string, unknown>;
    table.PointInTimeRecoverySpecification = { PointInTimeRecoveryEnable: true };
    delete (template.Resources.AlertTopicPolicy?.Properties ?? {}).Topics;
    (template.Outputs as Record<string, unknown>).Broken = {
      Value: { 'Fn::GetAtt': ['AlertTopic', 'TopicArnn'] },
    };
    template.Resources.AlertRule = {
      ...(template.Resources.AlertRule as CfnTemplate['Resources'][string]),
      Properties: {
        ...template.Resources.AlertRule?.Properties,
        Targets: [{ Id: 'x', Arn: { 'Fn::GetAtt': ['AlertTopic', 'TopicArnn'] } }],
      },
    };

    // Act
    const problems = checkTemplateAgainstSpec(template);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^VerifyImportLambdaFunction \(AWS::Lambda::Function\): unknown property MemmorySize/,
        ),
        expect.stringMatching(
          /^ApprovalsTable \(AWS::DynamoDB::Table\)\.PointInTimeRecoverySpecification: unknown property PointInTimeRecoveryEnable/,
        ),
        expect.stringMatching(
          /^AlertTopicPolicy \(AWS::SNS::TopicPolicy\): required property Topics is missing/,
        ),
        expect.stringMatching(
          /^AlertRule: Fn::GetAtt AlertTopic\.TopicArnn: AWS::SNS::Topic has no attribute TopicArnn/,
        ),
      ]),
    );
  });
});

describe('the approvals table', () => {
  it('is retained when the stack is deleted or the table replaced', () => {
    // Prepare
    const table = artefactTemplate().Resources.ApprovalsTable as unknown as Record<string, unknown>;

    // Assess
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('who hears the alerts, and where the expiry alarm watches', () => {
  it('subscribes the AlertEmail parameter to the alert topic when it is given', () => {
    // Prepare
    const template = artefactTemplate();
    const subscription = template.Resources.AlertEmailSubscription;

    // Assess
    expect(subscription).toEqual({
      Type: 'AWS::SNS::Subscription',
      Condition: 'AlertEmailGiven',
      Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } },
    });
    expect(template.Conditions?.AlertEmailGiven).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }],
    });
    expect(template.Parameters?.AlertEmail?.Default).toBe('');
  });

  it('deploys the same Metrics Insights alarm into each of ExpiryAlarmRegions, with its own encrypted topic and the e-mail', () => {
    // Prepare
    const template = artefactTemplate();
    const stackSet = template.Resources.RegionalExpiryAlarms;
    const regional = JSON.parse(stackSet?.Properties?.TemplateBody as string) as CfnTemplate;
    const home = template.Resources.KeyMaterialExpiringAlarm?.Properties as {
      Metrics: { Expression: string }[];
    };
    const alarm = regional.Resources.KeyMaterialExpiringAlarm?.Properties as typeof home & {
      AlarmActions: unknown;
    };

    // Assess
    expect(stackSet?.Condition).toBe('OtherAlarmRegionsGiven');
    expect(stackSet?.Properties?.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { Accounts: [{ Ref: 'AWS::AccountId' }] },
        Regions: { Ref: 'ExpiryAlarmRegions' },
      },
    ]);
    expect(alarm.Metrics[0]?.Expression).toBe(home.Metrics[0]?.Expression);
    expect(alarm.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    expect(regional.Resources.AlertTopic?.Properties?.KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    expect(regional.Resources.AlertEmailSubscription?.Properties?.Endpoint).toEqual({ Ref: 'AlertEmail' });
    expect(checkTemplateAgainstSpec(regional)).toEqual([]);
  });
});
