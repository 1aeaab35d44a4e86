// avipsim map editor: every action edits the scenario document (scenarios/scenario.schema.json), which
// the server checks, runs and compares with the base. Plain JavaScript, no build step; Leaflet is served
// by avipsim itself.
'use strict';

const S = {
  info: null,
  doc: null,
  map: null,
  facilities: [],       // base facilities (GeoJSON features)
  byId: new Map(),
  layers: {},
  selected: null,       // selected facility id
  mode: '',             // '', 'facility', 'babybus', 'polygon'
  polygon: [],
  polygonLayer: null,
  selection: [],
  currentRun: null,
  runs: [],
  checkTimer: null,
  problems: [],
  zonesWindow: 'weekday',
  zonesData: null,
};

const EAJE = ['creche', 'multi_accueil', 'micro_creche', 'jardin_enfants'];
const KIND_FR = {
  creche: 'Crèche', multi_accueil: 'Multi-accueil', micro_creche: 'Micro-crèche',
  jardin_enfants: "Jardin d'enfants", assmat: 'Assistant(e) maternel(le)',
  mam: "Maison d'assistants maternels", baby_bus_site: 'Baby Bus (site)',
};
const KIND_COLOUR = {
  creche: '#1f78b4', multi_accueil: '#33a02c', micro_creche: '#6a3d9a', jardin_enfants: '#b15928',
  assmat: '#8c8c8c', mam: '#a6761d', baby_bus_site: '#e7298a',
};
const DAYS = [['Mo', 'lundi'], ['Tu', 'mardi'], ['We', 'mercredi'], ['Th', 'jeudi'], ['Fr', 'vendredi'], ['Sa', 'samedi']];
const PARAMS = [
  ['policy', 'Politique d\'attribution', 'select', ['priority', 'lottery', 'optimal']],
  ['tolerance_car_minutes', 'Tolérance voiture (min)', 'number'],
  ['tolerance_bus_minutes', 'Tolérance bus (min)', 'number'],
  ['tolerance_walk_minutes', 'Tolérance à pied (min)', 'number'],
  ['max_wait_weeks', 'Attente maximale (semaines)', 'number'],
  ['awareness_rate', 'Part des familles qui connaissent AVIP', 'number'],
  ['labelled_places_share', 'Part des places labellisées', 'number'],
  ['demand_scale', 'Échelle de la demande', 'number'],
];
const RAMP = [[215, 48, 39], [252, 141, 89], [254, 224, 139], [145, 207, 96], [26, 152, 80]];

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const pct = (v) => (v == null ? '—' : (100 * v).toFixed(1).replace('.', ',') + ' %');
const num = (v, d = 1) => (v == null ? '—' : Number(v).toFixed(d).replace('.', ','));
const signed = (v, d = 1) => (v == null ? '—' : (v > 0 ? '+' : '') + num(v, d));
const euros = (v) => (v == null ? '—' : Math.round(v).toLocaleString('fr-FR') + ' €');

