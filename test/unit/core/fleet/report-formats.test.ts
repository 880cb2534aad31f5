import { describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../../src/core/fleet/contracts.ts';
import { reportCsv, reportHtml } from '../../../../src/core/fleet/report-formats.ts';

function report(cause: string, keyId: string): FleetReport {
  return {
    fleetId: '20270101T030000Z-ab12',
    checkedAt: '2027-01-01T03:00:00.000Z',
    generatedAt: '2027-01-01T03:05:00.000Z',
    alarmDays: 7,
    totals: {
      pairs: 1,
      succeeded: 0,
      failed: 1,
      notRun: 0,
      managedKeys: 1,
      due: 1,
      reimported: 0,
      failedKeys: 1,
    },
    pairs: [
      {
        accountId: '222233334444',
        region: 'eu-west-1',
        status: 'SUCCEEDED',
        managedKeys: 1,
        due: 1,
        reimported: 0,
        failed: 1,
        failures: [{ keyId, error: 'HsmKeyNotFoundError', cause }],
        materials: [{ keyId, region: 'eu-west-1', validTo: '2027-01-05T00:00:00.000Z', reimported: false }],
      },
    ],
    atRisk: [
      {
        accountId: '222233334444',
        region: 'eu-west-1',
        keyId,
        validTo: '2027-01-05T00:00:00.000Z',
        daysLeft: 3,
      },
    ],
    alarm: true,
  };
}

describe('the fleet report formats', () => {
  it('escape every value in the HTML page, which loads nothing and runs no script', () => {
    // Act
    const html = reportHtml(report('<script>alert(1)</script>', 'k"><img src=x onerror=alert(2)>'));

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('ALARM');
  });

  it('quote CSV cells and neutralise spreadsheet formulas', () => {
    // Act
    const csv = reportCsv(report('no such HSM key', '=HYPERLINK("http://x","y")'));

    // Assess
    const [header, row] = csv.split('\r\n');
    expect(header?.split(',')).toHaveLength(13);
    expect(row).toBe(
      '222233334444,eu-west-1,SUCCEEDED,,1,1,0,1,"\'=HYPERLINK(""http://x"",""y"")",,2027-01-05T00:00:00.000Z,false,HsmKeyNotFoundError',
    );
  });
});
