//go:build !linux

package auth

func lowerThreadPriority(int) {}
