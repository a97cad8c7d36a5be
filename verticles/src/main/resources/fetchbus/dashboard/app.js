'use strict';
// The Fetchbus dashboard: plain DOM and the public HTTP API, nothing else. The token (when the service has API
// tokens) is kept for the browser tab only and sent as Authorization: Bearer, also on the event stream, which is
// why progress is read with fetch() and a streamed body rather than EventSource (which cannot send the header).

const TOKEN_KEY = 'fetchbus.token';
const REFRESH_MS = 2000;
const PAGE = 20;

const $ = (id) => document.getElementById(id);
const state = { cursors: [null], page: 0, next: null, selected: null, follow: null, throughput: null, outcomes: null,
  listAsked: 0, ticking: false };
const MAX_POINTS = 600;

class HttpError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? `${status} ${problem.title}: ${problem.detail}` : `HTTP ${status}`);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers.set('Authorization', `Bearer ${token}`);
  }
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 || response.status === 403) {
    askForToken(response.status);
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch (e) { /* not a problem document */ }
    throw new HttpError(response.status, problem);
  }
  return response;
}

const json = async (path, options) => (await api(path, options)).json();

function askForToken(status) {
  $('auth').hidden = false;
  $('main').hidden = true;
  $('auth-message').textContent = status === 401
    ? '401 Unauthorized: this service needs an API token.'
    : '403 Forbidden: that token is not valid here.';
  $('connection').textContent = `${status}`;
}

function tokenAccepted() {
  if (!$('auth').hidden) {
    $('auth').hidden = true;
    $('main').hidden = false;
  }
}

// ---- formatting