function ramp(t) {
  if (t == null || Number.isNaN(t)) return '#cccccc';
  t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - i;
  const c = RAMP[i].map((a, k) => Math.round(a + f * (RAMP[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

async function api(path, options = {}) {
  const r = await fetch(path, options);
  let body = null;
  const text = await r.text();
  try { body = JSON.parse(text); } catch (e) { body = text; }
  return { status: r.status, body };
}
const post = (path, obj) => api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(obj) });

// ---- the document ----------------------------------------------------------------------------------

function edits() {
  if (!Array.isArray(S.doc.edits)) S.doc.edits = [];
  return S.doc.edits;
}

/// The edit of `type` selecting exactly this one facility id, and its index.
function ownEdit(type, id) {
  const i = edits().findIndex((e) => e && e.type === type && e.select && Array.isArray(e.select.ids)
    && e.select.ids.length === 1 && e.select.ids[0] === id && Object.keys(e.select).length === 1);
  return [i, i >= 0 ? edits()[i] : null];
}

/// A facility as the document makes it (label, hours and places edits by id; other selectors are the
/// server's).
function effective(f) {
  const p = f.properties;
  const out = { avip: p.avip, hours: p.horaires, places_avip: p.places_avip, places: p.places };
  for (const e of edits()) {
    if (!e || !e.select || !Array.isArray(e.select.ids) || !e.select.ids.includes(p.id)) continue;
    if (e.type === 'label') { out.avip = e.label !== false; if (e.places) out.places_avip = e.places; }
    if (e.type === 'hours') out.hours = e.replace ? e.hours : out.hours + ', ' + e.hours;
    if (e.type === 'places' && e.places) out.places = e.places;
  }
  return out;
}

/// The JSON pointers of a facility's fields: its own edit of each type, or where the next edit will go.
function facilityPointers(id) {
  const at = (type) => { const [i] = ownEdit(type, id); return `/edits/${i >= 0 ? i : edits().length}`; };
  return { label: at('label'), hours: at('hours') + '/hours', places: at('places') + '/places' };
}

function changed() {
  if (S.selected && $('#f-total')) {  // the edits moved: the form's fields follow their pointers
    const ptr = facilityPointers(S.selected);
    $('#f-label-row').dataset.pointer = ptr.label;
    $('#f-hours').dataset.pointer = ptr.hours;
    $('#f-total').dataset.pointer = ptr.places;
  }
  renderJson();
  renderEdits();
  restyleFacilities();
  renderAdded();
  scheduleCheck();
}

function setLabel(id, label, places) {
  const f = S.byId.get(id);
  const [i] = ownEdit('label', id);
  if (i >= 0) edits().splice(i, 1);
  if (label !== f.properties.avip || (label && places && places !== f.properties.places_avip)) {
    const e = { type: 'label', select: { ids: [id] }, label };
    if (label && places) e.places = places;
    edits().push(e);
  }
  changed();
}

/// The total places of a facility (a "places" edit); its base's value removes the edit.
function setPlaces(id, places) {
  const f = S.byId.get(id);
  const [i] = ownEdit('places', id);
  if (places && places !== f.properties.places) {
    const e = { type: 'places', select: { ids: [id] }, places };
    if (i >= 0) edits()[i] = e; else edits().push(e);
  } else if (i >= 0) {
    edits().splice(i, 1);
  }
  changed();
}

function setHours(id, hours) {
  const f = S.byId.get(id);
  const [i] = ownEdit('hours', id);
  if (i >= 0) edits().splice(i, 1);
  if (hours && hours !== f.properties.horaires) edits().push({ type: 'hours', select: { ids: [id] }, hours, replace: true });
  changed();
}

function renderJson() {
  const t = $('#json');
  if (document.activeElement !== t) t.value = JSON.stringify(S.doc, null, 2);
  $('#replications').value = S.doc.replications ?? S.info.base.replications;
}

function renderEdits() {
  let box = $('#edits');
  if (!box) {
    box = document.createElement('div');
    box.id = 'edits';
    $('#run-section').insertBefore(box, $('#progress'));
  }
  const names = { label: 'Label', hours: 'Horaires', places: 'Places', add_facilities: 'Nouvelles structures', baby_bus: 'Baby Bus', bus_service: 'Desserte en bus', params: 'Paramètres' };
  box.innerHTML = edits().length === 0 ? '<p class="note">Aucune modification : le scénario est la base.</p>'
    : '<p class="note">Modifications du scénario :</p><ol class="note">' + edits().map((e, i) => {
      let what = names[e.type] || e.type;
      if (e.select && e.select.ids) what += ' — ' + e.select.ids.slice(0, 3).map((id) => (S.byId.get(id)?.properties.nom || id)).join(', ') + (e.select.ids.length > 3 ? ` (+${e.select.ids.length - 3})` : '');
      if (e.type === 'label') what += e.label === false ? ' : retirer' : ' : labelliser';
      if (e.type === 'hours') what += ' : ' + e.hours;
      if (e.type === 'places') what += ` : ${e.places} places`;
      if (e.type === 'add_facilities') what += ` (${(e.facilities || []).length})`;
      if (e.type === 'baby_bus') what += ` ${e.bus} (${(e.sites || []).length} site(s))`;
      if (e.type === 'bus_service') what += ` ${(e.routes || []).join(', ') || 'toutes lignes'} ${e.from || ''}–${e.to || ''}`;
      return `<li data-pointer="/edits/${i}">${esc(what)} <button data-remove="${i}" title="Retirer">✕</button></li>`;
    }).join('') + '</ol>';
  box.querySelectorAll('button[data-remove]').forEach((b) => b.addEventListener('click', () => {
    edits().splice(Number(b.dataset.remove), 1);
    changed();
    if (S.selected) selectFacility(S.selected);
  }));
}

// ---- checks ------------------------------------------------------------------------------------------

function scheduleCheck() {
  clearTimeout(S.checkTimer);
  S.checkTimer = setTimeout(check, 250);
}

async function check() {
  const r = await post('/api/check', S.doc);
  showProblems(r.status === 200 ? [] : (r.body.problems || [{ pointer: '', message: r.body.error || 'erreur' }]));
  return r.status === 200;
}

/// Each problem beside the field of its JSON pointer (the longest pointer with a field), and in the list.
function showProblems(problems) {
  S.problems = problems;
  document.querySelectorAll('.field-error').forEach((e) => e.remove());
  document.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  const box = $('#problems');
  box.innerHTML = problems.length ? '<b>Le scénario ne peut pas être simulé :</b>' + problems.map((p) => `<div><code>${esc(p.pointer || '/')}</code> ${esc(p.message)}</div>`).join('') : '';
  for (const p of problems) {
    let ptr = p.pointer || '';
    let el = null;
    for (;;) {
      el = document.querySelector(`[data-pointer="${CSS.escape(ptr)}"]`);
      if (el || ptr === '') break;
      ptr = ptr.slice(0, ptr.lastIndexOf('/'));
    }
    if (!el) continue;
    el.classList.add('invalid');
    const span = document.createElement('span');
    span.className = 'field-error';
    span.textContent = p.message;
    el.insertAdjacentElement('afterend', span);
  }
}

function hoursInput(input, out) {
  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await post('/api/hours', { hours: input.value });
      input.classList.toggle('invalid', r.status !== 200);
      out.innerHTML = r.status === 200 ? `<span class="ok">✓ ${esc(r.body.week)}</span>` : `<span class="ko">${esc(r.body.error)}</span>`;
      input.dataset.valid = r.status === 200 ? '1' : '0';
    }, 200);
  });
}

// ---- map layers ----------------------------------------------------------------------------------------

function facilityStyle(f) {
  const p = f.properties;
  const e = effective(f);
  const sel = S.selected === p.id || S.selection.includes(p.id);
  return {
    radius: p.type === 'assmat' ? 3 : 5 + Math.min(5, (e.places || 0) / 15),
    color: sel ? '#000' : e.avip ? '#f5a700' : '#ffffff',
    weight: sel ? 3 : e.avip ? 3 : 1,
    fillColor: KIND_COLOUR[p.type] || '#555',
    fillOpacity: 0.9,
  };
}

