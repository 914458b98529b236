/** The README's tool list is the catalogue's: regenerate with `npx tsx tools/docs/tool-list.ts`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/operations/index.js';
import { resolveSelection, isSelected } from '../../src/mcp/toolsets.js';
import { withToolList } from '../../tools/docs/tool-list.js';

describe('README tool list', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('lists every catalogue tool exactly as the generator writes it', () => {
    expect(readme).toBe(withToolList(readme));
    for (const op of catalogue) expect(readme).toContain(`| \`${op.name}\` |`);
  });

  it('states the number of tools and of default tools', () => {
    const defaults = catalogue.filter((op) => isSelected(op, resolveSelection(catalogue, {}))).length;
    expect(readme).toContain(`**All tools** (${catalogue.length}; "default" marks the ${defaults} a session gets`);
  });
});
