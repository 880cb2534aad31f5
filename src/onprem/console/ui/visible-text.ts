// Text the console shows but does not control (key descriptions and aliases, tag values, execution
// names, inputs and outputs, error messages and causes, approval reasons, binding labels) may carry
// Unicode bidirectional controls or other invisible control characters. Rendered as they are, they
// make one string look like another: a key described `\u202E` + "stnemyap" reads "payments" in the
// Keys list (Trojan Source). Every text node the page renders goes through visibleText, which writes
// each such character as `\u{…}`: the rule and notation of the CLI's output (src/core/shared/text.ts,
// one function for both). Line feeds and tabs stay (JSON and causes are shown on several lines).
import type { Options, VNode } from 'preact';
import { visibleText } from '../../../core/shared/text.ts';

export { visibleText };

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
