"""The studio's two pages: the painting room (static HTML + a small script) and the history (rendered here).

The script sets text with ``textContent`` only and builds elements with the DOM API, so nothing a
painter's metadata or a caption holds can run as HTML; the history page escapes every field.
"""

from __future__ import annotations

import html
import json

from artgan.scheduler.history import Post, QueueItem

STYLE = """
  :root { color-scheme: light; font-family: system-ui, sans-serif; }
  [hidden] { display: none !important; }
  body { margin: 0; background: #f4f1ea; color: #222; }
  header { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; padding: .8rem 1rem; background: #2d2a26; color: #f4f1ea; }
  header h1 { font-size: 1.1rem; margin: 0 1rem 0 0; align-self: center; }
  header label { display: flex; flex-direction: column; font-size: .75rem; gap: .15rem; }
  header input, header select { font-size: .9rem; padding: .25rem; width: 7rem; }
  button { font-size: .9rem; padding: .3rem .7rem; cursor: pointer; }
  header a { color: #f4d58d; margin-left: auto; align-self: center; }
  main { display: grid; grid-template-columns: 1fr 18rem; gap: 1rem; padding: 1rem; }
  #error { background: #fbe3e1; color: #8a1c12; border: 1px solid #e0a39b; padding: .5rem .8rem; margin: .6rem 1rem 0; }
  #grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .7rem; align-content: start; }
  .card { background: #fff; border: 1px solid #ddd3c2; border-radius: 4px; overflow: hidden; }
  .card img { width: 100%; aspect-ratio: 1; display: block; cursor: zoom-in; image-rendering: auto; }
  .card .row { display: flex; justify-content: space-between; align-items: center; padding: .2rem .4rem; font-size: .8rem; }
  .score { white-space: nowrap; }
  .star { border: none; background: none; font-size: 1.2rem; color: #b8860b; padding: 0 .2rem; }
  aside section { background: #fff; border: 1px solid #ddd3c2; border-radius: 4px; padding: .6rem; margin-bottom: 1rem; }
  aside h2 { font-size: .95rem; margin: 0 0 .5rem; }
  #favourites { display: flex; flex-wrap: wrap; gap: .3rem; }
  .fav { width: 64px; height: 64px; cursor: pointer; border: 3px solid transparent; }
  .fav.selected { border-color: #d2691e; }
  #walk-img { width: 100%; margin-top: .5rem; }
  #queue { padding-left: 1.2rem; font-size: .85rem; }
  #statusline { display: flex; gap: .6rem; align-items: center; padding: .4rem 1rem 0; font-size: .85rem; }
  #large { position: fixed; inset: 0; background: rgba(20, 18, 16, .88); display: flex; align-items: center; justify-content: center; }
  #large[hidden] { display: none; }
  #large .box { background: #fff; padding: .8rem; border-radius: 4px; max-width: 95vw; max-height: 95vh; overflow: auto; }
  #large-img { max-width: min(80vw, 1080px); max-height: 75vh; display: block; }
  #large-info { font-size: .85rem; margin: .5rem 0; }
"""

STUDIO_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>artgan studio</title>
<style>{style}</style>
</head>
<body>
<header>
  <h1>artgan studio</h1>
  <label>painter <select id="painter"></select></label>
  <label>seed <input id="seed" value="7" inputmode="numeric"></label>
  <label>how many <input id="count" value="16" inputmode="numeric"></label>
  <label>truncation <input id="truncation" value="1.0" inputmode="decimal"></label>
  <label id="class-label" hidden>class <select id="class"></select></label>
  <button id="paint">Paint</button>
  <a id="history-link" href="/history">History</a>
</header>
<div id="error" role="alert" hidden></div>
<div id="statusline"><progress id="progress" max="1" value="0" hidden></progress><span id="status">Paint a batch to begin.</span></div>
<main>
  <div id="grid"></div>
  <aside>
    <section><h2>Favourites</h2><div id="favourites"></div>
      <p><label>frames <input id="walk-frames" value="16" size="3"></label> <button id="walk">Walk between the two picked</button></p>
      <img id="walk-img" alt="" hidden></section>
    <section><h2>Next posts</h2><ol id="queue"></ol><p id="queue-note"></p></section>
  </aside>
</main>
<div id="large" hidden>
  <div class="box">
    <img id="large-img" alt="">
    <div id="large-info"></div>
    <button id="large-star">Star</button> <button id="large-more">More like this</button>
    <button id="large-queue">Post this next</button> <button id="large-close">Close</button>
    <span id="queued-note"></span>
  </div>
</div>
<script>{script}</script>
</body>
</html>
"""

SCRIPT = r"""
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const paintings = new Map();
const picked = [];
let current = null;

async function api(path, body) {
  const options = body === undefined ? {} :
    {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)};
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) throw new Error((data && data.error) || `the studio answered ${response.status}`);
  return data;
}

