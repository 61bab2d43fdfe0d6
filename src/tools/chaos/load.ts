/**
 * The chaos run's client: licenses issued over HTTP at a steady rate through both servers (new,
 * repeated and simultaneous tickets) while the faults run; then unanswered tickets asked again.
 */
import type { FaultRunner } from './faults.js';
import { log, sleep } from './log.js';
import type { Options } from './options.js';
import type { Cluster } from './setup.js';

export interface Attempt {
  ticket: string;
  server: number;
  phase: 'load' | 'repeat' | 'twin' | 'retry';
  /** HTTP status, or null for a connection error or timeout. */
  status: number | null;
  id: string | null;
  error: string | null;
}

export const ok = (a: Attempt): boolean => a.status === 200 || a.status === 201;

function issueBody(ticket: string, seq: number): string {
  return JSON.stringify({
    ticketId: ticket,
    requesterEmail: `ops@chaos${seq}.example`,
    seats: 120,
    plan: 'premium',
    expiresAt: '2026-11-14',
    previousSeats: 100,
    today: '2026-11-28',
  });
}

async function post(
  url: string,
  token: string,
  body: string,
): Promise<Omit<Attempt, 'ticket' | 'server' | 'phase'>> {
  try {
    const response = await fetch(`${url}/api/v1/emergency-licenses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let id: string | null = null;
    try {
      const json = JSON.parse(text) as { id?: unknown };
      id = typeof json.id === 'string' ? json.id : null;
    } catch {
      // not JSON
    }
    return {
      status: response.status,
      id,
      error: response.status >= 300 ? text.slice(0, 200) : null,
    };
  } catch (error) {
    return { status: null, id: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function scrapeMetrics(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.status === 200 ? await response.text() : null;
  } catch {
    return null;
  }
}

/** Every issue call made, with the body of each ticket. */
export class LoadClient {
  readonly attempts: Attempt[] = [];
  readonly bodies = new Map<string, string>();
  /** /metrics scraped every 10 s during the load. */
  readonly metricsSamples: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly urls: readonly string[],
    private readonly token: string,
  ) {}

  send(ticket: string, server: number, phase: Attempt['phase']): Promise<void> {
    const p = post(this.urls[server]!, this.token, this.bodies.get(ticket)!).then((r) => {
      this.attempts.push({ ticket, server, phase, ...r });
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** The load, with the faults fired as it reaches them; returns once every fault and call settled. */
export async function runLoad(
  options: Options,
  random: () => number,
  cluster: Cluster,
  client: LoadClient,
  faults: FaultRunner,
): Promise<void> {
  const { urls, peers } = cluster;
  const loadMs = options.loadSeconds * 1000;
  let seq = 0;
  let nextServer = 0;
  const loadStart = Date.now();
  let lastScrape = 0;
  const intervalMs = 1000 / options.rate;
  for (let tick = 0; Date.now() - loadStart < loadMs; tick++) {
    faults.fireDue(Date.now() - loadStart);
    const roll = random();
    const server = nextServer;
    nextServer = (nextServer + 1) % urls.length;
    const previous = [...client.bodies.keys()];
    if (roll < 0.15 && previous.length > 0) {
      // A repeated ticket (an engineer pressing the button again): must return the same record.
      void client.send(previous[Math.floor(random() * previous.length)]!, server, 'repeat');
    } else {
      seq++;
      const ticket = String(700_000 + seq);
      client.bodies.set(ticket, issueBody(ticket, seq));
      if (roll < 0.22) {
        // The same new ticket through both servers at the same moment: one license between them.
        void client.send(ticket, 0, 'twin');
        void client.send(ticket, 1, 'twin');
      } else {
        void client.send(ticket, server, 'load');
      }
    }
    if (Date.now() - lastScrape > 10_000) {
      lastScrape = Date.now();
      void scrapeMetrics(urls[0]!).then((m) => {
        if (m !== null) client.metricsSamples.push(m);
      });
    }
    const nextAt = loadStart + (tick + 1) * intervalMs;
    await sleep(Math.max(0, nextAt - Date.now()));
  }
  await faults.finish();
  await client.settled();
  if (!peers.smtpUp()) await peers.startSmtp();
  log(`load stopped: ${client.attempts.length} calls for ${client.bodies.size} tickets`);
}

export interface AskedAgain {
  unanswered: string[];
  retriedCreated: number;
  retriedFoundStored: number;
  retriedStillFailing: number;
}

/** Tickets that got no 2xx are asked again, as a person would (up to 5 times, 2 s apart). */
export async function askAgain(client: LoadClient): Promise<AskedAgain> {
  const acked = new Set(client.attempts.filter(ok).map((a) => a.ticket));
  const unanswered = [...client.bodies.keys()].filter((t) => !acked.has(t));
  let retriedCreated = 0;
  let retriedFoundStored = 0;
  let retriedStillFailing = 0;
  for (const ticket of unanswered) {
    let result: Attempt | undefined;
    for (let tryNo = 0; tryNo < 5; tryNo++) {
      await client.send(ticket, tryNo % 2, 'retry');
      result = client.attempts.at(-1);
      if (result && ok(result)) break;
      await sleep(2_000);
    }
    if (result?.status === 201) retriedCreated++;
    else if (result?.status === 200) retriedFoundStored++;
    else retriedStillFailing++;
  }
  log(
    `asked again for ${unanswered.length} unanswered ticket(s): ${retriedCreated} issued now (nothing had been stored), ` +
      `${retriedFoundStored} already stored (the answer was lost), ${retriedStillFailing} still failing`,
  );
  return { unanswered, retriedCreated, retriedFoundStored, retriedStillFailing };
}
