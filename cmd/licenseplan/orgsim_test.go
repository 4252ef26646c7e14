package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/org"
)

func TestOrgsimGenerate(t *testing.T) {
	dir := t.TempDir()
	gen := func(name, seed string) (string, result) {
		out := filepath.Join(dir, name)
		return out, run(t, nil, "orgsim", "generate", "--users", "300", "--seed", seed, "--out", out)
	}
	a, r := gen("a", "5")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "Wrote a synthetic org of 300 users") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	b, _ := gen("b", "5")
	c, _ := gen("c", "6")
	for _, q := range org.Queries {
		fa, err := os.ReadFile(filepath.Join(a, q.File))
		if err != nil {
			t.Fatalf("%s not written: %v", q.File, err)
		}
		fb, _ := os.ReadFile(filepath.Join(b, q.File))
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with the same seed", q.File)
		}
	}
	ua, _ := os.ReadFile(filepath.Join(a, "User.csv"))
	uc, _ := os.ReadFile(filepath.Join(c, "User.csv"))
	if bytes.Equal(ua, uc) {
		t.Error("another seed wrote the same User.csv")
	}
	snap, err := org.ReadSnapshot(context.Background(), os.DirFS(a), a)
	if err != nil || len(snap.Users) != 300 {
		t.Fatalf("reading the generated snapshot: %v", err)
	}

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"orgsim", "generate", "--users", "10"}, "--out is required"},
		{[]string{"orgsim", "generate", "--users", "0", "--out", dir}, "--users 0: want a positive number"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.msg) || !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the command's goroutine and the
// test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serving is a running "orgsim serve".
type serving struct {
	stdout, stderr *syncBuffer
	url, token     string
	stop           func() result
}

var (
	instanceLine = regexp.MustCompile(`(?m)^export SF_INSTANCE_URL=(\S+)$`)
	tokenLine    = regexp.MustCompile(`(?m)^export SF_ACCESS_TOKEN='([^']+)'$`)
)

// startServe runs "licenseplan orgsim serve ARGS" until stop is called.
func startServe(t *testing.T, env map[string]string, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sv := &serving{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	s := &Streams{In: strings.NewReader(""), Out: sv.stdout, ErrOut: sv.stderr,
		Getenv: testEnv(t, env)}
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, append([]string{"orgsim", "serve"}, args...), s) }()
	var once sync.Once
	var res result
	sv.stop = func() result {
		once.Do(func() {
			cancel()
			res = result{<-done, sv.stdout.String(), sv.stderr.String()}
		})
		return res
	}
	t.Cleanup(func() { sv.stop() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early: %s", code, sv.stderr.String())
		default:
		}
		out := sv.stdout.String()
		u, tok := instanceLine.FindStringSubmatch(out), tokenLine.FindStringSubmatch(out)
		if u != nil && tok != nil {
			sv.url, sv.token = u[1], tok[1]
			return sv
		}
	}
	t.Fatalf("serve printed no instance URL and token: %q %q", sv.stdout.String(), sv.stderr.String())
	return nil
}

func getJSON(t *testing.T, target, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	return resp.StatusCode
}

