package store

import (
	"context"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

const passkeyFields = `id, user_id, credential_id, public_key, sign_count, transports, aaguid, flags, name, created_at, last_used_at, clone_warning`

func scanPasskey(row interface{ Scan(...any) error }) (*padlock.Passkey, error) {
	var (
		p                   padlock.Passkey
		count, flags, clone int64
		transports          string
		created, lastUsed   int64
	)
	if err := row.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.PublicKey, &count, &transports, &p.AAGUID, &flags, &p.Name, &created, &lastUsed, &clone); err != nil {
		return nil, notFound(err)
	}
	p.SignCount, p.Flags, p.CloneWarning = uint32(count), uint8(flags), clone != 0
	if transports != "" {
		p.Transports = strings.Split(transports, ",")
	}
	p.CreatedAt, p.LastUsedAt = time.Unix(created, 0), unixOrZero(lastUsed)
	return &p, nil
}

// AddPasskey stores a newly registered credential and sets its ID. A
// credential id already registered, by this user or any other, gives an
// ECONFLICT error.
func (q *Queries) AddPasskey(ctx context.Context, p *padlock.Passkey) error {
	err := q.sql.QueryRowContext(ctx, `INSERT INTO webauthn_credentials (user_id, credential_id, public_key, sign_count, transports, aaguid, flags, name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (credential_id) DO NOTHING RETURNING id`,
		p.UserID, p.CredentialID, p.PublicKey, int64(p.SignCount), strings.Join(p.Transports, ","), p.AAGUID, int64(p.Flags), p.Name, p.CreatedAt.Unix()).Scan(&p.ID)
	if err := notFound(err); err == padlock.ErrNotFound {
		return padlock.Errorf(padlock.ECONFLICT, "This passkey or security key is already registered.")
	}
	return err
}

// Passkeys lists a user's passkeys, oldest first.
func (q *Queries) Passkeys(ctx context.Context, userID int64) ([]*padlock.Passkey, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT `+passkeyFields+` FROM webauthn_credentials WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Passkey returns one of the user's passkeys; another user's is "not
// found".
func (q *Queries) Passkey(ctx context.Context, userID, id int64) (*padlock.Passkey, error) {
	return scanPasskey(q.sql.QueryRowContext(ctx, `SELECT `+passkeyFields+` FROM webauthn_credentials WHERE user_id = $1 AND id = $2`, userID, id))
}

// CountPasskeys counts a user's passkeys.
func (q *Queries) CountPasskeys(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}

// RenamePasskey changes the name of one of the user's passkeys.
func (q *Queries) RenamePasskey(ctx context.Context, userID, id int64, name string) error {
	return q.execOne(ctx, `UPDATE webauthn_credentials SET name = $3 WHERE user_id = $1 AND id = $2`, userID, id, name)
}

// DeletePasskey removes one of the user's passkeys.
func (q *Queries) DeletePasskey(ctx context.Context, userID, id int64) error {
	return q.execOne(ctx, `DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2`, userID, id)
}

// UsePasskey records an accepted answer: the new signature count and the
// time, only if the count still is what the check read (so two racing
// answers with the same count give one success).
func (q *Queries) UsePasskey(ctx context.Context, id int64, oldCount, newCount uint32, at time.Time) (bool, error) {
	n, err := q.exec(ctx, `UPDATE webauthn_credentials SET sign_count = $3, last_used_at = $4 WHERE id = $1 AND sign_count = $2 AND clone_warning = 0`,
		id, int64(oldCount), int64(newCount), at.Unix())
	return n == 1, err
}

// FlagPasskeyClone marks a credential whose counter went backwards.
func (q *Queries) FlagPasskeyClone(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, `UPDATE webauthn_credentials SET clone_warning = 1 WHERE id = $1`, id)
	return err
}

// WebAuthn challenge purposes.
const (
	ChallengeRegister = "register"
	ChallengeLogin    = "login"
)

// SaveWebAuthnChallenge keeps a ceremony's server-side data for the session
// that asked for it, replacing any earlier one of the same purpose.
func (q *Queries) SaveWebAuthnChallenge(ctx context.Context, sessionID, userID int64, purpose string, data []byte, expires time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO webauthn_challenges (session_id, purpose, user_id, data, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (session_id, purpose) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at`,
		sessionID, purpose, userID, data, expires.Unix())
	return err
}

// WebAuthnChallenge reads the session's unexpired challenge of a purpose
// without using it up (to show the page that answers it).
func (q *Queries) WebAuthnChallenge(ctx context.Context, sessionID int64, purpose string, now time.Time) ([]byte, error) {
	var data []byte
	err := q.sql.QueryRowContext(ctx, `SELECT data FROM webauthn_challenges WHERE session_id = $1 AND purpose = $2 AND expires_at > $3`,
		sessionID, purpose, now.Unix()).Scan(&data)
	return data, notFound(err)
}

// TakeWebAuthnChallenge deletes the session's challenge of a purpose and
// returns it if it had not expired: a challenge answers once, and of racing
// answers only one finds it.
func (q *Queries) TakeWebAuthnChallenge(ctx context.Context, sessionID, userID int64, purpose string, now time.Time) ([]byte, error) {
	var (
		data    []byte
		expires int64
	)
	err := q.sql.QueryRowContext(ctx, `DELETE FROM webauthn_challenges WHERE session_id = $1 AND purpose = $2 AND user_id = $3 RETURNING data, expires_at`,
		sessionID, purpose, userID).Scan(&data, &expires)
	if err != nil {
		return nil, notFound(err)
	}
	if expires <= now.Unix() {
		return nil, padlock.ErrNotFound
	}
	return data, nil
}
