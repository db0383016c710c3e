// Package campaignsend sends campaigns through the operator's SMTP relay
// in the background of serve: it takes the queued messages of the
// delivery jobs one by one, at each job's pace, makes each recipient's
// copy (links wrapped, open pixel) and hands it to the relay.
//
// A message is marked "sending" in the store before it is handed to the
// relay and "sent" (or bounced, or failed) after. A message found
// "sending" when the sender starts was interrupted while the relay had
// it: the relay may have accepted it, so it is marked "unknown" and never
// sent again. A recipient may miss a message that way; none gets it twice.
package campaignsend

import (
	"context"
	"errors"
	"log/slog"
	"net/textproto"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/emailtrack"
)

// Store is what the sender reads and writes: *store.Store.
type Store interface {
	RecoverDeliveries(ctx context.Context) (int64, error)
	TakeDelivery(ctx context.Context, now time.Time) (*foyer.Delivery, error)
	FinishDelivery(ctx context.Context, id int64, out foyer.DeliveryOutcome) error
}

// Mailer sends an HTML message to one address: internal/mailer's relay.
type Mailer interface {
	SendHTML(ctx context.Context, to, subject, html string) error
}

// Default timing of the sender.
const (
	DefaultPoll  = time.Second
	DefaultRetry = 5 * time.Minute
)

// Sender mails the queued messages: Start, then Stop; or Run.
type Sender struct {
	Store Store
	Mail  Mailer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Poll is the wait between two looks for due messages (DefaultPoll
	// when 0); Retry the wait before the next try of a message the relay
	// deferred, times the tries made (DefaultRetry when 0).
	Poll, Retry time.Duration
	Log         *slog.Logger // slog.Default() when nil

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Result counts what a run did.
type Result struct {
	Sent, Bounced, Failed, Deferred int
}

// Start marks the messages a previous run left "sending" as unknown, then
// sends in a goroutine until Stop.
func (s *Sender) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := s.Recover(ctx); err != nil {
		s.log().Error("campaign sender: recover", "err", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loop(ctx)
	}()
}

// Recover marks the messages a previous run left "sending" as unknown:
// the relay may have accepted them, so they are not sent again.
func (s *Sender) Recover(ctx context.Context) error {
	n, err := s.Store.RecoverDeliveries(ctx)
	if n > 0 {
		s.log().Warn("campaign sender: messages interrupted while the relay had them are not sent again", "messages", n)
	}
	return err
}

// Stop ends the sender, after the message it is sending.
func (s *Sender) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
}

func (s *Sender) loop(ctx context.Context) {
	every := s.Poll
	if every <= 0 {
		every = DefaultPoll
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Run(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("campaign sender: run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Run sends every message due now, and returns when none is (or ctx
// ends). The error is the store's.
func (s *Sender) Run(ctx context.Context) (Result, error) {
	var res Result
	for ctx.Err() == nil {
		d, err := s.Store.TakeDelivery(ctx, s.now())
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		out := s.send(d)
		switch out.State {
		case foyer.MessageSent:
			res.Sent++
		case foyer.MessageBounced:
			res.Bounced++
		case foyer.MessageQueued:
			res.Deferred++
		default:
			res.Failed++
		}
		// The outcome is written even when Stop came meanwhile.
		if err := s.Store.FinishDelivery(context.WithoutCancel(ctx), d.ID, out); err != nil {
			return res, err
		}
	}
	return res, nil
}

// send hands one message to the relay and says what became of it. It is
// not cancelled by Stop: the mailer's timeout bounds it.
func (s *Sender) send(d *foyer.Delivery) foyer.DeliveryOutcome {
	doc := emailtrack.Rewrite(d.HTML, d.BaseURL, d.Links, d.Open)
	err := s.Mail.SendHTML(context.Background(), d.To, d.Subject, doc)
	if err == nil {
		return foyer.DeliveryOutcome{State: foyer.MessageSent}
	}
	reason := foyer.ErrorMessage(err)
	var te *textproto.Error
	switch {
	case errors.As(err, &te) && te.Code >= 500:
		return foyer.DeliveryOutcome{State: foyer.MessageBounced, Reason: te.Error()}
	case errors.As(err, &te):
		reason = te.Error()
	case foyer.ErrorCode(err) == foyer.EINVALID:
		return foyer.DeliveryOutcome{State: foyer.MessageFailed, Reason: reason}
	default:
		// No connection, TLS or login: the detail (the relay's address)
		// goes to the log, the message keeps a plain reason.
		s.log().Warn("campaign sender: the relay could not be reached", "err", err)
		reason = "the mail server could not be reached"
	}
	if d.Attempts >= foyer.MaxDeliveryAttempts {
		return foyer.DeliveryOutcome{State: foyer.MessageFailed, Reason: reason}
	}
	wait := s.Retry
	if wait <= 0 {
		wait = DefaultRetry
	}
	s.log().Warn("campaign sender: the relay deferred a message", "campaign", d.CampaignID, "attempt", d.Attempts)
	return foyer.DeliveryOutcome{State: foyer.MessageQueued, Reason: reason, Retry: s.now().Add(wait * time.Duration(d.Attempts))}
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Sender) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
