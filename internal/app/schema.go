package app

import (
	"context"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/store"
)

// watchSchema runs CheckSchemaVersion every SchemaCheckInterval, and at
// once when a statement found a table or column missing.
func (a *App) watchSchema(ctx context.Context) {
	every := a.SchemaCheckInterval
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.schemaCheck:
		}
		if err := a.CheckSchemaVersion(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("schema check", "err", err)
		}
	}
}

// checkSchemaSoon asks the watch for a check without waiting for it; the
// store calls it on an unknown table or column.
func (a *App) checkSchemaSoon() {
	select {
	case a.schemaCheck <- struct{}{}:
	default:
	}
}

// CheckSchemaVersion looks at the database's schema version. When a newer
// release has migrated the database, this node's rules may be weaker than
// the new ones (an older node must not sign anyone in), so it stops
// serving for good: every request but /healthz answers 503 and /readyz
// fails. It returns an error only when the version could not be read.
func (a *App) CheckSchemaVersion(ctx context.Context) error {
	if a.Web.Stopped() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, a.Config.DBTimeout)
	defer cancel()
	err := a.DB.CheckNotNewer(ctx)
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) {
		return err
	}
	a.Web.StopServing()
	a.schemaOnce.Do(func() {
		a.Logger.Error("the database was upgraded by a newer release; this node stops serving until it runs that release",
			"schema_version", tooNew.Version, "known_version", tooNew.Known)
	})
	return nil
}
