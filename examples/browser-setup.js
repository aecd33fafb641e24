// What the browser examples load besides their own module, with no build step. Include it as a
// classic script in <head>, before the page's module script (which imports the SDK's browser
// build, dist/browser/wamp-session-meta.js: one ES module with rxjs inside, no import map):
// - autobahn-browser, a UMD bundle that defines the global `autobahn`;
// - browser.css: what the pages share (page basics, the status badge), and an empty icon (no
//   favicon request, so no 404 in the console).
// Written into the document while it is parsed, so all is in place before any module runs.
// Paths are relative to this file (the repository's examples/ folder), whatever the page.
const root = new URL('..', document.currentScript.src);
const at = (path) => new URL(path, root).href;
document.write(
  `<script src="${at('node_modules/autobahn-browser/autobahn.min.js')}"></script>` +
    `<link rel="stylesheet" href="${at('examples/browser.css')}" /><link rel="icon" href="data:," />`,
);
