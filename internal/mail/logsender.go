package mail

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// LogSender is the Sender used when no SMTP server is configured: it appends
// each message to the mail log in the data directory, where an operator can
// read it. The file is owner-only because bodies hold single-use links.
type LogSender struct {
	path   string
	logger *slog.Logger
	mu     sync.Mutex // keeps messages from interleaving within this process
}

// NewLogSender returns a sender appending to the file at path, created with
// mode 0600 if missing.
func NewLogSender(path string, logger *slog.Logger) *LogSender {
	return &LogSender{path: path, logger: logger}
}

// Send appends m to the mail log and logs its recipient and subject; never
// its body, since logs travel further than the data directory. A message
// written to the file is accepted.
func (s *LogSender) Send(ctx context.Context, m padlock.Mail, accepted func()) error {
	if err := s.appendMessage(logEntry(m, time.Now())); err != nil {
		return fmt.Errorf("mail: write mail log: %w", err)
	}
	if accepted != nil {
		accepted()
	}
	s.logger.InfoContext(ctx, "mail written to the mail log",
		"to", m.To, "subject", m.Subject, "path", s.path)
	return nil
}

func (s *LogSender) appendMessage(entry []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(entry); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// logEntry renders m as readable text rather than quoted-printable, so an
// operator can copy a link from the log as it is.
func logEntry(m padlock.Mail, at time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Date: %s\nTo: %s\nSubject: %s\n\n", at.Format(time.RFC1123Z), m.To, m.Subject)
	b.WriteString(m.Body)
	if m.Body != "" && m.Body[len(m.Body)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("\n----------------------------------------\n\n")
	return b.Bytes()
}
