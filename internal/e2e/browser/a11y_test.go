package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	foyerweb "github.com/foyerhq/foyer/internal/web"
)

// a11yPage is a page of Foyer as someone sees it: opened at path, or the
// page that comes of filling the form there and submitting it.
type a11yPage struct {
	name string // of the subtest and of the screenshots, a11y-NAME
	as   string // a tab of the fixture: "anon", "owner", "viewer", "second-factor" or "empty"
	path string // {NAME}s are filled in from the fixture (a11yFixture.vars)
	// fill, when set, types each value in the field the selector names
	// ("{totp}": the code of the secret the page shows); then click
	// submits the form.
	fill  [][2]string
	click string
	// narrow, when set, is a script run at 390 px that returns "" or
	// what is wrong: the page's own checks.
	narrow string
}

// a11yPages is every page of Foyer that TestPagesAccessible checks, in
// order (some change what the next ones show); a new page is one line.
var a11yPages = []a11yPage{
	{name: "home", as: "anon", path: "/"},
	{name: "about-data", as: "anon", path: "/about/data"},
	{name: "login", as: "anon", path: "/login"},
	{name: "login-error", as: "anon", path: "/login", click: `button[type=submit]`,
		fill: [][2]string{{`input[name=email]`, "{owner}"}, {`input[name=password]`, "not the password"}}},
	{name: "forgot", as: "anon", path: "/login/forgot"},
	{name: "reset", as: "anon", path: "{reset}"},
	{name: "reset-expired", as: "anon", path: "/reset/no-such-token"},
	{name: "invite", as: "anon", path: "{invite}"},
	{name: "invite-other-account", as: "viewer", path: "{invite}"},
	{name: "home-empty", as: "empty", path: "/"},
	{name: "login-empty", as: "empty", path: "/login"},
	{name: "setup", as: "empty", path: "{setup}"},
	{name: "second-factor", as: "second-factor", path: "/login/2fa"},
	{name: "workspaces", as: "owner", path: "/app"},
	{name: "feed", as: "owner", path: "/app/w/{ws}", narrow: feedOnPhone},
	{name: "feed-filtered", as: "owner", path: "/app/w/{ws}?days=30&country=DE&sort=score", narrow: feedOnPhone},
	{name: "feed-empty", as: "owner", path: "/app/w/{ws}?days=30&q=no+such+company"},
	{name: "feed-alert", as: "owner", path: "/app/w/{ws}?country=DE&days=7"},
	{name: "feed-alert-saved", as: "viewer", path: "/app/w/{ws}?country=DE&days=7", click: `form.alert-form button`},
	{name: "account-alerts", as: "viewer", path: "/account#alerts"},
	{name: "company", as: "owner", path: "{company}"},
	{name: "sites", as: "owner", path: "/app/w/{ws}/sites"},
	{name: "site-overview", as: "owner", path: "/app/w/{ws}/sites/{site}"},
	{name: "site-settings", as: "owner", path: "/app/w/{ws}/sites/{site}/settings"},
	{name: "site-settings-saved", as: "owner", path: "/app/w/{ws}/sites/{site}/settings", click: `form.settings button[type=submit]`},
	{name: "members", as: "owner", path: "/app/w/{ws}/members"},
	{name: "members-new-invitation", as: "owner", path: "/app/w/{ws}/members", click: `form[action$="/invites"] button`,
		fill: [][2]string{{`form[action$="/invites"] input[name=email]`, "someone.else@example.com"}}},
	{name: "members-new-token", as: "owner", path: "/app/w/{ws}/members", click: `form[action$="/tokens"] button`,
		fill: [][2]string{{`form[action$="/tokens"] input[name=name]`, "weekly report"}}},
	{name: "contacts", as: "owner", path: "/app/w/{ws}/contacts"},
	{name: "contacts-search", as: "viewer", path: "/app/w/{ws}/contacts?q=no+such+person&consent=refused"},
	{name: "contact", as: "owner", path: "/app/w/{ws}/contacts/{contact}"},
	{name: "contact-viewer", as: "viewer", path: "/app/w/{ws}/contacts/{contact}"},
	{name: "contact-requests", as: "owner", path: "/app/w/{ws}/contacts/{contact}#requests"},
	{name: "requests", as: "owner", path: "/app/w/{ws}/requests"},
	{name: "contact-visits", as: "owner", path: "/app/w/{ws}/contacts/{known}#visits"},
	{name: "activity", as: "owner", path: "/app/w/{ws}/activity"},
	{name: "campaigns", as: "owner", path: "/app/w/{ws}/campaigns"},
	{name: "campaign", as: "viewer", path: "/app/w/{ws}/campaigns/{campaign}"},
	{name: "activity-identified", as: "viewer", path: "/app/w/{ws}/activity?identified=1"},
	{name: "contact-visit-unlinked", as: "owner", path: "/app/w/{ws}/contacts/{known}", click: `form.unlink button`},
	{name: "contact-new", as: "owner", path: "/app/w/{ws}/contacts/new"},
	{name: "contact-new-error", as: "owner", path: "/app/w/{ws}/contacts/new", click: `form.contact-form button[type=submit]`,
		fill: [][2]string{{`input[name=email]`, "ana.maria.lopez-garcia@praezisionswerkzeug-maschinen.example"}}},
	{name: "segment-new", as: "owner", path: "/app/w/{ws}/segments/new"},
	{name: "segment-saved", as: "owner", path: "/app/w/{ws}/segments/new", click: `form.segment-form button.save`,
		fill: [][2]string{{`input[name=name]`, "Buyers at Bayerische Präzisionswerkzeugmaschinen"}, {`li.condition-row input[name=value]`, "praezisionswerkzeug-maschinen.example"}}},
	{name: "segments", as: "viewer", path: "/app/w/{ws}/segments"},
	{name: "scoring", as: "owner", path: "/app/w/{ws}/scoring"},
	{name: "scoring-rule-added", as: "owner", path: "/app/w/{ws}/scoring", click: `form.rule-form button[type=submit]`,
		fill: [][2]string{{`form.rule-form input[name=name]`, "Pricing visits"}}},
	{name: "workspace-settings", as: "owner", path: "/app/w/{ws}/settings"},
	{name: "privacy-texts", as: "owner", path: "/app/w/{ws}/privacy-texts"},
	{name: "privacy-texts-fr", as: "owner", path: "/app/w/{ws}/privacy-texts?lang=fr"},
	{name: "hidden", as: "owner", path: "/app/w/{ws}/hidden"},
	{name: "hidden-domain-error", as: "owner", path: "/app/w/{ws}/hidden", click: `form[action$="/hidden/domain"] button`,
		fill: [][2]string{{`input[name=domain]`, "not a domain"}}},
	{name: "contacts-import", as: "owner", path: "/app/w/{ws}/contacts/import"},
	{name: "contacts-import-record", as: "owner", path: "/app/w/{ws}/contacts/import/records/{import}"},
	{name: "account", as: "owner", path: "/account"},
	{name: "account-error", as: "owner", path: "/account", click: `form[action="/account/password"] button`,
		fill: [][2]string{{`input[name=current]`, "not the password"}, {`input[name=password]`, "a brand new password"}, {`input[name=confirm]`, "a brand new password"}}},
	{name: "not-found", as: "owner", path: "/app/w/{ws}/c/999999"},
	{name: "forbidden", as: "viewer", path: "/app/w/{ws}/members"},
	{name: "enrol-2fa", as: "owner", path: "/account/2fa"},
	{name: "enrol-2fa-codes", as: "owner", path: "/account/2fa", click: `form[action="/account/2fa"] button`,
		fill: [][2]string{{`input[name=code]`, "{totp}"}}},
	{name: "enrol-2fa-on", as: "owner", path: "/account/2fa"},
	{name: "automations", as: "owner", path: "/app/w/{ws}/automations"},
	{name: "automation-new", as: "owner", path: "/app/w/{ws}/automations/new"},
	{name: "automation-new-error", as: "owner", path: "/app/w/{ws}/automations/new", click: `form.rule-editor button[type=submit]`,
		fill: [][2]string{{`input[name=name]`, "Tell the sales team when a buyer reads the pricing page"}}},
	{name: "automation", as: "owner", path: "/app/w/{ws}/automations/{rule}"},
	{name: "automation-viewer", as: "viewer", path: "/app/w/{ws}/automations/{rule}"},
	// The audit log, after the pages above recorded what they did.
	{name: "audit", as: "owner", path: "/app/w/{ws}/audit"},
	{name: "audit-filtered", as: "owner", path: "/app/w/{ws}/audit?action=contact_viewed&actor=owner"},
	// The hosted contact forms, reached by a contact's signed links.
	{name: "form-profile", as: "anon", path: "{form-profile}"},
	{name: "form-profile-saved", as: "anon", path: "{form-profile}", click: `form button[type=submit]`,
		fill: [][2]string{{`input[name=role]`, "Head of procurement"}}},
	{name: "form-optout", as: "anon", path: "{form-optout}"},
	{name: "form-optout-done", as: "anon", path: "{form-optout}", click: `form button[type=submit]`},
	{name: "form-unsubscribe", as: "anon", path: "{form-unsubscribe}"},
	{name: "form-unsubscribe-done", as: "anon", path: "{form-unsubscribe}", click: `form button[type=submit]`},
	{name: "form-link-expired", as: "anon", path: "{form-expired}"},
	{name: "form-link-forged", as: "anon", path: "{form-forged}"},
}

