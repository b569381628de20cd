// Headless Chromium driven over the DevTools protocol (one WebSocket, flattened target sessions),
// for tests that must see a report the way a person does: load a file, record every request the
// page makes, read the DOM, take a screenshot. Reusable by any test (unit or end-to-end):
//
//   const reason = chromiumUnavailable();           // string → t.skip(reason)
//   const browser = await Chromium.launch();
//   const page = await browser.open(pathToHtml, { width: 1280, height: 900 });
//   page.requests / page.problems / await page.evaluate('1+1') / await page.screenshot(pngPath)
//   await browser.close();                          // always (in after()/finally)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why Chromium tests cannot run here, or null when they can. */
export function chromiumUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH) ? null
    : `chromium not found at ${CHROMIUM_PATH} (install it with test/support/install-chromium.sh, or set CHROMIUM_PATH)`;
}

export interface RequestRecord { url: string; method: string; type?: string; initiator?: string }

export interface Viewport { width: number; height: number; media?: 'screen' | 'print'; deviceScaleFactor?: number }

type Listener = (method: string, params: any, sessionId?: string) => void;

/** A minimal CDP client: request/response by id, events to listeners. */
class CdpConnection {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; method: string }>();
  private listeners = new Set<Listener>();

  private constructor(private ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`CDP ${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result);
      } else if (msg.method) {
        for (const l of this.listeners) l(msg.method, msg.params, msg.sessionId);
      }
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`CDP ${p.method}: connection closed`));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<CdpConnection> {
    return new Promise((res, rej) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
      ws.once('open', () => res(new CdpConnection(ws)));
      ws.once('error', rej);
    });
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((res, rej) => {
      this.pending.set(id, { resolve: res, reject: rej, method });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}

export class ChromiumPage {
  /** Every request the page started (Network.requestWillBeSent), the document itself included. */
  readonly requests: RequestRecord[] = [];
  /** JS exceptions, console errors/warnings and browser log entries (CSP violations land here). */
  readonly problems: string[] = [];
  private unsubscribe: () => void;

  constructor(private cdp: CdpConnection, readonly targetId: string, readonly sessionId: string) {
    this.unsubscribe = cdp.on((method, params, sid) => {
      if (sid !== sessionId) return;
      if (method === 'Network.requestWillBeSent') {
        this.requests.push({ url: params.request.url, method: params.request.method, type: params.type, initiator: params.initiator?.type });
      } else if (method === 'Runtime.exceptionThrown') {
        this.problems.push(`exception: ${params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text}`);
      } else if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'warning')) {
        this.problems.push(`console.${params.type}: ${params.args?.map((a: any) => a.value ?? a.description).join(' ')}`);
      } else if (method === 'Log.entryAdded' && (params.entry.level === 'error' || params.entry.level === 'warning')) {
        this.problems.push(`log ${params.entry.source}: ${params.entry.text}${params.entry.url ? ` (${params.entry.url})` : ''}`);
      }
    });
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.cdp.send<T>(method, params, this.sessionId);
  }

  async setViewport(v: Viewport): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', { width: v.width, height: v.height, deviceScaleFactor: v.deviceScaleFactor ?? 1, mobile: false });
    await this.send('Emulation.setEmulatedMedia', { media: v.media ?? 'screen' });
  }

  /** Navigate and wait for the load event, plus a short settle for late requests. */
  async goto(url: string, timeoutMs = 15000): Promise<void> {
    const loaded = new Promise<void>((res, rej) => {
      const timer = setTimeout(() => { off(); rej(new Error(`page did not load within ${timeoutMs}ms: ${url}`)); }, timeoutMs);
      const off = this.cdp.on((method, _p, sid) => {
        if (sid === this.sessionId && method === 'Page.loadEventFired') { clearTimeout(timer); off(); res(); }
      });
    });
    const nav = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (nav.errorText) throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
    await loaded;
    await new Promise((r) => setTimeout(r, 250));
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** PNG of the page (the whole scrollable page by default); written to `outPath` when given. */
  async screenshot(outPath?: string, opts: { fullPage?: boolean } = {}): Promise<Buffer> {
    const params: Record<string, unknown> = { format: 'png' };
    if (opts.fullPage ?? true) {
      const m = await this.send('Page.getLayoutMetrics');
      const size = m.cssContentSize ?? m.contentSize;
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 };
    }
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', params);
    const png = Buffer.from(data, 'base64');
    if (outPath) await writeFile(outPath, png);
    return png;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.cdp.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}

export class Chromium {
  private pages: ChromiumPage[] = [];

  private constructor(private proc: ChildProcess, private cdp: CdpConnection, private userDataDir: string, private exited: Promise<void>) {}

  static async launch(opts: { timeoutMs?: number; extraArgs?: string[] } = {}): Promise<Chromium> {
    const reason = chromiumUnavailable();
    if (reason) throw new Error(reason);
    const userDataDir = await mkdtemp(join(tmpdir(), 'chat-bench-chromium-'));
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-zygote', '--disable-crash-reporter', '--disable-breakpad', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions', '--mute-audio', '--hide-scrollbars',
      `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', ...(opts.extraArgs ?? []), 'about:blank'];
    // Own process group, so close() can end the browser's helper processes with it.
    const proc = spawn(CHROMIUM_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const exited = new Promise<void>((res) => proc.once('exit', () => res()));
    let stderr = '';
    const wsUrl = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`chromium printed no DevTools URL within ${opts.timeoutMs ?? 20000}ms: ${stderr.slice(-500)}`)), opts.timeoutMs ?? 20000);
      proc.stderr!.on('data', (chunk) => {
        stderr += String(chunk);
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (m) { clearTimeout(timer); res(m[1]); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); rej(new Error(`chromium exited (code ${code}) before it listened: ${stderr.slice(-500)}`)); });
      proc.once('error', (err) => { clearTimeout(timer); rej(err); });
    }).catch(async (err) => {
      killGroup(proc, 'SIGKILL');
      await rm(userDataDir, { recursive: true, force: true });
      throw err;
    });
    proc.stderr!.resume(); // keep draining chromium's log so it never blocks on a full pipe
    const cdp = await CdpConnection.connect(wsUrl);
    return new Chromium(proc, cdp, userDataDir, exited);
  }

  /** Opens a new tab at `fileOrUrl` (a file path or a URL) with the given viewport, recording requests from the start. */
  async open(fileOrUrl: string, viewport: Viewport = { width: 1280, height: 900 }): Promise<ChromiumPage> {
    const url = /^[a-z]+:/i.test(fileOrUrl) ? fileOrUrl : pathToFileURL(resolve(fileOrUrl)).href;
    const { targetId } = await this.cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new ChromiumPage(this.cdp, targetId, sessionId);
    this.pages.push(page);
    for (const domain of ['Page', 'Network', 'Runtime', 'Log']) await page.send(`${domain}.enable`);
    await page.setViewport(viewport);
    await page.goto(url);
    return page;
  }

  async close(): Promise<void> {
    for (const p of this.pages) await p.close().catch(() => undefined);
    await Promise.race([this.cdp.send('Browser.close').catch(() => undefined), delay(2000)]);
    this.cdp.close();
    const gone = await Promise.race([this.exited.then(() => true), delay(5000).then(() => false)]);
    if (!gone) { killGroup(this.proc, 'SIGKILL'); await this.exited; }
    else killGroup(this.proc, 'SIGKILL'); // helpers (zygote, utility) that outlived the browser process
    await rm(this.userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try { process.kill(-proc.pid, signal); } catch { /* already gone */ }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Width and height of a PNG, read from its IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
