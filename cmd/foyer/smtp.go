package main

import (
	"flag"

	"github.com/foyerhq/foyer/internal/mailer"
)

// smtpFlags adds the flags of the optional mail relay, which mails
// invitation and password reset links. Give the password through
// FOYER_SMTP_PASSWORD_FILE (or FOYER_SMTP_PASSWORD), not on the command
// line, where other users of the machine can read it.
func smtpFlags(fs *flag.FlagSet, c *mailer.Config) {
	fs.StringVar(&c.Addr, "smtp-addr", "", "SMTP relay host:port that mails invitation and reset links, the feed alerts and the campaigns Foyer sends itself (default: none: links are only shown, no alert or campaign is sent)")
	fs.StringVar(&c.From, "smtp-from", "", "sender address of those mails, such as \"Foyer <foyer@example.com>\"")
	fs.StringVar(&c.Username, "smtp-username", "", "SMTP user name for AUTH PLAIN (default: no login)")
	fs.StringVar(&c.Password, "smtp-password", "", "SMTP password; better FOYER_SMTP_PASSWORD_FILE")
	fs.BoolVar(&c.NoStartTLS, "smtp-no-starttls", false, "send without STARTTLS; only to a relay on localhost")
}
