// Text that reaches error messages, logs and the CLI's terminal line (the HSM key label, the reason,
// the label tag) must be printable: control characters or bidirectional overrides could forge a
// line of CLI output or a log entry ("byok: import succeeded") or hide part of a label.
import { describe, expect, it } from 'vitest';
import { ImportExecutionInputSchema } from '../../../../src/core/import/contracts.ts';
import {
  AliasNotAcceptedError,
  InvalidImportInputError,
  InvalidKeyTagError,
} from '../../../../src/core/import/errors.ts';
import { parseImportExecutionInput } from '../../../../src/core/import/get-parameters-for-import.ts';
import { readTagDefaults } from '../../../../src/core/import/key-tags.ts';
import { TAG_HSM_KEY_LABEL } from '../../../../src/core/import/tags.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('execution input text fields', () => {
  it.each([
    ['an escape sequence', 'pay\u001b[2K\rbyok: done'],
    ['a newline', 'payments\nbyok: imported'],
    ['a NUL byte', 'payments\u0000other'],
    ['DEL', 'payments\u007f'],
    ['a C1 control', 'payments\u009b31m'],
    ['a right-to-left override', 'pay\u202estnemy'],
  ])('refuses an HSM key label with %s, without echoing it', (_what, label) => {
    // Act
    const parse = () => parseImportExecutionInput({ keyId: KEY, hsmKeyLabel: label });

    // Assess
    expect(parse).toThrow(InvalidImportInputError);
    expect(parse).toThrow('hsmKeyLabel: must be printable text');
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toContain(label);
    }
  });

  it('refuses a reason with control characters', () => {
    // Act
    const parsed = ImportExecutionInputSchema.safeParse({ keyId: KEY, reason: 'scheduled\r\nbyok: ok' });

    // Assess
    expect(parsed.success).toBe(false);
  });

  it('keeps accepting ordinary labels and reasons, including non-ASCII letters and spaces', () => {
    // Act
    const parsed = parseImportExecutionInput({
      keyId: KEY,
      hsmKeyLabel: 'payments key/2027 (é, 鍵) #1',
      reason: 'rotation: yearly, per policy §4',
    });

    // Assess
    expect(parsed.hsmKeyLabel).toBe('payments key/2027 (é, 鍵) #1');
    expect(parsed.reason).toBe('rotation: yearly, per policy §4');
  });
});

describe('byok:hsm-key-label tag', () => {
  it('refuses a label tag with control characters', () => {
    // Act
    const read = () => readTagDefaults([{ TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments\u001b[8m' }]);

    // Assess
    expect(read).toThrow(InvalidKeyTagError);
    expect(read).toThrow(`tag ${TAG_HSM_KEY_LABEL}="payments\\u{001b}[8m" is invalid`);
  });
});

describe('alias refusal', () => {
  it('quotes the alias with its control characters escaped', () => {
    // Act
    const parse = () => parseImportExecutionInput({ keyId: 'alias/pay\u001b]0;x\u0007' });

    // Assess
    expect(parse).toThrow(AliasNotAcceptedError);
    expect(parse).toThrow('"alias/pay\\u{001b}]0;x\\u{0007}" is an alias');
  });
});
