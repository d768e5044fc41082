// Bundles GraphiQL (see package.json for the exact versions) into api/static/graphiql/:
// content-hashed files, and api/static/graphiql.json naming them (read by api/graphiql.py).
// Run through `bash web/build`.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'api', 'static', 'graphiql');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'linked',
  target: ['es2022'],
  outdir: out,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl' },
};

const page = await build({
  ...common,
  entryPoints: { graphiql: join(here, 'src', 'main.jsx') },
  // One file: esbuild would not load the CSS of lazily imported chunks by itself.
  format: 'esm',
  jsx: 'automatic',
  entryNames: '[name]-[hash]',
});

const workers = await build({
  ...common,
  entryPoints: {
    editor: join(here, 'src', 'editor.worker.js'),
    json: join(here, 'src', 'json.worker.js'),
    graphql: join(here, 'src', 'graphql.worker.js'),
  },
  format: 'iife',
  entryNames: '[name].worker-[hash]',
});

const manifest = {};
for (const [file, meta] of Object.entries({
  ...page.metafile.outputs,
  ...workers.metafile.outputs,
})) {
  const name = relative(out, file);
  if (meta.entryPoint === undefined) continue;
  const entry = basename(meta.entryPoint).replace(/\.(worker\.js|jsx)$/, '');
  manifest[entry === 'main' ? 'js' : entry] = name;
  if (meta.cssBundle) manifest.css = relative(out, meta.cssBundle);
}
writeFileSync(join(out, '..', 'graphiql.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(manifest);