function facilityTooltip(f) {
  const p = f.properties;
  const e = effective(f);
  return `<b>${esc(p.nom)}</b><br>${esc(KIND_FR[p.type] || p.type)} — ${esc(p.commune)}<br>${e.places} places`
    + (e.places !== p.places ? ` (base : ${p.places})` : '')
    + `<br>Horaires : ${esc(e.hours)}<br>Label AVIP : ${e.avip ? 'oui' : 'non'}${e.avip && e.places_avip ? ` (${e.places_avip} places)` : ''}`
    + (p.baby_bus ? `<br>Baby Bus ${esc(p.baby_bus)}` : '') + (p.reseau ? `<br>Réseau ${esc(p.reseau)}` : '');
}

function restyleFacilities() {
  if (!S.layers.facilities) return;
  S.layers.facilities.eachLayer((l) => {
    l.setStyle(facilityStyle(l.feature));
    l.setTooltipContent(facilityTooltip(l.feature));
  });
}

function addedFacilities() {
  const out = [];
  edits().forEach((e, i) => {
    if (e.type === 'add_facilities') (e.facilities || []).forEach((f, k) => out.push({ f, kind: f.kind || 'creche', pointer: `/edits/${i}/facilities/${k}` }));
    if (e.type === 'baby_bus' && e.action !== 'remove') (e.sites || []).forEach((f, k) => out.push({ f, kind: 'baby_bus_site', bus: e.bus, pointer: `/edits/${i}/sites/${k}` }));
  });
  return out;
}

function renderAdded() {
  S.layers.added.clearLayers();
  for (const a of addedFacilities()) {
    if (typeof a.f.lat !== 'number' || typeof a.f.lon !== 'number') continue;
    L.circleMarker([a.f.lat, a.f.lon], { radius: 7, color: '#000', weight: 2, dashArray: '3', fillColor: KIND_COLOUR[a.kind], fillOpacity: 0.9 })
      .bindTooltip(`<b>${esc(a.f.name || a.f.id)}</b> (ajout du scénario)<br>${esc(KIND_FR[a.kind])}${a.bus ? ' — ' + esc(a.bus) : ''}<br>${a.f.places} places<br>Horaires : ${esc(a.f.hours)}`)
      .addTo(S.layers.added);
  }
}

function styleCommunes(coverage) {
  S.layers.communes.eachLayer((l) => {
    const c = coverage ? coverage.get(l.feature.properties.code) : null;
    l.feature.properties.couverture = c ? c.couverture : undefined;
    l.feature.properties.couverture_prioritaire = c ? c.couverture_prioritaire : undefined;
    l.setStyle({ fillColor: c ? ramp(c.couverture) : '#e8e3d3', fillOpacity: c ? 0.7 : 0.6, color: '#6b7b88', weight: 1 });
    l.setTooltipContent(communeTooltip(l.feature.properties));
  });
}

function communeTooltip(p) {
  return `<b>${esc(p.nom)}</b> (${esc(p.code)})` + (p.couverture !== undefined
    ? `<br>Couverture : ${pct(p.couverture)}<br>Couverture du public prioritaire : ${pct(p.couverture_prioritaire)}` : '<br>Lancez une simulation pour la couverture');
}

function legend() {
  const c = L.control({ position: 'bottomleft' });
  c.onAdd = () => {
    const d = L.DomUtil.create('div', 'legend');
    d.innerHTML = '<b>Couverture par commune</b><br>' + [0, 0.25, 0.5, 0.75, 1].map((v) => `<i style="background:${ramp(v)}"></i>${v * 100} %`).join('<br>')
      + '<br><i style="background:#e8e3d3"></i>pas encore simulée<br><b>Structures</b><br>'
      + Object.keys(KIND_FR).map((k) => `<i style="background:${KIND_COLOUR[k]};border-radius:7px"></i>${KIND_FR[k]}`).join('<br>')
      + '<br><i style="border:3px solid #f5a700;border-radius:7px;width:8px;height:6px"></i>labellisée AVIP';
    return d;
  };
  return c;
}

async function loadZones() {
  const layer = S.layers.zones;
  layer.clearLayers();
  $('#zones-state').textContent = 'calcul des zones…';
  for (;;) {
    const r = await api('/api/layers/zones?window=' + encodeURIComponent(S.zonesWindow));
    if (r.status === 200) { S.zonesData = r.body; break; }
    if (r.status !== 202) { $('#zones-state').textContent = r.body.error || 'indisponible'; return; }
    await new Promise((ok) => setTimeout(ok, 1500));
  }
  drawZones();
}

function drawZones() {
  const layer = S.layers.zones;
  layer.clearLayers();
  if (!S.zonesData) return;
  const features = S.zonesData.features.filter((f) => !S.selected || f.properties.structure === S.selected);
  L.geoJSON({ type: 'FeatureCollection', features }, { style: { color: '#3182bd', weight: 1, fillOpacity: S.selected ? 0.35 : 0.05 } })
    .eachLayer((l) => l.bindTooltip(`Zone accessible en bus de ${esc(S.byId.get(l.feature.properties.structure)?.properties.nom || l.feature.properties.structure)}`).addTo(layer));
  $('#zones-state').textContent = S.selected ? 'zone de la structure sélectionnée' : `${features.length} zones`;
}

