// How an import result reads for a person: the proof, then (for several imports) a summary table.
// Only public facts: ids, algorithms, dates and the verification checks.
import { escapeUnprintable } from '../shared/text.ts';
import type { ImportResult } from './contracts.ts';

export function formatProof(result: ImportResult): string {
  const lines = [
    `KMS key      ${result.keyId} (${result.keySpec})`,
    `HSM key      ${result.hsmKeyLabel}`,
    `wrapping     ${result.wrappingAlgorithm} under an ${result.wrappingKeySpec} KMS wrapping key`,
    `expiry       ${result.expirationModel === 'KEY_MATERIAL_EXPIRES' ? `valid to ${result.validTo}` : 'does not expire'}`,
    ...(result.keyMaterialId ? [`material id  ${result.keyMaterialId}`] : []),
    `key state    ${result.keyState}${result.importTokenAttempts > 1 ? ` (after ${result.importTokenAttempts} import tokens)` : ''}`,
    `proof        ${result.evidence.summary}`,
    ...result.evidence.checks.map((check) => `  ${check.passed ? '✔' : '✖'} ${check.name}: ${check.detail}`),
    // A multi-Region primary: the same material in each replica Region, with its own expiry and proof.
    ...(result.replicas ?? []).flatMap((replica) => [
      `replica      ${replica.region ?? replica.keyId}: ${replica.keyState}, ${replica.expirationModel === 'KEY_MATERIAL_EXPIRES' ? `valid to ${replica.validTo}` : 'does not expire'}`,
      ...replica.evidence.checks.map(
        (check) => `  ${check.passed ? '✔' : '✖'} ${check.name}: ${check.detail}`,
      ),
    ]),
  ];
  // Each value on its own line, as printed: an output of someone else's making cannot add a line.
  return `${lines.map(escapeUnprintable).join('\n')}\n`;
}

export interface SummaryRow {
  family: string;
  keySpec: string;
  hsmKeyLabel: string;
  wrappingAlgorithm: string;
  validTo: string;
  proof: string;
  seconds: string;
  result: string;
}

const COLUMNS: Array<[keyof SummaryRow, string]> = [
  ['family', 'family'],
  ['keySpec', 'KMS key spec'],
  ['hsmKeyLabel', 'HSM key'],
  ['wrappingAlgorithm', 'wrapping'],
  ['validTo', 'valid to'],
  ['proof', 'proof'],
  ['seconds', 'time'],
  ['result', 'result'],
];

export function formatSummaryTable(rows: SummaryRow[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(COLUMNS.map(([key]) => row[key]))),
  ]
    .join('\n')
    .concat('\n');
}
