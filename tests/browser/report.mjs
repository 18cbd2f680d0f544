// Opens a model's report in headless Chromium over the DevTools protocol (no npm
// package: Node's WebSocket client) and checks it as a reader would:
//   - the page loads with no console error, no exception and no blocked request;
//   - the slider's script ran, and moving the slider to three positions shows the
//     figures of the model's threshold table (precision, recall, false-positive
//     rate, F1, flagged per 1000, the confusion matrix) and moves the curve markers;
//   - without JavaScript the figures are those at the stored cut;
//   - at a phone's width nothing overflows sideways;
//   - a screenshot is saved; the load time (median of 5) and the size are printed.
//
// Usage: node --experimental-websocket report.mjs REPORT.html MODEL.json SHOT.png
// (MODEL.json: `leadscore inspect --json MODEL`). Environment: CHROMIUM (the
// browser binary, default `chromium`).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [reportPath, modelJsonPath, shotPath] = process.argv.slice(2);
if (!reportPath || !modelJsonPath || !shotPath) {
  console.error('usage: report.mjs REPORT.html MODEL.json SHOT.png');
  process.exit(2);
}
const model = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
const evaluation = model.evaluation;
assert.ok(evaluation && evaluation.thresholds.length > 10, 'the model has a threshold table');
const url = pathToFileURL(resolve(reportPath)).href;

const profile = mkdtempSync(join(tmpdir(), 'leadscore-chromium-'));
const browser = spawn(
  process.env.CHROMIUM || 'chromium',
  [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    'about:blank',
  ],
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
);

function stop() {
  try {
    process.kill(-browser.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  rmSync(profile, { recursive: true, force: true });
}
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => process.exit(1));
}

const port = await new Promise((ok, fail) => {
  let text = '';
  const timer = setTimeout(() => fail(new Error(`Chromium did not start:\n${text}`)), 30000);
  browser.stderr.on('data', (chunk) => {
    text += chunk;
    const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
    if (m) {
      clearTimeout(timer);
      ok(Number(m[1]));
    }
  });
  browser.on('exit', (code) => fail(new Error(`Chromium exited with ${code}:\n${text}`)));
});

const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === 'page');
assert.ok(page, 'Chromium has a page');
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((ok, fail) => {
  ws.onopen = ok;
  ws.onerror = () => fail(new Error('cannot connect to the DevTools socket'));
});

let nextId = 1;
const pending = new Map();
const waiters = [];
const problems = [];
ws.onmessage = (msg) => {
  const m = JSON.parse(msg.data);
  if (m.id) {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p.fail(new Error(`${p.method}: ${m.error.message}`));
    else p.ok(m.result);
    return;
  }
  if (m.method === 'Runtime.exceptionThrown') {
    problems.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
  } else if (m.method === 'Runtime.consoleAPICalled' && ['error', 'assert', 'warning'].includes(m.params.type)) {
    problems.push(`console.${m.params.type}: ${m.params.args.map((a) => a.value ?? a.description).join(' ')}`);
  } else if (m.method === 'Log.entryAdded' && ['error', 'warning'].includes(m.params.entry.level)) {
    problems.push(`log ${m.params.entry.level}: ${m.params.entry.text} ${m.params.entry.url ?? ''}`);
  }
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (waiters[i].method === m.method) {
      waiters[i].ok(m.params);
      waiters.splice(i, 1);
    }
  }
};

function send(method, params = {}) {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params }));
  return new Promise((ok, fail) => pending.set(id, { ok, fail, method }));
}
function event(method) {
  return new Promise((ok) => waiters.push({ method, ok }));
}
async function evaluate(expression) {
  const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`page script failed: ${r.exceptionDetails.text}`);
  return r.result.value;
}
async function load(width) {
  await send('Emulation.setDeviceMetricsOverride', {
    width,
    height: 900,
    deviceScaleFactor: 1,
    mobile: width < 600,
  });
  const loaded = event('Page.loadEventFired');
  const t0 = performance.now();
  await send('Page.navigate', { url });
  await loaded;
  return performance.now() - t0;
}

await send('Page.enable');
await send('Runtime.enable');
await send('Log.enable');

// Load time: the median of five loads.
const times = [];
for (let i = 0; i < 5; i++) {
  times.push(await load(1000));
}
times.sort((a, b) => a - b);
const bytes = statSync(reportPath).size;
console.log(`report: ${bytes} bytes; load in headless Chromium, median of 5: ${times[2].toFixed(0)} ms`);
assert.ok(bytes < 1 << 20, `the report is under 1 MB (${bytes} bytes)`);

