import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Every .lua and .sql file under src/, with the generated module that must carry it. */
function assets(dir: string): { path: string; module: string; exportName: string }[] {
  const found: { path: string; module: string; exportName: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...assets(path));
    else if (entry.name.endsWith('.lua'))
      found.push({ path, module: join(dir, 'lua-sources.ts'), exportName: 'LUA_SOURCES' });
    else if (entry.name.endsWith('.sql'))
      found.push({ path, module: join(dir, 'sql-sources.ts'), exportName: 'SQL_SOURCES' });
  }
  return found;
}

describe('inlined Lua and SQL (scripts/inline-assets.js)', () => {
  const all = assets('src');

  it('finds the Lua scripts and SQL migrations', () => {
    expect(all.map((asset) => asset.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/load\.lua$/),
        expect.stringMatching(/raise-minimum-sequence\.lua$/),
        expect.stringMatching(/001-sessions\.sql$/),
      ]),
    );
  });

  it('each generated module holds exactly the files beside it, byte for byte', async () => {
    const modules = new Map<string, Record<string, string>>();
    for (const asset of all) {
      if (!modules.has(asset.module)) {
        const loaded = (await import(join(process.cwd(), asset.module))) as Record<
          string,
          Record<string, string>
        >;
        modules.set(asset.module, loaded[asset.exportName] ?? {});
      }
      const sources = modules.get(asset.module) ?? {};
      const name = relative(dirname(asset.path), asset.path);
      expect({ file: asset.path, text: sources[name] }).toEqual({
        file: asset.path,
        text: readFileSync(asset.path, 'utf8'),
      });
    }
    for (const [module, sources] of modules) {
      const beside = all.filter((asset) => asset.module === module).map((a) => a.path);
      expect(Object.keys(sources).map((name) => join(dirname(module), name))).toEqual(
        expect.arrayContaining(beside),
      );
      expect(Object.keys(sources)).toHaveLength(beside.length);
    }
  });
});
