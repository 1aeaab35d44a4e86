// End-to-end test of the map editor in headless Chromium (Debian's chromium, driven by puppeteer-core):
// open the page served by `avipsim serve`, label a facility, run 20 replications, wait for the delta,
// download the scenario and check it is the expected JSON, run `avipsim run` on it and check that its
// figures are the server's; a screenshot of the map after the run is kept as a test artefact.
//
//   node map_editor_e2e.js --avipsim build/avipsim --source . --artifacts build/artifacts
//     [--scenario scenarios/reunion/baseline.json]
//
// Exits 0 when it passes, 1 when it fails, 77 (CTest: skipped) when Chromium or puppeteer-core is missing.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const SKIP = 77;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const source = path.resolve(arg('--source', path.join(__dirname, '..', '..')));
const avipsim = path.resolve(arg('--avipsim', path.join(source, 'build', 'avipsim')));
const artifacts = path.resolve(arg('--artifacts', path.join(source, 'build', 'artifacts')));
const scenario = arg('--scenario', 'scenarios/reunion/baseline.json');
const chromium = process.env.AVIP_CHROMIUM || '/usr/bin/chromium';

let puppeteer;
try {
  puppeteer = require('puppeteer-core');
} catch (e) {
  console.log('SKIPPED: puppeteer-core is not installed (npm ci in tests/browser, or AVIP_WITH_BROWSER=1 bash scripts/setup)');
  process.exit(SKIP);
}
if (!fs.existsSync(chromium)) {
  console.log(`SKIPPED: no Chromium at ${chromium} (apt-get install chromium, or set AVIP_CHROMIUM)`);
  process.exit(SKIP);
}
if (!fs.existsSync(avipsim)) {
  console.error(`no avipsim executable at ${avipsim}`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'avip-map-editor-'));
const out = path.join(work, 'runs');
const downloads = path.join(work, 'downloads');
fs.mkdirSync(downloads);

function check(cond, what) {
  if (!cond) throw new Error(what);
  console.log(`ok: ${what}`);
}

/// Relative difference of two figures, tolerant near zero.
function close(a, b, tol = 1e-9) {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

function startServer() {
  const server = spawn(avipsim, ['serve', scenario, '--port', '0', '--out', out], { cwd: source, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const url = new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve(m[0]);
    });
    server.on('exit', (code) => reject(new Error(`avipsim serve exited (${code}): ${log}`)));
    setTimeout(() => reject(new Error(`avipsim serve printed no address in 120 s: ${log}`)), 120000);
  });
  return { server, url };
}