assert.equal(await evaluate("document.querySelector('.ls-report').classList.contains('ls-js')"), true, 'the slider script ran');

const read = `(() => {
  const v = (n) => document.querySelector('[data-v="' + n + '"]').textContent;
  const dot = (c) => { const e = document.querySelector('.' + c); return [e.getAttribute('cx'), e.getAttribute('cy')]; };
  return { threshold: v('threshold'), precision: v('precision'), recall: v('recall'),
    false_positive_rate: v('false_positive_rate'), f1: v('f1'), flagged_per_1000: v('flagged_per_1000'),
    share_flagged: v('share_flagged'), tp: v('tp'), fp: v('fp'), tn: v('tn'), fn: v('fn'),
    roc: dot('ls-roc-dot'), pr: dot('ls-pr-dot') };
})()`;
const percent = (s) => {
  assert.match(s, /^-?\d+(\.\d+)? %$/, `a percentage: ${s}`);
  return parseFloat(s) / 100;
};
const close = (shown, want, tol, what) =>
  assert.ok(Math.abs(shown - want) <= tol, `${what}: shown ${shown}, table ${want}`);

function check(shown, row, where) {
  close(parseFloat(shown.threshold), row.threshold, 5e-5 + 1e-12, `${where} threshold`);
  close(percent(shown.precision), row.precision, 5e-4 + 1e-12, `${where} precision`);
  close(percent(shown.recall), row.recall, 5e-4 + 1e-12, `${where} recall`);
  close(percent(shown.false_positive_rate), row.false_positive_rate, 5e-4 + 1e-12, `${where} false-positive rate`);
  close(percent(shown.share_flagged), row.share_flagged, 5e-4 + 1e-12, `${where} share flagged`);
  close(parseFloat(shown.f1), row.f1, 5e-4 + 1e-12, `${where} F1`);
  close(parseFloat(shown.flagged_per_1000), row.flagged_per_1000, 0.5 + 1e-9, `${where} flagged per 1000`);
  assert.deepEqual(
    [shown.tp, shown.fp, shown.tn, shown.fn].map(Number),
    [row.tp, row.fp, row.tn, row.fn_],
    `${where} confusion matrix`,
  );
}

// As loaded: the stored cut.
const initial = await evaluate(read);
check(initial, evaluation.at_threshold, 'at the stored cut');

// Three slider positions.
const table = evaluation.thresholds;
const max = Number(await evaluate("document.querySelector('.ls-slider').max"));
assert.equal(max, table.length - 1, 'the slider spans the threshold table');
let previous = initial;
for (const share of [0.1, 0.5, 0.9]) {
  const k = Math.round(share * (table.length - 1));
  await evaluate(`(() => { const s = document.querySelector('.ls-slider'); s.value = ${k};
    s.dispatchEvent(new Event('input', { bubbles: true })); })()`);
  const shown = await evaluate(read);
  check(shown, table[k], `slider at row ${k}`);
  assert.notDeepEqual(shown.roc, previous.roc, `the ROC marker moved at row ${k}`);
  previous = shown;
  console.log(`slider row ${k}: cut ${shown.threshold}, precision ${shown.precision}, recall ${shown.recall}, ${shown.flagged_per_1000} flagged per 1000`);
}

// The screenshot, at a laptop's width, from the top.
await load(1000);
const height = Math.min(1300, Number(await evaluate('document.documentElement.scrollHeight')));
const shot = await send('Page.captureScreenshot', {
  format: 'png',
  captureBeyondViewport: true,
  clip: { x: 0, y: 0, width: 1000, height, scale: 1 },
});
writeFileSync(shotPath, Buffer.from(shot.data, 'base64'));
console.log(`screenshot: ${shotPath}`);

// A phone's width: nothing wider than the screen.
await load(390);
const overflow = await evaluate('document.documentElement.scrollWidth');
assert.ok(overflow <= 390, `no sideways scrolling at 390 px (page is ${overflow} px wide)`);

// Without JavaScript: readable, with the figures at the stored cut.
await send('Emulation.setScriptExecutionDisabled', { value: true });
await load(1000);
await send('Emulation.setScriptExecutionDisabled', { value: false });
assert.equal(
  await evaluate("document.querySelector('.ls-report').classList.contains('ls-js')"),
  false,
  'the page loaded without its script',
);
check(await evaluate(read), evaluation.at_threshold, 'without JavaScript');

assert.deepEqual(problems, [], 'no console errors');
ws.close();
console.log('report browser test: ok');
process.exit(0);
