/**
 * Prometheus metrics at `GET /metrics` (outside /api/v1). What must agree across processes (requests,
 * refusals, deliveries, the outbox, delivery latency) is read from the database at scrape time
 * (src/adapters/store/stats-queries.ts), so every `serve` of a PostgreSQL deployment reports the same
 * values; only the HTTP request latency histogram is this process's own.
 *
 * LIFELINE_METRICS: public (default; restrict it at the network), token (an API token in
 * `Authorization: Bearer llt_…`), or off (404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { App } from '../../app.js';
import { LifelineError } from '../../core/errors.js';
import {
  DELIVERY_LATENCY_BUCKETS,
  type LatencyHistogram,
  type OperationalStats,
} from '../../core/operations/ports.js';
import { CHANNEL_NAMES } from '../../core/deliveries/channels/index.js';

/** Buckets (seconds) of the per-process HTTP request latency histogram. */
export const HTTP_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A histogram whose buckets come from the database, in Prometheus' histogram form. */
function databaseHistogram(
  name: string,
  help: string,
  read: () => readonly LatencyHistogram[],
): Metric<string> {
  const get = async () => ({
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    values: read().flatMap((h) => [
      ...DELIVERY_LATENCY_BUCKETS.map((le, i) => ({
        metricName: `${name}_bucket`,
        labels: { channel: h.channel, le },
        value: h.buckets[i] ?? 0,
      })),
      { metricName: `${name}_bucket`, labels: { channel: h.channel, le: '+Inf' }, value: h.count },
      { metricName: `${name}_sum`, labels: { channel: h.channel }, value: h.sum },
      { metricName: `${name}_count`, labels: { channel: h.channel }, value: h.count },
    ]),
  });
  return { name, help, type: 'histogram', get, reset: () => undefined } as unknown as Metric<string>;
}

export interface LifelineMetrics {
  registry: Registry;
  /** Reads the database and renders the exposition text. */
  render(): Promise<string>;
}

/** The registry of one server: database gauges refreshed on each render, and the HTTP histogram. */
export function createMetrics(app: App): LifelineMetrics & { http: Histogram<string> } {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const requests = gauge('lifeline_requests', 'Requests by current status (from the database).', ['status']);
  const licenses = gauge('lifeline_licenses_issued', 'Emergency licenses issued, ever (from the database).');
  const refusals = gauge('lifeline_refusals', 'Refused requests by refusal code (from the database).', [
    'code',
  ]);
  const pendingApprovals = gauge(
    'lifeline_pending_approvals',
    'Requests waiting for a licensing decision on an override.',
  );
  const deliveries = gauge('lifeline_deliveries', 'Deliveries by channel and status (from the database).', [
    'channel',
    'status',
  ]);
  const outboxDepth = gauge(
    'lifeline_outbox_depth',
    'Deliveries not finished yet (queued, claimed, sending).',
  );
  const outboxAge = gauge(
    'lifeline_outbox_oldest_age_seconds',
    'Age of the oldest unfinished delivery; 0 when the outbox is empty.',
  );
  const failed = gauge(
    'lifeline_deliveries_failed_unresolved',
    'Deliveries failed for good and not replaced by a newer one: a human must act (see docs/runbook.md).',
    ['channel'],
  );
  const unknown = gauge(
    'lifeline_emails_unknown_outcome',
    'License emails whose outcome is unknown (the worker stopped while sending) and not resent.',
  );
  let latency: readonly LatencyHistogram[] = [];
  registry.registerMetric(
    databaseHistogram(
      'lifeline_delivery_latency_seconds',
      'Time from a delivery being queued to it being sent, by channel (from the database).',
      () => latency,
    ),
  );
  const http = new Histogram({
    name: 'lifeline_http_request_duration_seconds',
    help: 'HTTP request latency of this process, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_LATENCY_BUCKETS,
    registers: [registry],
  });

  // One render at a time: each resets and refills the shared gauges.
  let queue: Promise<unknown> = Promise.resolve();
  const render = (): Promise<string> => {
    const next = queue.then(renderNow, renderNow);
    queue = next.catch(() => undefined);
    return next;
  };
  const renderNow = async (): Promise<string> => {
    let stats: OperationalStats;
    try {
      stats = await app.ports.stats.operationalStats(app.ports.clock.now());
    } catch (error) {
      // 503 with the coded envelope (the scrape fails visibly; `up` stays 1, the series go stale).
      throw new LifelineError('INFRASTRUCTURE', 'the database failed while reading the metrics', {
        retryable: true,
        cause: error,
      });
    }
    requests.reset();
    for (const status of ['issued', 'pending_approval', 'refused', 'failed', 'voided', 'rejected'])
      requests.set({ status }, stats.requestsByStatus[status] ?? 0);
    for (const [status, n] of Object.entries(stats.requestsByStatus)) requests.set({ status }, n);
    licenses.set(stats.licensesIssued);
    refusals.reset();
    for (const [code, n] of Object.entries(stats.refusalsByCode)) refusals.set({ code }, n);
    pendingApprovals.set(stats.pendingApprovals);
    deliveries.reset();
    for (const d of stats.deliveries) deliveries.set({ channel: d.channel, status: d.status }, d.count);
    outboxDepth.set(stats.outbox.depth);
    outboxAge.set(stats.outbox.oldestAgeSeconds ?? 0);
    failed.reset();
    for (const channel of CHANNEL_NAMES) failed.set({ channel }, 0);
    for (const f of stats.failedNeedingHuman) failed.set({ channel: f.channel }, f.count);
    unknown.set(stats.unknownEmails);
    latency = stats.deliveryLatency;
    return registry.metrics();
  };
  return { registry, render, http };
}

/** Adds `GET /metrics` and the HTTP latency hook to the server (called by createHttpServer). */
export function registerMetrics(server: FastifyInstance, app: App): void {
  const mode = app.config.metrics ?? 'public';
  if (mode === 'off') return;
  const metrics = createMetrics(app);
  server.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // The route's pattern (never the raw URL, whose ids would make a series per request); the time
    // since Fastify received the request, including requests refused by an earlier hook.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.http.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  server.get('/metrics', async (request, reply) => {
    if (mode === 'token') {
      const match = /^Bearer (\S{1,4096})$/.exec(request.headers.authorization?.trim() ?? '');
      const token = match?.[1] ? await app.ports.tokens.findLive(match[1]) : null;
      if (!token) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .type('application/json; charset=utf-8')
          .send({
            error: {
              code: 'UNAUTHENTICATED',
              message: 'metrics need an API token: send Authorization: Bearer llt_…',
              requestId: request.id,
            },
          });
      }
    }
    const text = await metrics.render();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
