package mail_test

import (
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
