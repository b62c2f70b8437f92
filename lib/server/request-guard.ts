// Checks every request passes before it reaches Next or the SSE feed (lib/server/http.ts runs
// them in one place, so no route can forget one).
//
// - Host: a DNS-rebinding page (evil.example resolved to this machine) reaches the server with
//   its own name in Host. Only names that mean this machine are answered: loopback, the bound
//   address, the addresses of the machine's interfaces when bound to all of them, its host
//   name, and what the user lists with --allowed_hosts.
// - Cross-site: any web page can make the browser send a GET (an <img>) or a form POST here.
//   /api answers only same-origin requests: `Sec-Fetch-Site` other than same-origin/none, or an
//   `Origin` that is not this board's own, is refused. Clients that send neither (curl, scripts)
//   are not browsers acting for another site, and are served.
// - Bodies: /api bodies must announce their size, at most MAX_BODY_BYTES.
import type { IncomingHttpHeaders } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/** Largest request body /api accepts (a POST naming 2,000 runs is ~200 KB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Sent with every response: no page of the board may be framed (clickjacking of Delete). */
export const FRAME_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
};

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Lower-case host name of a Host header value, without port or IPv6 brackets; null if malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(h.slice(end + 1))) return null;
    return h.slice(1, end);
  }
  const m = /^([^:\s/@]+?)\.?(?::\d{1,5})?$/.exec(h);
  return m ? m[1]! : null;
}

/** The names a Host header may carry for a board bound to `bindHost`. */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const bind = bindHost
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (WILDCARD.has(bind)) {
    for (const list of Object.values(networkInterfaces())) {
      for (const addr of list ?? []) names.add(addr.address.toLowerCase().replace(/%.*$/, ''));
    }
  } else {
    names.add(bind);
  }
  const host = hostname().toLowerCase();
  if (host) {
    names.add(host);
    names.add(host.split('.')[0]!);
  }
  for (const e of extra) {
    const name = hostName(e.includes(':') && !e.startsWith('[') && e.split(':').length > 2 ? `[${e}]` : e);
    if (name) names.add(name);
  }
  return names;
}

/** Null when the Host header names this machine, else the reason to refuse. */
export function checkHost(header: string | undefined, allowed: ReadonlySet<string>): string | null {
  const name = hostName(header);
  if (name === null) return `refused request with a missing or malformed Host header`;
  if (allowed.has(name) || /^127(\.\d{1,3}){3}$/.test(name)) return null;
  return `refused request for Host '${name.slice(0, 100)}': not a name of this machine (add it with --allowed_hosts ${name.slice(0, 100)} if you reach the board by that name)`;
}

/** Null when an /api request may come from where it comes, else the reason to refuse. */
export function checkSameOrigin(headers: IncomingHttpHeaders): string | null {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `cross-site request refused (Sec-Fetch-Site: ${String(site).slice(0, 40)}): the board's API answers only its own pages`;
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      /* 'null' and garbage */
    }
    if (originHost === null || originHost === '' || originHost !== (headers.host ?? '').toLowerCase()) {
      return `cross-origin request refused (Origin: ${origin.slice(0, 100)}): the board's API answers only its own pages`;
    }
  }
  return null;
}

/** Null when the request's body size is acceptable for /api, else [status, reason]. */
export function checkBody(method: string | undefined, headers: IncomingHttpHeaders): [number, string] | null {
  const length = headers['content-length'];
  const chunked = /chunked/i.test(String(headers['transfer-encoding'] ?? ''));
  if (method === 'GET' || method === 'HEAD') {
    if (chunked || (length !== undefined && length !== '0')) return [400, `${method} requests carry no body`];
    return null;
  }
  if (chunked) return [411, `send the body with a Content-Length (at most ${MAX_BODY_BYTES} bytes), not chunked`];
  if (length !== undefined && Number(length) > MAX_BODY_BYTES)
    return [413, `request body of ${length} bytes is over the limit of ${MAX_BODY_BYTES} bytes`];
  return null;
}
