/**
 * Child-process entry of router-process.ts: a fox-wamp router (fox-router.ts) in its own process,
 * so that a test can SIGKILL it. Reports its port over IPC and dies with its parent.
 */
import { startFoxRouter } from './fox-router';

const port = Number(process.env.FOX_ROUTER_PORT) || undefined;
const router = await startFoxRouter({ port });
// No IPC channel left means the test process is gone: do not linger as an orphan.
process.on('disconnect', () => process.exit(0));
process.send?.({ port: router.port });
