// Package e2e holds the end-to-end tests: a real Padlock node, driven in a
// real browser (headless Chromium) the way a person would click through it.
// It has no code of its own; the tests are in its _test.go files.
package e2e
