/**
 * The dashboard page in a real browser: Debian's Chromium driven by playwright-core against a real
 * MemoryMonitor (sampling every 200 ms) and the real dashboard server on 127.0.0.1, port 0, with a
 * token (so the page must pass `?token=` on to /ws for anything to show). The test changes two
 * components' bytes and records tool calls, and reads what the page shows from its DOM: the
 * sample counter, the component and tool tables, the alert panel, the connection state. Every
 * wait has a deadline; a screenshot goes to test/e2e/screenshots/dashboard.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createMemoryDashboard, type Dashboard } from '../../src/observe/dashboard/server.js';
import { MemoryMonitor } from '../../src/observe/monitor.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, 'screenshots');
const TOKEN = 'e2e-dashboard-token';
const MiB = 1024 * 1024;
/** Deadline of each wait for the page; samples come every 200 ms, so this is many of them. */
const WAIT = { timeout: 20_000, polling: 100 } as const;
const CACHE_THRESHOLD = 8 * MiB;

/** The little of the DOM the functions run in the page touch: this test compiles without lib.dom. */
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  clientWidth: number;
}
declare const document: {
  body: PageElement;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
};

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent: install Debian's Chromium (apt-get install chromium) to run the dashboard browser test`;

describe('the dashboard page in Chromium', { skip, timeout: 180_000 }, () => {
  const bytes = { cache: 2 * MiB, topology: 5 * MiB };
  const problems: string[] = [];
  let monitor: MemoryMonitor | undefined;
  let dashboard: Dashboard | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let port = 0;

  const startDashboard = async () => {
    if (!monitor) throw new Error('the monitor is not running');
    dashboard = await createMemoryDashboard({
      source: monitor,
      name: 'e2e dashboard',
      host: '127.0.0.1',
      port,
      token: TOKEN,
    });
    port = Number(new URL(dashboard.url).port);
  };

  before(async () => {
    monitor = new MemoryMonitor({
      sampleIntervalMs: 200,
      alerts: { componentThresholds: { cache: CACHE_THRESHOLD } },
    });
    monitor.registerComponent('cache', () => bytes.cache);
    monitor.registerComponent('topology', () => ({ bytes: bytes.topology }));
    monitor.start();
    await startDashboard();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--no-first-run',
        '--metrics-recording-only',
        '--disable-dev-shm-usage',
      ],
      timeout: 30_000,
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: 'dark' });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    monitor?.stop();
  });

  it('loads, connects over the WebSocket with the token and shows the name', async () => {
    const response = await page.goto(`${dashboard?.url}?token=${TOKEN}`);
    assert.equal(response?.status(), 200);
    await page.waitForFunction(() => document.body.dataset.state === 'live', undefined, WAIT);
    await page.waitForFunction(
      () => document.getElementById('name')?.textContent === 'e2e dashboard',
      undefined,
      WAIT,
    );
    assert.equal(await page.title(), 'e2e dashboard · Headroom');
  });

  it('updates the charts at each sample', async () => {
    await page.waitForFunction(() => Number(document.body.dataset.points) >= 2, undefined, WAIT);
    const before = Number(await page.getAttribute('body', 'data-samples-received'));
    await page.waitForFunction((n) => Number(document.body.dataset.samplesReceived) >= n + 5, before, WAIT);
    for (const id of ['chart-memory', 'chart-heap', 'chart-gc', 'chart-loop', 'chart-tools']) {
      assert.equal(await page.locator(`#${id} canvas`).count(), 1, `#${id} holds a uPlot canvas`);
    }
    const legend = (await page.locator('#chart-memory .u-legend').textContent()) ?? '';
    for (const label of ['cache', 'topology', 'other (rss − components)', 'rss', 'budget']) {
      assert.ok(legend.includes(label), `the memory legend names ${label}: ${legend}`);
    }
    // The charts follow the window's width.
    const width = () => page.evaluate(() => document.querySelector('#chart-memory canvas')?.clientWidth ?? 0);
    const wide = await width();
    await page.setViewportSize({ width: 640, height: 1000 });
    await page.waitForFunction(
      (w) => (document.querySelector('#chart-memory canvas')?.clientWidth ?? w) < w - 100,
      wide,
      WAIT,
    );
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.waitForFunction(
      (w) => document.querySelector('#chart-memory canvas')?.clientWidth === w,
      wide,
      WAIT,
    );
  });

  it("shows the components' measured bytes and follows their changes", async () => {
    const cacheBytes = '#components-body tr[data-component="cache"] td.bytes';
    const topologyBytes = '#components-body tr[data-component="topology"] td.bytes';
    await page.waitForSelector(cacheBytes, WAIT);
    await page.waitForFunction(
      (s) => document.querySelector(s)?.dataset.bytes === String(2 * 1024 * 1024),
      cacheBytes,
      WAIT,
    );
    assert.equal(await page.getAttribute(topologyBytes, 'data-bytes'), String(5 * MiB));
    assert.equal(await page.locator(topologyBytes).textContent(), '5.00 MiB');
    bytes.cache = 3 * MiB;
    bytes.topology = 6.5 * MiB;
    await page.waitForFunction(
      (s) => document.querySelector(s)?.dataset.bytes === String(3 * 1024 * 1024),
      cacheBytes,
      WAIT,
    );
    await page.waitForFunction(
      (s) => document.querySelector(s)?.textContent === '6.50 MiB',
      topologyBytes,
      WAIT,
    );
    assert.equal(await page.locator('#stat-components').textContent(), '2');
    // "other" is rss minus the components, shown beside them, never a made-up share.
    const other = Number(await page.getAttribute('#components-body tr.other td.bytes', 'data-bytes'));
    const rss = monitor?.latest()?.rss ?? 0;
    assert.ok(other > 0 && other < rss, `other (${other}) lies between 0 and rss (${rss})`);
  });

  it('lists recorded tool calls in the tool table', async () => {
    for (const ms of [4, 9, 30])
      monitor?.recordToolCall({
        tool: 'search_operations',
        ms,
        ok: true,
        bytesOut: 2048,
        memoryDeltaBytes: 1024,
      });
    monitor?.recordToolCall({ tool: 'search_operations', ms: 50, ok: false, bytesOut: 100 });
    monitor?.recordToolCall({ tool: 'get_attachment', ms: 2, ok: true, bytesOut: 512 });
    const row = '#tools-body tr[data-tool="search_operations"]';
    await page.waitForSelector(`${row}[data-calls="4"][data-errors="1"]`, WAIT);
    await page.waitForSelector('#tools-body tr[data-tool="get_attachment"][data-calls="1"]', WAIT);
    const cells = await page.locator(`${row} td`).allTextContents();
    assert.deepEqual(cells.slice(0, 4), ['search_operations', '4', '1', '75%']);
    assert.equal(cells[8], '6.10 KiB', 'bytes out: 3 × 2048 + 100');
    assert.ok(await page.locator('#tools-empty').isHidden());
  });

  it('shows an alert when a component passes its threshold, then moves it to resolved', async () => {
    const active = '#alerts-active li[data-alert-id="component:cache"]';
    const resolved = '#alerts-resolved li[data-alert-id="component:cache"]';
    assert.equal(await page.locator(active).count(), 0);
    bytes.cache = 10 * MiB;
    await page.waitForSelector(`${active}[data-severity="warning"]`, WAIT);
    assert.match(
      (await page.locator(`${active} .alert-message`).textContent()) ?? '',
      /component cache holds/,
    );
    assert.match((await page.locator(`${active} .alert-meta`).textContent()) ?? '', /10\.0 MiB \/ 8\.00 MiB/);
    assert.equal(await page.getAttribute('#alerts', 'data-level'), 'warning');
    assert.equal(await page.locator('#alerts-count').textContent(), '1 active');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });

    bytes.cache = 1 * MiB;
    await page.waitForSelector(resolved, WAIT);
    await page.waitForFunction((s) => document.querySelector(s) === null, active, WAIT);
    assert.equal(await page.getAttribute('#alerts', 'data-level'), 'ok');
    assert.ok(await page.locator('#alerts-clear').isVisible());
  });

  it('shows "reconnecting" when the server goes away and catches up when it is back', async () => {
    await dashboard?.close();
    dashboard = undefined;
    await page.waitForFunction(() => document.body.dataset.state === 'reconnecting', undefined, WAIT);
    assert.match((await page.locator('#conn-text').textContent()) ?? '', /^reconnecting/);
    const before = Number(await page.getAttribute('body', 'data-samples-received'));
    await startDashboard();
    await page.waitForFunction(() => document.body.dataset.state === 'live', undefined, {
      ...WAIT,
      timeout: 40_000,
    });
    await page.waitForFunction((n) => Number(document.body.dataset.samplesReceived) >= n + 3, before, WAIT);
  });

  it('raised no errors in the page', () => {
    // The dashboard going away in the previous test makes Chromium log failed connections; those
    // are expected, anything else is not.
    const unexpected = problems.filter(
      (p) => !/WebSocket connection|Failed to load resource|ERR_CONNECTION_REFUSED/.test(p),
    );
    assert.deepEqual(unexpected, []);
  });
});
