import { chromium, type Browser, type Page } from 'playwright-core';
import { SESSION_STATE_COOKIE } from '../../../nodes/strategies/cookie-strategy.ts';
import { LabError } from '../../errors.ts';
import { findChromium } from '../../tools/chromium.ts';
import { CookieEchoServer } from './cookie-echo-server.ts';
import type { Probe } from './probe.ts';
import { PASSWORD, probeUser } from './probe-client.ts';

/** Flags for a quiet, local-only headless Chromium (it must call nothing but loopback). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
/** The search's upper end: far above any browser's cookie limit. */
const SEARCH_MAX_BYTES = 65_536;
/** Each page action's bound: on loopback every one takes milliseconds. */
const ACTION_TIMEOUT_MS = 5000;
/** Distinct cart items tried at most through the lab; the cookie runs out near 80. */
const MAX_ITEMS = 500;

type Fate = 'kept' | 'dropped';

/**
 * C2, in the machine's Chromium (Debian package, through playwright-core).
 * First against the probe's own loopback server: the largest cookie (name +
 * value bytes) Chromium keeps and sends back, found by bisection, its fate
 * at 4,096 and 4,097 bytes, and whether an oversized write leaves the
 * previous value in place (a write lost without a word). Then through the
 * balancer with the lab's cookie strategy: one session adds cart items from
 * the page (fetch, so Chromium's own cookie jar holds the session) until a
 * write is refused; records the largest session cookie Chromium held, the
 * refusal, and whether the session and its cart survived it. Throws
 * CHROMIUM_MISSING when `lab setup` has not installed Chromium.
 */
export const browserCookieProbe: Probe<'browserCookie'> = {
  name: 'browserCookie',
  claims: 'C2',
  appliesTo: (strategy) => strategy.name === 'cookie',
  budgetMs: () => 20_000,
  async run({ state, signal }) {
    const found = await findChromium();
    if (!found) {
      throw new LabError(
        'CHROMIUM_MISSING',
        'Chromium is not installed, so the browser cookie limit (C2) was not measured',
        'run `lab setup` (Debian package chromium)',
      );
    }
    const server = new CookieEchoServer();
    let browser: Browser | undefined;
    const closeBrowser = () => void browser?.close().catch(() => {});
    signal.addEventListener('abort', closeBrowser, { once: true });
    try {
      const origin = await server.listen();
      browser = await chromium.launch({
        executablePath: found.path,
        args: CHROMIUM_ARGS,
        timeout: 10_000,
      });
      const own = await newPage(browser);
      await own.goto(`${origin}/`);
      const largestKeptBytes = await largestKept(own);
      const at4096 = await fate(own, 4096);
      const at4097 = await fate(own, 4097);
      const previousKeptOnDrop = await previousSurvives(own, largestKeptBytes + 1);
      const lab = await labSession(await newPage(browser), state.balancer.url);
      return { browser: found.version, largestKeptBytes, at4096, at4097, previousKeptOnDrop, lab };
    } finally {
      signal.removeEventListener('abort', closeBrowser);
      await browser?.close();
      await server.close();
    }
  },
};

async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return page;
}

async function fate(page: Page, bytes: number): Promise<Fate> {
  return (await kept(page, bytes)) ? 'kept' : 'dropped';
}

/** What the page's fetch gives back, as text (the project compiles without the DOM library). */
function fetchText(page: Page, path: string): Promise<string> {
  return page.evaluate(async (url) => (await fetch(url)).text(), path);
}

/** Whether a cookie of `bytes` (name + value) set by the server came back whole; clears it after. */
async function kept(page: Page, bytes: number): Promise<boolean> {
  await fetchText(page, `/set?bytes=${bytes}`);
  const sent = Number(await fetchText(page, '/get'));
  await fetchText(page, '/clear');
  return sent === bytes;
}

/** Bisection between a size kept and one dropped: the largest size kept. */
async function largestKept(page: Page): Promise<number> {
  let low = 2;
  let high = SEARCH_MAX_BYTES;
  if (!(await kept(page, low))) {
    throw new LabError('PROBE_UNEXPECTED_ANSWER', `Chromium kept no ${low}-byte cookie`);
  }
  if (await kept(page, high)) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await kept(page, middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** Sets a small cookie, then one of `bytes` under the same name: is the small one still sent? */
async function previousSurvives(page: Page, bytes: number): Promise<boolean> {
  await fetchText(page, '/set?bytes=10');
  await fetchText(page, `/set?bytes=${bytes}`);
  const sent = Number(await fetchText(page, '/get'));
  await fetchText(page, '/clear');
  return sent === 10;
}

interface Answer {
  status: number;
  code?: string;
  items?: number;
}

/** One JSON request from the page, with the browser's cookies. */
function call(page: Page, method: string, path: string, json?: unknown): Promise<Answer> {
  return page.evaluate(
    async ({ method, path, json }) => {
      const response = await fetch(path, {
        method,
        headers: json === undefined ? {} : { 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const text = await response.text();
      let body: { error?: { code?: string }; items?: unknown[] } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: only the status counts
      }
      return { status: response.status, code: body.error?.code, items: body.items?.length };
    },
    { method, path, json },
  );
}

/** The lab's session cookie as Chromium holds it: name + value bytes, or 0. */
async function heldBytes(page: Page, origin: string): Promise<number> {
  const cookies = await page.context().cookies(origin);
  const session = cookies.find((cookie) => cookie.name === SESSION_STATE_COOKIE);
  return session ? Buffer.byteLength(session.name) + Buffer.byteLength(session.value) : 0;
}

/** Grows one cookie session through the balancer, from the page, until a write is refused. */
async function labSession(page: Page, origin: string) {
  await page.goto(`${origin}/me`);
  const login = await call(page, 'POST', '/login', {
    user: probeUser('browser-cookie'),
    password: PASSWORD,
  });
  if (login.status !== 200) {
    throw new LabError(
      'PROBE_UNEXPECTED_ANSWER',
      `POST /login from Chromium answered ${login.status}`,
    );
  }
  let largestHeldBytes = await heldBytes(page, origin);
  for (let items = 0; items < MAX_ITEMS; items += 1) {
    const sku = `sku-${String(items).padStart(16, '0')}`;
    const answer = await call(page, 'POST', '/cart/items', { sku, qty: 1 });
    if (answer.status !== 200) {
      const cart = await call(page, 'GET', '/cart');
      return {
        largestHeldBytes,
        itemsAccepted: items,
        refusal: { status: answer.status, ...(answer.code ? { code: answer.code } : {}) },
        sessionAfterRefusal:
          cart.status === 200 && cart.items === items ? ('kept' as const) : ('lost' as const),
      };
    }
    largestHeldBytes = Math.max(largestHeldBytes, await heldBytes(page, origin));
  }
  return { largestHeldBytes, itemsAccepted: MAX_ITEMS, refusal: null, sessionAfterRefusal: null };
}
