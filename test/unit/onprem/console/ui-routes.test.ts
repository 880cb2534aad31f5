// The console's hash routes (src/onprem/console/ui/routes.ts): every view's state is in its address.
import { describe, expect, it } from 'vitest';
import { hrefOf, type Route, routeOf, viewKey } from '../../../../src/onprem/console/ui/routes.ts';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:import-key-material:console-abc';

describe('console routes', () => {
  it.each<[string, Route]>([
    ['', { page: 'keys' }],
    ['#/keys', { page: 'keys' }],
    ['#/runs', { page: 'runs' }],
    [`#/runs/${encodeURIComponent(ARN)}`, { page: 'run', executionArn: ARN }],
    ['#/runs/%E0%A4%A', { page: 'runs' }],
    ['#/start', { page: 'start' }],
    ['#/start?keyId=1234', { page: 'start', keyId: '1234' }],
    ['#/start?keyId=', { page: 'start' }],
    ['#/approvals?requestId=r-1&keyId=k', { page: 'approvals', keyId: 'k', requestId: 'r-1' }],
    ['#/nowhere', { page: 'keys' }],
  ])('reads %s', (hash, route) => {
    // Act / Assess
    expect(routeOf(hash)).toEqual(route);
  });

  it.each<Route>([
    { page: 'keys' },
    { page: 'run', executionArn: ARN },
    { page: 'start', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234' },
    { page: 'approvals', requestId: 'r-1' },
  ])('writes an address that reads back as the same route: %o', (route) => {
    // Act / Assess
    expect(routeOf(hrefOf(route))).toEqual(route);
  });

  it('gives two runs, or two keys to start, two different views', () => {
    // Act / Assess
    expect(viewKey({ page: 'run', executionArn: `${ARN}-1` })).not.toBe(
      viewKey({ page: 'run', executionArn: `${ARN}-2` }),
    );
    expect(viewKey({ page: 'start' })).not.toBe(viewKey({ page: 'start', keyId: 'k' }));
  });
});
