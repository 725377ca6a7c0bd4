/**
 * prom-client's classes, each required from its own file: the package's index also loads its
 * Pushgateway, and with it `https`, `tls` and `zlib` (about 4.7 MiB in a bare process), which the
 * service never uses. The package has no exports map, so these paths are open to importers; the
 * types are the package's own.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export type Registry = PromClient.Registry;
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
export const collectDefaultMetrics =
  require('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics;