async function buildMap() {
  const info = S.info;
  S.map = L.map('map', { renderer: L.canvas(), doubleClickZoom: false });
  if (info.tiles) L.tileLayer(info.tiles, { maxZoom: 19, attribution: 'fond de carte : ' + esc(info.tiles.split('/')[2] || '') }).addTo(S.map);
  S.map.fitBounds(info.bounds);
  const [communes, qpv, facilities, lines] = await Promise.all(['communes', 'qpv', 'facilities', 'bus_lines'].map((n) => api('/api/layers/' + n).then((r) => r.body)));
  S.layers.communes = L.geoJSON(communes, { style: { color: '#6b7b88', weight: 1, fillColor: '#e8e3d3', fillOpacity: 0.6 } })
    .eachLayer((l) => l.bindTooltip(communeTooltip(l.feature.properties), { sticky: true })).addTo(S.map);
  S.layers.qpv = L.geoJSON(qpv, { style: { color: '#c51b7d', weight: 1.5, fill: false, dashArray: '4 2' } })
    .eachLayer((l) => l.bindTooltip(`QPV <b>${esc(l.feature.properties.nom)}</b> (${esc(l.feature.properties.code)})`, { sticky: true })).addTo(S.map);
  S.layers.grid = L.layerGroup();
  S.layers.lines = L.geoJSON(lines, { style: { color: '#ff7f00', weight: 2, opacity: 0.7 } })
    .eachLayer((l) => l.bindTooltip(`Ligne ${esc(l.feature.properties.ligne)} — ${l.feature.properties.arrets} arrêts, ${l.feature.properties.courses} courses`
      + `<br>${l.feature.properties.trace === 'shapes.txt' ? 'tracé du réseau (shapes.txt)' : 'tracé d\'arrêt en arrêt'}`, { sticky: true }));
  S.layers.zones = L.layerGroup();
  S.facilities = facilities.features;
  for (const f of S.facilities) S.byId.set(f.properties.id, f);
  S.layers.facilities = L.geoJSON(facilities, {
    pointToLayer: (f, ll) => L.circleMarker(ll, facilityStyle(f)),
    onEachFeature: (f, l) => {
      l.bindTooltip(facilityTooltip(f));
      l.on('click', (ev) => { if (S.mode === '') { L.DomEvent.stopPropagation(ev); selectFacility(f.properties.id); } });
    },
  }).addTo(S.map);
  S.layers.added = L.layerGroup().addTo(S.map);
  L.control.layers(null, {
    'Communes (couverture)': S.layers.communes, QPV: S.layers.qpv, Structures: S.layers.facilities,
    'Ajouts du scénario': S.layers.added, 'Carreaux : familles prioritaires non couvertes': S.layers.grid,
    'Lignes de bus': S.layers.lines, 'Zones accessibles en bus': S.layers.zones,
  }, { collapsed: false }).addTo(S.map);
  S.map.on('overlayadd', (e) => { if (e.layer === S.layers.zones && !S.zonesData) loadZones(); });
  legend().addTo(S.map);
  S.map.on('click', mapClick);
  S.map.on('dblclick', () => { if (S.mode === 'polygon') closePolygon(); });
}

// ---- facility form ------------------------------------------------------------------------------------

function selectFacility(id) {
  S.selected = id;
  const f = S.byId.get(id);
  const p = f.properties;
  const e = effective(f);
  const ptr = facilityPointers(id);
  const box = $('#facility-form');
  box.innerHTML = `<p><b>${esc(p.nom)}</b><br><span class="note">${esc(KIND_FR[p.type])} — ${esc(p.commune)} — ${p.places} places — <code>${esc(id)}</code>`
    + (p.baby_bus ? ` — Baby Bus ${esc(p.baby_bus)}` : '') + '</span></p>'
    + `<div class="row"><label>Places (agrément PMI${p.type === 'baby_bus_site' ? ', par séance' : ''}) <input type="number" id="f-total" min="1" max="1000" value="${e.places}" data-pointer="${ptr.places}"></label></div>`
    + `<div class="row" id="f-label-row" data-pointer="${ptr.label}"><label><input type="checkbox" id="f-label" ${e.avip ? 'checked' : ''}> Labellisée AVIP</label>`
    + `<label>places labellisées <input type="number" id="f-places" min="1" max="1000" value="${e.places_avip || ''}" placeholder="part par défaut"></label></div>`
    + `<div class="row"><label>Horaires <input id="f-hours" size="30" value="${esc(e.hours)}" data-pointer="${ptr.hours}"></label></div><div id="f-hours-check" class="note"></div>`
    + '<div class="row"><button id="f-apply">Appliquer les horaires</button></div>';
  $('#facility-section').open = true;
  $('#f-label').addEventListener('change', () => setLabel(id, $('#f-label').checked, Number($('#f-places').value) || 0));
  $('#f-places').addEventListener('change', () => { if ($('#f-label').checked) setLabel(id, true, Number($('#f-places').value) || 0); });
  $('#f-total').addEventListener('change', () => setPlaces(id, Number($('#f-total').value) || 0));
  hoursInput($('#f-hours'), $('#f-hours-check'));
  $('#f-apply').addEventListener('click', () => setHours(id, $('#f-hours').value.trim()));
  restyleFacilities();
  if (S.zonesData) drawZones();
  showProblems(S.problems);
}

// ---- adding, polygon selection -----------------------------------------------------------------------

