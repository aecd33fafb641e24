// The autobahn types this package ships (autobahn.d.ts at the root), for the tests, examples and bench.
/// <reference path="../../autobahn.d.ts" />