function showError(message) { $('error').textContent = message || ''; $('error').hidden = !message; }
function say(text) { $('status').textContent = text; }
const guarded = (fn) => async (...args) => { try { showError(''); await fn(...args); } catch (e) { showError(e.message); } };

async function runJob(started, label) {
  let job = await started;
  $('progress').hidden = false;
  $('paint').disabled = true;
  try {
    while (job.status === 'running') {
      $('progress').max = job.total; $('progress').value = job.done;
      say(`${label}: ${job.done} of ${job.total}`);
      await sleep(120);
      job = await api(`/api/jobs/${job.id}`);
    }
  } finally { $('progress').hidden = true; $('paint').disabled = false; }
  if (job.status === 'failed') { say(''); throw new Error(job.error); }
  return job.result;
}

function card(p) {
  paintings.set(p.id, p);
  const div = document.createElement('div');
  div.className = 'card'; div.dataset.id = p.id;
  const img = document.createElement('img');
  img.src = p.url; img.alt = `painting ${p.provenance.seed}/${p.provenance.index}`;
  img.addEventListener('click', () => openLarge(p.id));
  const row = document.createElement('div'); row.className = 'row';
  const score = document.createElement('span'); score.className = 'score';
  score.textContent = `${p.scored_by} ${p.score.toFixed(3)}`;
  const star = document.createElement('button'); star.className = 'star';
  star.textContent = p.starred ? '\u2605' : '\u2606'; star.title = 'star';
  star.addEventListener('click', guarded(() => toggleStar(p.id)));
  const more = document.createElement('button'); more.className = 'more'; more.textContent = 'more';
  more.title = 'more like this'; more.addEventListener('click', guarded(() => moreLike(p.id)));
  row.append(score, star, more); div.append(img, row);
  return div;
}

function showBatch(list, label) {
  $('grid').replaceChildren(...list.map(card));
  say(label);
}

async function paint() {
  const body = {painter: $('painter').value, seed: $('seed').value, count: $('count').value,
                truncation: $('truncation').value};
  if (!$('class-label').hidden && $('class').value) body['class'] = $('class').value;
  const result = await runJob(api('/api/paint', body), 'painting');
  showBatch(result, `${result.length} paintings, seed ${body.seed}`);
}

async function moreLike(id) {
  const result = await runJob(api(`/api/paintings/${id}/more`, {count: 8}), 'more like this');
  showBatch([paintings.get(id), ...result].filter(Boolean), `8 neighbours of ${id}`);
}

async function toggleStar(id) {
  const p = paintings.get(id);
  const answer = await api(`/api/paintings/${id}/star`, {starred: !p.starred});
  p.starred = answer.starred;
  document.querySelectorAll(`.card[data-id="${id}"] .star`).forEach((b) => { b.textContent = p.starred ? '\u2605' : '\u2606'; });
  if (current === id) $('large-star').textContent = p.starred ? 'Unstar' : 'Star';
  await loadFavourites();
}

async function loadFavourites() {
  const favs = await api('/api/favourites');
  $('favourites').replaceChildren(...favs.map((p) => {
    paintings.set(p.id, p);
    const img = document.createElement('img');
    img.src = p.url; img.className = 'fav' + (picked.includes(p.id) ? ' selected' : ''); img.dataset.id = p.id;
    img.title = `seed ${p.provenance.seed}, #${p.provenance.index}`;
    img.addEventListener('click', () => {
      const at = picked.indexOf(p.id);
      if (at >= 0) picked.splice(at, 1); else { picked.push(p.id); if (picked.length > 2) picked.shift(); }
      document.querySelectorAll('.fav').forEach((f) => f.classList.toggle('selected', picked.includes(f.dataset.id)));
    });
    img.addEventListener('dblclick', () => openLarge(p.id));
    return img;
  }));
}

async function walk() {
  const result = await runJob(api('/api/walk', {from: picked[0], to: picked[1], frames: $('walk-frames').value}), 'walking');
  $('walk-img').src = result.url; $('walk-img').hidden = false;
  say('The walk plays on the right.');
}

function openLarge(id) {
  const p = paintings.get(id);
  current = id;
  $('large-img').src = p.large_url;
  $('large-star').textContent = p.starred ? 'Unstar' : 'Star';
  $('queued-note').textContent = '';
  const v = p.provenance;
  $('large-info').textContent = `seed ${v.seed}, index ${v.index}, truncation ${v.truncation}` +
    (v.nudge ? `, ${v.nudge.steps.length} step(s) from it` : '') + ` \u2014 ${p.scored_by} ${p.score.toFixed(4)}`;
  $('large-img').onload = () => { $('large-info').textContent += ` \u2014 ${$('large-img').naturalWidth}\u00d7${$('large-img').naturalHeight} px as posted`; };
  $('large').hidden = false;
}

async function queueCurrent() {
  const item = await api(`/api/paintings/${current}/queue`, {});
  $('queued-note').textContent = `Queued (#${item.position}): artgan post posts it next.`;
  await loadQueue();
}

