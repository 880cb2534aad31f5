import { describe, expect, it } from 'vitest';
import {
  AwsServiceError,
  parseJsonBody,
  parseTarget,
  regionFromAuthorization,
} from '../../../src/local/protocol.ts';

describe('AWS JSON protocol helpers', () => {
  it('splits X-Amz-Target into service prefix and operation', () => {
    // Act & Assess
    expect(parseTarget('TrentService.ImportKeyMaterial')).toEqual({
      prefix: 'TrentService',
      operation: 'ImportKeyMaterial',
    });
    expect(parseTarget('AWSStepFunctions.StartExecution')).toEqual({
      prefix: 'AWSStepFunctions',
      operation: 'StartExecution',
    });
    expect(parseTarget('NoOperation')).toBeUndefined();
    expect(parseTarget('Trailing.')).toBeUndefined();
    expect(parseTarget(undefined)).toBeUndefined();
  });

  it('reads the Region from a SigV4 credential scope', () => {
    // Prepare
    const header =
      'AWS4-HMAC-SHA256 Credential=byoklocal/20261127/eu-central-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';

    // Act & Assess
    expect(regionFromAuthorization(header)).toBe('eu-central-1');
    expect(regionFromAuthorization('Bearer token')).toBeUndefined();
    expect(regionFromAuthorization(undefined)).toBeUndefined();
  });

  it('answers a malformed body with SerializationException', () => {
    // Act
    const attempt = () => parseJsonBody('{"KeyId":');

    // Assess
    expect(attempt).toThrow(AwsServiceError);
    expect(() => parseJsonBody('[1]')).toThrow(AwsServiceError);
    expect(parseJsonBody('')).toEqual({});
  });

  it('shapes errors with and without a message, and a status by exception', () => {
    // Act
    const withMessage = new AwsServiceError('NotFoundException', "Key 'x' does not exist");
    const withoutMessage = new AwsServiceError('InvalidImportTokenException');
    const internal = new AwsServiceError('KMSInternalException');

    // Assess
    expect(withMessage.toBody()).toEqual({ __type: 'NotFoundException', message: "Key 'x' does not exist" });
    expect(withoutMessage.toBody()).toEqual({ __type: 'InvalidImportTokenException' });
    expect([
      withMessage.status,
      internal.status,
      new AwsServiceError('DependencyTimeoutException').status,
    ]).toEqual([400, 500, 503]);
  });
});
