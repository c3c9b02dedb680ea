import { createReadStream, existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join, normalize } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { eventually, freePort } from '@pbx/testing';
import { EdgeStack, legsOfCallTo, PASSWORDS, repoRoot, sipp, startEdgeStack, passed } from './support/edge-stack';
import { RtpProbe } from './support/rtp-probe';

// A browser softphone (sip.js in headless Chromium over WebSocket, Opus, DTLS-SRTP, ICE) is
// rung by a carrier whose leg is plain RTP/PCMU. rtpengine bridges the two worlds and
// transcodes; the test checks RTP on both sides: the browser's audio arrives at the carrier's
// socket as PCMU, and what the carrier sends back arrives in the browser (getStats).


const CHROMIUM = '/usr/bin/chromium';

/** Serves the softphone page and sip.js's ES modules to the browser. */
async function serveSoftphone(): Promise<{ server: Server; url: string }> {
  const roots: Array<[string, string]> = [
    ['/sipjs/', join(repoRoot, 'node_modules/sip.js/lib/')],
    ['/', join(__dirname, 'webrtc/')],
  ];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const root = roots.find(([prefix]) => path.startsWith(prefix));
    if (root === undefined) return void res.writeHead(404).end();
    const file = normalize(join(root[1], path.slice(root[0].length)));
    if (!file.startsWith(root[1]) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
    createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${port}` };
}

interface BrowserStats {
  packetsSent: number;
  packetsReceived: number;
  codecs: string[];
  dtls: string | null;
}

describe('WebRTC softphone ↔ plain RTP carrier through rtpengine (issue #3 media)', () => {
  let stack: EdgeStack;
  let web: { server: Server; url: string };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false });
    web = await serveSoftphone();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--allow-loopback-in-peer-connection',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`[browser] ${m.text()}\n`);
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    web?.server.close();
    await stack?.stop();
  });

  it('a carrier call to the browser phone is answered and RTP flows both ways (Opus in the browser, PCMU on the trunk)', async () => {
    const q = new URLSearchParams({ ws: `ws://127.0.0.1:${stack.wsPort}`, user: '1001', password: PASSWORDS['1001'], domain: stack.domain });
    await page.goto(`${web.url}/softphone.html?${q}`);
    await eventually(
      'the browser phone to register',
      async () => {
        const s = await page.evaluate(() => (globalThis as unknown as { softphone: { registered: boolean; error: string | null } }).softphone);
        if (s?.error) throw new Error(`softphone: ${s.error}`);
        return s?.registered === true;
      },
      20_000,
      100,
    );

    const probe = await RtpProbe.open();
    try {
      // DID 0312345678 → 1001, the browser
      const caller = sipp({
        scenario: 'uac-call.xml',
        remote: `127.0.0.1:${stack.sipPort}`,
        localPort: stack.trunkPort,
        service: '0312345678',
        durationMs: 4_000,
        keys: { domain: stack.domain, rtp_port: String(probe.port) },
        timeoutSeconds: 30,
      });
      let stats: BrowserStats | null = null;
      const sampler = (async () => {
        for (let i = 0; i < 100; i++) {
          const s = await page.evaluate(() => (globalThis as unknown as { softphone: { stats(): Promise<BrowserStats | null> } }).softphone.stats()).catch(() => null);
          if (s !== null) stats = s;
          await new Promise((r) => setTimeout(r, 100));
          if (stats !== null && stats.packetsReceived > 50) break;
        }
      })();
      const c = await caller.done;
      await sampler;
      passed(c);
      const s = stats as BrowserStats | null;
      process.stdout.write(`[webrtc] carrier socket got ${probe.received} packets (PT ${[...probe.payloadTypes]}), browser stats ${JSON.stringify(s)}\n`);
      // the browser's audio reached the carrier leg, transcoded to PCMU…
      expect(probe.received).toBeGreaterThan(50);
      expect([...probe.payloadTypes]).toEqual([0]);
      // …and the carrier's packets reached the browser over DTLS-SRTP, as Opus
      expect(s?.dtls).toBe('connected');
      expect(s?.packetsReceived ?? 0).toBeGreaterThan(20);
      expect(s?.codecs.some((m) => m.toLowerCase() === 'audio/opus')).toBe(true);
    } finally {
      probe.close();
    }
    const last = (await legsOfCallTo(stack.databaseUrl, '0312345678')).at(-1);
    const types = [...(last?.legs.values() ?? [])].map((events) => events.map((e) => e.type));
    expect(types).toHaveLength(2);
    for (const t of types) expect(t).toContain('LegAnswered');
  }, 90_000);
});