async function main() {
  const { server, url: urlPromise } = startServer();
  let browser = null;
  try {
    const url = await urlPromise;
    console.log(`server at ${url}`);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      userDataDir: path.join(work, 'chromium-profile'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--window-size=1400,900'],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    const external = [];
    page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url()); });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
    check(await page.evaluate(() => typeof L !== 'undefined' && !!L.version), 'Leaflet is loaded from the server');
    const lines = await (await fetch(url + 'api/layers/bus_lines')).json();
    const shaped = lines.features.filter((f) => f.properties.trace === 'shapes.txt').length;
    check(lines.features.length > 0 && shaped > 0, `bus lines drawn from the GTFS shapes (${shaped} of ${lines.features.length})`);

    // The largest unlabelled crèche: centre the map on it and click its marker.
    const target = await page.evaluate(() => {
      const S = window.avipEditor;
      const f = S.facilities.filter((x) => ['creche', 'multi_accueil'].includes(x.properties.type) && !x.properties.avip)
        .sort((a, b) => b.properties.places - a.properties.places || (a.properties.id < b.properties.id ? -1 : 1))[0];
      S.map.setView([f.geometry.coordinates[1], f.geometry.coordinates[0]], 17, { animate: false });
      return { id: f.properties.id, name: f.properties.nom };
    });
    await new Promise((ok) => setTimeout(ok, 300));
    const point = await page.evaluate((id) => {
      const S = window.avipEditor;
      const f = S.byId.get(id);
      const p = S.map.latLngToContainerPoint([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      const box = S.map.getContainer().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, target.id);
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#f-label', { timeout: 10000 });
    check(await page.$eval('#facility-form', (e, id) => e.textContent.includes(id), target.id), `clicking the map selects ${target.id} (${target.name})`);
    await page.click('#f-label');
    await page.waitForFunction((id) => window.avipEditor.doc.edits.some((e) => e.type === 'label' && e.select.ids[0] === id), {}, target.id);
    check(true, 'labelling adds a label edit to the scenario');

    // Its total places: a value out of range is refused next to the field, the base's value removes the edit.
    const basePlaces = await page.evaluate((id) => window.avipEditor.byId.get(id).properties.places, target.id);
    await page.$eval('#f-total', (e) => { e.value = '5000'; e.dispatchEvent(new Event('change')); });
    await page.waitForSelector('#f-total.invalid + .field-error', { timeout: 10000 });
    const placesError = await page.$eval('#f-total + .field-error', (e) => e.textContent);
    check(/out of range/.test(placesError), `a total of 5000 places is refused next to its field (${placesError})`);
    check(await page.evaluate((id) => window.avipEditor.doc.edits.some((e) => e.type === 'places' && e.select.ids[0] === id && e.places === 5000), target.id),
      'the places field makes a places edit');
    await page.$eval('#f-total', (e, n) => { e.value = String(n); e.dispatchEvent(new Event('change')); }, basePlaces);
    await page.waitForFunction(() => !window.avipEditor.doc.edits.some((e) => e.type === 'places') && !document.querySelector('#f-total.invalid'), { timeout: 10000 });
    check(true, `the base's ${basePlaces} places remove the places edit and its error`);

    // 20 replications, run, wait for the delta.
    await page.$eval('#replications', (e) => { e.value = '20'; e.dispatchEvent(new Event('change')); });
    await page.click('#run');
    await page.waitForSelector('#delta-table tr[data-key="priority_matched"]', { timeout: 300000 });
    const shown = await page.evaluate(() => ({
      id: window.avipEditor.shownRun,
      delta: Object.fromEntries([...document.querySelectorAll('#delta-table tr[data-mean]')].map((r) => [r.dataset.key, Number(r.dataset.mean)])),
      cards: document.querySelector('#cards').textContent,
    }));
    check(!!shown.id && Object.keys(shown.delta).length === 4, `the delta with the base appears (run ${shown.id})`);
    await page.evaluate(() => {  // the whole territory, coloured by the run, with its unmet priority families
      const S = window.avipEditor;
      S.map.fitBounds(S.info.bounds, { animate: false });
      S.map.addLayer(S.layers.grid);
    });
    await new Promise((ok) => setTimeout(ok, 1500));  // the coverage colours of the run
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'map-editor.png') });
    console.log(`screenshot: ${path.join(artifacts, 'map-editor.png')}`);

    // Download the scenario, as the user does.
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
    await page.click('#download');
    let file = null;
    for (let i = 0; i < 100 && !file; ++i) {
      await new Promise((ok) => setTimeout(ok, 100));
      file = fs.readdirSync(downloads).find((f) => f.endsWith('.json'));
    }
    check(!!file, `the scenario downloads (${file})`);
    const downloaded = JSON.parse(fs.readFileSync(path.join(downloads, file), 'utf8'));
    const info = await (await fetch(url + 'api/info')).json();
    const expected = { ...info.document, replications: 20, edits: [{ type: 'label', select: { ids: [target.id] }, label: true }] };
    check(JSON.stringify(downloaded) === JSON.stringify(expected), 'the downloaded scenario is the expected JSON');

    // The server's figures against `avipsim run` on the downloaded file (placed where its base is found).
    const run = await (await fetch(`${url}api/runs/${shown.id}`)).json();
    check(run.state === 'done', `${shown.id} is done`);
    for (const key of ['matched', 'priority_matched', 'coverage', 'priority_coverage']) {
      check(close(shown.delta[key], run.summary.delta[key].mean), `the page shows the server's delta of ${key} (${shown.delta[key]})`);
    }
    const served = await (await fetch(`${url}runs/${shown.id}/summary.json`)).json();
    const cliScenario = path.join(work, 'downloaded.json');
    fs.writeFileSync(cliScenario, JSON.stringify({ ...downloaded, base: path.join(source, path.dirname(scenario), downloaded.base) }, null, 2));
    const cliOut = path.join(work, 'cli');
    const cli = spawnSync(avipsim, ['run', cliScenario, '--out', cliOut, '--quiet'], { cwd: source, encoding: 'utf8' });
    check(cli.status === 0, `avipsim run on the downloaded scenario (${(cli.stderr || '').trim().slice(0, 300)})`);
    const summary = JSON.parse(fs.readFileSync(path.join(cliOut, 'summary.json'), 'utf8'));
    check(summary.replications === 20 && summary.seed === served.seed, `same replications (20) and seed (${served.seed})`);
    const a = summary.indicators.territory;
    const b = served.indicators.territory;
    for (const key of ['referred', 'matched', 'priority_referred', 'priority_matched', 'coverage', 'priority_coverage']) {
      for (const q of ['mean', 'lo', 'hi']) {
        check(close(a[key][q], b[key][q]), `${key}.${q}: avipsim run ${a[key][q]} = server ${b[key][q]}`);
      }
      check(close(a[key].mean, run.summary.headline[key].mean), `${key}: the API's headline is the run's`);
    }
    check(close(summary.indicators.cost.total_eur, served.indicators.cost.total_eur), `cost ${summary.indicators.cost.total_eur} €`);
    check(external.length === 0, `the page loads nothing from elsewhere (${external.slice(0, 3).join(', ')})`);
    check(pageErrors.length === 0, `no script error in the page (${pageErrors.slice(0, 2).join('; ')})`);
  } finally {
    if (browser) await browser.close();
    server.kill('SIGTERM');
    await new Promise((ok) => { if (server.exitCode !== null || server.signalCode !== null) ok(); else server.on('exit', ok); });
  }
  // Stopping the server leaves the finished runs and nothing half-written.
  const left = fs.readdirSync(out).filter((f) => f.startsWith('.'));
  check(left.length === 0, `no staging folder left under --out after SIGTERM (${left.join(', ')})`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().then(() => { console.log('map editor end to end: passed'); process.exit(0); }, (e) => {
  console.error(`FAILED: ${e.message}`);
  console.error(`(scratch folder kept: ${work})`);
  process.exit(1);
});
