// Copies the Lua scripts and SQL migrations next to the compiled store code: tsc only emits .ts output.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

function copyLua(fromDir, toDir) {
  for (const entry of readdirSync(fromDir, { withFileTypes: true })) {
    const from = join(fromDir, entry.name);
    if (entry.isDirectory()) copyLua(from, join(toDir, entry.name));
    else if (entry.name.endsWith('.lua') || entry.name.endsWith('.sql')) {
      const to = join(toDir, entry.name);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to);
      console.log(`copied ${relative(process.cwd(), from)}`);
    }
  }
}
if (existsSync('src')) copyLua('src', 'dist');
