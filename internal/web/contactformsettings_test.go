package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
)

// TestContactFormsSetting: the workspace settings page shows the setting, and its
// owner turns it off and on.
func TestContactFormsSetting(t *testing.T) {
	f := newFormTest(t)
	own := f.signIn("own@example.com")
	members := fmt.Sprintf("/app/w/%d/settings", f.acme)
	if page := body(f.do("GET", members, nil, own)); !strings.Contains(page, `name="unsubscribe_offers_optout" checked`) {
		t.Errorf("the setting is not shown on, as it is by default:\n%s", page)
	}
	for _, on := range []bool{false, true} {
		form := url.Values{}
		if on {
			form.Set("unsubscribe_offers_optout", "on")
		}
		resp := f.do("POST", fmt.Sprintf("/app/w/%d/contact-forms", f.acme), form, own, "Sec-Fetch-Site", "same-origin")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST: %d", resp.StatusCode)
		}
		got, err := f.st.ContactForms(context.Background(), f.acme)
		if err != nil || got.UnsubscribeOffersOptOut != on {
			t.Errorf("after saving %v: %+v, %v", on, got, err)
		}
		page := body(f.do("GET", members, nil, own))
		if strings.Contains(page, `name="unsubscribe_offers_optout" checked`) != on {
			t.Errorf("the page does not show it %v", on)
		}
	}
}

// uploadLogo posts a file as the logo, signed in with cookie.
func (f *formTest) uploadLogo(cookie string, data []byte, remove bool) *http.Response {
	f.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if remove {
		mw.WriteField("remove", "on")
	}
	fw, err := mw.CreateFormFile("logo", "logo.png")
	if err != nil {
		f.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest("POST", fmt.Sprintf("/app/w/%d/logo", f.acme), &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	return rec.Result()
}

// TestLogoUpload: an owner uploads a PNG, which the forms show and
// /forms/logo serves; a file that is no PNG or JPEG, or too big, is
// refused; another role may not; the owner removes it.
func TestLogoUpload(t *testing.T) {
	f := newFormTest(t)
	own := f.signIn("own@example.com")
	f.user("vera@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	admin := f.signIn("vera@example.com")
	logoPath := fmt.Sprintf("/forms/logo/%d", f.acme)
	profile := f.link(f.ana, formlink.Profile, time.Hour)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	if resp := f.do("GET", logoPath, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no logo yet: %d", resp.StatusCode)
	}
	if page := body(f.do("GET", profile, nil, "")); strings.Contains(page, "/forms/logo/") {
		t.Errorf("a form shows a logo the workspace lacks")
	}
	for _, c := range []struct {
		name   string
		cookie string
		data   []byte
		want   int
	}{
		{"an admin", admin, png, http.StatusForbidden},
		{"an SVG", own, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), http.StatusBadRequest},
		{"HTML", own, []byte(`<html><script>alert(1)</script></html>`), http.StatusBadRequest},
		{"too big", own, append(bytes.Clone(png), make([]byte, foyer.MaxLogoSize)...), http.StatusBadRequest},
		{"an empty file", own, nil, http.StatusBadRequest},
	} {
		if resp := f.uploadLogo(c.cookie, c.data, false); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if resp := f.do("GET", logoPath, nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: stored a logo", c.name)
		}
	}
	if resp := f.uploadLogo(own, png, false); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	resp := f.do("GET", logoPath, nil, "")
	if got := body(resp); resp.StatusCode != http.StatusOK || got != string(png) || resp.Header.Get("Content-Type") != "image/png" ||
		resp.Header.Get("Content-Security-Policy") != "default-src 'none'" {
		t.Errorf("the logo: %d %q %v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header)
	}
	if page := body(f.do("GET", profile, nil, "")); !strings.Contains(page, `src="`+logoPath+`"`) {
		t.Errorf("the form shows no logo:\n%s", page)
	}
	if resp := f.do("GET", fmt.Sprintf("/forms/logo/%d", f.initech), nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("Initech's logo: %d", resp.StatusCode)
	}
	if resp := f.uploadLogo(own, nil, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if resp := f.do("GET", logoPath, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after its removal: %d", resp.StatusCode)
	}
}

// TestProfileShowsUnsubscribed: the contact's page in the app says when
// the contact unsubscribed through its form.
func TestProfileShowsUnsubscribed(t *testing.T) {
	f := newFormTest(t)
	own := f.signIn("own@example.com")
	page := fmt.Sprintf("/app/w/%d/contacts/%d", f.acme, f.ana.ID)
	if b := body(f.do("GET", page, nil, own)); strings.Contains(b, "Unsubscribed") {
		t.Errorf("a contact who did not unsubscribe shows as unsubscribed")
	}
	f.do("POST", f.link(f.ana, formlink.Unsubscribe, time.Hour), url.Values{}, "")
	if b := body(f.do("GET", page, nil, own)); !strings.Contains(b, "<dt>Emails</dt><dd>Unsubscribed ") {
		t.Errorf("the contact's page does not say it unsubscribed:\n%s", b)
	}
}
