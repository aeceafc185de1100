import { readFileSync } from 'node:fs';

/** The first ```ts block after `heading` in the README. */
function readmeExample(heading: string): string | undefined {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  return /```ts\n([\s\S]*?)```/.exec(section)?.[1];
}

describe('README "Testing kit"', () => {
  it('shows exactly the example test the suite runs (test/testing/testing-kit.e2e.spec.ts)', () => {
    const spec = readFileSync('test/testing/testing-kit.e2e.spec.ts', 'utf8');
    // The spec's first line says where the example comes from; the rest is the example.
    expect(readmeExample('## Testing kit')).toBe(spec.slice(spec.indexOf('\n') + 1));
  });
});
