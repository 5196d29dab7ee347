package mail_test

import (
	"context"
	"strings"
	"testing"

	padmail "github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestValidateSMTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		wantErr string // "" when the URL is good
	}{
		{"a host alone is good", "smtp://mail.example.com", ""},
		{"a host and port are good", "smtp://mail.example.com:587", ""},
		{"a user and an escaped password are good", "smtp://padlock:pa%40ss@mail.example.com:587", ""},
		{"implicit TLS is good", "smtps://mail.example.com", ""},
		{"an IPv6 address is good", "smtp://[::1]:25", ""},
		{"a trailing slash is good", "smtp://padlock@localhost:2525/", ""},
		{"an empty URL is bad", "", "smtp:// or smtps://"},
		{"a bare host and port is bad", "mail.example.com:25", "smtp:// or smtps://"},
		{"an http URL is bad", "http://mail.example.com", "smtp:// or smtps://"},
		{"a URL without a host is bad", "smtp://:25", "must name a host"},
		{"an opaque URL is bad", "smtp:mail.example.com", "must name a host"},
		{"port zero is bad", "smtp://mail.example.com:0", "from 1 to 65535"},
		{"a port over 65535 is bad", "smtp://mail.example.com:99999", "from 1 to 65535"},
		{"a port that is not a number is bad", "smtp://padlock:secret@mail.example.com:abc", "not a valid URL"},
		{"a path is bad", "smtp://mail.example.com/relay", "path, query or fragment"},
		{"a query is bad", "smtp://mail.example.com?tls=1", "path, query or fragment"},
		{"a password without a user is bad", "smtp://:secret@mail.example.com", "no user name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := padmail.ValidateSMTPURL(tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Fatalf("the error repeats the password: %v", err)
			}
		})
	}
}

func TestSMTPSenderSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		userinfo string
		wantUser string
	}{
		{"a relay without credentials receives the message", "", ""},
		{"a user and password authenticate with PLAIN to localhost", "padlock:s3cret@", "padlock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testenv.StartSMTP(t)
			url := strings.Replace(srv.URL(), "smtp://", "smtp://"+tt.userinfo, 1)
			s, err := padmail.NewSMTPSender(url, "padlock@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m := padmail.Unlock("ada@example.com", longLink, start)
			if err := s.Send(context.Background(), m, nil); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.WaitFor(t, "ada@example.com", "locked")
			if got.User != tt.wantUser || got.Body != m.Body {
				t.Errorf("user %q, body %q; want %q, %q", got.User, got.Body, tt.wantUser, m.Body)
			}
		})
	}
}

func TestSMTPSenderReportsRefusals(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	srv.FailNext(1)
	s := smtpSender(t, srv)
	accepted := false
	err := s.Send(context.Background(), padmail.PasswordChanged("ada@example.com", start), func() { accepted = true })
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("got %v, want the server's 451", err)
	}
	if accepted {
		t.Error("a refused message was reported accepted")
	}
}

func TestSMTPSenderReportsAcceptanceBeforeAFailedQuit(t *testing.T) {
	t.Parallel()
	srv := testenv.StartSMTP(t)
	srv.DropAtQuit(1)
	s := smtpSender(t, srv)
	accepted := 0
	err := s.Send(context.Background(), padmail.PasswordChanged("ada@example.com", start), func() {
		accepted++
		if len(srv.Messages()) != 1 {
			t.Error("accepted ran before the relay had the message")
		}
	})
	if accepted != 1 || err == nil || !strings.Contains(err.Error(), "QUIT") {
		t.Fatalf("accepted ran %d times, error %v; want once, then the failed QUIT", accepted, err)
	}
}

func TestNewSMTPSenderRejectsABadFromAddress(t *testing.T) {
	t.Parallel()
	if _, err := padmail.NewSMTPSender("smtp://localhost", "not an address"); err == nil {
		t.Fatal("no error")
	}
}
