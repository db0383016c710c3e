package web

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/foyerhq/foyer"
)

// Mailer sends a plain-text message to one address; internal/mailer's
// SMTP relay is one.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// mailResult says on the members page what became of a link's email.
type mailResult struct {
	MailTo    string // whom it was for
	MailOff   bool   // no relay is configured: nothing was sent
	MailSent  bool
	MailError string // why it was not sent, without any address
}

// addressRE finds email addresses in a relay's answers.
var addressRE = regexp.MustCompile(`[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+`)

// withoutAddresses hides every email address in s.
func withoutAddresses(s string) string { return addressRE.ReplaceAllString(s, "[address]") }

// mailLink mails a one-time link when a relay is configured. A failure is
// logged without the address and shown on the page; the link stays.
func (s *Server) mailLink(ctx context.Context, kind foyer.LinkKind, to, subject, body string) mailResult {
	res := mailResult{MailTo: to}
	if s.cfg.Mail == nil {
		res.MailOff = true
		return res
	}
	// The owner may close the tab; the mail goes on, for its timeout.
	err := s.cfg.Mail.Send(context.WithoutCancel(ctx), to, subject, body)
	if err != nil {
		res.MailError = withoutAddresses(foyer.ErrorMessage(err))
		if foyer.ErrorCode(err) == foyer.EINTERNAL {
			res.MailError = withoutAddresses(err.Error())
		}
		s.cfg.Log.Warn("link not mailed", "link", string(kind), "err", res.MailError)
		return res
	}
	res.MailSent = true
	return res
}

// inviteMail is the text of an invitation.
func inviteMail(by, workspace string, role foyer.Role, link string, until time.Time) (subject, body string) {
	subject = fmt.Sprintf("Join %s on Foyer", workspace)
	body = fmt.Sprintf(`Hello,

%s invites you to the workspace "%s" on Foyer, as %s.

Open this link to accept. It works once, until %s UTC:

%s

If you did not expect this invitation, ignore this message: nothing happens
unless the link is opened.
`, by, workspace, role, until.UTC().Format("2 January 2006, 15:04"), link)
	return subject, body
}

// resetMail is the text of a password reset link that by (an owner's
// address) made, or, when by is "", that the user asked for.
func resetMail(by, email, link string, until time.Time) (subject, body string) {
	opening := fmt.Sprintf("%s made a link for you to choose a new password for %s on Foyer.", by, email)
	closing := "If you did not ask for a new password, tell the owner of your workspace."
	if by == "" {
		opening = fmt.Sprintf("Someone asked Foyer for a link to choose a new password for %s.", email)
		closing = "If it was not you, ignore this message: your password stays as it is."
	}
	subject = "Choose a new Foyer password"
	body = fmt.Sprintf(`Hello,

%s

Open it to set the password. It works once, until %s UTC, and signs you
out everywhere you are signed in:

%s

%s
`, opening, until.UTC().Format("2 January 2006, 15:04"), link, closing)
	return subject, body
}
