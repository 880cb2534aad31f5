// Each key's material on one time axis: from now to its ValidTo, with the point where the sweep
// will reimport it (ValidTo minus the lead window, from the sweep's own due policy on the server).
// The bars are SVG attributes, not inline styles, so the strict CSP holds.

import type { KeyView } from '../../wire.ts';
import { formatDate } from '../format.ts';
import { keyDisplayName } from '../key-status.ts';

const WIDTH = 1000;

/** More bars than this say nothing at a glance: the first ones (the table's order) are drawn. */
const TIMELINE_MAX_KEYS = 40;

export function Timeline({ keys: all, now }: { keys: KeyView[]; now: string }) {
  const keys = all.slice(0, TIMELINE_MAX_KEYS);
  const start = Date.parse(now);
  const ends = keys.map((key) => (key.validTo ? Date.parse(key.validTo) : start));
  const end = Math.max(start + 86_400_000, ...ends);
  const x = (iso: string) =>
    Math.max(0, Math.min(WIDTH, ((Date.parse(iso) - start) / (end - start)) * WIDTH));
  return (
    <section aria-labelledby="timeline-heading" class="timeline">
      <h2 id="timeline-heading">Timeline: ValidTo against the next scheduled reimport</h2>
      <p class="axis">
        <span>now {formatDate(now)}</span>
        <span>{formatDate(new Date(end).toISOString())}</span>
      </p>
      <ul class="timeline-rows">
        {keys.map((key) => {
          const reimportAt = key.nextDue === 'now' ? now : key.nextDue;
          const describe = key.withoutMaterial
            ? 'no key material: every use of the key fails'
            : key.validTo
              ? `valid to ${formatDate(key.validTo)}; ${
                  key.nextDue === 'now'
                    ? 'due for reimport at the next sweep'
                    : reimportAt
                      ? `reimport from ${formatDate(reimportAt)}`
                      : 'the sweep leaves it alone'
                }`
              : 'material does not expire';
          return (
            <li key={key.keyId} data-key-id={key.keyId}>
              <span class="timeline-label" title={key.keyId}>
                {keyDisplayName(key)}
              </span>
              <svg
                viewBox={`0 0 ${WIDTH} 24`}
                preserveAspectRatio="none"
                role="img"
                aria-label={`${key.keyId}: ${describe}`}
              >
                <rect class="track" x="0" y="8" width={WIDTH} height="8" />
                {key.validTo && reimportAt && (
                  <>
                    <rect class="safe" x="0" y="6" width={x(reimportAt)} height="12" />
                    <rect
                      class="window"
                      x={x(reimportAt)}
                      y="6"
                      width={Math.max(2, x(key.validTo) - x(reimportAt))}
                      height="12"
                    />
                  </>
                )}
                {key.validTo && !reimportAt && (
                  <rect class="safe" x="0" y="6" width={x(key.validTo)} height="12" />
                )}
                {key.validTo && <rect class="valid-to" x={x(key.validTo) - 2} y="0" width="4" height="24" />}
                {key.withoutMaterial && <rect class="expired" x="0" y="0" width="8" height="24" />}
              </svg>
              <span class="timeline-note">{describe}</span>
            </li>
          );
        })}
      </ul>
      {all.length > keys.length && (
        <p class="note">
          The first {keys.length} of {all.length} keys, in the table's order.
        </p>
      )}
      <p class="legend">
        <span class="swatch safe" aria-hidden="true" /> material valid, not yet due
        <span class="swatch window" aria-hidden="true" /> reimport window (due from the sweep's lead time)
        <span class="swatch valid-to" aria-hidden="true" /> ValidTo
      </p>
    </section>
  );
}
