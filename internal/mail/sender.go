// Package mail delivers the messages Padlock queues in its outbox: it builds
// them, sends them over SMTP (or to a mail log when no SMTP is configured),
// and runs the worker that drains the outbox with retries.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Sender delivers one message. The worker calls it for each message it
// claims. Send calls accepted (when not nil) the moment the message leaves
// Padlock's hands, for SMTP when the relay answers 250 to its data, and
// before it does anything else: from then on the message counts as sent,
// and an error Send returns is about the rest of the conversation only. An
// error before accepted means "try again later".
type Sender interface {
	Send(ctx context.Context, m padlock.Mail, accepted func()) error
}

// sendTimeout bounds one SMTP conversation when the caller set no deadline.
const sendTimeout = 30 * time.Second

// SMTPSender delivers messages to one SMTP relay, opening a connection per
// message so a broken connection never outlives one attempt.
type SMTPSender struct {
	cfg  smtpConfig
	from *netmail.Address
}

// smtpConfig is a validated SMTP URL.
type smtpConfig struct {
	host        string // without port; net/smtp checks it against TLS certificates
	port        string
	implicitTLS bool // smtps://
	user, pass  string
}

// NewSMTPSender returns a sender for rawURL (smtp://[user:pass@]host[:port] or
// smtps://…) that writes from, a mailbox such as "Padlock <padlock@example.com>".
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	cfg, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: the sender address %q is not valid: %w", from, err)
	}
	return &SMTPSender{cfg: cfg, from: addr}, nil
}

// ValidateSMTPURL reports what is wrong with an SMTP URL, for start-up
// configuration checks. Its messages never repeat the password.
func ValidateSMTPURL(rawURL string) error {
	_, err := parseSMTPURL(rawURL)
	return err
}

func parseSMTPURL(rawURL string) (smtpConfig, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error quotes the whole URL, password included
		}
		return smtpConfig{}, fmt.Errorf("mail: the SMTP URL is not a valid URL: %w", err)
	}
	var cfg smtpConfig
	switch u.Scheme {
	case "smtp":
		cfg.port = "25"
	case "smtps":
		cfg.port, cfg.implicitTLS = "465", true
	default:
		return cfg, errors.New("mail: the SMTP URL must start with smtp:// or smtps://")
	}
	if err := checkURLParts(u); err != nil {
		return cfg, err
	}
	cfg.host = u.Hostname()
	if p := u.Port(); p != "" {
		cfg.port = p
	}
	if u.User != nil {
		cfg.user = u.User.Username()
		cfg.pass, _ = u.User.Password()
	}
	return cfg, nil
}

// checkURLParts rejects URLs whose parts an SMTP URL cannot use, rather than
// silently ignoring them.
func checkURLParts(u *url.URL) error {
	switch {
	case u.Opaque != "" || u.Hostname() == "":
		return errors.New("mail: the SMTP URL must name a host, like smtp://mail.example.com:587")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return errors.New("mail: the SMTP URL must not have a path, query or fragment")
	case u.User != nil && u.User.Username() == "":
		return errors.New("mail: the SMTP URL has a password but no user name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("mail: the SMTP port %q is not a number from 1 to 65535", p)
		}
	}
	return nil
}

// Send delivers m in one SMTP conversation, upgrading to TLS with STARTTLS
// when the server offers it. The relay's 250 after DATA is the moment of
// delivery: accepted runs then, before QUIT, and a QUIT that fails is
// returned as an error that no longer means "try again".
func (s *SMTPSender) Send(ctx context.Context, m padlock.Mail, accepted func()) error {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail: recipient %q: %w", m.To, err)
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// net/smtp knows no contexts: cancelling ctx expires the connection.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, s.cfg.host)
	if err != nil {
		return fmt.Errorf("mail: smtp greeting: %w", err)
	}
	defer c.Close()
	if err := s.secure(c); err != nil {
		return err
	}
	msg := format(s.from, to, m, time.Now())
	if err := transmit(c, s.from.Address, to.Address, msg); err != nil {
		return err
	}
	if accepted != nil {
		accepted()
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("mail: QUIT after the relay accepted the message: %w", err)
	}
	return nil
}

func (s *SMTPSender) dial(ctx context.Context) (net.Conn, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(sendTimeout)
	}
	addr := net.JoinHostPort(s.cfg.host, s.cfg.port)
	var (
		conn net.Conn
		err  error
	)
	if s.cfg.implicitTLS {
		d := &tls.Dialer{Config: &tls.Config{ServerName: s.cfg.host}}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = new(net.Dialer).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: connect to %s: %w", addr, err)
	}
	conn.SetDeadline(deadline)
	return conn, nil
}

// secure starts TLS when offered and authenticates when configured. PLAIN
// auth is refused by net/smtp without TLS except to localhost.
func (s *SMTPSender) secure(c *smtp.Client) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !s.cfg.implicitTLS {
		if err := c.StartTLS(&tls.Config{ServerName: s.cfg.host}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.cfg.user == "" {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return errors.New("mail: a user is configured but the SMTP server does not offer AUTH")
	}
	if err := c.Auth(smtp.PlainAuth("", s.cfg.user, s.cfg.pass, s.cfg.host)); err != nil {
		return fmt.Errorf("mail: smtp auth: %w", err)
	}
	return nil
}

func transmit(c *smtp.Client, from, to string, msg []byte) error {
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return nil
}

// format renders m as an RFC 5322 message: a UTF-8 plain-text body in
// quoted-printable, so long links survive any relay's line-length limit.
func format(from, to *netmail.Address, m padlock.Mail, at time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", at.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address, m.MessageID))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(m.Body)) // text mode: every line break becomes CRLF
	qp.Close()
	return b.Bytes()
}

// messageID returns the Message-ID with the left part id in the domain of
// the From address. A message that was never queued (id "") gets a new one.
func messageID(from, id string) string {
	if id == "" {
		id = rand.Text()
	}
	domain := "padlock.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	return "<" + id + "@" + domain + ">"
}
