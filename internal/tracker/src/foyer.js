/*
 * Foyer tracker.
 *
 * A site includes it as
 *
 *   <script defer src="https://HOST/t.js" data-site="KEY"></script>
 *
 * and it posts batches of events to <origin of src>/collect (or data-api="URL")
 * in the format of docs/collect.md:
 *
 *   {"site": KEY, "visitor": ID, "consent": true, "events": [{"type": "pageview", ...}, ...]}
 *
 * "consent" is there only once the visitor has consented (foyer.consent(true)
 * on this page or, kept in the _foyer_consent cookie, an earlier one).
 *
 * Attributes of the script tag:
 *   data-site="KEY"          the site's public key; without it the script does nothing
 *   data-api="URL"           where to post instead of <origin of src>/collect
 *   data-consent="required"  send and store nothing until foyer.consent(true);
 *                            the site's consent mode in Foyer must say so too
 *   data-gpc="ignore"        track even under Global Privacy Control / Do-Not-Track
 *
 * Page API: window.foyer.consent(true | false).
 *
 * Opt-out hop (docs/consent.md, "Reaching the browser"): on a page opened as
 * ?foyer_optout=TOKEN, from the confirmation of Foyer's hosted opt-out form,
 * it refuses as foyer.consent(false) does (also under GPC/DNT), takes the
 * parameter out of the address, and goes back to the Foyer it was loaded
 * from, and only there: <origin of src>/forms/browser/TOKEN?from=HOST, which
 * sends the browser on to the workspace's next site.
 *
 * Storage: the cookie _foyer_id (visitor ID, 2 years or the browser's cap,
 * renewed on every visit), the cookie _foyer_consent (1: consent given, 0:
 * refused; 2 years, renewed), the throw-away test cookie _foyer_t, and, where
 * cookies do not work, localStorage _foyer_id = {"id": ID, "exp": ms epoch};
 * /ti.js with hubspot also sessionStorage _foyer_hs = 1.
 *
 * Identification (Persona Insights): a second build, served as /ti.js, adds
 * the code between the marker comments "+id" and "-id" (each in slash-star
 * form), which /t.js leaves out.
 * It first takes the parameters fy_t (a token) and, by default, fy_email,
 * fy_fn and fy_ln (e-mail address, first and last name) out of the address
 * bar with history.replaceState, always, before anything else (also under
 * GPC/DNT and before consent); then, only once tracking is on, it can send
 *
 *   {"type": "identify", "via": "token"|"email_link"|"form"|"hubspot", "url": URL,
 *    "token": T, "email": E, "first_name": F, "last_name": L, "hubspotutk": H}
 *
 * (fields that do not apply left out), as the attributes say:
 *   data-identify="forms links hubspot"  the sources to use, any of these
 *                            three, space- or comma-separated; without it,
 *                            nothing is ever sent
 *     links: one event after the landing page view: the token if the URL had
 *            a valid one, else the e-mail address (with the names) if it had
 *            one; names alone send nothing
 *     forms: on submit, the value of the form's e-mail field, and no other:
 *            the first input[type=email], else the first text input whose
 *            name or id says e-mail; never a password, hidden or disabled
 *            field, nor one inside (or carrying) data-foyer-ignore
 *     hubspot: the hubspotutk cookie's value on every identify event, and,
 *            once per browser session (sessionStorage _foyer_hs), an event
 *            of its own
 *   data-forms="marked"      only forms that carry data-foyer-form
 *   data-id-params="E F L"   the URL parameters of the e-mail address and the
 *                            first and last name (default fy_email fy_fn
 *                            fy_ln; compared case-insensitively)
 * Values are trimmed, and dropped unless an e-mail address holds an @ and at
 * most 254 characters, a name at most 100, a token 1-200 of [A-Za-z0-9_-].
 *
 * The source is minified by `go generate` (internal/tracker/build) into
 * t.min.js, which must stay under 2 KB gzipped, and ti.min.js, which must stay
 * under 2600 bytes. Nothing in here may throw into the host page.
 */
