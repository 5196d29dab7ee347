package web

import "net/http"

// activity is Account > Activity. (Being built.)
func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotImplemented, "Not yet.")
}

func (s *Server) activityCSV(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotImplemented, "Not yet.")
}
