// fox-wamp ships no types; fox-router.ts types the parts it touches structurally and casts.
declare module 'fox-wamp' {
  class FoxRouter {
    constructor();
  }
  export = FoxRouter;
}
