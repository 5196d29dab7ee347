package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

const testSprite = `<svg xmlns="http://www.w3.org/2000/svg"><symbol class="bi" viewBox="0 0 16 16" id="lock-fill"><path d="M0"/></symbol></svg>`

func mustLoadAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustNewAssets(t *testing.T, fsys fstest.MapFS) *Assets {
	t.Helper()
	a, err := newAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func get(t *testing.T, h http.Handler, url, acceptEncoding string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestAssetURLsAreHashedAndStable(t *testing.T) {
	t.Parallel()
	a, b := mustLoadAssets(t), mustLoadAssets(t)
	for name, want := range map[string]string{
		"app.css":                    `^/static/app\.[0-9a-f]{10}\.css$`,
		"vendor/pico.min.css":        `^/static/vendor/pico\.min\.[0-9a-f]{10}\.css$`,
		"vendor/bootstrap-icons.svg": `^/static/vendor/bootstrap-icons\.[0-9a-f]{10}\.svg$`,
	} {
		if got := a.URL(name); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("URL(%q) = %q, want match for %s", name, got, want)
		}
		if a.URL(name) != b.URL(name) {
			t.Errorf("URL(%q) differs between loads: %q and %q", name, a.URL(name), b.URL(name))
		}
	}
}

func TestAssetURLChangesWithContent(t *testing.T) {
	t.Parallel()
	before := mustNewAssets(t, fstest.MapFS{
		"app.css":                    {Data: []byte("body{color:red}")},
		"vendor/bootstrap-icons.svg": {Data: []byte(testSprite)},
	})
	after := mustNewAssets(t, fstest.MapFS{
		"app.css":                    {Data: []byte("body{color:blue}")},
		"vendor/bootstrap-icons.svg": {Data: []byte(testSprite)},
	})
	if before.URL("app.css") == after.URL("app.css") {
		t.Errorf("URL stayed %q after the content changed", before.URL("app.css"))
	}
	if before.URL(spriteName) != after.URL(spriteName) {
		t.Errorf("sprite URL changed although the sprite did not")
	}
	if resp := get(t, after, before.URL("app.css"), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old hash: status %d, want 404", resp.StatusCode)
	}
}

func TestURLPanicsOnUnknownName(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	defer func() {
		if recover() == nil {
			t.Error("URL of an unknown asset did not panic")
		}
	}()
	a.URL("nope.css")
}

func TestServeHashedAsset(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	for _, tt := range []struct {
		name, contentType string
	}{
		{"app.css", "text/css; charset=utf-8"},
		{"vendor/pico.min.css", "text/css; charset=utf-8"},
		{"vendor/bootstrap-icons.svg", "image/svg+xml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, err := assetFS.ReadFile("assets/" + tt.name)
			if err != nil {
				t.Fatal(err)
			}
			resp := get(t, a, a.URL(tt.name), "")
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			for header, value := range map[string]string{
				"Content-Type":           tt.contentType,
				"Cache-Control":          "public, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff",
				"Content-Encoding":       "",
			} {
				if got := resp.Header.Get(header); got != value {
					t.Errorf("%s = %q, want %q", header, got, value)
				}
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body differs from the embedded file (%d bytes, want %d)", len(body), len(want))
			}
		})
	}
}

func TestServeGzipWhenAccepted(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	want, _ := assetFS.ReadFile("assets/" + spriteName)
	resp := get(t, a, a.URL(spriteName), "br, gzip;q=0.8")
	if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Accept-Encoding", got)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Error("gunzipped body differs from the embedded sprite")
	}
	if resp := get(t, a, a.URL(spriteName), "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although the client refused it with q=0")
	}
}

func TestServeRejectsUnknownPaths(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	for _, url := range []string{
		"/static/app.css",
		"/static/app.0000000000.css",
		"/static/vendor/",
		"/static/vendor/pico.LICENSE.md",
		"/static/vendor/bootstrap-icons.LICENSE",
		"/static/../assets.go",
		strings.TrimPrefix(a.URL("app.css"), "/static"),
	} {
		if resp := get(t, a, url, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", url, resp.StatusCode)
		}
	}
}

func TestIcon(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	want := `<svg class="icon" aria-hidden="true" focusable="false"><use href="` +
		a.URL(spriteName) + `#lock-fill"></use></svg>`
	if got := string(a.Icon("lock-fill")); got != want {
		t.Errorf("Icon(lock-fill) = %s, want %s", got, want)
	}
}

func TestIconRefusesBadNames(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	for _, name := range []string{
		"",
		"Lock-Fill",
		`lock"><script>alert(1)</script>`,
		"lock fill",
		"../lock",
		"-lock",
		"no-such-icon",
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Icon(%q) did not panic", name)
				}
			}()
			a.Icon(name)
		})
	}
}

func TestSpriteHasTheIconsWeUse(t *testing.T) {
	t.Parallel()
	sprite, err := assetFS.ReadFile("assets/" + spriteName)
	if err != nil {
		t.Fatal(err)
	}
	symbols := symbolIDs(sprite)
	for _, id := range []string{
		"lock-fill", "unlock", "box-arrow-right", "person",
		"gear", "building", "file-earmark-text", "shield-lock",
	} {
		if !symbols[id] {
			t.Errorf("sprite has no symbol with id %q", id)
		}
	}
}

func TestLoadAssetsNeedsTheSprite(t *testing.T) {
	t.Parallel()
	if _, err := newAssets(fstest.MapFS{"app.css": {Data: []byte("body{}")}}); err == nil {
		t.Error("newAssets without the icon sprite did not fail")
	}
}