// a11yFixture is a Foyer with a workspace that has data of every kind, an
// empty Foyer (no user yet), and a tab for each kind of visitor.
type a11yFixture struct {
	tabs map[string]context.Context
	urls map[string]string // tab name → base URL
	vars *strings.Replacer
}

// TestPagesAccessible opens every page of a11yPages and checks, on each:
// at 390 px, that nothing scrolls sideways (naming the widest element that
// overflows) and that Enter on a closed panel's summary opens it; at a
// desktop's width, that the skip link is the first thing the Tab key
// reaches, that Enter on it focuses main#main, that Tab reaches every
// visible control, and that fields have borders of 3:1 and placeholders
// that do not look like values; and at both widths, that axe-core finds
// no serious or critical violation. Screenshots, with $FOYER_ARTIFACTS
// set: a11y-NAME and a11y-NAME-390 for each page.
func TestPagesAccessible(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	fx := newA11yFixture(t)
	for _, p := range a11yPages {
		t.Run(p.name, func(t *testing.T) {
			ctx := fx.tabs[p.as]
			fx.open(t, ctx, p)
			checkPage(t, ctx, axe, p.name, p.narrow)
		})
	}
}

// open opens the page in the tab, and submits its form when p says so.
func (fx *a11yFixture) open(t *testing.T, ctx context.Context, p a11yPage) {
	t.Helper()
	url := fx.urls[p.as] + fx.vars.Replace(p.path)
	do(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body`)))
	for _, f := range p.fill {
		v := fx.vars.Replace(f[1])
		if v == "{totp}" {
			code, err := totp.GenerateCode(eval[string](t, ctx, `document.querySelector('code.secret').textContent`), time.Now())
			if err != nil {
				t.Fatalf("the code of the page's secret: %v", err)
			}
			v = code
		}
		do(t, ctx, "type in "+f[0], chromedp.SendKeys(chromedp.CSS(f[0]), v))
	}
	if p.click != "" {
		clickAndLoad(t, ctx, p.click)
		do(t, ctx, "wait for the page", chromedp.WaitReady(chromedp.CSS(`body`)))
	}
}

// feedOnPhone checks that each company of the feed shows its score and
// its last visit inside the window, with no sideways scroll, and that the
// filters are folded away behind their summary.
const feedOnPhone = `(() => {
  const out = [];
  const w = document.documentElement.clientWidth;
  const inside = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= w; };
  for (const row of document.querySelectorAll('table.companies tbody tr')) {
    const name = row.querySelector('strong').textContent;
    if (!inside(row.querySelector('.score'))) out.push(name + ': its score is not in the window');
    if (!inside(row.querySelector('time'))) out.push(name + ': its last visit is not in the window');
  }
  for (const td of document.querySelectorAll('table.companies td.engaged')) {
    const r = document.createRange();
    r.selectNodeContents(td);
    if (r.getClientRects().length > 1) out.push('the engaged time "' + td.textContent + '" wraps');
  }
  if (document.querySelector('form.filters input[name=q]').checkVisibility()) out.push('the filters are not folded away');
  const summary = document.querySelector('details.filters > summary');
  if (!summary || !inside(summary)) out.push('no summary of the filters to open them by');
  return out.join('; ');
})()`

// checkPage runs the checks of TestPagesAccessible on the page the tab shows.
func checkPage(t *testing.T, ctx context.Context, axe, name, narrow string) {
	t.Helper()
	width, height := eval[int64](t, ctx, `window.innerWidth`), eval[int64](t, ctx, `window.innerHeight`)
	do(t, ctx, "desktop width", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
	checkKeyboard(t, ctx)
	for _, f := range eval[[]string](t, ctx, fieldsScript) {
		t.Errorf("fields: %s", f)
	}
	checkAxe(t, ctx, axe, "at 1280 px")
	do(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	if o := eval[string](t, ctx, overflowScript); o != "" {
		t.Errorf("at 390 px the page scrolls sideways: %s", o)
	}
	if narrow != "" {
		if o := eval[string](t, ctx, narrow); o != "" {
			t.Errorf("at 390 px: %s", o)
		}
	}
	checkDisclosures(t, ctx)
	checkAxe(t, ctx, axe, "at 390 px")
	do(t, ctx, "back to the desktop", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
	if os.Getenv("FOYER_ARTIFACTS") != "" {
		eval[bool](t, ctx, `(document.activeElement && document.activeElement.blur(), true)`) // no skip link in the pictures
		screenshot(t, ctx, "a11y-"+name)
	}
	do(t, ctx, "window's size", chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1)))
}

// overflowScript returns "" when nothing on the page scrolls sideways, or
// says what does: the document, naming the element that reaches furthest
// right outside every scrolling box, or a box of its own that scrolls
// sideways (a wide table in a scrolling wrapper hides columns just the same).
const overflowScript = `(() => {
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + [...e.classList].map((c) => '.' + c).join(''));
    }
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return parts.join(' > ') + (text ? ' "' + text + '"' : '');
  };
  const clips = (el) => getComputedStyle(el).overflowX !== 'visible';
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth) {
    let worst = null, right = de.clientWidth + 0.5;
    for (const el of document.body.querySelectorAll('*')) {
      let inside = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) inside = inside || clips(a);
      const r = el.getBoundingClientRect().right;
      if (!inside && r > right) { worst = el; right = r; }
    }
    out.push('the document is ' + de.scrollWidth + ' px wide in a ' + de.clientWidth + ' px window' +
      (worst ? '; widest: ' + describe(worst) + ', reaching ' + Math.round(right) + ' px' : ''));
  }
  for (const el of document.body.querySelectorAll('*')) {
    const o = getComputedStyle(el).overflowX;
    if ((o === 'auto' || o === 'scroll') && el.tagName !== 'TEXTAREA' && el.scrollWidth > el.clientWidth + 1) {
      out.push(describe(el) + ' scrolls sideways: ' + el.scrollWidth + ' px of content in ' + el.clientWidth + ' px');
    }
  }
  return out.join('; ');
})()`

// fieldsScript lists the visible text fields and menus whose border has
// less than 3:1 contrast against what is behind them, and those whose
// placeholder looks like a value: not italic, or in the colour of one.
const fieldsScript = `(() => {
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const fields = [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')]
    .filter((el) => el.checkVisibility());
  for (const el of fields) {
    const st = getComputedStyle(el);
    const what = el.outerHTML.slice(0, 80);
    const ratio = contrast(rgb(st.borderTopColor), behind(el));
    if (st.borderTopStyle === 'none' || ratio < 3) out.push(what + ': its border has ' + ratio.toFixed(2) + ':1 against what is behind it, want 3:1');
    if (el.placeholder) {
      const ph = getComputedStyle(el, '::placeholder');
      if (ph.fontStyle !== 'italic' || ph.color === st.color) out.push(what + ': its placeholder looks like a value (' + ph.fontStyle + ', ' + ph.color + ')');
    }
  }
  return out;
})()`

// checkKeyboard checks that every visible control can take the focus and
// that pressing Tab from the top of the page reaches the skip link first
// and then every one of them.
func checkKeyboard(t *testing.T, ctx context.Context) {
	t.Helper()
	// Marks each visible control with its number, and lists those the
	// keyboard cannot reach whatever the order.
	controls := eval[[]string](t, ctx, `(() => {
	  const out = [];
	  const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
	    .filter((el) => el.checkVisibility({visibilityProperty: true}));
	  all.forEach((el, i) => {
	    el.dataset.a11yControl = i;
	    const what = el.outerHTML.slice(0, 100);
	    if (el.tabIndex < 0) out.push('not focusable (tabIndex ' + el.tabIndex + '): ' + what);
	    else if (el.disabled) out.push('disabled: ' + what);
	  });
	  window.__a11yControls = all;
	  return out;
	})()`)
	for _, c := range controls {
		t.Errorf("keyboard: %s", c)
	}
	n := eval[int](t, ctx, `window.__a11yControls.length`)
	// From the top: the document itself has the focus, not even an
	// autofocus field, and the next Tab goes to its first control.
	eval[bool](t, ctx, `(() => {
	  const b = document.body;
	  b.tabIndex = -1;
	  b.focus();
	  b.removeAttribute('tabindex');
	  window.scrollTo(0, 0);
	  return true;
	})()`)
	reached := map[string]bool{}
	first := ""
	// A date field takes a Tab for each of its parts.
	for i := 0; i < 3*n+10; i++ {
		do(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
		// A radio group is one stop: its key is its name.
		key := eval[string](t, ctx, `(() => {
		  const el = document.activeElement;
		  if (!el || el === document.body) return '';
		  if (el.type === 'radio') return 'radio ' + el.name;
		  return el.dataset.a11yControl === undefined ? 'other ' + el.outerHTML.slice(0, 80) : el.dataset.a11yControl;
		})()`)
		if i == 0 {
			if skip := eval[string](t, ctx, `document.activeElement.matches('a.skip[href="#main"]') ? '' : document.activeElement.outerHTML.slice(0, 100)`); skip != "" {
				t.Errorf("keyboard: the first Tab reaches %s, want the skip link a.skip[href=\"#main\"]", skip)
			}
		}
		if key == "" || key == first { // past the last control, or round again
			break
		}
		if i == 0 {
			first = key
		}
		reached[key] = true
	}
	missed := eval[[]string](t, ctx, fmt.Sprintf(`(() => {
	  const reached = %s;
	  return window.__a11yControls.filter((el, i) => !reached.includes(el.type === 'radio' ? 'radio ' + el.name : String(i)))
	    .map((el) => el.outerHTML.slice(0, 100));
	})()`, jsStrings(names(reached))))
	for _, m := range missed {
		t.Errorf("keyboard: Tab from the top never reaches %s", m)
	}
	// Enter on the skip link puts the focus on the main content.
	if eval[bool](t, ctx, `(() => { const a = document.querySelector('a.skip'); if (a) a.focus(); return !!a; })()`) {
		do(t, ctx, "press Enter on the skip link", chromedp.KeyEvent(kb.Enter))
		if got := eval[string](t, ctx, `document.activeElement.tagName.toLowerCase() + '#' + document.activeElement.id`); got != "main#main" {
			t.Errorf("keyboard: after Enter on the skip link the focus is on %s, want main#main", got)
		}
	}
}

// checkDisclosures checks that the keyboard opens every closed details
// element on the page and shows what it holds: focus on its summary, Enter.
func checkDisclosures(t *testing.T, ctx context.Context) {
	t.Helper()
	n := eval[int](t, ctx, `[...document.querySelectorAll('details:not([open]) > summary')].filter((s) => s.checkVisibility()).length`)
	for i := range n {
		eval[bool](t, ctx, fmt.Sprintf(`(() => {
		  const s = [...document.querySelectorAll('details > summary')].filter((s) => s.checkVisibility() && !s.parentElement.open)[0];
		  s.dataset.a11yDisclosure = %d;
		  s.focus();
		  return true;
		})()`, i))
		do(t, ctx, "press Enter on the summary", chromedp.KeyEvent(kb.Enter))
		if got := eval[string](t, ctx, fmt.Sprintf(`(() => {
		  const s = document.querySelector('[data-a11y-disclosure="%d"]');
		  const d = s.parentElement;
		  const shown = d.open && [...d.children].filter((c) => c !== s).every((c) => c.checkVisibility({visibilityProperty: true}));
		  d.open = false;
		  return shown ? '' : s.textContent.trim();
		})()`, i)); got != "" {
			t.Errorf("keyboard: Enter on the summary %q does not show what it holds", got)
		}
	}
}

// jsStrings writes a JavaScript array of the strings.
func jsStrings(ss []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, s := range ss {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	b.WriteString("]")
	return b.String()
}

// axeViolation is what checkAxe reports of one rule that failed.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAxe runs axe-core in the page and fails on every violation of
// impact serious or critical.
func checkAxe(t *testing.T, ctx context.Context, axe, when string) {
	t.Helper()
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("load axe-core: %v", err)
		}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then((r) =>
	  r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
	    ID: v.id, Impact: v.impact, Help: v.help,
	    Nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
	  })))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range vs {
		t.Errorf("axe %s: %s (%s): %s, on %d element(s):\n  %s", when, v.ID, v.Impact, v.Help, len(v.Nodes), strings.Join(v.Nodes, "\n  "))
	}
}

// axeSource reads axe-core's axe.min.js from $FOYER_AXE, or from where
// scripts/fetch-axe puts it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("FOYER_AXE")
	if path == "" {
		path = filepath.Join("..", "..", "..", "foyer-data", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the accessibility checks need axe-core (%v): run scripts/test-setup, or set FOYER_AXE to an axe.min.js", err)
	}
	return string(b)
}

// newA11yFixture starts a Foyer whose workspace has visits of several
// companies, a saved feed, members, an invitation, an API token and a
// password reset link, and a Foyer with no user yet; and signs in a tab as
// the workspace's owner, one as a viewer and one as far as the second factor.
func newA11yFixture(t *testing.T) *a11yFixture {
	t.Helper()
	ctx := context.Background()
	f := startFoyer(t)
	empty := startFoyer(t)
	ws, site := testutil.NewSite(t, f.app.Store, "Acme Industrial Components", "a11y", "www.acme-industrial.example")
	owner := f.member(t, "olga.owner-of-acme-industrial@components.example", ws.ID, foyer.RoleOwner)
	f.member(t, "ana.analyst@example.com", ws.ID, foyer.RoleAnalyst)
	f.member(t, "vera.viewer@example.com", ws.ID, foyer.RoleViewer)
	tess := f.member(t, "tess@example.com", ws.ID, foyer.RoleViewer)
	if err := f.app.Store.SetTOTP(ctx, tess.ID, "JBSWY3DPEHPK3PXP", 0, nil); err != nil {
		t.Fatal(err)
	}

	// Persona Insights on, and a contact at the first company, whom its
	// first visit identifies after its first page.
	if err := f.app.Store.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "user "+owner.Email); err != nil {
		t.Fatal(err)
	}
	known := &foyer.Contact{WorkspaceID: ws.ID, Email: "jonas.becker@praezisionswerkzeug-maschinen.example",
		FirstName: "Jonas", LastName: "Becker-Oberhauser", Role: "Leiter Einkauf und Lieferantenmanagement"}
	if err := f.app.Store.CreateContact(ctx, known, "user "+owner.Email); err != nil {
		t.Fatal(err)
	}

	now := time.Now().UTC()
	orgs := []foyer.Org{
		{Name: "Bayerische Präzisionswerkzeugmaschinen Aktiengesellschaft", Domain: "praezisionswerkzeug-maschinen.example", Type: foyer.OrgBusiness, Industry: "Industrial machinery manufacturing", Size: "1000-4999"},
		{Name: "Globex", Domain: "globex.example", Type: foyer.OrgBusiness, Industry: "Software", Size: "50-199"},
		{Name: "University of Examples", Domain: "uni.example", Type: foyer.OrgEducation},
	}
	var hits []foyer.Hit
	for i, org := range slices.Backward(orgs) { // the oldest visit first, as they would arrive
		at := now.Add(-time.Duration(i*26+1) * time.Hour)
		visitor := fmt.Sprintf("a11y-visitor-%016d", i)
		origin := foyer.Origin{Country: []string{"DE", "US", "GB"}[i], Org: org}
		for n, p := range []string{"/", "/pricing", "/products/precision-spindles-for-five-axis-milling"}[:3-i] {
			h := foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(time.Duration(n) * time.Minute), Kind: foyer.KindPageview,
				Host: "www.acme-industrial.example", Path: p, Title: "Acme — " + p, Origin: origin}
			if n == 0 {
				h.Referrer = "https://www.search.example/"
				h.UTM = foyer.UTM{Source: "newsletter", Medium: "email", Campaign: "spring-launch"}
			}
			hits = append(hits, h, foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: h.Time.Add(50 * time.Second), Kind: foyer.KindEngagement,
				Host: h.Host, Path: p, EngagedMS: int64(12*time.Minute+5*time.Second) / int64(time.Millisecond) / int64(n+1), Origin: origin})
			if i == 0 && n == 0 {
				hits = append(hits, foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: h.Time.Add(55 * time.Second), Kind: foyer.KindIdentify,
					Host: h.Host, ContactID: known.ID, Via: foyer.ViaEmailLink, Origin: origin})
			}
		}
	}
	// And the latest visit, from a carrier's network: no company's.
	hits = append(hits, foyer.Hit{SiteID: site.ID, VisitorUID: "a11y-visitor-carrier0000000", Time: now.Add(-30 * time.Minute),
		Kind: foyer.KindPageview, Host: "www.acme-industrial.example", Path: "/careers", Title: "Acme — careers",
		Origin: foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Example Telecom", Type: foyer.OrgISP}}})
	if err := f.app.Store.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	// What open data says of Globex: its common name, website, size and
	// LinkedIn page show on the feed and its page.
	if err := f.app.Store.SaveOrgProfile(ctx, "domain:globex.example", &foyer.OrgProfile{QID: "Q4711", Name: "Globex Corporation",
		Website: "https://www.globex.example/", Industry: "enterprise software", Employees: 1250, LinkedIn: "globex-corporation"}); err != nil {
		t.Fatal(err)
	}
	// And of the company whose page the test opens: a long common name.
	if err := f.app.Store.SaveOrgProfile(ctx, "domain:praezisionswerkzeug-maschinen.example", &foyer.OrgProfile{QID: "Q4712",
		Name: "Bayerische Präzisionswerkzeugmaschinen", Website: "https://www.praezisionswerkzeug-maschinen.example/",
		Employees: 2400, LinkedIn: "bayerische-praezisionswerkzeugmaschinen"}); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Store.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: ws.ID, Name: "Hot leads in Germany", Query: "country=DE&sort=score", CreatedBy: owner.ID}); err != nil {
		t.Fatal(err)
	}
	// A saved feed with the owner's daily alert on it, for the alert form
	// and the account page's list.
	weekly := &foyer.SavedFeed{WorkspaceID: ws.ID, Name: "German visitors this week", Query: "country=DE&days=7", CreatedBy: owner.ID}
	if err := f.app.Store.SaveFeed(ctx, weekly); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Store.SetFeedAlert(ctx, &foyer.FeedAlert{WorkspaceID: ws.ID, UserID: owner.ID, SavedFeedID: weekly.ID, Frequency: foyer.AlertDaily}); err != nil {
		t.Fatal(err)
	}
	contact := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana.maria.lopez-garcia@praezisionswerkzeug-maschinen.example",
		FirstName: "Ana María", LastName: "López García", Role: "Head of procurement, precision components", Phone: "+49 89 1234 5678",
		Company: "Bayerische Präzisionswerkzeugmaschinen AG", CRMID: "0035g00000XyZ12AAB", Attrs: map[string]string{"plan": "enterprise", "region": "DACH"},
		Consent: foyer.ConsentState{Status: foyer.ConsentAccepted}}
	if err := f.app.Store.CreateContact(ctx, contact, "user "+owner.Email); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.app.Store.RecordConsent(ctx, ws.ID, contact.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
		At: now.Add(-48 * time.Hour), Source: foyer.SourceImport, Actor: "import of crm-export.csv"}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"bob@globex.example", "chen.wei@uni.example"} {
		if err := f.app.Store.CreateContact(ctx, &foyer.Contact{WorkspaceID: ws.ID, Email: email}, "user "+owner.Email); err != nil {
			t.Fatal(err)
		}
	}
	// Data-subject requests about the contact: one due soon, one later,
	// one closed.
	for i, r := range []foyer.SubjectRequest{
		{Kind: foyer.RequestAccess, Reference: "ticket 2026-4711", ReceivedAt: now.AddDate(0, 0, -26)},
		{Kind: foyer.RequestObjection, ReceivedAt: now.AddDate(0, 0, -2)},
		{Kind: foyer.RequestRectification, Reference: "phone call", ReceivedAt: now.AddDate(0, 0, -10)},
	} {
		r.WorkspaceID, r.ContactID, r.OpenedBy = ws.ID, contact.ID, "user "+owner.Email
		if err := f.app.Store.OpenRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if _, err := f.app.Store.CloseRequest(ctx, ws.ID, r.ID, foyer.RequestDone, "The profile was corrected.", "user "+owner.Email); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A past contact import, with a rejected row.
	imp := &store.ContactImport{WorkspaceID: ws.ID, UserID: owner.ID, FileName: "crm-export-2026-spring-campaign.csv", Format: "csv", BytesTotal: 2048}
	if err := f.app.Store.StartContactImport(ctx, imp); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.ImportContacts(ctx, ws.ID, []store.ImportRow{
		{Line: 2, Contact: foyer.Contact{Email: "paula.pruefer@praezisionswerkzeug-maschinen.example", FirstName: "Paula"}},
		{Line: 3, Rejected: "unparseable consent date \"31/02/2026\" (use RFC 3339 or YYYY-MM-DD)"},
	}, store.ImportBatch{Actor: "import", ImportID: imp.ID, BytesRead: 2048}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.FinishContactImport(ctx, ws.ID, imp.ID, store.ImportDone, ""); err != nil {
		t.Fatal(err)
	}
	refuser := &foyer.Contact{WorkspaceID: ws.ID, Email: "noor.haddad@globex.example", FirstName: "Noor", LastName: "Haddad",
		Consent: foyer.ConsentState{Status: foyer.ConsentRefused, At: now.Add(-72 * time.Hour)}}
	if err := f.app.Store.CreateContact(ctx, refuser, "user "+owner.Email); err != nil {
		t.Fatal(err)
	}
	campaign := a11yCampaign(t, f, ws.ID, known.ID, contact.ID, refuser.ID)
	setup, err := foyerweb.NewSetupLink(ctx, empty.app.Store)
	if err != nil {
		t.Fatal(err)
	}

	// About 2 s a page on an idle machine, many times that on a busy one.
	browser := newBrowserFor(t, time.Duration(len(a11yPages))*20*time.Second)
	fx := &a11yFixture{tabs: map[string]context.Context{}, urls: map[string]string{}}
	for _, name := range []string{"anon", "owner", "viewer", "second-factor", "empty"} {
		fx.tabs[name] = newTab(t, browser)
		fx.urls[name] = f.URL
	}
	fx.urls["empty"] = empty.URL
	signIn := func(tab context.Context, email string) {
		do(t, tab, "sign in as "+email, chromedp.Navigate(f.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
		clickAndLoad(t, tab, `button[type=submit]`)
	}
	signIn(fx.tabs["owner"], owner.Email)
	signIn(fx.tabs["viewer"], "vera.viewer@example.com")
	signIn(fx.tabs["second-factor"], tess.Email)

	// An invitation, a password reset link and an API token, made as the
	// owner makes them.
	o := fx.tabs["owner"]
	members := fmt.Sprintf("%s/app/w/%d/members", f.URL, ws.ID)
	do(t, o, "invite", chromedp.Navigate(members),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/invites"] input[name=email]`), "new.colleague@example.com"))
	clickAndLoad(t, o, `form[action$="/invites"] button`)
	invite := eval[string](t, o, `new URL(document.querySelector('textarea').value.trim()).pathname`)
	clickAndLoad(t, o, `form[action$="/reset"] button`)
	reset := eval[string](t, o, `new URL(document.querySelector('textarea').value.trim()).pathname`)
	do(t, o, "name a token", chromedp.SendKeys(chromedp.CSS(`form[action$="/tokens"] input[name=name]`), "nightly CRM sync"))
	clickAndLoad(t, o, `form[action$="/tokens"] button`)
	do(t, o, "open the feed", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d", f.URL, ws.ID)),
		chromedp.WaitReady(chromedp.CSS(`table.companies tbody a`)))
	company := eval[string](t, o, `document.querySelector('table.companies tbody a').pathname`)

	// A contact, and the links of its hosted forms.
	claire := &foyer.Contact{WorkspaceID: ws.ID, Email: "claire.contact@globex.example", FirstName: "Claire", LastName: "Contact", Company: "Globex"}
	if err := f.app.Store.CreateContact(ctx, claire, "test"); err != nil {
		t.Fatal(err)
	}
	signer := formlink.NewSigner(f.app.Keys.Derive(formlink.Purpose))
	formLink := func(kind formlink.Kind, expires time.Time) string {
		return fmt.Sprintf("/forms/%d/%s/%s", ws.ID, kind, signer.Sign(formlink.Link{Workspace: ws.ID, Contact: claire.ID, Kind: kind, Expires: expires}))
	}
	later := time.Now().Add(time.Hour)
	forged := formLink(formlink.OptOut, later)
	forged = forged[:len(forged)-4] + "AAAA"

	// An automation rule on a segment Claire enters: the worker runs it
	// (its webhook, to this machine, is refused: the log says so).
	var seg int64
	if err := f.app.Store.DB().QueryRowContext(ctx, `INSERT INTO segments (workspace_id, name, definition, created_by, created_at, updated_at)
		VALUES (?, 'Read the pricing page', '{"match":"all","conditions":[{"kind":"visited","path":"/pricing","days":30}]}', 'test', 0, 0) RETURNING id`, ws.ID).Scan(&seg); err != nil {
		t.Fatal(err)
	}
	rule := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "Pricing readers to the CRM", Trigger: foyer.TriggerSegmentEntered, SegmentID: seg,
		Actions: []foyer.AutomationAction{{Kind: foyer.ActionWebhook, URL: "http://127.0.0.1:9/foyer-hook"}, {Kind: foyer.ActionEmail}},
		Enabled: true, OnlyTracked: true}
	if _, err := f.app.Store.CreateAutomationRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.DB().ExecContext(ctx, `INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, behavioural, at)
		VALUES (?, 'segment-entered', ?, ?, 1, ?)`, ws.ID, seg, claire.ID, time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}

	fx.vars = strings.NewReplacer("{ws}", fmt.Sprint(ws.ID), "{site}", fmt.Sprint(site.ID),
		"{company}", company, "{contact}", fmt.Sprint(contact.ID), "{known}", fmt.Sprint(known.ID), "{invite}", invite, "{reset}", reset, "{setup}", setup, "{owner}", owner.Email,
		"{form-profile}", formLink(formlink.Profile, later), "{form-optout}", formLink(formlink.OptOut, later),
		"{form-unsubscribe}", formLink(formlink.Unsubscribe, later), "{form-expired}", formLink(formlink.Unsubscribe, time.Now().Add(-time.Hour)),
		"{form-forged}", forged, "{import}", fmt.Sprint(imp.ID), "{campaign}", fmt.Sprint(campaign), "{rule}", fmt.Sprint(rule.ID))
	return fx
}
