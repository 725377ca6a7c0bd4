/**
 * The service as `main` serves it, except that audit events are discarded instead of written:
 * the benchmark's baseline for what writing them costs. Benchmark only; never deployed.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import { buildApp } from '../src/adapters/http/app.js';
import type { AuditLog } from '../src/application/ports/audit-log.js';
import { ensureConfiguredAdmin } from '../src/composition-root/bootstrap.js';
import { buildService } from '../src/composition-root/container.js';
import { loadConfig } from '../src/config/config.js';

const discard = (log: AuditLog): AuditLog => ({ ...log, append: async () => undefined });

const config = loadConfig();
const service = await buildService(config, { auditLog: discard });
await ensureConfiguredAdmin(service.container, config);
const http = createServer(buildApp(service.container).callback());
const stop = () => http.close(() => void service.close().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
http.listen(config.server.port);
