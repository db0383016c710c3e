// A tiny fake browser for the tracker tests (tracker_node_test.go).
//
// It reads one JSON scenario from stdin:
//
//   {"script": "path/to/t.min.js",
//    "env": {...},      // see below
//    "steps": [...]}    // see run() below
//
// runs the script in a vm context whose global object is a fake window, plays
// the steps, and prints one JSON report on stdout: every request the script
// sent (beacon or fetch), every cookie write and every localStorage access,
// each with the phase it happened in ("load", "after load", "step N" while step
// N runs synchronously, "after step N" for timers that ran after it), the
// cookie jar and localStorage at the end, and every error that escaped the
// script.
//
// env: url, title, referrer, src (script src), attrs (data-* attributes of the
// script tag, without "data-"), cookies (initial jar), noCookies (document.cookie
// ignores writes), storage (initial localStorage), noStorage (localStorage
// throws), session (initial sessionStorage), noSession (sessionStorage throws),
// noBeacon, gpc, dnt (navigator.doNotTrack), windowDnt, now (ms epoch).
//
// The report also lists every sessionStorage access (sessionOps) and every
// read of a form field's value (valueReads), so that a test can tell which
// fields the script looked into.
'use strict';

const fs = require('fs');
const vm = require('vm');

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const env = input.env || {};
const report = {
  requests: [],
  cookieWrites: [],
  storageOps: [],
  sessionOps: [],
  valueReads: [],
  errors: [],
  replaced: [],
  navigations: [],
};
let phase = 'load';

// --- clock: Date.now() is under the scenario's control
let clock = env.now || 1700000000000;
class FakeDate extends Date {
  static now() {
    return clock;
  }
}

// --- events
function target() {
  const listeners = {};
  return {
    addEventListener(type, fn) {
      (listeners[type] = listeners[type] || []).push(fn);
    },
    removeEventListener(type, fn) {
      listeners[type] = (listeners[type] || []).filter((f) => f !== fn);
    },
    dispatch(type, ev) {
      for (const fn of listeners[type] || []) fn(Object.assign({ type }, ev));
    },
  };
}

// --- location and history
const loc = {};
function setLocation(url) {
  const u = new URL(url, loc.href);
  for (const k of ['href', 'origin', 'protocol', 'host', 'hostname', 'pathname', 'search', 'hash']) loc[k] = u[k];
}
setLocation(env.url || 'https://shop.example/');
// location.replace(url) is a navigation away: recorded, the page stays.
loc.replace = (url) => report.navigations.push({ phase, url: String(url) });
const history = {
  state: null,
  pushState(state, title, url) {
    if (url != null) setLocation(url);
  },
  replaceState(state, title, url) {
    report.replaced.push({ phase, url: url == null ? null : String(url) });
    if (url != null) setLocation(url);
  },
};

// --- cookies: name -> {value, attrs}
const jar = new Map(Object.entries(env.cookies || {}).map(([k, v]) => [k, { value: v, attrs: '' }]));
function writeCookie(s) {
  report.cookieWrites.push({ phase, cookie: s });
  if (env.noCookies) return;
  const [pair, ...attrs] = s.split(';').map((p) => p.trim());
  const i = pair.indexOf('=');
  const name = pair.slice(0, i);
  const maxAge = attrs.find((a) => /^max-age=/i.test(a));
  if (maxAge && Number(maxAge.split('=')[1]) <= 0) jar.delete(name);
  else jar.set(name, { value: pair.slice(i + 1), attrs: attrs.join('; ') });
}

// --- localStorage
const store = new Map(Object.entries(env.storage || {}));
const localStorage = {
  getItem(k) {
    report.storageOps.push({ phase, op: 'get ' + k });
    return store.has(k) ? store.get(k) : null;
  },
  setItem(k, v) {
    report.storageOps.push({ phase, op: 'set ' + k });
    store.set(k, String(v));
  },
  removeItem(k) {
    report.storageOps.push({ phase, op: 'remove ' + k });
    store.delete(k);
  },
};

// --- sessionStorage
const session = new Map(Object.entries(env.session || {}));
const sessionStorage = {
  getItem(k) {
    report.sessionOps.push({ phase, op: 'get ' + k });
    return session.has(k) ? session.get(k) : null;
  },
  setItem(k, v) {
    report.sessionOps.push({ phase, op: 'set ' + k });
    session.set(k, String(v));
  },
};

// --- forms
// A form {attrs, fields: [{tag, type, name, id, value, disabled, attrs, outer}]}:
// attrs are the element's attributes, outer those of the elements between a
// field and its form. Only an attribute selector "[name]" is understood by
// closest. Reading a field's value is recorded as its name (or id).
function form(spec) {
  const has = (attrs, sel) => {
    const m = /^\[([\w-]+)\]$/.exec(sel);
    return !!m && !!attrs && m[1] in attrs;
  };
  const f = {
    tagName: 'FORM',
    hasAttribute: (n) => n in (spec.attrs || {}),
    getAttribute: (n) => (n in (spec.attrs || {}) ? spec.attrs[n] : null),
    closest: (sel) => (has(spec.attrs, sel) ? f : null),
  };
  f.elements = (spec.fields || []).map((x) => {
    const el = {
      tagName: (x.tag || 'input').toUpperCase(),
      type: x.type || (x.tag && x.tag != 'input' ? x.tag : 'text'),
      name: x.name || '',
      id: x.id || '',
      disabled: !!x.disabled,
      form: f,
      hasAttribute: (n) => n in (x.attrs || {}),
      getAttribute: (n) => (n in (x.attrs || {}) ? x.attrs[n] : null),
      closest: (sel) => (has(x.attrs, sel) ? el : has(x.outer, sel) ? {} : f.closest(sel)),
    };
    Object.defineProperty(el, 'value', {
      get() {
        report.valueReads.push({ phase, field: x.name || x.id });
        return x.value || '';
      },
    });
    return el;
  });
  return f;
}