async function loadQueue() {
  const items = await api('/api/queue');
  $('queue').replaceChildren(...items.map((q) => {
    const li = document.createElement('li'); li.dataset.id = q.id;
    li.textContent = `${q.painter} seed ${q.seed} #${q.index}` + (q.nudge ? ' (nudged)' : '') + ' ';
    const remove = document.createElement('button'); remove.textContent = 'remove';
    remove.addEventListener('click', guarded(async () => { await api(`/api/queue/${q.id}/remove`, {}); await loadQueue(); }));
    li.append(remove);
    return li;
  }));
  $('queue-note').textContent = items.length ? '' : 'Nothing queued: artgan post picks by itself.';
}

async function loadPainter(name) {
  const info = await api('/api/painter' + (name ? `?name=${encodeURIComponent(name)}` : ''));
  if (!$('painter').options.length) {
    $('painter').replaceChildren(...info.painters.map((n) => new Option(n, n)));
  }
  $('class').replaceChildren(new Option('(each its own)', ''), ...info.classes.map((c) => new Option(c, c)));
  $('class-label').hidden = info.classes.length === 0;
}

$('paint').addEventListener('click', guarded(paint));
$('walk').addEventListener('click', guarded(walk));
$('painter').addEventListener('change', guarded(() => loadPainter($('painter').value)));
$('large-close').addEventListener('click', () => { $('large').hidden = true; current = null; });
$('large-star').addEventListener('click', guarded(() => toggleStar(current)));
$('large-more').addEventListener('click', guarded(async () => { const id = current; $('large').hidden = true; await moreLike(id); }));
$('large-queue').addEventListener('click', guarded(queueCurrent));
guarded(async () => { await loadPainter(); await loadFavourites(); await loadQueue(); document.body.dataset.ready = '1'; })();
"""


def studio_page() -> str:
    return STUDIO_HTML.replace("{style}", STYLE).replace("{script}", SCRIPT)


def history_page(posts: list[Post], queue: list[QueueItem], set_aside: list[QueueItem]) -> str:
    e = html.escape

    def scores(post: Post) -> str:
        if post.score is None:
            return ""
        by = json.loads(post.scores or "{}").get("scored_by", "")
        return f"{post.score:.3f} {by}".strip()

    rows = "\n".join(
        f"""<tr data-day="{e(p.day)}" data-publisher="{e(p.publisher)}" class="status-{e(p.status)}">
  <td>{e(p.day)}</td><td>{e(p.publisher)}</td><td class="status">{e(p.status)}{' (failed: will retry)' if p.error and p.status != 'posted' else ''}</td>
  <td class="chosen">{e(p.chosen_by or '')}</td><td class="title">{e(p.title or '')}</td>
  <td class="caption">{e(p.caption or '')}</td><td>{e(scores(p))}</td><td class="remote">{e(p.remote_id or '')}</td>
  <td class="provenance">{e(_provenance_text(p.provenance))}</td><td class="problem">{e(p.error or '')}</td></tr>"""
        for p in posts
    )

    def queue_rows(items: list[QueueItem], with_reason: bool) -> str:
        return "\n".join(
            f"<li data-id=\"{item.id}\">{e(_provenance_text(item.provenance))}, queued {e(item.added)}"
            + (f": <span class=\"reason\">{e(item.rejected or '')}</span>" if with_reason else "") + "</li>"
            for item in items
        ) or "<li>none</li>"

    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>artgan history</title>
<style>{STYLE}
  table {{ border-collapse: collapse; background: #fff; font-size: .85rem; margin: 1rem; }}
  td, th {{ border: 1px solid #ddd3c2; padding: .3rem .5rem; vertical-align: top; text-align: left; }}
  td.caption {{ white-space: pre-wrap; max-width: 24rem; }}
  .status-pending td.status, .status-prepared td.status {{ color: #8a5a00; }}
  .status-posted td.status {{ color: #1d6b2a; }}
  section {{ margin: 1rem; }}
</style>
</head>
<body>
<header><h1>artgan history</h1><a href="/">Studio</a></header>
<table id="posts">
<tr><th>day</th><th>publisher</th><th>status</th><th>chosen by</th><th>title</th><th>caption</th><th>score</th><th>remote id</th><th>painting</th><th>problem</th></tr>
{rows or '<tr><td colspan="10">Nothing posted yet.</td></tr>'}
</table>
<section><h2>Queued next</h2><ol id="queued">{queue_rows(queue, False)}</ol></section>
<section><h2>Set aside by artgan post</h2><ul id="set-aside">{queue_rows(set_aside, True)}</ul></section>
</body>
</html>
"""


def _provenance_text(text: str | None) -> str:
    if not text:
        return ""
    p = json.loads(text)
    nudged = f", {len(p['nudge']['steps'])} step(s) from it" if p.get("nudge") else ""
    return f"{p.get('model')} seed {p.get('seed')} #{p.get('index')} truncation {p.get('truncation')}{nudged}"