(() => {
  const W = window;
  const D = document;
  const N = navigator;

  /** Life of the visitor ID and of the consent, in seconds: two years. */
  const AGE = 63072000;
  /** A visitor counts as engaged up to this many ms after the last activity. */
  const IDLE = 15000;
  /** Cookie and localStorage names. */
  const ID = '_foyer_id';
  const CONSENT = '_foyer_consent';
  const TEST = '_foyer_t';
  /** The query parameter of the hosted opt-out form's hop through the sites. */
  const OPTOUT = 'foyer_optout';

  /** Query parameter names that carry personal data or secrets. */
  const SECRET =
    /^(fy_(email|fn|ln|t)|e-?mail|mail|name|(first|last|full|f|l)_?name|phone|tel|mobile|((access|id|refresh)_)?token|auth|pass(word)?|pwd|secret|(api_?)?key|session(id)?|sid|code|sig(nature)?|user(_?id|_?name)?|uid)$/i;
  /** A query value that holds something like an e-mail address. */
  const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]/;
  /*+id*/
  /** E-mail addresses sent from forms on this page. */
  const seen = {};
  /*-id*/

  let site; // data-site
  let api; // the /collect URL
  let blocked = true; // no site, or GPC/DNT: never send or store anything
  let on = false; // tracking (consent given or not required, not refused)
  let given; // true once the visitor consented: every batch then says "consent": true
  let hooked = false; // history and event listeners installed
  let vid; // visitor ID, resolved lazily on the first send
  let queue = []; // events not sent yet
  let timer = 0; // pending flush
  let cur; // the raw URL of the current page view

  // Engaged time: acc ms engaged since the last engagement event; time up to
  // `mark` is accounted for; `last` is the last activity; `vis` whether the
  // page was visible since `mark`.
  let acc = 0;
  let mark = 0;
  let last = 0;
  let vis = false;
  /*+id*/
  let ids = []; // the sources of data-identify
  let marked; // data-forms="marked"
  let lk; // the identify event of the landing URL, until sent or refused
  let hsDone; // the hubspot event was sent, or the session had it already
  /*-id*/

  /** Wraps f so that nothing it throws reaches the host page. */
  const safe =
    (f) =>
    (...a) => {
      try {
        f(...a);
      } catch (e) {}
    };

  // --- storage -------------------------------------------------------------

  const getCookie = (k) => (D.cookie.match('(?:^|; )' + k + '=([^;]*)') || [])[1];

  /** Sets a first-party cookie; age 0 deletes it. */
  const setCookie = (k, v, age) => {
    D.cookie =
      k + '=' + v + '; path=/; max-age=' + age + '; SameSite=Lax' + (location.protocol == 'https:' ? '; Secure' : '');
  };

  /** A random 22-character ID of [A-Za-z0-9_-] (132 bits). */
  const randomID = () => {
    let s = '';
    for (const b of crypto.getRandomValues(new Uint8Array(22)))
      s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[b & 63];
    return s;
  };

  const valid = (id) => /^[\w-]{16,64}$/.test(id);

  /**
   * The visitor ID: from the _foyer_id cookie; else a new one, kept in that
   * cookie if cookies work (checked with a throw-away _foyer_t cookie), else in
   * localStorage with an expiry, else only for this page load.
   */
  const visitor = () => {
    if (vid) return vid;
    let id = getCookie(ID);
    // Renewed on every visit: browsers cap a cookie's life (Chromium at 400 days).
    if (valid(id)) setCookie(ID, id, AGE);
    else {
      id = randomID();
      setCookie(TEST, 1, 60);
      const cookies = getCookie(TEST) == 1;
      setCookie(TEST, '', 0);
      if (cookies) setCookie(ID, id, AGE);
      else
        try {
          const now = Date.now();
          let kept = {};
          try {
            kept = JSON.parse(localStorage.getItem(ID)) || kept;
          } catch (e) {} // unreadable: replaced below
          if (valid(kept.id) && kept.exp > now) id = kept.id;
          else localStorage.setItem(ID, JSON.stringify({ id, exp: now + AGE * 1e3 }));
        } catch (e) {}
    }
    return (vid = id);
  };

  // --- URLs --------------------------------------------------------------

  /**
   * The absolute URL without its fragment and without query parameters that
   * name personal data or secrets or whose value looks like an e-mail address.
   * The collector strips again, more thoroughly; this keeps them off the wire.
   */
  const clean = (href) => {
    const u = new URL(href, location.href);
    const q = u.searchParams;
    u.hash = '';
    for (const [k, v] of [...q]) if (SECRET.test(k) || EMAIL.test(v)) q.delete(k);
    return u.href;
  };

  // --- sending -------------------------------------------------------------

  /** POSTs a body as text/plain: sendBeacon, else fetch with keepalive. */
  const send = (body) => {
    try {
      if (N.sendBeacon(api, body)) return;
    } catch (e) {}
    try {
      fetch(api, { method: 'POST', body, keepalive: true, credentials: 'omit' }).catch(() => {});
    } catch (e) {}
  };

  /** Sends every queued event now, at most 50 per request. */
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    while (on && queue.length)
      send(JSON.stringify({ site, visitor: visitor(), consent: given, events: queue.splice(0, 50) }));
  };

  /** Queues an event; events queued in the same tick go in one request. */
  const push = (e) => {
    if (!on) return;
    queue.push(e);
    timer = timer || setTimeout(safe(flush), 0);
  };

  // --- events --------------------------------------------------------------

  /** Adds the engaged time since `mark` to acc and moves `mark` to now. */
  const tick = () => {
    const now = Date.now();
    const t = Math.min(now, last + IDLE) - Math.max(mark, last);
    if (vis && t > 0) acc += t;
    mark = now;
  };

  /** Visitor activity. */
  const active = () => {
    tick();
    last = mark;
  };

  /** Queues an engagement event for the current page view, if any time was engaged. */
  const leave = () => {
    tick();
    if (acc > 0) push({ type: 'engagement', url: clean(cur), engaged_ms: Math.min(acc, 864e5) });
    acc = 0;
  };

  /*+id*/
  // --- identification ------------------------------------------------------

  /** v trimmed if it has at most n characters and matches re, else undefined. */
  const val = (v, n, re) => ((v = (v || '').trim()) && v.length <= n && (!re || re.test(v)) ? v : undefined);

  /** The hubspotutk cookie's value, if hubspot is on and it looks like one. */
  const utk = (v) =>
    ids.includes('hubspot') && (v = getCookie('hubspotutk')) && /^[\w-]{1,64}$/.test(v) ? v : undefined;

  /** Queues an identify event e ({via, ...}) for the current page. */
  const identify = (e) => push(Object.assign({ type: 'identify' }, e, { url: clean(location.href), hubspotutk: utk() }));

  /** The hubspot event, once per session (or page load, without sessionStorage). */
  const hubspot = () => {
    if (!hsDone && (hsDone = utk())) {
      try {
        if (sessionStorage.getItem('_foyer_hs')) return;
        sessionStorage.setItem('_foyer_hs', 1);
      } catch (e) {}
      identify({ via: 'hubspot' });
    }
  };

  /** A form's submission: the value of its e-mail field, and of no other, sent at once. */
  const submit = (e) => {
    const f = e.target;
    let m, x;
    if (!on || !ids.includes('forms') || (marked && !f.hasAttribute('data-foyer-form'))) return;
    // Only e-mail and text inputs can be chosen: never a password or hidden one.
    for (x of f.elements)
      if (!x.disabled && /^(email|text|search)$/.test(x.type) && !x.closest('[data-foyer-ignore]')) {
        if (x.type == 'email') {
          m = x;
          break;
        }
        m = m || (/e-?mail/i.test(x.name + ' ' + x.id) && x);
      }
    const v = m && val(m.value, 254, /@/);
    if (v && !seen[v]) {
      seen[v] = 1;
      identify({ via: 'form', email: v });
      flush();
    }
  };
  /*-id*/

  /** Queues a page view of the current location. */
  const pageview = (referrer) => {
    cur = location.href;
    push({
      type: 'pageview',
      url: clean(cur),
      title: D.title || undefined,
      referrer: referrer ? clean(referrer) : undefined,
    });
    /*+id*/
    lk && identify(lk);
    lk = 0;
    hubspot();
    /*-id*/
  };

  /** After pushState, replaceState or popstate: a page view if the URL changed. */
  const navigate = () => {
    if (on && clean(location.href) != clean(cur)) {
      leave();
      pageview(cur);
    }
  };

  /** Leaving or hiding the page: engagement and anything pending go now. */
  const hide = () => {
    leave();
    vis = false; // the visibilitychange that follows pagehide adds nothing
    flush();
  };

  const visibility = () => {
    tick();
    vis = D.visibilityState == 'visible';
    if (vis) last = mark;
    else hide();
  };

  /** A click on a link to another host is an outbound event, sent at once. */
  const outbound = (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!on || !a) return;
    const u = new URL(a.getAttribute('href'), D.baseURI);
    if (/^https?:$/.test(u.protocol) && u.host != location.host) {
      push({ type: 'outbound', url: clean(location.href), target: clean(u.href) });
      flush();
    }
  };

  /** Installs the history wrappers and listeners, once. */
  const hook = () => {
    hooked = true;
    for (const m of ['pushState', 'replaceState']) {
      const orig = history[m];
      history[m] = function () {
        const r = orig.apply(this, arguments);
        safe(navigate)();
        return r;
      };
    }
    W.addEventListener('popstate', safe(navigate));
    W.addEventListener('pagehide', safe(hide));
    // A page restored from the back/forward cache is a new page view.
    W.addEventListener(
      'pageshow',
      safe((e) => {
        if (e.persisted && on) {
          on = false;
          start();
        }
      })
    );
    D.addEventListener('visibilitychange', safe(visibility));
    D.addEventListener('click', safe(outbound), true);
    /*+id*/
    D.addEventListener('submit', safe(submit), true);
    /*-id*/
    for (const t of ['mousemove', 'keydown', 'scroll', 'touchstart', 'click', 'pointerdown'])
      W.addEventListener(t, active, { capture: true, passive: true });
  };

  /** Starts tracking: the current page's page view, then navigation and engagement. */
  const start = () => {
    if (on || blocked) return;
    on = true;
    if (!hooked) hook();
    vis = D.visibilityState == 'visible';
    acc = 0;
    mark = last = Date.now();
    pageview(D.referrer);
  };

  /**
   * foyer.consent(true) records consent in the _foyer_consent cookie, flags
   * every batch from now on with "consent": true (which a consent-required
   * site's collector insists on) and starts tracking; foyer.consent(false)
   * stops tracking, deletes the visitor ID (cookie and localStorage) and
   * remembers the refusal as _foyer_consent=0, which holds no identifier, so
   * that tracking does not resume on the next page.
   */
  const consent = safe((yes) => {
    if (yes) {
      if (!blocked) {
        setCookie(CONSENT, 1, AGE);
        given = true;
        start();
      }
    } else {
      on = given = false;
      queue = [];
      /*+id*/
      lk = 0;
      /*-id*/
      vid = 0;
      for (const k of [ID, TEST]) setCookie(k, '', 0);
      if (!blocked) setCookie(CONSENT, 0, AGE);
      localStorage.removeItem(ID);
    }
  });

  W.foyer = { consent };

  try {
    const s = D.currentScript || D.querySelector('script[data-site]');
    const attr = (k) => s.getAttribute('data-' + k);
    site = attr('site');
    api = attr('api') || new URL(s.src).origin + '/collect';
    blocked =
      !site ||
      (attr('gpc') != 'ignore' && (N.globalPrivacyControl === true || N.doNotTrack == '1' || W.doNotTrack == '1'));
    /*+id*/
    // The landing URL's identifiers leave the address bar before anything else.
    ids = (attr('identify') || '').split(/[\s,]+/);
    marked = attr('forms') == 'marked';
    const names = ('fy_t ' + (attr('id-params') || 'fy_email fy_fn fy_ln')).trim().toLowerCase().split(/\s+/);
    const l = new URL(location.href);
    const got = []; // token, e-mail address, first name, last name
    for (const [k, v] of [...l.searchParams]) {
      const i = names.indexOf(k.toLowerCase());
      if (i >= 0) {
        got[i] = v;
        l.searchParams.delete(k);
      }
    }
    if (got.length) history.replaceState(history.state, '', l.href);
    const tok = val(got[0], 200, /^[\w-]+$/);
    const email = val(got[1], 254, /@/);
    if (ids.includes('links'))
      lk = tok
        ? { via: 'token', token: tok }
        : email && { via: 'email_link', email, first_name: val(got[2], 100), last_name: val(got[3], 100) };
    /*-id*/
    const u = new URL(location.href);
    const hop = u.searchParams.get(OPTOUT);
    if (hop != null) {
      consent(false);
      setCookie(CONSENT, 0, AGE);
      u.searchParams.delete(OPTOUT);
      history.replaceState(history.state, '', u.href);
      // The token's own alphabet only: it cannot leave the path.
      if (/^[\w-]{1,200}$/.test(hop))
        location.replace(
          new URL(s.src).origin + '/forms/browser/' + hop + '?from=' + encodeURIComponent(location.hostname)
        );
    }
    const c = getCookie(CONSENT);
    if (c == 1) {
      given = true;
      setCookie(CONSENT, 1, AGE); // renewed, like the visitor ID
    }
    if (c != '0' && (attr('consent') != 'required' || c == 1)) start();
  } catch (e) {}
})();
