package loadtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
)

// nginxConf is deploy/nginx.conf with the harness's ports and a private
// prefix directory, so it runs as an ordinary foreground process.
var nginxConf = template.Must(template.New("nginx").Parse(`# Written by padlock-bench; deploy/nginx.conf is the documented configuration.
worker_processes 1;
daemon off;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path {{.Dir}}/client_body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;
    upstream padlock {
        least_conn;
{{- range .Backends}}
        server {{.}} max_fails=1 fail_timeout=2s;
{{- end}}
    }
    server {
        listen {{.Listen}};
        location / {
            proxy_pass http://padlock;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }
    }
}
`))

// findNginx returns the nginx executable, or "" when it is not installed.
func findNginx() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// nginxVersion is "nginx/1.22.1", or "nginx" when it cannot be read.
func nginxVersion(path string) string {
	out, err := exec.Command(path, "-v").CombinedOutput()
	if v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "nginx version: "); err == nil && ok {
		return v
	}
	return "nginx"
}

// StartNginx runs nginx in front of the backends (host:port each) and
// waits until it answers /readyz through them.
func StartNginx(ctx context.Context, path, dir string, backends []string) (*Process, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	f, err := os.Create(conf)
	if err != nil {
		return nil, err
	}
	err = nginxConf.Execute(f, map[string]any{"Dir": dir, "Listen": listen, "Backends": backends})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return startProcess(ctx, path, []string{"-p", dir, "-c", conf}, os.Environ(), listen, filepath.Join(dir, "stderr.log"), "/readyz")
}
