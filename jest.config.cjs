/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    // test/tsconfig.json sets isolatedModules, so ts-jest only transpiles (type checking is
    // `npm run typecheck`); outside ESM mode ts-jest emits CommonJS whatever the tsconfig says.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
  },
  // autobahn needs a global WebSocket; Node 20's built-in one stalls reconnects (ROUTERS.md).
  setupFiles: ['<rootDir>/test/helpers/websocket-global.ts'],
  // Any unhandled rejection or uncaught exception fails the test that caused it.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/hygiene.ts'],
  testTimeout: 20000,
};
