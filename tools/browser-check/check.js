// Loads each HTML report given on the command line in headless Chromium and
// fails (exit 1) on any console error or uncaught exception (a
// Content-Security-Policy violation is one), on any request other than the
// report itself, on a report without charts, and on any chart (svg) that
// lays out with zero width or height. Keeps two screenshots of each report
// in OUTDIR: the screen (NAME.png) and the print layout at A4 width in
// greyscale (NAME-print.png).
//
//   node check.js OUTDIR REPORT.html...
//
// Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package).

'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

async function check(browser, file, outdir) {
  const problems = [];
  const url = 'file://' + path.resolve(file);
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    if (req.url() !== url) problems.push(`request: ${req.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.$$eval('svg', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { w: r.width, h: r.height, label: e.getAttribute('aria-label') || '(no label)' };
    })
  );
  if (charts.length === 0) problems.push('no chart (svg) in the report');
  for (const c of charts) {
    if (!(c.w > 0 && c.h > 0)) problems.push(`chart of zero size (${c.w}×${c.h}): ${c.label}`);
  }
  const unlabelled = await page.$$eval('svg', (els) =>
    els.filter((e) => !e.querySelector('title') || !e.querySelector('desc')).length
  );
  if (unlabelled > 0) problems.push(`${unlabelled} chart(s) without <title> and <desc>`);
  const name = path.basename(file).replace(/\.html?$/, '');
  await page.screenshot({ path: path.join(outdir, `${name}.png`), fullPage: true });
  // The print layout: A4's width at 96 dpi less the margins, in greyscale.
  await page.setViewportSize({ width: 720, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  await page.addStyleTag({ content: 'html { filter: grayscale(1); }' });
  await page.screenshot({ path: path.join(outdir, `${name}-print.png`), fullPage: true });
  await context.close();
  return { file, charts: charts.length, problems };
}

async function main() {
  const [outdir, ...files] = process.argv.slice(2);
  if (!outdir || files.length === 0) {
    console.error('usage: node check.js OUTDIR REPORT.html...');
    process.exit(2);
  }
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new'],
  });
  let failed = 0;
  try {
    for (const file of files) {
      const r = await check(browser, file, outdir);
      if (r.problems.length === 0) {
        console.log(`ok   ${file}: ${r.charts} charts`);
      } else {
        failed += 1;
        console.log(`FAIL ${file}: ${r.charts} charts`);
        for (const p of r.problems) console.log(`     ${p}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`browser-check: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
