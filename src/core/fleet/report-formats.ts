// The fleet report as CSV (one row per material, or per pair when a pair has none to show) and as
// one static HTML page (no script, no external resource; every value escaped). Both are written
// from the JSON report, so the three always agree.
import { escapeUnprintable } from '../shared/text.ts';
import type { FleetReport } from './contracts.ts';

const CSV_COLUMNS = [
  'account_id',
  'region',
  'pair_status',
  'pair_error',
  'managed_keys',
  'due',
  'reimported',
  'failed',
  'key_id',
  'key_material_id',
  'valid_to',
  'material_reimported',
  'key_error',
] as const;

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // A leading =, +, - or @ makes spreadsheets evaluate the cell: quote it as text.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(report: FleetReport): string {
  const rows: unknown[][] = [];
  for (const pair of report.pairs) {
    const pairCells = [
      pair.accountId,
      pair.region,
      pair.status,
      pair.error,
      pair.managedKeys,
      pair.due,
      pair.reimported,
      pair.failed,
    ];
    const keyErrors = new Map(pair.failures.map((failure) => [failure.keyId, failure.error]));
    if (pair.materials.length === 0) {
      rows.push([...pairCells, '', '', '', '', '']);
      continue;
    }
    for (const material of pair.materials) {
      rows.push([
        ...pairCells,
        material.keyId,
        material.keyMaterialId,
        material.validTo,
        material.reimported,
        keyErrors.get(material.keyId),
      ]);
    }
  }
  return `${[CSV_COLUMNS as readonly unknown[], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/**
 * A value as HTML text: markup characters as character references, controls and bidirectional
 * controls written as \u{…} (as the CLI and the console show them). Every value the page shows goes
 * through it, numbers included: `byok fleet report` renders the report.json it reads from S3, which
 * whoever can write the bucket could fill with markup where a number belongs.
 */
function html(text: unknown): string {
  return escapeUnprintable(String(text ?? '')).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function reportHtml(report: FleetReport): string {
  const totals = report.totals;
  const pairRows = report.pairs
    .map(
      (pair) =>
        `<tr class="${pair.status === 'SUCCEEDED' && pair.failed === 0 ? 'ok' : 'bad'}"><td>${html(pair.accountId)}</td><td>${html(
          pair.region,
        )}</td><td>${html(pair.status)}</td><td>${html(pair.managedKeys)}</td><td>${html(pair.due)}</td><td>${html(pair.reimported)}</td><td>${html(pair.failed)}</td><td>${html(
          [pair.error, pair.cause].filter(Boolean).join(': '),
        )}${pair.hint ? `<br><small>hint: ${html(pair.hint)}</small>` : ''}${pair.failures
          .map((failure) => `<br>${html(failure.keyId)}: ${html(failure.error)} ${html(failure.cause)}`)
          .join('')}</td></tr>`,
    )
    .join('\n');
  const materialRows = report.pairs
    .flatMap((pair) =>
      pair.materials.map(
        (material) =>
          `<tr><td>${html(pair.accountId)}</td><td>${html(material.region)}</td><td>${html(material.keyId)}</td><td>${html(
            material.keyMaterialId ?? '',
          )}</td><td>${html(material.validTo ?? 'none')}</td><td>${material.reimported ? 'yes' : ''}</td></tr>`,
      ),
    )
    .join('\n');
  const risk = report.atRisk
    .map(
      (item) =>
        `<li>${html(item.accountId)} ${html(item.region)} ${html(item.keyId)}${item.keyMaterialId ? ` (${html(item.keyMaterialId)})` : ''}: ValidTo ${html(
          item.validTo,
        )}, ${html(item.daysLeft)} days left, not reimported</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>byok fleet report ${html(report.fleetId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}tr.bad{background:#fde8e8}.alarm{color:#a00;font-weight:bold}</style>
</head><body>
<h1>byok fleet report</h1>
<p>Fleet run ${html(report.fleetId)}, checked ${html(report.checkedAt)}, written ${html(report.generatedAt)}.</p>
<p${report.alarm ? ' class="alarm"' : ''}>${report.alarm ? 'ALARM: ' : ''}${html(totals.pairs)} account/Region pairs: ${html(totals.succeeded)} swept, ${html(totals.failed)} failed, ${html(totals.notRun)} not run; ${html(totals.managedKeys)} managed keys, ${html(totals.due)} materials due, ${html(totals.reimported)} reimported, ${html(totals.failedKeys)} failed.</p>
<h2>Pairs</h2>
<table><thead><tr><th>account</th><th>Region</th><th>status</th><th>managed</th><th>due</th><th>reimported</th><th>failed</th><th>errors</th></tr></thead><tbody>
${pairRows}
</tbody></table>
<h2>Within ${html(report.alarmDays)} days of ValidTo and not reimported</h2>
<ul>${risk || '<li>none</li>'}</ul>
<h2>Materials</h2>
<table><thead><tr><th>account</th><th>Region</th><th>key</th><th>material</th><th>ValidTo when checked</th><th>reimported by this run</th></tr></thead><tbody>
${materialRows}
</tbody></table>
</body></html>
`;
}
