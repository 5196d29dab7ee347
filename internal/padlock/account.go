package padlock

import "time"

// Account is one MSP's tenant; everything else belongs to exactly one.
type Account struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	// SessionIdle and SessionLifetime bound every session of the account.
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	// MFARequiredAt is when "Require MFA for access to this account" was
	// turned on; zero while it is off.
	MFARequiredAt time.Time
	// MFAStrictAt is when the requirement was raised to phishing-resistant
	// MFA only (passkeys or security keys); zero at the level "any MFA".
	MFAStrictAt time.Time
	// MFAGraceDays gives users without MFA this long before they must set
	// it up (0: from their next sign-in).
	MFAGraceDays int
}

// RequiresMFA reports whether the account requires MFA of every user.
func (a *Account) RequiresMFA() bool { return !a.MFARequiredAt.IsZero() }

// GraceEnds is when the grace ends for the users who were members when the
// requirement was turned on; zero while it is off.
func (a *Account) GraceEnds() time.Time { return GraceEnds(a.MFARequiredAt, a.MFAGraceDays) }

// Organization is a client company that the MSP documents.
type Organization struct {
	ID        int64
	AccountID int64
	Name      string
	CreatedAt time.Time
}

// Document is a page of documentation about an organization.
type Document struct {
	ID             int64
	AccountID      int64
	OrganizationID int64
	Title          string
	Body           string
	UpdatedAt      time.Time
	// UpdatedByID is the user who saved it last; 0 for a document saved
	// before the user was recorded, or by no user (an API key).
	UpdatedByID int64
	// UpdatedBy is how the last saver reads, filled in when the document
	// is read: that user's current name, or for an older document or one
	// saved by an API key the name stored with it. Saved without a user,
	// it is the name stored.
	UpdatedBy string
	// SharedWithPortal shows the document to the organization's portal users.
	SharedWithPortal bool
}

// Validate normalizes and checks a document's title (one line) and text
// (several lines), reporting both at once.
func (d *Document) Validate() error {
	fe := FieldErrors{}
	title, err := NormalizeLine("title", d.Title, MaxTitleLen)
	switch {
	case err != nil:
		fe.Add("title", ErrorMessage(err))
	case title == "":
		fe.Add("title", "Enter a title.")
	default:
		d.Title = title
	}
	if len(d.Body) > MaxDocumentLen {
		fe.Add("body", "The text is too long (at most 100,000 characters).")
	} else if err := CheckText("body", d.Body, MultiLine, 0); err != nil {
		fe.Add("body", ErrorMessage(err))
	}
	return fe.Err()
}