function setMode(mode) {
  S.mode = mode;
  document.querySelectorAll('.modes button').forEach((b) => b.classList.toggle('active', b.dataset.mode === mode && mode !== ''));
  const help = { facility: 'Cliquez sur la carte où ouvrir la structure.', babybus: 'Cliquez sur la carte où le Baby Bus s\'arrête.', polygon: 'Cliquez les sommets du polygone ; double-clic (ou « Fermer ») pour sélectionner les structures dedans.', '': 'Choisissez une action, puis cliquez sur la carte.' };
  $('#mode-help').textContent = help[mode];
  S.map.getContainer().style.cursor = mode ? 'crosshair' : '';
  if (mode !== 'polygon') { S.polygon = []; if (S.polygonLayer) { S.polygonLayer.remove(); S.polygonLayer = null; } }
  $('#add-section').open = true;
}

function uniqueId(prefix) {
  const used = new Set([...S.byId.keys(), ...addedFacilities().map((a) => a.f.id), ...edits().filter((e) => e.type === 'baby_bus').map((e) => e.bus)]);
  for (let i = 1; ; ++i) if (!used.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}

function mapClick(ev) {
  const lon = Math.round(ev.latlng.lng * 1e5) / 1e5;
  const lat = Math.round(ev.latlng.lat * 1e5) / 1e5;
  if (S.mode === 'polygon') {
    S.polygon.push([lat, lon]);
    if (S.polygonLayer) S.polygonLayer.remove();
    S.polygonLayer = L.polygon(S.polygon, { color: '#000', weight: 2, dashArray: '5 3', fillOpacity: 0.05 }).addTo(S.map);
    $('#add-form').innerHTML = `<p class="note">${S.polygon.length} sommet(s)</p><button id="close-poly">Fermer le polygone</button>`;
    $('#close-poly').addEventListener('click', closePolygon);
  } else if (S.mode === 'facility') {
    const id = uniqueId('nouvelle-structure');
    $('#add-form').innerHTML = `<div class="row"><label>Nom <input id="a-name" value="Nouvelle structure"></label><label>Type <select id="a-kind">${EAJE.concat(['mam']).map((k) => `<option value="${k}">${KIND_FR[k]}</option>`).join('')}</select></label></div>`
      + '<div class="row"><label>Places <input id="a-places" type="number" min="1" max="1000" value="20"></label><label><input type="checkbox" id="a-avip" checked> Labellisée AVIP</label></div>'
      + '<div class="row"><label>Horaires <input id="a-hours" size="28" value="Mo-Fr 07:30-18:30"></label></div><div id="a-hours-check" class="note"></div>'
      + `<p class="note">${lat}, ${lon} — <code>${id}</code></p><button id="a-add" class="primary">Ajouter</button>`;
    hoursInput($('#a-hours'), $('#a-hours-check'));
    $('#a-add').addEventListener('click', () => {
      let e = edits().find((x) => x.type === 'add_facilities');
      if (!e) { e = { type: 'add_facilities', facilities: [] }; edits().push(e); }
      e.facilities.push({ id, name: $('#a-name').value, kind: $('#a-kind').value, places: Number($('#a-places').value), hours: $('#a-hours').value.trim(), avip: $('#a-avip').checked, lon, lat });
      $('#add-form').innerHTML = `<p class="ok">Ajoutée : ${esc(id)}</p>`;
      changed();
    });
  } else if (S.mode === 'babybus') {
    const own = edits().filter((e) => e.type === 'baby_bus' && e.action === 'add').map((e) => e.bus);
    const newBus = uniqueId('babybus-nouveau');
    $('#add-form').innerHTML = `<div class="row"><label>Bus <select id="b-bus">${own.map((b) => `<option>${esc(b)}</option>`).join('')}<option value="${newBus}">nouveau : ${newBus}</option></select></label>`
      + '<label>Places par séance <input id="b-places" type="number" min="1" max="1000" value="12"></label></div>'
      + `<div class="row">${DAYS.map(([d, n]) => `<label><input type="checkbox" value="${d}" class="b-day" ${d === 'Mo' || d === 'Th' ? 'checked' : ''}>${n}</label>`).join('')}</div>`
      + '<div class="row"><label>de <input id="b-from" type="time" value="08:30"></label><label>à <input id="b-to" type="time" value="16:00"></label></div><div id="b-hours-check" class="note"></div>'
      + `<p class="note">${lat}, ${lon}</p><button id="b-add" class="primary">Ajouter l'arrêt</button>`;
    $('#b-add').addEventListener('click', async () => {
      const days = [...document.querySelectorAll('.b-day:checked')].map((c) => c.value);
      const hours = `${days.join(',')} ${$('#b-from').value}-${$('#b-to').value}`;
      const r = await post('/api/hours', { hours });
      if (r.status !== 200) { $('#b-hours-check').innerHTML = `<span class="ko">${esc(r.body.error)}</span>`; return; }
      const bus = $('#b-bus').value;
      let e = edits().find((x) => x.type === 'baby_bus' && x.action === 'add' && x.bus === bus);
      if (!e) { e = { type: 'baby_bus', action: 'add', bus, sites: [] }; edits().push(e); }
      const id = `${bus}-site-${e.sites.length + 1}`;
      e.sites.push({ id, name: `Baby Bus ${bus} — site ${e.sites.length + 1}`, places: Number($('#b-places').value), hours, lon, lat });
      $('#add-form').innerHTML = `<p class="ok">Arrêt ajouté : ${esc(id)} (${esc(hours)})</p>`;
      changed();
    });
  } else if (S.selected) {
    S.selected = null;
    $('#facility-form').innerHTML = '<p class="note">Cliquez sur une structure de la carte.</p>';
    restyleFacilities();
    if (S.zonesData) drawZones();
  }
}

function inside(pt, poly) {  // ray casting, [lat, lon]
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [yi, xi] = poly[i];
    const [yj, xj] = poly[j];
    if ((yi > pt[0]) !== (yj > pt[0]) && pt[1] < ((xj - xi) * (pt[0] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function closePolygon() {
  if (S.polygon.length < 3) return;
  const poly = S.polygon.slice();
  S.selection = S.facilities.filter((f) => inside([f.geometry.coordinates[1], f.geometry.coordinates[0]], poly)).map((f) => f.properties.id);
  setMode('');
  $('#add-form').innerHTML = '';
  S.polygonLayer = L.polygon(poly, { color: '#000', weight: 2, fillOpacity: 0.05 }).addTo(S.map);
  const eaje = S.selection.filter((id) => EAJE.includes(S.byId.get(id).properties.type));
  const unlabelled = eaje.filter((id) => !effective(S.byId.get(id)).avip);
  $('#selection').innerHTML = `<p>${S.selection.length} structure(s) sélectionnée(s), dont ${eaje.length} EAJE (${unlabelled.length} non labellisées).</p>`
    + `<div class="row"><button id="s-label">Labelliser les ${unlabelled.length} EAJE</button><button id="s-unlabel">Retirer le label</button><button id="s-clear">Vider la sélection</button></div>`
    + '<div class="row"><label>Horaires <input id="s-hours" size="26" placeholder="Mo-Fr 06:00-20:00"></label><button id="s-hours-apply">Appliquer à la sélection</button></div><div id="s-hours-check" class="note"></div>';
  hoursInput($('#s-hours'), $('#s-hours-check'));
  $('#s-label').addEventListener('click', () => { if (unlabelled.length) { edits().push({ type: 'label', select: { ids: unlabelled } }); changed(); } });
  $('#s-unlabel').addEventListener('click', () => {
    const labelled = S.selection.filter((id) => effective(S.byId.get(id)).avip);
    if (labelled.length) { edits().push({ type: 'label', select: { ids: labelled }, label: false }); changed(); }
  });
  $('#s-hours-apply').addEventListener('click', () => {
    const h = $('#s-hours').value.trim();
    if (h && S.selection.length) { edits().push({ type: 'hours', select: { ids: S.selection.slice() }, hours: h, replace: true }); changed(); }
  });
  $('#s-clear').addEventListener('click', () => { S.selection = []; $('#selection').innerHTML = ''; if (S.polygonLayer) S.polygonLayer.remove(); restyleFacilities(); });
  restyleFacilities();
}

// ---- bus service, parameters -----------------------------------------------------------------------------

function buildBusForm() {
  const box = $('#bus-form');
  if (!S.info.gtfs) { box.innerHTML = '<p class="note">Ce territoire n\'a pas de fichier GTFS.</p>'; return; }
  box.innerHTML = `<div class="row"><label>Lignes (aucune = toutes)<br><select id="bs-routes" multiple size="5">${S.info.routes.map((r) => `<option>${esc(r)}</option>`).join('')}</select></label></div>`
    + '<div class="row"><label>de <input id="bs-from" value="17:00" size="5"></label><label>à <input id="bs-to" value="21:00" size="5"></label></div>'
    + '<div class="row"><label>un bus toutes les <input id="bs-headway" type="number" min="5" max="240" value="30"> min</label><label>ou fréquence × <input id="bs-factor" type="number" min="1" max="10" step="0.1" placeholder=""></label></div>'
    + '<button id="bs-add">Ajouter la desserte</button>'
    + `<div class="row"><label>Zones accessibles : fenêtre <select id="zones-window">${S.info.windows.map((w) => `<option>${w}</option>`).join('')}</select></label><span id="zones-state" class="note"></span></div>`;
  $('#bs-add').addEventListener('click', () => {
    const e = { type: 'bus_service', routes: [...$('#bs-routes').selectedOptions].map((o) => o.value), from: $('#bs-from').value.trim(), to: $('#bs-to').value.trim() };
    if ($('#bs-factor').value) e.frequency_factor = Number($('#bs-factor').value); else e.headway_minutes = Number($('#bs-headway').value);
    edits().push(e);
    changed();
  });
  $('#zones-window').addEventListener('change', () => {
    S.zonesWindow = $('#zones-window').value;
    S.zonesData = null;
    if (S.map.hasLayer(S.layers.zones)) loadZones();
  });
}

function buildParamsForm() {
  const base = S.info.base.params;
  $('#params-form').innerHTML = PARAMS.map(([k, label, type, options]) => {
    const v = S.doc.params && S.doc.params[k] !== undefined ? S.doc.params[k] : '';
    const input = type === 'select'
      ? `<select data-param="${k}" data-pointer="/params/${k}"><option value="">base : ${esc(base[k])}</option>${options.map((o) => `<option ${o === v ? 'selected' : ''}>${o}</option>`).join('')}</select>`
      : `<input data-param="${k}" data-pointer="/params/${k}" type="number" step="any" value="${esc(v)}" placeholder="base : ${esc(base[k])}">`;
    return `<div class="row"><label>${esc(label)} ${input}</label></div>`;
  }).join('') + `<div class="row"><label>Graine <input id="p-seed" type="number" min="0" data-pointer="/seed" placeholder="base : ${S.info.base.seed}" value="${S.doc.seed ?? ''}"></label></div>`;
  document.querySelectorAll('[data-param]').forEach((el) => el.addEventListener('change', () => {
    const k = el.dataset.param;
    S.doc.params = S.doc.params || {};
    if (el.value === '') delete S.doc.params[k]; else S.doc.params[k] = el.tagName === 'SELECT' ? el.value : Number(el.value);
    if (Object.keys(S.doc.params).length === 0) delete S.doc.params;
    changed();
  }));
  $('#p-seed').addEventListener('change', () => {
    if ($('#p-seed').value === '') delete S.doc.seed; else S.doc.seed = Number($('#p-seed').value);
    changed();
  });
}

// ---- runs -------------------------------------------------------------------------------------------------

function card(label, value, sub, key) {
  return `<div class="card" data-key="${key}"><b>${value}</b><span>${esc(label)}${sub ? '<br>' + sub : ''}</span></div>`;
}

function interval(s, f) {
  return s ? `${f(s.lo)} à ${f(s.hi)}` : '';
}

function showRun(run) {
  S.shownRun = run.id;
  const s = run.summary;
  const h = s.headline;
  $('#cards').innerHTML = card('familles orientées / accueillies par an', `${num(h.referred?.mean)} / ${num(h.matched?.mean)}`, '', 'matched')
    + card('couverture du public prioritaire', pct(h.priority_coverage?.mean), `90 % : ${interval(h.priority_coverage, pct)}`, 'priority_coverage')
    + card('EAJE labellisés atteignant 20 %', `${num(h.labelled_eaje_reaching_target)} sur ${h.labelled_eaje}`, '', 'target')
    + card('coût CAF par an', euros(h.cost_total), '', 'cost');
  const d = s.delta;
  const row = (label, x, f, key) => `<tr data-key="${key}" data-mean="${x?.mean ?? ''}" data-lo="${x?.lo ?? ''}" data-hi="${x?.hi ?? ''}"><td>${esc(label)}</td><td><b>${f(x?.mean)}</b></td><td>${x ? f(x.lo) + ' à ' + f(x.hi) : '—'}</td></tr>`;
  const pp = (v) => (v == null ? '—' : (v > 0 ? '+' : '') + (100 * v).toFixed(1).replace('.', ',') + ' pt');
  $('#delta').innerHTML = `<h2>Écart avec « ${esc(s.base_name)} » (mêmes tirages)</h2><table id="delta-table"><thead><tr><th></th><th>écart moyen</th><th>intervalle 90 %</th></tr></thead><tbody>`
    + row('Familles accueillies', d.matched, signed, 'matched')
    + row('Familles prioritaires accueillies', d.priority_matched, signed, 'priority_matched')
    + row('Couverture', d.coverage, pp, 'coverage')
    + row('Couverture du public prioritaire', d.priority_coverage, pp, 'priority_coverage')
    + `<tr data-key="cost_delta"><td>Coût supplémentaire par an</td><td><b>${euros(d.cost_delta)}</b></td><td></td></tr>`
    + `<tr data-key="cost_per_family"><td>Coût par famille prioritaire en plus</td><td><b>${d.cost_per_additional_priority_family == null ? 'aucune famille en plus' : euros(d.cost_per_additional_priority_family)}</b></td><td></td></tr>`
    + '</tbody></table>';
  const main = ['report.html', 'summary.json', 'results.gpkg', 'communes.geojson', 'structures.geojson', 'carreaux.geojson', 'scenario.json', 'comparaison/report.html'];
  const files = run.files || [];
  const ordered = main.filter((f) => files.includes(f)).concat(files.filter((f) => !main.includes(f)));
  $('#downloads').innerHTML = `<details><summary>Fichiers de ${esc(run.id)} (${files.length})</summary><ul class="note">`
    + ordered.map((f) => `<li><a href="/runs/${run.id}/${f}" ${f.endsWith('.html') ? 'target="_blank"' : 'download'}>${esc(f)}</a></li>`).join('') + '</ul></details>';
  colourFromRun(run.id);
}

async function colourFromRun(id) {
  const [communes, grid] = await Promise.all([api(`/runs/${id}/communes.geojson`), api(`/runs/${id}/carreaux.geojson`)]);
  if (communes.status === 200) {
    styleCommunes(new Map(communes.body.features.map((f) => [f.properties.code, f.properties])));
  }
  S.layers.grid.clearLayers();
  if (grid.status === 200) {
    const cells = grid.body.features.filter((f) => f.properties.non_couvertes_prioritaires > 0.005);
    const max = Math.max(0.01, ...cells.map((f) => f.properties.non_couvertes_prioritaires));
    L.geoJSON({ type: 'FeatureCollection', features: cells }, {
      style: (f) => ({ stroke: false, fillColor: '#54278f', fillOpacity: 0.2 + 0.7 * (f.properties.non_couvertes_prioritaires / max) }),
      onEachFeature: (f, l) => l.bindTooltip(`Carreau ${esc(f.properties.id)}<br>Familles prioritaires non couvertes : ${num(f.properties.non_couvertes_prioritaires, 2)}<br>Familles orientées : ${num(f.properties.familles_orientees, 2)}`),
    }).eachLayer((l) => l.addTo(S.layers.grid));
  }
}

async function refreshRuns() {
  const r = await api('/api/runs');
  if (r.status !== 200) return;
  S.runs = r.body;
  const checked = new Set([...document.querySelectorAll('#runs input:checked')].map((c) => c.value));
  const states = { queued: 'en attente', running: 'en cours', done: 'terminée', failed: 'échec', cancelled: 'annulée' };
  $('#runs tbody').innerHTML = S.runs.map((run) => `<tr data-id="${run.id}"><td><input type="checkbox" value="${run.id}" ${checked.has(run.id) ? 'checked' : ''} ${run.state === 'done' ? '' : 'disabled'}></td>`
    + `<td><a href="#" data-show="${run.id}">${esc(run.id)}</a> ${esc(run.name)}</td><td>${states[run.state] || run.state}${run.error ? ' : ' + esc(run.error.slice(0, 120)) : ''}</td>`
    + `<td>${run.summary ? pct(run.summary.headline.priority_coverage?.mean) : ''}</td><td>${run.summary ? signed(run.summary.delta.priority_matched?.mean) + ' fam.' : ''}</td></tr>`).join('');
  document.querySelectorAll('#runs a[data-show]').forEach((a) => a.addEventListener('click', (ev) => {
    ev.preventDefault();
    const run = S.runs.find((x) => x.id === a.dataset.show);
    if (run && run.state === 'done') showRun(run);
  }));
  document.querySelectorAll('#runs input').forEach((c) => c.addEventListener('change', () => {
    $('#compare').disabled = document.querySelectorAll('#runs input:checked').length !== 2;
  }));
  $('#compare').disabled = document.querySelectorAll('#runs input:checked').length !== 2;
}

async function compareRuns() {
  const [a, b] = [...document.querySelectorAll('#runs input:checked')].map((c) => c.value);
  const r = await api(`/api/compare?a=${a}&b=${b}`);
  if (r.status !== 200) { $('#compare-result').innerHTML = `<p class="ko">${esc(r.body.error)}</p>`; return; }
  const d = r.body.delta;
  const f = (x, g) => (x ? `${g(x.mean)} (${g(x.lo)} à ${g(x.hi)})` : '—');
  $('#compare-result').innerHTML = `<p><b>${esc(b)}</b> par rapport à <b>${esc(a)}</b> :</p><ul class="note">`
    + `<li>familles accueillies ${f(d.matched, signed)}</li><li>familles prioritaires accueillies ${f(d.priority_matched, signed)}</li>`
    + `<li>coût ${euros(d.cost_delta)} par an</li></ul>`;
}

async function run() {
  if (!(await check())) return;
  const r = await post('/api/runs', S.doc);
  if (r.status !== 202) { showProblems(r.body.problems || [{ pointer: '', message: r.body.error }]); return; }
  S.currentRun = r.body.id;
  $('#run').disabled = true;
  $('#cancel').disabled = false;
  $('#progress').hidden = false;
  refreshRuns();
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 600));
    const s = await api('/api/runs/' + S.currentRun);
    if (s.status !== 200) break;
    const job = s.body;
    $('#progress .bar').style.width = `${Math.round(100 * job.progress)}%`;
    $('#progress .phase').textContent = `${job.id} : ${job.phase}`;
    if (['done', 'failed', 'cancelled'].includes(job.state)) {
      if (job.state === 'done') showRun(job);
      if (job.state === 'failed') showProblems(job.problems || [{ pointer: '', message: job.error }]);
      break;
    }
  }
  $('#run').disabled = false;
  $('#cancel').disabled = true;
  refreshRuns();
}

// ---- JSON: download, upload, edit ------------------------------------------------------------------------

function download() {
  const blob = new Blob([JSON.stringify(S.doc, null, 2) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const slug = (S.doc.name || 'scenario').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  a.download = `${slug || 'scenario'}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function loadDoc(text) {
  let d;
  try { d = JSON.parse(text); } catch (e) { showProblems([{ pointer: '', message: 'JSON mal formé : ' + e.message }]); return; }
  if (!d || typeof d !== 'object' || Array.isArray(d)) { showProblems([{ pointer: '', message: 'un scénario est un objet JSON' }]); return; }
  S.doc = d;
  buildParamsForm();
  changed();
  if (S.selected) selectFacility(S.selected);
}

async function main() {
  const info = await api('/api/info');
  S.info = info.body;
  S.doc = JSON.parse(JSON.stringify(S.info.document));
  $('#subtitle').textContent = `${S.info.territoire} — base : ${S.info.base.name} (${S.info.base.file})`;
  await buildMap();
  buildBusForm();
  buildParamsForm();
  document.querySelectorAll('.modes button').forEach((b) => b.addEventListener('click', () => setMode(b.dataset.mode)));
  $('#replications').addEventListener('change', () => { S.doc.replications = Number($('#replications').value); changed(); });
  $('#run').addEventListener('click', run);
  $('#cancel').addEventListener('click', () => { if (S.currentRun) post(`/api/runs/${S.currentRun}/cancel`, {}); });
  $('#compare').addEventListener('click', compareRuns);
  $('#download').addEventListener('click', download);
  $('#apply-json').addEventListener('click', () => loadDoc($('#json').value));
  $('#upload').addEventListener('change', async (ev) => { const f = ev.target.files[0]; if (f) loadDoc(await f.text()); });
  changed();
  refreshRuns();
  setInterval(refreshRuns, 3000);
  document.body.dataset.ready = '1';
}

window.avipEditor = S;  // for the end-to-end test (tests/browser)
main();