const fmt = {
  int: (n) => (n == null ? '–' : Number(n).toLocaleString('en')),
  rate: (r) => (r > 0 ? `${r >= 100 ? Math.round(r).toLocaleString('en') : r.toFixed(1)}/s` : '–'),
  bytes(n) {
    if (n == null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
  },
  duration(s) {
    if (!isFinite(s) || s < 0) return '–';
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
  },
  time: (iso) => (iso ? new Date(iso).toLocaleString() : '–'),
};

const unfinished = (status) => status === 'queued' || status === 'running';

/** URLs/s so far: from the event stream when given, else the job's own counters over its running time. */
function rateOf(job, perSecond) {
  if (perSecond != null) return perSecond;
  if (!job.startedAt || !job.completed) return 0;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  return job.completed / Math.max((end - Date.parse(job.startedAt)) / 1000, 0.001);
}

function etaOf(job, rate) {
  return unfinished(job.status) && rate > 0 ? (job.total - job.completed) / rate : NaN;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

// ---- jobs list

async function refreshJobs() {
  const asked = ++state.listAsked;
  const after = state.cursors[state.page];
  const page = await json(`/api/jobs?limit=${PAGE}${after ? `&after=${after}` : ''}`);
  if (asked !== state.listAsked) return; // a newer request (a page change, say) answers instead
  tokenAccepted();
  $('connection').textContent = `updated ${new Date().toLocaleTimeString()}`;
  state.next = page.next;
  $('jobs-newer').disabled = state.page === 0;
  $('jobs-older').disabled = !page.next;
  const body = $('jobs').tBodies[0];
  body.replaceChildren(...page.jobs.map(jobRow));
}

function jobRow(job) {
  const rate = rateOf(job);
  const row = el('tr', { 'data-id': job.id, 'data-status': job.status },
    el('td', { title: job.id }, job.id.slice(0, 8)),
    el('td', { class: `status ${job.status}` }, job.status),
    el('td', {}, el('progress', { max: job.total, value: job.completed })),
    el('td', { class: 'num' }, `${fmt.int(job.completed)} / ${fmt.int(job.total)}`),
    el('td', { class: 'num' }, `${fmt.int(job.succeeded)} / ${fmt.int(job.failed)}`),
    el('td', { class: 'num' }, unfinished(job.status) || job.finishedAt ? fmt.rate(rate) : '–'),
    el('td', { class: 'num' }, fmt.duration(etaOf(job, rate))),
    el('td', {}, fmt.time(job.createdAt)),
    el('td', {}, unfinished(job.status) ? cancelButton(job.id, 'cancel') : ''));
  if (job.id === state.selected) row.classList.add('selected');
  row.addEventListener('click', () => select(job.id));
  return row;
}

function cancelButton(id, cls) {
  const button = el('button', { type: 'button', class: cls, textContent: 'Cancel' });
  button.addEventListener('click', (event) => { event.stopPropagation(); cancel(id); });
  return button;
}

async function cancel(id) {
  try {
    await api(`/api/jobs/${id}`, { method: 'DELETE' });
    $('detail-message').textContent = '';
  } catch (e) {
    $('detail-message').textContent = e.message;
  }
  refreshJobs().catch(showError);
  if (id === state.selected) showSummary(id).catch(showError);
}

// ---- one job

function select(id) {
  if (state.follow) state.follow.abort();
  state.selected = id;
  $('detail').hidden = false;
  $('detail').setAttribute('data-id', id);
  $('detail-id').textContent = id;
  $('detail-message').textContent = '';
  history.replaceState(null, '', `#job=${id}`);
  for (const row of $('jobs').tBodies[0].rows) row.classList.toggle('selected', row.dataset.id === id);
  resetCharts();
  follow(id);
}

/**
 * Reads the job's event stream until its final event, or until another job is selected; reconnects when the stream
 * ends early (a restart, a proxy). The summary is read beside it, less often for large jobs (it reads every result).
 */
async function follow(id) {
  const abort = new AbortController();
  state.follow = abort;
  let summaryAt = 0;
  let ended = false;
  try {
    const response = await api(`/api/jobs/${id}/events`, { signal: abort.signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!ended) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
        buffer = buffer.slice(end + 2);
        if (!data) continue;
        const progress = JSON.parse(data);
        showProgress(progress);
        ended = ended || progress.final;
        if (progress.final || Date.now() - summaryAt > Math.max(REFRESH_MS, progress.total / 50)) {
          summaryAt = Date.now();
          showSummary(id).catch(showError);
        }
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') showError(e);
  } finally {
    abort.abort();
  }
  if (!ended && state.follow === abort && state.selected === id) {
    setTimeout(() => { if (state.follow === abort && state.selected === id) follow(id); }, REFRESH_MS);
  }
}

function showProgress(p) {
  if (p.id !== state.selected) return;
  const status = $('detail-status');
  status.textContent = p.status;
  status.className = `status ${p.status}`;
  const bar = $('detail-bar');
  bar.max = p.total;
  bar.value = p.completed;
  const percent = p.total ? Math.floor((100 * p.completed) / p.total) : 0;
  $('detail-percent').textContent = `${percent} %`;
  $('detail').setAttribute('data-percent', percent);
  $('detail').setAttribute('data-status', p.status);
  const eta = etaOf(p, p.perSecond);
  $('detail-counts').textContent = `${fmt.int(p.completed)} of ${fmt.int(p.total)} URLs · ${fmt.int(p.succeeded)} ok · `
    + `${fmt.int(p.failed)} failed · ${fmt.bytes(p.bytes)} · ${fmt.rate(p.perSecond)} · ETA ${fmt.duration(eta)}`;
  $('detail-cancel').hidden = !unfinished(p.status);
  addThroughput(p.perSecond);
}

async function showSummary(id) {
  const [job, summary] = await Promise.all([json(`/api/jobs/${id}`), json(`/api/jobs/${id}/summary?hosts=10`)]);
  if (id !== state.selected) return;
  const nodes = (job.nodes || []).map((n) => `${n.node} (${n.chunks} chunk${n.chunks === 1 ? '' : 's'}${n.silent ? ', silent' : ''})`);
  $('detail-waiting').textContent = [nodes.length ? `fetch nodes: ${nodes.join(', ')}` : '', job.waiting || '',
    ...(job.warnings || [])].filter(Boolean).join(' · ');
  if (!unfinished(job.status)) {
    showProgress({ ...job, perSecond: rateOf(job), final: true });
  }
  const outcomes = Object.entries(summary.outcomes).sort((a, b) => b[1] - a[1]);
  $('outcomes').tBodies[0].replaceChildren(...outcomes.map(([name, n]) =>
    el('tr', { 'data-outcome': name }, el('td', {}, name), el('td', { class: 'num' }, fmt.int(n)))));
  $('slowest').tBodies[0].replaceChildren(...summary.slowestHosts.map((h) =>
    el('tr', {}, el('td', {}, h.host), el('td', { class: 'num' }, fmt.int(h.meanMs)), el('td', { class: 'num' }, fmt.int(h.results)))));
  $('failing').tBodies[0].replaceChildren(...summary.failingHosts.map((h) =>
    el('tr', {}, el('td', {}, h.host), el('td', { class: 'num' }, fmt.int(h.failed)), el('td', { class: 'num' }, fmt.int(h.results)))));
  drawOutcomes(outcomes);
}

async function downloadReport(csv) {
  const id = state.selected;
  try {
    const response = await api(`/api/jobs/${id}/report`, { headers: { Accept: csv ? 'text/csv' : 'application/x-ndjson' } });
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: `${id}${csv ? '.csv.gz' : '.ndjson.gz'}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    $('detail-message').textContent = e.message;
  }
}

// ---- charts (uPlot)

function resetCharts() {
  if (state.throughput) state.throughput.destroy();
  if (state.outcomes) state.outcomes.destroy();
  state.throughput = new uPlot({
    width: 560, height: 220,
    series: [{}, { label: 'URLs/s', stroke: '#2d6cdf', width: 2, fill: 'rgba(45,108,223,0.1)' }],
    axes: [{}, { size: 60 }],
    scales: { x: { time: true } },
  }, [[], []], $('chart-throughput'));
  state.outcomes = null;
  $('chart-outcomes').replaceChildren();
}

function addThroughput(perSecond) {
  const data = state.throughput.data;
  state.throughput.setData([[...data[0], Date.now() / 1000].slice(-MAX_POINTS), [...data[1], perSecond].slice(-MAX_POINTS)]);
}

function drawOutcomes(outcomes) {
  const names = outcomes.map(([name]) => name);
  const data = [names.map((_, i) => i), outcomes.map(([, n]) => n)];
  if (state.outcomes) state.outcomes.destroy();
  state.outcomes = new uPlot({
    width: 420, height: 220,
    series: [{}, { label: 'URLs', fill: '#2f8f46', stroke: '#2f8f46', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
    scales: { x: { time: false, range: [-0.5, Math.max(names.length - 0.5, 0.5)] } },
    axes: [{ splits: () => data[0], values: (u, splits) => splits.map((i) => names[i] || '') }, { size: 60 }],
    legend: { show: false },
  }, data, $('chart-outcomes'));
}

// ---- submitting

async function urlsFromForm() {
  const file = $('url-file').files[0];
  const text = file ? await file.text() : $('urls').value;
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function headersFromForm() {
  const lines = $('opt-headers').value.split(/\r?\n/).filter((l) => l.trim());
  if (!lines.length) return null;
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header: ${line}`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function number(id) {
  const value = $(id).value.trim();
  return value === '' ? null : Number(value);
}

async function submit(event) {
  event.preventDefault();
  const message = $('submit-message');
  message.className = '';
  try {
    const urls = await urlsFromForm();
    if (!urls.length) throw new Error('no URLs given');
    const job = { urls, concurrency: number('opt-concurrency'), perHost: number('opt-per-host'),
      retries: number('opt-retries'), perHostDelayMs: number('opt-delay'), headers: headersFromForm(),
      body: $('opt-body').value || null };
    const totalMs = number('opt-timeout');
    if (totalMs != null) job.timeouts = { totalMs };
    const accepted = await json('/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(job) });
    message.textContent = `job ${accepted.id} accepted (${fmt.int(urls.length)} URLs)`;
    message.setAttribute('data-job', accepted.id);
    $('url-file').value = '';
    state.page = 0;
    state.cursors = [null];
    await refreshJobs();
    select(accepted.id);
  } catch (e) {
    message.className = 'error';
    message.textContent = e.message;
  }
}

// ---- service panel

function table(caption, head, rows) {
  return el('table', {}, el('caption', {}, caption), el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c == null ? '–' : c))))));
}

async function refreshService() {
  const m = await json('/admin/monitor');
  const panel = [];
  panel.push(table('Event loops', ['loop', 'last ms', 'max ms'], (m.loops || []).map((l) => [l.thread || l.loop, l.lastMs, l.maxMs])));
  const fetch = m.fetch || {};
  panel.push(table('Requests and fetches', ['', 'now'], [
    ['HTTP in flight', m.http ? m.http.inFlight : null],
    ['fetches in flight', fetch.available ? `${fetch.inFlight} / ${fetch.maxInFlight}` : fetch.error],
    ['fetches waiting', fetch.available ? fetch.waiting : null]]));
  const store = m.store || {};
  const lag = store.outboxLagSeconds || {};
  panel.push(table('Database', ['', 'now'], store.available ? [
    ['pool', `${store.inUse ?? '–'} in use of ${store.size} (max ${store.maxSize})`],
    ['waiting for a connection', store.waiting],
    ...Object.entries(lag).map(([k, v]) => [`outbox lag ${k} (s)`, v == null ? null : Number(v).toFixed(1)])]
    : [['unavailable', store.error]]));
  $('service-panel').replaceChildren(...panel);
}

// ---- start

function showError(e) {
  $('connection').textContent = e.message;
}

function tick() {
  if (state.ticking) return;
  state.ticking = true;
  Promise.allSettled([refreshJobs().catch(showError), refreshService().catch(() => {})])
    .then(() => { state.ticking = false; });
}

document.addEventListener('DOMContentLoaded', () => {
  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    tick();
    if (state.selected) select(state.selected);
  });
  $('submit-form').addEventListener('submit', submit);
  $('detail-cancel').addEventListener('click', () => cancel(state.selected));
  $('report-ndjson').addEventListener('click', () => downloadReport(false));
  $('report-csv').addEventListener('click', () => downloadReport(true));
  $('jobs-older').addEventListener('click', () => {
    $('jobs-older').disabled = true; // until this page answers with its own next cursor
    state.cursors[++state.page] = state.next;
    refreshJobs().catch(showError);
  });
  $('jobs-newer').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); refreshJobs().catch(showError); });
  tick();
  setInterval(tick, REFRESH_MS);
  // A link to one job: /#job=<id>
  const linked = /^#job=([0-9a-f-]{36})$/.exec(location.hash);
  if (linked) select(linked[1]);
});
