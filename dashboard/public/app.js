// The dashboard page: one websocket to the server (docs/ws-protocol.md), plotly.js for the waveforms and trends,
// and plain DOM for the LCD replica, indicators and controls. Nothing here simulates: the page shows what the server
// sends and turns clicks and key presses into control messages.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const KEYS = ['1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D'];
  const PLOT_LAYOUT = {
    paper_bgcolor: '#141b21', plot_bgcolor: '#141b21', font: { color: '#dfe7ec', size: 12 },
    margin: { l: 52, r: 52, t: 8, b: 30 }, showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' },
  };
  const AXIS = { gridcolor: '#2b3944', zerolinecolor: '#44525e' };
  // on a projector at 1024 px the plots are narrower: a smaller legend keeps each on one line above its plot
  const NARROW = window.matchMedia ? window.matchMedia('(max-width: 1200px)') : null;
  const legendFont = () => ({ size: NARROW && NARROW.matches ? 10 : 12 });
  PLOT_LAYOUT.legend.font = legendFont();
  const PLOT_CONFIG = { displayModeBar: false, responsive: true, staticPlot: true };
  // redraw budget: plotly redraws are the page's main cost on a slow projector laptop
  const WAVE_DRAW_MS = 200;
  const TREND_DRAW_MS = 1000;

  let ws = null;
  let catalog = null;
  let meterId = null;
  let state = null;
  let lcd = null;
  let rom = [];
  let everConnected = false;
  let retryMs = 500;
  let nextId = 1;
  const trends = { t: [], vrms: [], irms: [], power: [], credit: [], energy: [] };
  const TREND_MAX = 1200;
  let trendDirty = false;
  let waveFrames = 0;
  let lastWaveT0 = -1;
  // for tests and curious users: what arrived last
  window.osmDashboard = { get waveFrames() { return waveFrames; }, get lastWaveT0() { return lastWaveT0; }, get state() { return state; } };

  // ------------------------------------------------------------------ connection
  function wsUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  function setConn(kind, text) {
    const el = $('conn');
    el.className = 'conn ' + kind;
    el.dataset.state = kind;
    // the states this page went through (for tests and for a trainer who wonders what happened)
    el.dataset.seen = ((el.dataset.seen || '') + ' ' + kind).trim().split(' ').slice(-12).join(' ');
    el.textContent = text;
    el.title = text;
  }

  function connect() {
    const sock = new WebSocket(wsUrl());
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      retryMs = 500;
      if (everConnected) {
        setConn('back', 'connection is back');
        setTimeout(() => { if (ws === sock && sock.readyState === 1) setConn('connected', 'connected'); }, 3000);
      } else setConn('connected', 'connected');
      everConnected = true;
      if (view === 'fleet') send({ type: 'view', view: 'fleet' });
      else if (meterId) send({ type: 'select', meter: meterId });
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data === 'string') onText(JSON.parse(ev.data));
      else onWave(ev.data);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      setConn('lost', everConnected ? 'connection lost: reconnecting…' : 'cannot reach the server: retrying…');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
    sock.onerror = () => {};
  }

  function send(msg) {
    if (!ws || ws.readyState !== 1) { toast('not connected'); return; }
    msg.id = nextId++;
    // (in the fleet view the header's speed and pause pace every meter: they name none)
    const fleetWide = view === 'fleet' && (msg.type === 'speed' || msg.type === 'pause');
    if (meterId && msg.meter === undefined && !fleetWide && msg.type !== 'select' && msg.type !== 'add-meter' && msg.type !== 'ping' && msg.type !== 'view') msg.meter = meterId;
    ws.send(JSON.stringify(msg));
  }

  /** A message at the bottom of the page for a few seconds: an error (red), or `info` (what an action did). */
  function toast(text, kind) {
    const t = $('toast');
    t.textContent = text;
    t.dataset.kind = kind || 'error';
    t.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => t.classList.remove('show'), kind === 'info' ? 10000 : 4000);
  }

  // ------------------------------------------------------------------ messages
  function onText(m) {
    switch (m.type) {
      case 'snapshot': onSnapshot(m); break;
      case 'state': if (m.meter === meterId) onState(m); break;
      case 'lcd': if (m.meter === meterId) { lcd = m; drawLcd(); } break;
      case 'trend': if (m.meter === meterId) addTrendRows(m.rows); break;
      case 'meters': fillMeters(m.meters); break;
      case 'fleet': onFleet(m); break;
      case 'error': toast(m.error); break;
      default: break;
    }
  }

  function onSnapshot(m) {
    catalog = m.catalog;
    rom = catalog.rom;
    if (!buildControls.done) buildControls();
    fillMeters(m.meters);
    meterId = m.meter;
    $('meter-select').value = meterId;
    $('fleet-btn').hidden = !catalog.fleet;
    setView(m.view === 'fleet' ? 'fleet' : 'meter');
    for (const k of Object.keys(trends)) trends[k] = [];
    if (m.trends) addTrendRows(m.trends.rows);
    if (m.lcd) { lcd = m.lcd; drawLcd(); }
    if (m.state) onState(m.state);
  }

  function fillMeters(list) {
    const sel = $('meter-select');
    const keep = sel.value || meterId;
    sel.replaceChildren(...list.map((x) => option(x.id, x.label + ' (seed ' + x.seed + ')')));
    if (keep) sel.value = keep;
    $('add-meter').disabled = catalog && list.length >= catalog.maxMeters;
  }

  function option(value, text) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }

  // ------------------------------------------------------------------ the fleet grid
  let view = 'meter';
  const STATE_LABELS = { on: 'relay on', 'relay-off': 'relay off', exhausted: 'credit exhausted', tamper: 'tamper (cover open)', 'comms-down': 'comms down', unpowered: 'no power' };

  function setView(v) {
    view = v;
    document.body.dataset.view = v;
    $('fleet-btn').classList.toggle('active', v === 'fleet');
  }

  let fleetClock = null;
  function onFleet(m) {
    setView('fleet');
    fleetClock = m.clock;
    // the header shows the fleet's time, not the last meter watched: the time every meter has reached
    if (m.clock) showHeader('fleet', m.clock.date, m.clock.t, m.clock.aheadUs, m.clock.speed, m.clock.paused, m.clock.rate);
    const legend = $('fleet-legend');
    legend.replaceChildren(...Object.keys(m.counts).map((k) => {
      const span = document.createElement('span');
      const sw = document.createElement('i');
      sw.dataset.state = k;
      span.dataset.state = k;
      span.append(sw, (STATE_LABELS[k] || k) + ': ' + m.counts[k]);
      return span;
    }));
    const grid = $('fleet-grid');
    // one button per meter, kept across updates (a click is never lost to a redraw)
    while (grid.children.length > m.cells.length) grid.lastChild.remove();
    m.cells.forEach((c, i) => {
      let b = grid.children[i];
      if (!b) {
        b = document.createElement('button');
        b.className = 'fleet-cell';
        b.addEventListener('click', () => { const id = b.dataset.meter; meterId = id; setView('meter'); send({ type: 'select', meter: id }); });
        grid.append(b);
      }
      b.dataset.meter = c.meter;
      b.dataset.state = c.state;
      b.title = c.meter + ': ' + (STATE_LABELS[c.state] || c.state) + (c.household ? ', ' + c.household : '');
      const name = document.createElement('b');
      name.textContent = c.meter.replace('meter-', '#');
      b.replaceChildren(name, (c.credit === null ? '-' : c.credit.toFixed(0)) + ' cr', document.createElement('br'), c.watts.toFixed(0) + ' W');
    });
    grid.dataset.cells = String(m.cells.length);
    grid.dataset.updates = String(Number(grid.dataset.updates || 0) + 1);
  }

  // ------------------------------------------------------------------ controls
  function buildControls() {
    buildControls.done = true;
    const pad = $('keypad');
    for (const k of KEYS) {
      const b = document.createElement('button');
      b.textContent = k;
      b.dataset.key = k;
      b.addEventListener('click', () => pressKey(k));
      pad.append(b);
    }
    const loads = $('loads');
    for (const l of catalog.loads) {
      const b = document.createElement('button');
      labelButton(b, l.label);
      b.dataset.load = l.id;
      b.addEventListener('click', () => send({ type: 'load', load: l.id, on: !b.classList.contains('on') }));
      loads.append(b);
    }
    const grid = $('grid');
    for (const g of catalog.gridEvents) {
      const b = document.createElement('button');
      labelButton(b, g.label);
      b.dataset.grid = g.name;
      b.addEventListener('click', () => send({ type: 'grid', event: g.name }));
      grid.append(b);
    }
    $('scenario-select').replaceChildren(...catalog.scenarios.map((s) => option(s, s)));
    $('profile-select').replaceChildren(...catalog.profiles.map((p) => option(p, p)));
    const defects = $('defects');
    for (const d of catalog.defects) {
      const lab = document.createElement('label');
      lab.title = d.id + ': ' + d.defect + ' (symptom: ' + d.symptom + ')';
      const cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.value = d.id;
      lab.append(cb, ' ' + d.id);
      defects.append(lab);
    }
    $('profile-select').addEventListener('change', updateDefectHint);
    $('defects').addEventListener('change', updateDefectHint);
    keepOpenState();
    updateDefectHint();
    for (const v of catalog.speeds || [1, 10, 60, 'max']) {
      const b = document.createElement('button');
      b.dataset.speed = String(v);
      b.textContent = v === 'max' ? 'max' : v + 'x';
      b.title = speedTitle(v);
      b.addEventListener('click', () => {
        send({ type: 'speed', speed: v });
        // (a fleet may be paused in part, from single meters' pages: a speed for the fleet runs all of it)
        if (view === 'fleet' || headerPaused()) send({ type: 'pause', paused: false });
      });
      $('pause').before(b);
    }
    $('pause').addEventListener('click', () => send({ type: 'pause', paused: !headerPaused() }));
    $('power').addEventListener('click', () => send({ type: 'power', on: !(state && state.powered) }));
    $('tamper').addEventListener('click', () => send({ type: 'tamper', open: !(state && state.cover === 'open') }));
    $('scenario-run').addEventListener('click', () => send({ type: 'scenario', action: 'run', name: $('scenario-select').value }));
    $('scenario-stop').addEventListener('click', () => send({ type: 'scenario', action: 'stop' }));
    $('fw-apply').addEventListener('click', () => {
      const profile = $('profile-select').value;
      const ticked = [...document.querySelectorAll('#defects input:checked')].map((c) => c.value);
      send(profile === 'fixed' ? { type: 'firmware', profile, defects: ticked } : { type: 'firmware', profile, fix: ticked });
    });
    $('reset').addEventListener('click', () => send({ type: 'reset' }));
    $('toast').addEventListener('click', () => $('toast').classList.remove('show'));
    buildCommsControls();
    $('add-meter').addEventListener('click', () => send({ type: 'add-meter' }));
    $('fleet-btn').addEventListener('click', () => send({ type: 'view', view: 'fleet' }));
    $('meter-select').addEventListener('change', () => { meterId = $('meter-select').value; send({ type: 'select', meter: meterId }); });
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const tag = (ev.target && ev.target.tagName) || '';
      if (tag === 'SELECT' || tag === 'INPUT' || tag === 'TEXTAREA') return;
      const k = ev.key.length === 1 ? ev.key.toUpperCase() : '';
      if (KEYS.includes(k)) { ev.preventDefault(); pressKey(k); }
    });
    initPlots();
  }

  // ------------------------------------------------------------------ network, servers, web top-up
  function buildCommsControls() {
    $('net-fault').replaceChildren(...(catalog.backendFaults || ['none']).map((f) => option(f, 'fault: ' + f)));
    const comms = () => state && state.comms;
    $('net-coverage').addEventListener('click', () => { const c = comms(); send({ type: 'network', coverage: !(c && c.network.coverage) }); });
    $('net-drop').addEventListener('click', () => send({ type: 'network', drop: true }));
    $('net-csq').addEventListener('input', () => { $('net-csq-v').textContent = $('net-csq').value; });
    $('net-csq').addEventListener('change', () => send({ type: 'network', csq: Number($('net-csq').value) }));
    numberControl('net-latency', (v) => ({ latencyMs: v }));
    numberControl('net-attach-rate', (v) => ({ attachFailureRate: v }));
    $('net-attach-apply').addEventListener('click', () => {
      const v = Number($('net-attach-n').value);
      if (!checkNumber('net-attach-n', v)) return;
      send({ type: 'network', attachFailures: v });
    });
    $('net-backend').addEventListener('click', () => { const c = comms(); send({ type: 'network', backend: c && c.backend.state === 'up' ? 'down' : 'up' }); });
    $('net-broker').addEventListener('click', () => { const c = comms(); send({ type: 'network', broker: c && c.broker.state === 'up' ? 'down' : 'up' }); });
    $('net-fault-apply').addEventListener('click', () => send({ type: 'network', fault: $('net-fault').value }));
    $('topup').addEventListener('click', () => {
      const v = Number($('topup-amount').value);
      if (!checkNumber('topup-amount', v) || !(v > 0)) { toast('a top-up needs an amount above 0'); return; }
      send({ type: 'topup', amount: v });
    });
  }

  function checkNumber(id, v) {
    const el = $(id);
    if (!isFinite(v) || el.value === '' || v < Number(el.min) || v > Number(el.max)) { toast(el.getAttribute('aria-label') + ': ' + el.min + ' to ' + el.max); return false; }
    return true;
  }

  function numberControl(id, make) {
    $(id).addEventListener('change', () => {
      const v = Number($(id).value);
      if (checkNumber(id, v)) send(Object.assign({ type: 'network' }, make(v)));
    });
  }

  /** Put `v` into an input unless the user is editing it. */
  function setInput(id, v) {
    const el = $(id);
    if (document.activeElement !== el) el.value = String(v);
  }

  function showComms(c, running) {
    const box = $('comms');
    const bd = document.body.dataset;
    box.dataset.on = String(!!c);
    for (const el of box.querySelectorAll('button, input, select')) el.disabled = !c || running;
    if (!c) {
      $('net-now').textContent = '- modem mute (no network)';
      $('net-status').textContent = state && state.scenario ? 'this scenario has no network: section' : 'osm serve runs with --no-network';
      $('telemetry').textContent = '';
      $('tele-rate').textContent = '';
      $('topup-pending').textContent = '';
      $('comms-urls').textContent = '';
      bd.coverage = ''; bd.gsm = ''; bd.gsmFails = ''; bd.pending = ''; bd.telemetry = '';
      return;
    }
    const n = c.network;
    bd.coverage = String(n.coverage);
    bd.gsm = c.gsm.last || '';
    bd.gsmFails = String(c.gsm.fails);
    bd.pending = String(c.backend.pending);
    bd.telemetry = String(c.telemetry.count);
    $('net-coverage').dataset.on = String(n.coverage);
    $('net-coverage').textContent = 'Coverage: ' + (n.coverage ? 'ON' : 'OFF');
    setInput('net-csq', n.csq);
    if (document.activeElement !== $('net-csq')) $('net-csq-v').textContent = String(n.csq);
    setInput('net-latency', n.latencyMs);
    setInput('net-attach-rate', n.attachFailureRate);
    $('net-backend').dataset.state = c.backend.state;
    $('net-backend').textContent = 'Backend: ' + c.backend.state;
    $('net-broker').dataset.state = c.broker.state;
    $('net-broker').textContent = 'Broker: ' + c.broker.state;
    if (document.activeElement !== $('net-fault')) $('net-fault').value = c.backend.fault;
    $('net-now').textContent = '- CSQ ' + (n.coverage ? n.csq : 'none') + ', ' + n.latencyMs + ' ms' + (n.attachFailures ? ', ' + n.attachFailures + ' attaches to fail' : '');
    $('net-status').textContent = 'modem ' + (c.modem.registered ? 'registered' : 'not registered') + ', GPRS ' + (c.modem.attached ? 'attached' : 'detached') +
      '; last GPRS attempt: ' + (c.gsm.last || 'none yet') + ' (' + c.gsm.fails + ' of ' + c.gsm.polls + ' failed)' + (c.backend.last ? '; backend answered ' + c.backend.last : '');
    $('topup-pending').textContent = c.backend.external ? 'the meter polls ' + c.backend.external + ' (your own backend: pay there)' : 'pending ' + c.backend.pending;
    $('topup').disabled = !!c.backend.external;
    $('net-fault-apply').disabled = !!c.backend.external;
    const t = c.telemetry;
    $('tele-rate').textContent = c.broker.external ? 'sent to ' + c.broker.external + ' (external: not observed here)' : t.count === 0 ? '0 messages: the firmware publishes once a day, at 23:00 meter time' : t.count + ' messages, ' + t.lastDay + ' in the last day of meter time';
    $('telemetry').textContent = t.last.slice().reverse().map((m) => m.rtc.slice(11) + ' ' + m.payload).join('\n');
    const urls = [];
    if (c.broker.url) urls.push('MQTT ' + c.broker.url);
    if (c.backend.url) urls.push('backend ' + c.backend.url);
    $('comms-urls').textContent = urls.length ? 'stock clients: ' + urls.join(', ') : '';
  }

  function updateDefectHint() {
    const fixed = $('profile-select').value === 'fixed';
    $('defects').title = fixed ? 'ticked defects are put back into the fixed firmware' : 'ticked defects are corrected (fixed) in this build';
    const ticked = [...document.querySelectorAll('#defects input:checked')].map((c) => c.value);
    $('defects-summary').textContent = (fixed ? 'defects to put back' : 'defects to correct') + ': ' + (ticked.length ? ticked.join(', ') : 'none ticked');
  }

  /** A button's text is its label without the part in brackets, which goes to its tooltip with the whole label. */
  function labelButton(b, label) {
    const cut = label.indexOf(' (');
    b.textContent = cut > 0 ? label.slice(0, cut) : label;
    b.title = label;
  }

  /** What a speed means to an audience: how long a day of meter time takes. */
  function speedTitle(v) {
    if (v === 'max') return 'as fast as this server runs the simulation (the rate beside the buttons says how fast that is)';
    if (v === 1) return 'real time';
    const day = 86400 / v;
    const took = day >= 7200 ? +(day / 3600).toFixed(1) + ' hours' : day >= 120 ? +(day / 60).toFixed(1) + ' minutes' : day.toFixed(0) + ' s';
    return v + ' s of meter time per second: a day in ' + took;
  }

  /** The folding boxes (telemetry, network settings, defects, debug log) stay as the trainer left them, across reloads. */
  function keepOpenState() {
    for (const d of document.querySelectorAll('details[id]')) {
      let saved = null;
      try { saved = localStorage.getItem('osm.open.' + d.id); } catch (e) { /* storage off: the page's defaults */ }
      if (saved !== null) d.open = saved === '1';
      d.addEventListener('toggle', () => { try { localStorage.setItem('osm.open.' + d.id, d.open ? '1' : '0'); } catch (e) { /* storage off */ } });
    }
  }

  function pressKey(k) {
    send({ type: 'keys', keys: k });
    const b = document.querySelector('#keypad button[data-key="' + CSS.escape(k) + '"]');
    if (b) { b.classList.add('pressed'); setTimeout(() => b.classList.remove('pressed'), 150); }
  }

  // ------------------------------------------------------------------ state
  function fmt(v, d) { return typeof v === 'number' && isFinite(v) ? v.toFixed(d) : '-'; }

  function fmtT(us) {
    const s = Math.floor(us / 1e6);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return 't = ' + (h ? h + 'h' : '') + String(m).padStart(2, '0') + 'm' + String(s % 60).padStart(2, '0') + 's';
  }

  /** What the header's pause button stands for: the meter watched, or in the fleet view every meter. */
  function headerPaused() {
    return view === 'fleet' ? Boolean(fleetClock && fleetClock.paused) : Boolean(state && state.paused);
  }

  /** The header's clock and pacing: of one meter, or of the fleet (`of`). */
  function showHeader(of, date, t, aheadUs, speed, paused, rate) {
    const bd = document.body.dataset;
    bd.speed = String(speed);
    bd.paused = String(paused);
    const clock = document.querySelector('.clock');
    clock.dataset.of = of;
    clock.title = of === 'fleet'
      ? "the fleet's time: every meter has reached it" + (aheadUs >= 1e6 ? '; the fastest meter is ahead by the time in brackets' : '')
      : "this meter's clock (its RTC) and its virtual time";
    $('clock-of').textContent = of === 'fleet' ? 'Fleet' : '';
    $('rtc').textContent = date;
    $('vtime').textContent = fmtT(t) + (aheadUs >= 1e6 ? ' (+' + fmtT(aheadUs).slice(4) + ')' : '');
    // a factor the simulation cannot keep up with: the page says the rate reached, it does not pretend
    const short = !paused && typeof speed === 'number' && rate > 0 && rate < 0.9 * speed;
    bd.rateShort = String(short);
    for (const b of document.querySelectorAll('[data-speed]')) {
      const on = !paused && String(speed) === b.dataset.speed;
      b.classList.toggle('active', on && !short);
      b.classList.toggle('short', on && short);
    }
    $('pause').classList.toggle('active', paused);
    const x = (r) => (r >= 100 ? r.toFixed(0) : r.toFixed(1)) + 'x';
    const el = $('rate');
    el.classList.toggle('short', short);
    el.textContent = paused ? 'paused' : !(rate > 0) ? 'running' : short ? 'reaching ' + x(rate) : 'running ' + x(rate);
    el.title = short ? 'the simulation cannot keep up with ' + speed + 'x here: it runs as fast as it can, ' + x(rate) : 'virtual seconds per wall second, measured';
  }

  let shownEpoch = -1;
  let shownMeter = null;
  function onState(s) {
    state = s;
    const bd = document.body.dataset;
    bd.powered = String(s.powered);
    bd.credit = s.readings.credit === null ? '' : String(s.readings.credit);
    if (s.epoch !== shownEpoch || s.meter !== shownMeter) {
      // a new bench (start, reflash, scenario): the firmware knobs show what it runs
      shownEpoch = s.epoch;
      shownMeter = s.meter;
      $('profile-select').value = s.firmware.profile;
      const ticked = new Set(s.firmware.profile === 'fixed' ? s.firmware.defects : s.firmware.fix);
      for (const c of document.querySelectorAll('#defects input')) c.checked = ticked.has(c.value);
      updateDefectHint();
    }
    // (a state that arrives after the page went to the fleet view leaves the fleet's header alone)
    if (view === 'meter') showHeader('meter', s.rtc, s.t, 0, s.speed, s.paused, s.rate);
    showReset(s);
    setLed('led-red', s.led.red);
    setLed('led-green', s.led.green);
    $('buzzer').dataset.state = s.buzzer;
    showMeterNote(s);
    $('relay').dataset.state = s.relay;
    $('relay').textContent = s.relay === 'closed' ? 'CLOSED' : 'OPEN';
    $('power').dataset.on = String(s.powered);
    $('power').textContent = 'Power: ' + (s.powered ? 'ON' : 'CUT');
    $('tamper').dataset.open = String(s.cover === 'open');
    $('tamper').textContent = 'Cover: ' + s.cover;
    const r = s.readings;
    $('r-voltage').textContent = fmt(r.voltage, 1);
    $('r-current').textContent = fmt(r.current, 2);
    $('r-power').textContent = fmt(r.power, 1);
    $('r-pf').textContent = fmt(r.pf, 2);
    $('r-freq').textContent = fmt(r.freq, 2);
    $('r-credit').textContent = fmt(r.credit, 2);
    $('r-energy').textContent = fmt(r.energy, 4);
    $('t-vrms').textContent = fmt(s.truth.vrms, 1);
    $('t-irms').textContent = fmt(s.truth.irms, 2);
    $('t-watts').textContent = fmt(s.truth.watts, 1);
    $('t-pf').textContent = fmt(s.truth.pf, 2);
    $('t-hz').textContent = fmt(s.truth.hz, 2);
    const on = new Set(s.loads);
    if (s.household) on.add('house');
    for (const b of document.querySelectorAll('#loads button')) b.classList.toggle('on', on.has(b.dataset.load));
    const g = s.grid;
    $('grid-now').textContent = g.outage ? 'OUTAGE' : fmt(g.vrms, 0) + ' V ' + fmt(g.hz, 1) + ' Hz' + (g.harmonics.length ? ' + harmonics' : '');
    $('fw-now').textContent = s.firmware.profile + (s.firmware.fix.length ? ' fix ' + s.firmware.fix.join(',') : '') + (s.firmware.defects.length ? ' +' + s.firmware.defects.join(',') : '');
    const sc = s.scenario;
    const running = !!sc && (sc.status === 'running' || sc.status === 'loading');
    for (const id of ['power', 'tamper']) $(id).disabled = running;
    for (const b of document.querySelectorAll('#keypad button, #loads button, #grid button')) b.disabled = running;
    $('scenario-run').disabled = running;
    $('scenario-stop').disabled = !running;
    $('fw-apply').disabled = running;
    if (sc) {
      $('scenario-bar').style.width = (sc.steps ? (100 * (sc.status === 'passed' ? sc.steps : Math.max(0, sc.step - (running ? 1 : 0))) / sc.steps) : 0) + '%';
      $('scenario-step').textContent = sc.name + ': ' + (sc.steps ? 'step ' + sc.step + '/' + sc.steps + ' ' + sc.stepText : sc.status);
      $('scenario-verdict').textContent = running ? 'running…' : sc.verdict;
      $('scenario-verdict').dataset.status = sc.status;
    } else {
      $('scenario-bar').style.width = '0%';
      $('scenario-step').textContent = 'a scenario runs with its own meter and firmware';
      $('scenario-verdict').textContent = '';
      $('scenario-verdict').dataset.status = '';
    }
    showComms(s.comms, running);
    $('log').textContent = s.log.join('\n');
  }

  function setLed(id, v) { $(id).dataset.state = v; }

  /** What the last Reset did: the trends' titles say they start at it; a new one (from this page or another) is announced. */
  let shownReset = null;
  function showReset(s) {
    const r = s.lastReset || null;
    const key = s.meter + ':' + (r ? r.count : 0);
    if (key === shownReset) return;
    const announce = shownReset !== null && shownReset.split(':')[0] === s.meter && r;
    shownReset = key;
    document.body.dataset.reset = r ? String(r.count) : '';
    for (const el of document.querySelectorAll('.trend-since')) el.textContent = r ? '— since the Reset at ' + fmtT(r.t) : '';
    if (announce) {
      const fw = r.firmware.profile + (r.firmware.fix.length ? ' fix ' + r.firmware.fix.join(',') : '') + (r.firmware.defects.length ? ' +' + r.firmware.defects.join(',') : '');
      toast('Reset: a fresh meter as served (' + fw + ' firmware, credit ' + r.credit + ', clock ' + r.rtc + ') boots now. ' +
        'The virtual time goes on (' + fmtT(r.t) + '); the trends start again from it.', 'info');
    }
  }

  /** A line under the LCD for what the LCD alone does not tell an audience: the boot, a meter without power. */
  function showMeterNote(s) {
    const el = $('meter-note');
    const kind = !s.powered ? 'unpowered' : s.booted === false ? 'booting' : '';
    el.dataset.state = kind;
    // The firmware closes the relay about 2 s before its setup ends (docs/workshop.md, the boot table).
    const booting = s.relay === 'closed' ? 'booting: the relay has closed, the readings come in a few seconds' : 'booting (about 20 s): the relay stays open until near the end';
    el.textContent = kind === 'unpowered' ? 'no power: the meter is off' : kind === 'booting' ? booting : '';
    el.title = kind === 'booting' ? 'the firmware starts up: boot screens, modem, clock, metering chip; it closes the relay at the end (docs/firmware.md, boot)' : '';
  }

  // ------------------------------------------------------------------ LCD replica
  function hexBytes(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }

  function drawLcd() {
    const el = $('lcd');
    const ddram = hexBytes(lcd.ddram);
    const cgram = hexBytes(lcd.cgram);
    el.dataset.on = String(lcd.displayOn);
    const rows = el.querySelectorAll('.lcd-row');
    for (let r = 0; r < 2; r++) {
      const row = rows[r];
      if (row.children.length !== 16) {
        row.replaceChildren(...Array.from({ length: 16 }, () => { const c = document.createElement('div'); c.className = 'cell'; return c; }));
      }
      let text = '';
      for (let c = 0; c < 16; c++) {
        const code = cellCode(ddram, r, c);
        const cell = row.children[c];
        text += code === null ? ' ' : rom[code];
        if (code !== null && code < 16) drawGlyph(cell, cgram, code & 7);
        else if (cell.dataset.code !== String(code)) { cell.replaceChildren(document.createTextNode(code === null ? ' ' : rom[code])); }
        cell.dataset.code = String(code);
      }
      row.dataset.text = text;
    }
    // the cursor (underline) and the blinking block sit at the address counter when it is a visible DDRAM cell
    const at = cursorCell();
    for (const cell of el.querySelectorAll('.cell')) cell.classList.remove('cursor', 'blink');
    if (at) {
      const cell = rows[at.r].children[at.c];
      if (lcd.cursorOn) cell.classList.add('cursor');
      if (lcd.blinkOn) cell.classList.add('blink');
    }
  }

  function cursorCell() {
    if (!lcd.displayOn || !(lcd.cursorOn || lcd.blinkOn) || lcd.ac === undefined) return null;
    const len = lcd.twoLine ? 40 : 80;
    let r = 0;
    let pos = lcd.ac;
    if (lcd.twoLine) { r = pos >= 0x40 ? 1 : 0; pos = r ? pos - 0x40 : pos; } else if (pos >= 0x40) pos = pos - 0x40 + 0x28;
    if (pos < 0 || pos >= len) return null;
    const c = (((pos - lcd.shift) % len) + len) % len;
    return c < 16 ? { r, c } : null;
  }

  // the HD44780's addressing: 2-line mode rows at 0x00 and 0x40 of 40 cells, 1-line mode one row of 80; display shift
  function cellCode(ddram, r, c) {
    if (!lcd.displayOn) return null;
    if (lcd.twoLine) {
      const pos = (((c + lcd.shift) % 40) + 40) % 40;
      return ddram[(r ? 0x40 : 0) + pos];
    }
    if (r === 1) return null;
    const pos = (((c + lcd.shift) % 80) + 80) % 80;
    return ddram[pos < 0x28 ? pos : pos - 0x28 + 0x40];
  }

  function drawGlyph(cell, cgram, n) {
    const key = 'g' + n + ':' + Array.from(cgram.subarray(8 * n, 8 * n + 8)).join(',');
    if (cell.dataset.glyph === key && cell.firstChild && cell.firstChild.tagName === 'CANVAS') return;
    const cv = document.createElement('canvas');
    cv.width = 5; cv.height = 8;
    const g = cv.getContext('2d');
    g.fillStyle = '#1b2a0a';
    for (let y = 0; y < 8; y++) for (let x = 0; x < 5; x++) if (cgram[8 * n + y] & (0x10 >> x)) g.fillRect(x, y, 1, 1);
    cell.replaceChildren(cv);
    cell.dataset.glyph = key;
  }

  // ------------------------------------------------------------------ plots
  function initPlots() {
    Plotly.newPlot('wave', [
      { x: [], y: [], name: 'voltage (V)', line: { color: '#ffb347', width: 2 } },
      { x: [], y: [], name: 'current (A)', yaxis: 'y2', line: { color: '#4fc3f7', width: 2 } },
    ], {
      ...PLOT_LAYOUT,
      xaxis: { ...AXIS, title: { text: 'ms', standoff: 2 }, range: [0, 50] },
      yaxis: { ...AXIS, title: { text: 'V' }, range: [-420, 420] },
      yaxis2: { ...AXIS, title: { text: 'A' }, overlaying: 'y', side: 'right', autorange: true, zeroline: false, showgrid: false },
    }, PLOT_CONFIG);
    Plotly.newPlot('trend-power', [
      { x: [], y: [], name: 'power, firmware (W)', mode: 'lines', line: { color: '#ffb347' } },
      { x: [], y: [], name: 'Irms, plant (A)', mode: 'lines', yaxis: 'y2', line: { color: '#4fc3f7' } },
      { x: [], y: [], name: 'Vrms, plant (V)', mode: 'lines', yaxis: 'y3', line: { color: '#9ccc65', dash: 'dot' } },
    ], {
      ...PLOT_LAYOUT,
      margin: { ...PLOT_LAYOUT.margin, r: 20 },
      // (the W axis on the left; A and V on the right, each with its title, the V axis outside the A axis)
      xaxis: { ...AXIS, title: { text: 'virtual time (min)', standoff: 2 }, domain: [0, 0.82] },
      yaxis: { ...AXIS, title: { text: 'W' }, rangemode: 'tozero', automargin: true },
      yaxis2: { ...AXIS, overlaying: 'y', side: 'right', anchor: 'x', title: { text: 'A', standoff: 2 }, rangemode: 'tozero', showgrid: false },
      yaxis3: { ...AXIS, overlaying: 'y', side: 'right', anchor: 'free', position: 0.94, title: { text: 'V', standoff: 2 }, range: [0, 300], dtick: 100, showgrid: false, zeroline: false, tickfont: { color: '#9ccc65' } },
    }, PLOT_CONFIG);
    Plotly.newPlot('trend-credit', [
      { x: [], y: [], name: 'credit', mode: 'lines', line: { color: '#ce93d8' } },
      { x: [], y: [], name: 'energy (kWh)', mode: 'lines', yaxis: 'y2', line: { color: '#80cbc4' } },
    ], {
      ...PLOT_LAYOUT,
      xaxis: { ...AXIS, title: { text: 'virtual time (min)', standoff: 2 } },
      yaxis: { ...AXIS, title: { text: 'credit' }, automargin: true },
      // (plain decimals, not "560µ" kWh; the margin grows with the labels so the title never sits on them)
      yaxis2: { ...AXIS, overlaying: 'y', side: 'right', title: { text: 'kWh' }, showgrid: false, exponentformat: 'none', automargin: true },
    }, PLOT_CONFIG);
    setInterval(drawTrends, TREND_DRAW_MS);
    if (NARROW) NARROW.addEventListener('change', () => { for (const id of ['wave', 'trend-power', 'trend-credit']) Plotly.relayout(id, { 'legend.font.size': legendFont().size }); });
  }

  function onWave(buf) {
    const dv = new DataView(buf);
    if (dv.getUint8(0) !== 1) return;
    const flags = dv.getUint16(2, true);
    const n = dv.getUint32(4, true);
    const rate = dv.getFloat32(16, true);
    const volts = new Float32Array(buf, 24, n);
    const amps = new Float32Array(buf, 24 + 4 * n, n);
    waveFrames++;
    lastWaveT0 = dv.getFloat64(8, true);
    pendingWave = { flags, n, rate, volts, amps, t0: lastWaveT0 };
    if (!waveTimer) waveTimer = setTimeout(drawWave, Math.max(0, WAVE_DRAW_MS - (performance.now() - lastWaveDraw)));
  }

  let pendingWave = null;
  let waveTimer = 0;
  let lastWaveDraw = 0;
  function drawWave() {
    waveTimer = 0;
    const f = pendingWave;
    const gd = $('wave');
    if (!f || !gd.data) return;
    pendingWave = null;
    lastWaveDraw = performance.now();
    const x = new Array(f.n);
    for (let k = 0; k < f.n; k++) x[k] = (1000 * k) / f.rate;
    const note = f.flags & 2 ? 'meter unpowered: no samples' : f.flags & 1 ? 'synthesised from the phasors (phasor fidelity)' : 'plant samples at ' + (f.rate / 1000).toFixed(0) + ' kHz (waveform fidelity)';
    $('wave-note').textContent = '— ' + note;
    Plotly.restyle(gd, { x: [x, x], y: [Array.from(f.volts), Array.from(f.amps)] }, [0, 1]);
    // what is drawn, as attributes (tests read them without running script in the page)
    let vp = 0, ip = 0;
    for (let k = 0; k < f.n; k++) { vp = Math.max(vp, Math.abs(f.volts[k])); ip = Math.max(ip, Math.abs(f.amps[k])); }
    gd.dataset.draws = String(Number(gd.dataset.draws || 0) + 1);
    gd.dataset.t0 = String(f.t0);
    gd.dataset.n = String(f.n);
    gd.dataset.vpeak = vp.toFixed(2);
    gd.dataset.ipeak = ip.toFixed(3);
  }

  function addTrendRows(rows) {
    for (const r of rows) {
      trends.t.push(r[0] / 60e6);
      trends.vrms.push(r[1]);
      trends.irms.push(r[2]);
      trends.power.push(r[3]);
      trends.credit.push(r[4]);
      trends.energy.push(r[5]);
    }
    for (const k of Object.keys(trends)) if (trends[k].length > TREND_MAX) trends[k].splice(0, trends[k].length - TREND_MAX);
    trendDirty = true;
  }

  // the trends' time axis: minutes for a short run, hours once the points kept span more than 3 hours
  let trendUnit = 'min';
  function drawTrends() {
    if (!trendDirty || !$('trend-power').data) return;
    trendDirty = false;
    const t = trends.t;
    const unit = t.length > 1 && t[t.length - 1] - t[0] > 180 ? 'h' : 'min';
    const x = unit === 'h' ? t.map((m) => m / 60) : t;
    if (unit !== trendUnit) {
      trendUnit = unit;
      for (const id of ['trend-power', 'trend-credit']) Plotly.relayout(id, { 'xaxis.title.text': 'virtual time (' + unit + ')' });
    }
    for (const id of ['trend-power', 'trend-credit']) $(id).dataset.unit = unit;
    Plotly.restyle('trend-power', { x: [x, x, x], y: [trends.power, trends.irms, trends.vrms] }, [0, 1, 2]);
    Plotly.restyle('trend-credit', { x: [x, x], y: [trends.credit, trends.energy] }, [0, 1]);
    // what is drawn, for tests: the number of points and the first one's virtual time (µs)
    for (const id of ['trend-power', 'trend-credit']) { $(id).dataset.points = String(t.length); $(id).dataset.first = t.length ? String(Math.round(t[0] * 60e6)) : ''; }
  }

  connect();
})();
