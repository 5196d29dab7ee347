package web

import "net/http"

func (s *Server) usersCSV(w http.ResponseWriter, r *http.Request)              {}
func (s *Server) userResetMFAConfirm(w http.ResponseWriter, r *http.Request)   {}
func (s *Server) userResetMFA(w http.ResponseWriter, r *http.Request)          {}
func (s *Server) accountSettingsSubmit(w http.ResponseWriter, r *http.Request) {}
