// The worker's allowlist comes only from its own configuration: --bind values and a bindings file
// are checked strictly, one KMS key per HSM key label, and anything else is refused by name.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyBindings, parseBinding, readBindingsFile } from '../../../../src/onprem/worker/bindings.ts';
import { InvalidWorkerBindingError, WorkerKeyNotBoundError } from '../../../../src/onprem/worker/errors.ts';

const ARN_A = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN_B = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';

describe('worker bindings', () => {
  it('parses label=arn, the ARN after the last =', () => {
    // Act
    const plain = parseBinding(`payments=${ARN_A}`);
    const withEquals = parseBinding(`a=b=${ARN_B}`);

    // Assess
    expect(plain).toEqual({ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A });
    expect(withEquals).toEqual({ hsmKeyLabel: 'a=b', kmsKeyArn: ARN_B });
  });

  it.each([
    ['payments=1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['payments=arn:aws:kms:eu-west-1:111122223333:alias/payments'],
    [`=${ARN_A}`],
    ['payments'],
    [`pay\u202ements=${ARN_A}`],
  ])('refuses %j', (value) => {
    expect(() => parseBinding(value)).toThrow(InvalidWorkerBindingError);
  });

  it('reads a bindings file and refuses unknown fields', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'byok-bindings-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ bindings: [{ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A }] }));
    await writeFile(
      bad,
      JSON.stringify({ bindings: [{ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A, any: true }] }),
    );

    // Act
    const read = await readBindingsFile(good);
    const refused = readBindingsFile(bad);

    // Assess
    expect(read).toEqual([{ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A }]);
    await expect(refused).rejects.toThrow(InvalidWorkerBindingError);
    await rm(dir, { recursive: true, force: true });
  });

  it('allows only the bound pairing, and refuses two KMS keys for one label', () => {
    // Prepare
    const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A }]);

    // Act
    const allowed = bindings.resolve('payments', ARN_A);
    const otherKey = () => bindings.resolve('payments', ARN_B);
    const otherLabel = () => bindings.resolve('signing', ARN_A);
    const twice = () =>
      new KeyBindings([
        { hsmKeyLabel: 'payments', kmsKeyArn: ARN_A },
        { hsmKeyLabel: 'payments', kmsKeyArn: ARN_B },
      ]);

    // Assess
    expect(allowed).toEqual({ keyArn: ARN_A, boundArn: ARN_A, via: 'exact' });
    expect(otherKey).toThrow(WorkerKeyNotBoundError);
    expect(otherLabel).toThrow(WorkerKeyNotBoundError);
    expect(twice).toThrow(InvalidWorkerBindingError);
  });

  it('with the development flag and no binding, allows any pairing; a bound label stays bound', () => {
    // Prepare
    const any = new KeyBindings([], true);
    const boundAndAny = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: ARN_A }], true);

    // Assess
    expect(any.resolve('x', ARN_B)).toEqual({ keyArn: ARN_B, boundArn: ARN_B, via: 'any' });
    expect(() => boundAndAny.resolve('payments', ARN_B)).toThrow(WorkerKeyNotBoundError);
  });

  it('normalises an upper-case key id in --bind and in a bindings file to the id KMS answers', () => {
    // Prepare
    const upper = `${ARN_A.slice(0, ARN_A.lastIndexOf('/') + 1)}${ARN_A.slice(ARN_A.lastIndexOf('/') + 1).toUpperCase()}`;

    // Act
    const parsed = parseBinding(`payments=${upper}`);
    const bindings = new KeyBindings([parsed]);

    // Assess
    expect(upper).not.toBe(ARN_A);
    expect(parsed.kmsKeyArn).toBe(ARN_A);
    expect(bindings.resolve('payments', ARN_A).keyArn).toBe(ARN_A);
  });

  it("covers a multi-Region key's replicas (same key id, other Region, same account), nothing else", () => {
    // Prepare
    const primary = 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
    const replica = primary.replace('us-east-1', 'eu-west-1');
    const otherAccount = replica.replace('111122223333', '444455556666');
    const single = new KeyBindings([{ hsmKeyLabel: 'single', kmsKeyArn: ARN_A }]);
    const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: primary }]);

    // Act
    const grant = bindings.resolve('payments', replica);

    // Assess
    expect(grant).toEqual({ keyArn: replica, boundArn: primary, via: 'exact', replicaOf: primary });
    expect(() => bindings.resolve('payments', otherAccount)).toThrow(WorkerKeyNotBoundError);
    expect(() => single.resolve('single', ARN_A.replace('eu-west-1', 'us-west-2'))).toThrow(
      WorkerKeyNotBoundError,
    );
  });
});
