// The autobahn types this package ships (autobahn/index.d.ts), for the tests, examples and bench.
/// <reference path="../../autobahn/index.d.ts" />
