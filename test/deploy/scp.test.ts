// The service control policy shipped as defence in depth (deploy/scp/byok-guardrails.json,
// docs/bindings.md): byok:* tags only by the administrators' and deployer's roles, the bindings
// table written only by them, byok-* roles changed only by the deployer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition: Record<string, Record<string, string[]>>;
}

const scp = JSON.parse(readFileSync('deploy/scp/byok-guardrails.json', 'utf8')) as {
  Version: string;
  Statement: Statement[];
};
const bySid = (sid: string) => scp.Statement.find((statement) => statement.Sid === sid) as Statement;

describe('deploy/scp/byok-guardrails.json', () => {
  it('only denies (an SCP never grants), in the current policy language', () => {
    // Assess
    expect(scp.Version).toBe('2012-10-17');
    expect(scp.Statement.map((statement) => statement.Effect)).toEqual(['Deny', 'Deny', 'Deny']);
  });

  it('denies setting, removing or creating keys with byok:* tags to everyone but the administrators and the deployer', () => {
    // Prepare
    const statement = bySid('ByokTagsOnlyByByokAndItsAdministrators');

    // Assess
    expect(statement.Action.sort()).toEqual(['kms:CreateKey', 'kms:TagResource', 'kms:UntagResource']);
    expect(statement.Resource).toBe('*');
    expect(statement.Condition['ForAnyValue:StringLike']).toEqual({ 'aws:TagKeys': ['byok:*'] });
    expect(statement.Condition.ArnNotLike).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::*:role/byok-administrator', 'arn:aws:iam::*:role/byok-deployer'],
    });
  });

  it('denies every write path into the bindings table to everyone but the administrators and the deployer', () => {
    // Prepare
    const statement = bySid('BindingsOnlyByAdministrators');

    // Assess
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PartiQLDelete',
      'dynamodb:PutResourcePolicy',
      'dynamodb:DeleteResourcePolicy',
      'dynamodb:RestoreTableToPointInTime',
    ]) {
      expect(statement.Action).toContain(action);
    }
    expect(statement.Resource).toBe('arn:aws:dynamodb:*:*:table/byok-*-bindings');
    expect(statement.Condition.ArnNotLike?.['aws:PrincipalArn']).not.toContain('arn:aws:iam::*:role/byok-*');
  });

  it('keeps the exempted role names to the deployer', () => {
    // Prepare
    const statement = bySid('ByokRoleNamesOnlyByTheDeployer');

    // Assess
    expect(statement.Action).toEqual(
      expect.arrayContaining(['iam:CreateRole', 'iam:UpdateAssumeRolePolicy']),
    );
    expect(statement.Resource).toEqual(['arn:aws:iam::*:role/byok-*']);
    expect(statement.Condition.ArnNotLike).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::*:role/byok-deployer'],
    });
  });
});
