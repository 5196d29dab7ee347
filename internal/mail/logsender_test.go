package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	padmail "github.com/padlock-mfa/padlock/internal/mail"
)

func TestLogSenderWritesTheMailLogAndLogsNoBody(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mail.log")
	logger, logs := bufferLogger()
	s := padmail.NewLogSender(path, logger)
	msgs := []struct {
		to, link string
	}{
		{"ada@example.com", longLink},
		{"bob@example.com", "https://padlock.example.com/reset/second-token"},
	}
	for _, m := range msgs {
		if err := s.Send(context.Background(), padmail.PasswordReset(m.to, m.link, start.Add(time.Hour)), nil); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %v, want 0600", mode)
	}
	content, _ := os.ReadFile(path)
	for _, m := range msgs {
		if !strings.Contains(string(content), m.link) || !strings.Contains(string(content), "To: "+m.to) {
			t.Errorf("the mail log lacks the message to %s:\n%s", m.to, content)
		}
		if !strings.Contains(logs.String(), m.to) || !strings.Contains(logs.String(), "Reset your Padlock password") {
			t.Errorf("the log lacks the recipient or subject:\n%s", logs)
		}
		if strings.Contains(logs.String(), m.link) || strings.Contains(logs.String(), "works once") {
			t.Errorf("the log holds the body:\n%s", logs)
		}
	}
}
