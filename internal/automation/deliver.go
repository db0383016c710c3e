package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// SignatureHeader carries a webhook call's signature:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the rule's
// secret>".
const SignatureHeader = "Foyer-Signature"

// DeliveryHeader carries the delivery's ID, the same on each retry, so
// that a receiver can tell a retry of a call it took from a new one.
const DeliveryHeader = "Foyer-Delivery"

// Sign returns the signature header's value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// deliver makes one attempt of d and records it.
func (w *Worker) deliver(ctx context.Context, d *foyer.AutomationDelivery) error {
	rule, err := w.Store.AutomationRule(ctx, d.WorkspaceID, d.RuleID)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		return nil // deleted since, with its deliveries
	}
	if err != nil {
		return err
	}
	if d.ActionIndex >= len(rule.Actions) || rule.Actions[d.ActionIndex].Kind != d.Action {
		return w.record(ctx, d, foyer.DeliveryAttempt{At: w.Now(), Error: "the rule's actions changed since it fired"}, false)
	}
	action := rule.Actions[d.ActionIndex]
	if d.ContactID != 0 && (rule.OnlyTracked || d.Behavioural) {
		ok, err := w.Store.MayTrackContact(ctx, d.WorkspaceID, d.ContactID)
		if err != nil {
			return err
		}
		if !ok {
			return w.record(ctx, d, foyer.DeliveryAttempt{At: w.Now(), Error: "skipped: the contact may no longer be tracked"}, false)
		}
	}
	if action.Kind == foyer.ActionSegment {
		ok, err := w.Store.AddByAutomation(ctx, d, action.SegmentID)
		if err != nil {
			return err
		}
		if w.Metrics != nil {
			outcome := outcomeDelivered
			if !ok {
				outcome = outcomeFailed // the segment is gone, or has conditions now
			}
			w.Metrics.Attempts.WithLabelValues(outcome).Inc()
		}
		return nil
	}
	ev, err := w.describe(ctx, rule, d)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		return w.record(ctx, d, foyer.DeliveryAttempt{At: w.Now(), Error: "the contact or company is gone"}, false)
	}
	if err != nil {
		return err
	}
	a := foyer.DeliveryAttempt{At: w.Now()}
	start := time.Now() // the real clock: how long the call took
	switch action.Kind {
	case foyer.ActionEmail:
		err = w.mail(ctx, d.WorkspaceID, ev)
	case foyer.ActionSlack:
		body, _ := json.Marshal(map[string]string{"text": ev.text()})
		a.HTTPStatus, err = w.post(ctx, action.URL, body, nil)
	case foyer.ActionWebhook:
		secret, serr := w.Store.AutomationSecret(ctx, d.WorkspaceID, d.RuleID)
		if serr != nil {
			return serr
		}
		body, _ := json.Marshal(ev)
		hdr := http.Header{}
		hdr.Set(SignatureHeader, Sign(secret, w.Now(), body))
		hdr.Set(DeliveryHeader, strconv.FormatInt(d.ID, 10))
		a.HTTPStatus, err = w.post(ctx, action.URL, body, hdr)
	}
	a.Duration = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped: the lease ends and the delivery is tried again
		}
		a.Error = err.Error()
	}
	return w.record(ctx, d, a, true)
}

// record stores the attempt: delivered when it succeeded, else retried
// after the back-off while the retry period lasts (and retry is set), or
// failed.
func (w *Worker) record(ctx context.Context, d *foyer.AutomationDelivery, a foyer.DeliveryAttempt, retry bool) error {
	out := store.DeliveryOutcome{Done: a.Error == ""}
	if !out.Done && retry {
		next := a.At.Add(Backoff(d.Tries + 1))
		if !next.After(d.FirstAttempt.Add(RetryFor)) {
			out.RetryAt = next
		}
	}
	outcome := outcomeDelivered
	switch {
	case !out.Done && out.RetryAt.IsZero():
		outcome = outcomeFailed
		w.Log.Warn("automations: delivery failed for good", "rule", d.RuleID, "delivery", d.ID, "attempts", d.Tries+1)
	case !out.Done:
		outcome = outcomeRetry
	}
	if err := w.Store.RecordAttempt(ctx, d, a, out); err != nil {
		return err
	}
	if w.Metrics != nil {
		w.Metrics.Attempts.WithLabelValues(outcome).Inc()
	}
	return nil
}

// post sends body as JSON to url and returns the answer's status; an
// answer other than 2xx is an error.
func (w *Worker) post(ctx context.Context, url string, body []byte, hdr http.Header) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Foyer-Automations/"+foyer.Version)
	resp, err := w.Client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, fmt.Errorf("no answer within %s", w.Timeout)
		}
		// Without the URL and address, which the rule's page shows.
		var op *net.OpError
		if errors.As(err, &op) {
			return 0, fmt.Errorf("%s: %w", op.Op, op.Err)
		}
		return 0, errors.Unwrap(err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// mail sends the event's message to each member of the workspace.
func (w *Worker) mail(ctx context.Context, workspaceID int64, ev *Event) error {
	if w.Mail == nil {
		return errors.New("no mail relay is configured (foyer serve --smtp-addr)")
	}
	members, err := w.Store.Members(ctx, workspaceID)
	if err != nil {
		return err
	}
	subject := "Foyer: " + ev.Rule.Name
	body := ev.text() + "\n\nThis message comes from the automation rule \"" + ev.Rule.Name +
		"\" of your Foyer workspace. Its owners and admins change or delete it on the rule's page.\n"
	var errs []string
	for _, m := range members {
		if err := w.Mail.Send(ctx, m.User.Email, subject, body); err != nil {
			errs = append(errs, foyer.ErrorMessage(err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d messages not sent: %s", len(errs), len(members), strings.Join(errs, "; "))
	}
	return nil
}
