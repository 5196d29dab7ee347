package testenv

import (
	"bytes"
	"errors"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server on the loopback interface that keeps what
// it receives, so tests see mail exactly as a relay would. It offers AUTH
// PLAIN without TLS (as a local relay may) and accepts any credentials.
// Its fault modes (FailNext, DropAtQuit, HoldNextData) play the relays that
// make a sender deliver twice or not at all.
type SMTPServer struct {
	srv    *smtp.Server
	addr   string
	closed chan struct{} // closed at cleanup, ending any hold

	mu         sync.Mutex
	received   []ReceivedMail
	attempts   []ReceivedMail
	failNext   int
	dropAtQuit int
	hold       *heldData
}

// ReceivedMail is one message the server accepted.
type ReceivedMail struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	User    string   // the AUTH user name, "" without AUTH
	Header  mail.Header
	Subject string // decoded from RFC 2047 words
	Body    string // decoded from quoted-printable, lines ending in "\n"
	Raw     []byte
}

// StartSMTP starts a server on 127.0.0.1 on a free port, closed when the test
// ends.
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp: listen: %v", err)
	}
	s := &SMTPServer{addr: l.Addr().String(), closed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		conn, _ := c.Conn().(*faultConn)
		return &smtpSession{server: s, conn: conn}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // t.Log would panic after the test ends
	go s.srv.Serve(faultListener{l})
	t.Cleanup(func() {
		close(s.closed)
		s.srv.Close()
	})
	return s
}

// URL returns the smtp:// URL of the server.
func (s *SMTPServer) URL() string { return "smtp://" + s.addr }

// Messages returns the messages received so far, oldest first.
func (s *SMTPServer) Messages() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.received...)
}

// Attempts returns every message the server read after DATA, accepted or
// refused, oldest first: what a receiver saw of each delivery attempt.
func (s *SMTPServer) Attempts() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.attempts...)
}

// FailNext makes the next n DATA commands fail with a temporary (451) error,
// for testing retries.
func (s *SMTPServer) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// DropAtQuit makes the next n connections that deliver a message close
// without answering their QUIT, as a relay does that accepts the data and
// then goes away: the message is delivered, the goodbye fails.
func (s *SMTPServer) DropAtQuit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAtQuit = n
}

// HoldNextData makes the next DATA wait, after the server has read the
// message and before it answers, until release is called; held is closed
// when the wait starts. The message is then accepted or refused as usual, so
// a test can stop a sender in the middle of a delivery.
func (s *SMTPServer) HoldNextData() (held <-chan struct{}, release func()) {
	h := &heldData{held: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.hold = h
	s.mu.Unlock()
	var once sync.Once
	return h.held, func() { once.Do(func() { close(h.release) }) }
}

// heldData is one pending HoldNextData.
type heldData struct {
	held, release chan struct{}
}

// waitIfHeld blocks while a HoldNextData is pending for this DATA.
func (s *SMTPServer) waitIfHeld() {
	s.mu.Lock()
	h := s.hold
	s.hold = nil
	s.mu.Unlock()
	if h == nil {
		return
	}
	close(h.held)
	select {
	case <-h.release:
	case <-s.closed:
	}
}

// MailWait is how long WaitFor waits for a message: a mail that should come
// comes in milliseconds on a quiet machine, but the worker may be starved
// for seconds on a loaded one, and only a missing mail should fail a test.
const MailWait = 2 * time.Minute

// WaitFor returns the first message to the recipient whose subject contains
// subjectContains, failing the test if none arrives within MailWait.
func (s *SMTPServer) WaitFor(t testing.TB, to, subjectContains string) ReceivedMail {
	t.Helper()
	deadline := time.Now().Add(MailWait)
	for {
		for _, m := range s.Messages() {
			if m.sentTo(to) && strings.Contains(m.Subject, subjectContains) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtp: no mail to %s with subject containing %q within %v", to, subjectContains, MailWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (m ReceivedMail) sentTo(addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

// accept stores a message or, while failures are pending, refuses it. It
// tells whether the connection is to be dropped at QUIT.
func (s *SMTPServer) accept(m ReceivedMail) (dropAtQuit bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, m)
	if s.failNext > 0 {
		s.failNext--
		return false, &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	s.received = append(s.received, m)
	if s.dropAtQuit > 0 {
		s.dropAtQuit--
		return true, nil
	}
	return false, nil
}

// faultListener hands out connections that can be cut at QUIT.
type faultListener struct{ net.Listener }

func (l faultListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: c}, nil
}

// faultConn closes instead of reading a QUIT once dropAtQuit is set. The
// client sends QUIT on its own after the reply to DATA, so one read holds it.
type faultConn struct {
	net.Conn
	dropAtQuit atomic.Bool
}

func (c *faultConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.dropAtQuit.Load() && strings.EqualFold(strings.TrimSpace(string(p[:n])), "QUIT") {
		c.Conn.Close()
		return 0, io.EOF
	}
	return n, err
}

// smtpSession collects one client's envelope and message.
type smtpSession struct {
	server *SMTPServer
	conn   *faultConn
	user   string
	from   string
	rcpts  []string
}

func (c *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (c *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, _ string) error {
		c.user = user
		return nil
	}), nil
}

func (c *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	c.from = from
	return nil
}

func (c *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.rcpts = append(c.rcpts, to)
	return nil
}

func (c *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	m.From, m.To, m.User = c.from, c.rcpts, c.user
	c.server.waitIfHeld()
	drop, err := c.server.accept(m)
	if drop && c.conn != nil {
		c.conn.dropAtQuit.Store(true)
	}
	return err
}

func (c *smtpSession) Reset() { c.from, c.rcpts = "", nil }

func (c *smtpSession) Logout() error { return nil }

// parseMail reads headers and body the way a mail client would, so a test
// fails on a message a client could not read.
func parseMail(raw []byte) (ReceivedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ReceivedMail{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return ReceivedMail{}, err
	}
	body := msg.Body
	switch cte := strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "", "7bit", "8bit":
	default:
		return ReceivedMail{}, errors.New("unexpected Content-Transfer-Encoding " + cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return ReceivedMail{}, err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	return ReceivedMail{Header: msg.Header, Subject: subject, Body: text, Raw: raw}, nil
}
