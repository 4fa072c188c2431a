import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** One REST request as route handlers see it. `params` merges the query string and a form body. */
export interface FakeRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v3/klines`. */
  path: string;
  params: URLSearchParams;
  body: string;
  headers: IncomingHttpHeaders;
}

/** What a handler answers: a JSON body (serialized by the router) and an optional status. */
export interface FakeReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** Binance's error body, `{"code":-1121,"msg":"Invalid symbol."}`, with an HTTP status. */
export function binanceError(status: number, code: number, msg: string): FakeReply {
  return { status, body: { code, msg } };
}

/** An injected failure: the next `times` requests to `path` get this reply instead. */
interface Failure {
  times: number;
  reply: FakeReply;
}

/**
 * A route table keyed by `METHOD path`. Routes are plain functions so other fakes (orders,
 * account) can be added with `route()` without touching the server code.
 */
export class FakeRouter {
  readonly #routes = new Map<string, FakeHandler>();
  readonly #failures = new Map<string, Failure>();
  /** Requests received per `METHOD path`, failed ones and unknown paths included. */
  readonly requests = new Map<string, number>();

  /** Adds or replaces the handler of `METHOD path` (method upper case, path without query). */
  route(method: string, path: string, handler: FakeHandler): void {
    this.#routes.set(`${method.toUpperCase()} ${path}`, handler);
  }

  /** Answers the next `times` requests to `path` (any method) with `reply` (default a 503). */
  fail(path: string, times = 1, reply: FakeReply = binanceError(503, -1001, 'Internal error; unable to process your request. Please try again.')): void {
    this.#failures.set(path, { times, reply });
  }

  /** Number of requests received for `path` over all methods. */
  count(path: string): number {
    let n = 0;
    for (const [k, v] of this.requests) if (k.slice(k.indexOf(' ') + 1) === path) n += v;
    return n;
  }

  /** Node http listener. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const key = `${method} ${url.pathname}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const params = new URLSearchParams(url.search);
    if (body && String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    }
    let reply: FakeReply;
    const failure = this.#failures.get(url.pathname);
    if (failure && failure.times > 0) {
      failure.times--;
      reply = failure.reply;
    } else {
      const handler = this.#routes.get(key);
      try {
        reply = handler
          ? await handler({ method, path: url.pathname, params, body, headers: req.headers })
          : binanceError(404, -1000, `fake binance: no route ${key}`);
      } catch (e) {
        reply = binanceError(500, -1000, `fake binance: ${(e as Error).message}`);
      }
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json;charset=UTF-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
