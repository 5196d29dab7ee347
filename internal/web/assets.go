package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assetFS embed.FS

// staticPrefix is the URL path under which Assets serves files.
const staticPrefix = "/static/"

// spriteName is the logical name of the bootstrap-icons sprite used by Icon.
const spriteName = "vendor/bootstrap-icons.svg"

// contentTypes lists the file types Assets serves; files of any other type
// under assets/ (the vendored LICENSE files) are embedded but never served.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
}

var symbolIDPattern = regexp.MustCompile(`<symbol\b[^>]*\sid="([a-z0-9-]+)"`)

// Assets holds the embedded stylesheets and icons under content-hashed URLs,
// so pages can let browsers cache them forever. Build it once at start-up
// with LoadAssets; it is safe for concurrent use.
type Assets struct {
	urls  map[string]string // logical name -> URL path
	files map[string]*asset // URL path -> file
	// icons holds the markup of each symbol of the icon sprite, written
	// once: templates draw icons on every page.
	icons map[string]template.HTML
}

type asset struct {
	body        []byte
	gzipped     []byte // nil when compression does not pay
	contentType string
	hash        string
}

// embedded holds the assets embedded under assets/, hashed and compressed
// once per process: they cannot change while it runs, and every server of
// the process (tests start many) only reads them.
var embedded struct {
	once   sync.Once
	assets *Assets
	err    error
}

// LoadAssets returns the files embedded under assets/, hashed and
// compressed.
func LoadAssets() (*Assets, error) {
	embedded.once.Do(func() {
		sub, err := fs.Sub(assetFS, "assets")
		if err != nil {
			embedded.err = err
			return
		}
		embedded.assets, embedded.err = newAssets(sub)
	})
	return embedded.assets, embedded.err
}

func newAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{urls: map[string]string{}, files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		return a.add(name, body, ctype)
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	sprite, ok := a.urls[spriteName]
	if !ok {
		return nil, fmt.Errorf("load assets: %s is missing; run tools/assets/update.sh", spriteName)
	}
	a.icons = map[string]template.HTML{}
	for id := range symbolIDs(a.files[sprite].body) {
		// Every symbol id matched [a-z0-9-]+, so it needs no escaping.
		a.icons[id] = template.HTML(`<svg class="icon" aria-hidden="true" focusable="false"><use href="` + sprite + "#" + id + `"></use></svg>`)
	}
	return a, nil
}

func (a *Assets) add(name string, body []byte, ctype string) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:5])
	ext := path.Ext(name)
	url := staticPrefix + strings.TrimSuffix(name, ext) + "." + hash + ext
	gz, err := compress(body)
	if err != nil {
		return err
	}
	a.urls[name] = url
	a.files[url] = &asset{body: body, gzipped: gz, contentType: ctype, hash: hash}
	return nil
}

// compress returns body gzipped, or nil when that saves less than a tenth.
func compress(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > len(body)*9/10 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

func symbolIDs(svg []byte) map[string]bool {
	ids := map[string]bool{}
	for _, m := range symbolIDPattern.FindAllSubmatch(svg, -1) {
		ids[string(m[1])] = true
	}
	return ids
}

// URL returns the hashed URL path of the asset with the given logical name,
// such as "app.css" or "vendor/pico.min.css". It panics on an unknown name,
// so a typo in a template fails the first render instead of shipping a broken link.
func (a *Assets) URL(name string) string {
	url, ok := a.urls[name]
	if !ok {
		panic(fmt.Sprintf("web: unknown asset %q", name))
	}
	return url
}

// Icon returns an inline SVG that draws the named bootstrap-icons symbol,
// for example "lock-fill". It panics on a name the sprite does not contain.
func (a *Assets) Icon(name string) template.HTML {
	icon, ok := a.icons[name]
	if !ok {
		panic(fmt.Sprintf("web: unknown icon %q", name))
	}
	return icon
}

// ServeHTTP serves GET and HEAD requests for /static/{hashed name}; any
// other path, including an older hash of a file, is not found. Register it
// on the mux as "GET /static/" without http.StripPrefix: it matches the full path.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	f, ok := a.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := f.body, f.hash
	if f.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			body, etag = f.gzipped, f.hash+"-gzip"
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !found {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
