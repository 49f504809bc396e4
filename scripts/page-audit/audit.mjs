// Audits the digit page as a phone would load it, in the machine's own Chromium:
// - Lighthouse with its default (mobile) settings on / and /about.html: performance, accessibility,
//   best practices and SEO scores;
// - axe-core on the page before and after a drawn digit is recognised, and on /about.html.
// Writes the reports and a summary under OUT (default target/page-audit) and exits 1 when a score is
// under its floor or axe finds a violation.
//
//   node scripts/page-audit/audit.mjs http://localhost:8080 [OUT]
//
// CHROME_PATH names the browser (default /usr/bin/chromium).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const base = (process.argv[2] || 'http://localhost:8080').replace(/\/$/, '');
const out = process.argv[3] || 'target/page-audit';
const FLOORS = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };
mkdirSync(out, { recursive: true });

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const failures = [];
const summary = { base, lighthouse: {}, axe: {} };
try {
  for (const path of ['/', '/about.html']) {
    const result = await lighthouse(base + path, { port: chrome.port, output: 'json', logLevel: 'error' });
    const name = path === '/' ? 'page' : 'about';
    writeFileSync(join(out, `lighthouse-${name}.json`), result.report);
    const scores = {};
    for (const [id, category] of Object.entries(result.lhr.categories)) {
      scores[id] = Math.round(category.score * 100);
      if (FLOORS[id] !== undefined && scores[id] < FLOORS[id]) {
        const failed = category.auditRefs
          .map((ref) => result.lhr.audits[ref.id])
          .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
          .map((a) => a.id + ' (' + a.score + ')');
        failures.push(`${path}: Lighthouse ${id} ${scores[id]} < ${FLOORS[id]}: ${failed.join(', ')}`);
      }
    }
    summary.lighthouse[path] = scores;
    console.log(`Lighthouse ${path}: ${JSON.stringify(scores)}`);
  }

  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  const axe = async (label) => {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    summary.axe[label] = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    for (const v of result.violations) {
      failures.push(`${label}: axe ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
    }
    console.log(`axe ${label}: ${result.violations.length} violations`);
  };
  await page.goto(base + '/', { waitUntil: 'networkidle0' });
  await axe('page, before a prediction');
  // a 7 drawn on the pad with the mouse; live recognition answers when it is lifted
  const pad = await (await page.$('#pad')).boundingBox();
  const at = (x, y) => [pad.x + (x * pad.width) / 280, pad.y + (y * pad.height) / 280];
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  for (const [x, y] of [[140, 60], [210, 60], [165, 145], [120, 230]]) await page.mouse.move(...at(x, y), { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.body.dataset.answers !== '0' && document.body.dataset.state === 'idle',
    { timeout: 30000 });
  const status = await page.$eval('#status', (e) => e.textContent);
  summary.answer = status;
  console.log(`answer: ${status}`);
  await axe('page, after a prediction');
  await page.goto(base + '/about.html', { waitUntil: 'networkidle0' });
  await axe('about page');
  await browser.disconnect();
} finally {
  await chrome.kill();
}
summary.failures = failures;
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
if (failures.length) {
  console.error('page audit failed:\n  ' + failures.join('\n  '));
  process.exit(1);
}
console.log('page audit: every score at its floor or above, no axe violation');
