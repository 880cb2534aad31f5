// Text the console shows but does not control (key descriptions and aliases, tag values, execution
// names, inputs and outputs, error messages and causes, approval reasons, binding labels) may carry
// Unicode bidirectional controls or other invisible control characters. Rendered as they are, they
// make one string look like another: a key described `\u202E` + "stnemyap" reads "payments" in the
// Keys list (Trojan Source). Every text node the page renders goes through visibleText, which writes
// each such character as `\u{…}`, as the CLI quotes them (src/core/shared/text.ts). Line feeds and
// tabs stay (JSON and causes are shown on several lines).
import type { Options, VNode } from 'preact';

/** C0 and C1 controls but tab and line feed, DEL, and the bidirectional marks, embeddings, overrides and isolates. */
function isInvisible(codePoint: number): boolean {
  return (
    (codePoint <= 0x1f && codePoint !== 0x09 && codePoint !== 0x0a) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

export function visibleText(text: string): string {
  // Most text has none: return it as it is, without building a copy (JSON views run to 100s of KB).
  let any = false;
  for (let index = 0; index < text.length && !any; index += 1) any = isInvisible(text.charCodeAt(index));
  if (!any) return text;
  let shown = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    shown += isInvisible(codePoint) ? `\\u{${codePoint.toString(16).padStart(4, '0')}}` : character;
  }
  return shown;
}

/**
 * Makes preact pass every text node through visibleText (text vnodes have `type` null and the text
 * as `props`). Chains a hook installed before.
 */
export function showInvisibleCharacters(preactOptions: Options): void {
  const previous = preactOptions.vnode;
  preactOptions.vnode = (vnode: VNode) => {
    const text = vnode as unknown as { type: unknown; props: unknown };
    if (text.type === null && typeof text.props === 'string') text.props = visibleText(text.props);
    previous?.(vnode);
  };
}