func TestOrgsimServe(t *testing.T) {
	snapDir := filepath.Join(t.TempDir(), "snap")
	if r := run(t, nil, "orgsim", "generate", "--users", "120", "--seed", "3", "--out", snapDir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	tests := []struct {
		name  string
		args  []string
		users int
		org   string
	}{
		{"demo", nil, 159, "Acme Demo (Sandbox)"},
		{"generated", []string{"--users", "250", "--seed", "9"}, 250, ""},
		{"snapshot", []string{"--snapshot", snapDir}, 120, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sv := startServe(t, nil, tc.args...)
			if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(sv.url) {
				t.Errorf("instance URL %q", sv.url)
			}
			out := sv.stdout.String()
			for _, want := range []string{
				"sf org login access-token --instance-url " + sv.url + " --alias orgsim --no-prompt",
				"#   export SF_USERNAME=admin@orgsim.example.com SF_PASSWORD=orgsim-password SF_SECURITY_TOKEN=ORGSIMTOKEN",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			var page struct {
				TotalSize int
				Records   []map[string]any
			}
			q := sv.url + "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT COUNT() FROM User")
			if st := getJSON(t, q, sv.token, &page); st != 200 || page.TotalSize != tc.users {
				t.Errorf("COUNT() of users: %d %d, want %d", st, page.TotalSize, tc.users)
			}
			q = sv.url + "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Name FROM Organization")
			if st := getJSON(t, q, sv.token, &page); st != 200 || len(page.Records) != 1 || tc.org != "" && page.Records[0]["Name"] != tc.org {
				t.Errorf("Organization: %d %v", st, page.Records)
			}
			r := sv.stop()
			if r.code != 0 || !strings.Contains(r.stderr, "orgsim: stopped after") || !strings.Contains(r.stderr, "(2 API requests)") {
				t.Errorf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}

func TestOrgsimServeFaultsAndCredentials(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	keyFile := writeFile(t, t.TempDir(), "server.pub",
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	env := map[string]string{"ORGSIM_PASSWORD": "hunter2-secret", "ORGSIM_CLIENT_SECRET": "very-secret-client"}
	sv := startServe(t, env, "--api-limit", "2", "--expire-session-every", "5", "--seed", "4", "--jwt-public-key", keyFile)
	q := sv.url + "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id FROM Organization")
	for i, want := range []int{200, 200, 403} {
		if st := getJSON(t, q, sv.token, nil); st != want {
			t.Errorf("request %d: %d, want %d", i+1, st, want)
		}
	}
	// The password given through the environment is accepted...
	form := url.Values{"grant_type": {"password"}, "client_id": {"3MVG9orgsim.local.simulator.client.id"},
		"client_secret": {"very-secret-client"}, "username": {"admin@orgsim.example.com"}, "password": {"hunter2-secretORGSIMTOKEN"}}
	resp, err := http.PostForm(sv.url+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("password grant with ORGSIM_PASSWORD: %d", resp.StatusCode)
	}
	r := sv.stop()
	// ... and never printed.
	for _, secret := range []string{"hunter2-secret", "very-secret-client"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("output shows the secret %q", secret)
		}
	}
	for _, want := range []string{`SF_PASSWORD="$ORGSIM_PASSWORD"`, `SF_CLIENT_SECRET="$ORGSIM_CLIENT_SECRET"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{"injecting faults (seed 4): session expiry every 5, API limit 2", "faults: limit_exceeded 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "JWT bearer grants are refused") {
		t.Error("a JWT key was given, yet serve says JWT grants are refused")
	}
}

func TestOrgsimServeFlagErrors(t *testing.T) {
	notPEM := writeFile(t, t.TempDir(), "key.txt", "not a key")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--snapshot", ".", "--users", "5"}, "--snapshot and --users exclude each other"},
		{[]string{"--error-rate", "1.5"}, "--error-rate 1.5: want a fraction"},
		{[]string{"--rate-limit-rate", "-1"}, "--rate-limit-rate -1: want a fraction"},
		{[]string{"--port", "70000"}, "--port 70000"},
		{[]string{"--api-limit", "0"}, "--api-limit 0"},
		{[]string{"--users", "-3"}, "--users -3"},
		{[]string{"--snapshot", "/no/such/folder"}, "snapshot folder"},
		{[]string{"--jwt-public-key", notPEM}, "no PEM block found"},
		{[]string{"--latency", "soon"}, "invalid argument"},
	} {
		r := run(t, nil, append([]string{"orgsim", "serve"}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:80": "http://127.0.0.1:80",
		"00D1!AQx.y":          "'00D1!AQx.y'",
		"it's":                `'it'\''s'`,
		"":                    "''",
		"a@b.example.com":     "a@b.example.com",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOrgsimServeThenPlan is the newcomer's path: paste every export line
// that serve prints into another shell and run licenseplan plan.
func TestOrgsimServeThenPlan(t *testing.T) {
	sv := startServe(t, nil)
	env := map[string]string{}
	exportLine := regexp.MustCompile(`^export (.*)$`)
	assign := regexp.MustCompile(`([A-Z_]+)=('[^']*'|\S+)`)
	for _, line := range strings.Split(sv.stdout.String(), "\n") {
		m := exportLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, a := range assign.FindAllStringSubmatch(m[1], -1) {
			env[a[1]] = strings.Trim(a[2], "'")
		}
	}
	if env["SF_INSTANCE_URL"] != sv.url || env["SF_ACCESS_TOKEN"] == "" {
		t.Fatalf("export lines give %v", env)
	}
	inTempDir(t)
	r := run(t, env, "plan", "--format", "json")
	if r.code != 0 {
		t.Fatalf("plan with the printed lines: exit %d: %s", r.code, r.stderr)
	}
	p, err := printedPlan(r.stdout)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.Kind != "org" || p.Source.Path != sv.url || p.Summary.Users != 159 || p.Source.APICalls == 0 {
		t.Errorf("plan source %+v, %d users: want the served demo org pulled over the API", p.Source, p.Summary.Users)
	}
}
