import type { Options, VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { showInvisibleCharacters, visibleText } from '../../../../src/onprem/console/ui/visible-text.ts';

describe('visibleText', () => {
  it('writes bidi controls and other control characters as \\u{…}, keeping line feeds and tabs', () => {
    // Prepare
    const spoof = '\u202Estnemyap';
    const mixed = 'a\u0000b\u001bc\u0085d\u061ce\u200ef\u200fg\u202ah\u2066i\u2069j\u007fk';

    // Act
    const shownSpoof = visibleText(spoof);
    const shownMixed = visibleText(mixed);

    // Assess
    expect(shownSpoof).toBe('\\u{202e}stnemyap');
    expect(shownMixed).toBe(
      'a\\u{0000}b\\u{001b}c\\u{0085}d\\u{061c}e\\u{200e}f\\u{200f}g\\u{202a}h\\u{2066}i\\u{2069}j\\u{007f}k',
    );
    expect(visibleText('{\n\t"a": "שלום مرحبا 💡"\n}')).toBe('{\n\t"a": "שלום مرحبا 💡"\n}');
  });

  it('passes every text vnode through visibleText and chains an earlier hook', () => {
    // Prepare
    const seen: unknown[] = [];
    const preactOptions = { vnode: (vnode: VNode) => seen.push(vnode.type) } as Options;
    showInvisibleCharacters(preactOptions);
    const text = { type: null, props: 'x\u202Ey' } as unknown as VNode;
    const element = { type: 'span', props: { title: 't' } } as unknown as VNode;

    // Act
    preactOptions.vnode?.(text);
    preactOptions.vnode?.(element);

    // Assess
    expect((text as unknown as { props: string }).props).toBe('x\\u{202e}y');
    expect((element as unknown as { props: unknown }).props).toEqual({ title: 't' });
    expect(seen).toEqual([null, 'span']);
  });
});
