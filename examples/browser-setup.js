// What the browser examples load besides their own module, with no build step. Include it as a
// classic script in <head>, before the page's module script:
// - an import map: the SDK's ESM build (dist/index.mjs) imports 'rxjs', and rxjs imports 'tslib';
//   rxjs's ESM files import each other without extensions, which the examples' server resolves
//   (examples/static-server.ts);
// - autobahn-browser, a UMD bundle that defines the global `autobahn`;
// - browser.css: what the pages share (page basics, the status badge), and an empty icon (no
//   favicon request, so no 404 in the console).
// Written into the document while it is parsed, so all is in place before any module runs.
// Paths are relative to this file (the repository's examples/ folder), whatever the page.
const root = new URL('..', document.currentScript.src);
const at = (path) => new URL(path, root).href;
const importMap = { imports: { rxjs: at('node_modules/rxjs/dist/esm/index.js'), tslib: at('node_modules/tslib/tslib.es6.mjs') } };
document.write(
  `<script type="importmap">${JSON.stringify(importMap)}</script>` +
    `<script src="${at('node_modules/autobahn-browser/autobahn.min.js')}"></script>` +
    `<link rel="stylesheet" href="${at('examples/browser.css')}" /><link rel="icon" href="data:," />`,
);
