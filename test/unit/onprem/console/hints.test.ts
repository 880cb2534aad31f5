import { describe, expect, it } from 'vitest';
import { hintForName } from '../../../../src/core/shared/hints.ts';
import { ConsoleBindRefusedError } from '../../../../src/onprem/console/errors.ts';
import { hintForError } from '../../../../src/onprem/console/hints.ts';

describe('console hints', () => {
  it('finds the hint for a failed run (runs.ts) by its error name in the one table, none for an unknown name', () => {
    // Act / Assess
    expect(hintForName('HsmKeyNotFoundError')).toContain('byok hsm list');
    expect(hintForName('SomethingElse')).toBeUndefined();
    expect(hintForName(null)).toBeUndefined();
  });

  it("prefers an error's own hint, then knows the AWS SDK's set-up errors", () => {
    // Prepare
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    // Act / Assess
    expect(hintForError(new ConsoleBindRefusedError('0.0.0.0'))).toContain('--host');
    expect(hintForError(credentials)).toContain('--endpoint');
    expect(hintForError(new Error('Region is missing'))).toContain('--region');
    expect(hintForError(new Error('boom'))).toBeUndefined();
  });
});