// --- document, the script tag, navigator
const attrs = env.attrs || {};
const scriptTag = {
  src: env.src || 'https://foyer.example/t.js',
  getAttribute: (n) => (n.startsWith('data-') && n.slice(5) in attrs ? attrs[n.slice(5)] : null),
};
const document = Object.assign(Object.create(target()), {
  title: env.title || '',
  referrer: env.referrer || '',
  visibilityState: 'visible',
  currentScript: scriptTag,
  querySelector: (sel) => (sel === 'script[data-site]' && 'site' in attrs ? scriptTag : null),
});
Object.defineProperties(document, {
  baseURI: { get: () => loc.href },
  cookie: {
    get: () => [...jar].map(([k, c]) => k + '=' + c.value).join('; '),
    set: writeCookie,
  },
});
const navigator = {
  globalPrivacyControl: env.gpc,
  doNotTrack: env.dnt,
};
if (!env.noBeacon) {
  navigator.sendBeacon = (url, body) => {
    report.requests.push({ via: 'beacon', phase, url, body, type: typeof body });
    return true;
  };
}
function fetch(url, opts) {
  const { body, ...rest } = opts;
  report.requests.push({ via: 'fetch', phase, url, body, type: typeof body, opts: rest });
  return Promise.resolve({ ok: true, status: 202 });
}

// --- the window, which is the global object
const win = Object.assign(target(), {
  document,
  navigator,
  location: loc,
  history,
  fetch,
  Date: FakeDate,
  URL,
  URLSearchParams,
  crypto: globalThis.crypto,
  setTimeout,
  clearTimeout,
  console,
  doNotTrack: env.windowDnt,
});
Object.defineProperty(win, 'sessionStorage', {
  get() {
    if (env.noSession) throw new Error('SecurityError: sessionStorage is disabled');
    return sessionStorage;
  },
});
Object.defineProperty(win, 'localStorage', {
  get() {
    if (env.noStorage) throw new Error('SecurityError: localStorage is disabled');
    return localStorage;
  },
});
win.window = win.self = win;
const ctx = vm.createContext(win);

process.on('uncaughtException', (e) => report.errors.push(String(e && e.stack)));

const tick = () => new Promise((r) => setTimeout(r, 5));

// A link inside which a click lands (on a child element, as usually happens).
function clickOn(href) {
  const a = { getAttribute: (n) => (n === 'href' ? href : null) };
  a.closest = (sel) => (sel === 'a[href]' ? a : null);
  const span = { closest: (sel) => a.closest(sel) };
  win.dispatch('click', { target: span });
  document.dispatch('click', { target: span });
}

async function run() {
  try {
    vm.runInContext(fs.readFileSync(input.script, 'utf8'), ctx, { filename: 't.min.js' });
  } catch (e) {
    report.errors.push(String(e && e.stack));
  }
  phase = 'after load';
  await tick();
  for (const [i, s] of (input.steps || []).entries()) {
    phase = 'step ' + i;
    try {
      switch (s.do) {
        case 'consent': // the page calls foyer.consent(value)
          win.foyer.consent(s.value);
          break;
        case 'push': // history.pushState / replaceState, then (for pop) popstate
        case 'replace':
          history[s.do + 'State']({}, '', s.url);
          break;
        case 'pop':
          setLocation(s.url);
          win.dispatch('popstate', {});
          break;
        case 'title':
          document.title = s.value;
          break;
        case 'advance': // time passes
          clock += s.ms;
          break;
        case 'activity': // mousemove, keydown, scroll, ...
          win.dispatch(s.type, {});
          break;
        case 'hide':
        case 'show':
          document.visibilityState = s.do === 'hide' ? 'hidden' : 'visible';
          document.dispatch('visibilitychange', {});
          break;
        case 'pagehide':
          win.dispatch('pagehide', {});
          break;
        case 'click':
          clickOn(s.href);
          break;
        case 'submit': // a form is submitted: {"do": "submit", "form": {...}}, see form()
          document.dispatch('submit', { target: form(s.form) });
          break;
        default:
          throw new Error('harness: unknown step ' + s.do);
      }
    } catch (e) {
      report.errors.push(phase + ': ' + String(e && e.stack));
    }
    phase = 'after step ' + i;
    await tick();
  }
  report.cookies = Object.fromEntries(jar);
  report.storage = Object.fromEntries(store);
  report.session = Object.fromEntries(session);
  report.foyer = typeof (win.foyer && win.foyer.consent);
  report.href = loc.href;
  process.stdout.write(JSON.stringify(report));
}

run();
