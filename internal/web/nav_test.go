package web

import "testing"

func TestEveryTabBelongsToItsTopLevelSection(t *testing.T) {
	t.Parallel()
	for tab, section := range map[nav]nav{
		navNone:            navNone,
		navOrganizations:   navOrganizations,
		navDocuments:       navDocuments,
		navAccount:         navAccount,
		navPortals:         navAccount,
		navAccountSettings: navAccount,
		navActivity:        navAccount,
		navSSO:             navAccount,
		navPortalSSO:       navAccount,
		navAPIKeys:         navAccount,
		navCoverage:        navAccount,
		navSettings:        navSettings,
		navMFA:             navSettings,
		navClientUsers:     navClientUsers,
		navClientActivity:  navClientUsers,
	} {
		if got := tab.Section(); got != section {
			t.Errorf("%q is in %q, want %q", tab, got, section)
		}
	}
}
