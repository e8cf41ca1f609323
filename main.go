package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/mlops-tf/terraform-provider-mlops/internal/provider"
)

// version and commit are set by the release build (.goreleaser.yml) and by
// make build, with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func main() {
	var debugMode, showVersion bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.BoolVar(&showVersion, "version", false, "print the provider's version and exit")
	flag.Parse()
	if showVersion {
		fmt.Println(versionLine())
		return
	}
	os.Exit(run(debugMode, tf6server.Serve))
}

// versionLine is what -version prints: the version, and the commit it was
// built from when the build says.
func versionLine() string {
	if commit == "" {
		return "terraform-provider-mlops " + version
	}
	return "terraform-provider-mlops " + version + " (commit " + commit + ")"
}

// serveFunc serves a provider to Terraform until it stops the plugin:
// tf6server.Serve.
type serveFunc func(name string, server func() tfprotov6.ProviderServer, opts ...tf6server.ServeOpt) error

// run serves Terraform with serve until it stops the plugin, closes the
// registry, and returns the process's exit code: 0 only when both went
// well.
func run(debugMode bool, serve serveFunc) int {
	// MLOPS_CPU_PROFILE_DIR names a directory where each provider process
	// writes a CPU profile, for `go tool pprof` (see BENCHMARKS.md).
	if dir := os.Getenv("MLOPS_CPU_PROFILE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "cpu-"+strconv.Itoa(os.Getpid())+".pprof"))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() {
				pprof.StopCPUProfile()
				_ = f.Close()
			}()
		}
	}

	// MLOPS_HEAP_PROFILE_DIR: a heap profile of each process as it exits,
	// after a collection, so that it shows only what is still reachable.
	if dir := os.Getenv("MLOPS_HEAP_PROFILE_DIR"); dir != "" {
		defer func() {
			runtime.GC()
			if f, err := os.Create(filepath.Join(dir, "heap-"+strconv.Itoa(os.Getpid())+".pprof")); err == nil {
				_ = pprof.WriteHeapProfile(f)
				_ = f.Close()
			}
		}()
	}

	quietSDKLogs()
	tuneGC()

	srv := provider.NewProviderServer(version)
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		watching, stopWatching := context.WithCancel(context.Background())
		defer stopWatching()
		go exitWithParent(watching, srv, parentPollInterval)
	}
	err := serve("registry.terraform.io/mlops-tf/mlops", func() tfprotov6.ProviderServer { return srv }, opts...)
	closeErr := closeWithin(srv, closeTimeout)
	if err != nil {
		log.Printf("[ERROR] serving the provider: %v", err)
		return 1
	}
	if closeErr != nil {
		log.Printf("[ERROR] closing the registry: %v", closeErr)
		return 1
	}
	return 0
}

// parentPollInterval is how often the provider checks that Terraform, the
// process that started it, is still there.
const parentPollInterval = 500 * time.Millisecond

// closeTimeout bounds how long closing the registry may take as the process
// ends: the requests still being served are canceled first, so this is a
// backstop against a database that does not answer.
const closeTimeout = 10 * time.Second

// exitWithParent ends the process once Terraform is gone. Terraform stops
// its provider processes when it ends, but one killed outright (kill -9, an
// out-of-memory kill, a CI runner torn down) cannot, and the plugin server
// would wait for it forever with the registry open: the SQLite file, the
// PostgreSQL connections. An orphan is re-parented, so a change of the
// parent process id says that Terraform has gone (Linux and macOS; on
// Windows the id never changes and this never fires). Requests in flight
// are canceled, which rolls back their transactions, the registry is
// closed, and the process exits non-zero. Nothing is logged: the standard
// error that Terraform read is gone with it. It returns when ctx ends.
func exitWithParent(ctx context.Context, srv *provider.Server, interval time.Duration) {
	parent := os.Getppid()
	if parent <= 1 {
		return // started by init or a container's entry point: no Terraform to watch
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if os.Getppid() != parent {
			_ = closeWithin(srv, closeTimeout)
			os.Exit(exitParentGone)
		}
	}
}

// exitParentGone is the exit code of a provider whose Terraform has gone.
const exitParentGone = 3

// closeWithin closes the server's registry, waiting at most timeout.
func closeWithin(srv *provider.Server, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Close(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("the registry did not close within %s", timeout)
	}
}

// quietSDKLogs turns off the plugin SDK's own logs when no Terraform log is
// asked for. The SDK emits every log line, at TRACE, for Terraform to
// filter; when neither TF_LOG nor TF_LOG_PROVIDER is set, Terraform drops
// them all, and formatting them costs a fifth of a plan's CPU time.
func quietSDKLogs() {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_MLOPS"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
		_ = os.Setenv(v, "off")
	}
}

// gcPercent is the provider's garbage collection target when GOGC is not
// set. A provider process lives for one Terraform command and keeps a live
// heap of a few megabytes, while each request allocates many short-lived
// values: collecting when the heap reaches five times what is live, rather
// than twice, takes about a sixth off a refreshing plan of 1,000 objects
// (see BENCHMARKS.md).
const gcPercent = 400

// memoryLimit, when GOMEMLIMIT is not set, is where the runtime starts to
// collect more often instead of letting the heap grow as gcPercent allows,
// so that the process stays small however many objects a run has.
const memoryLimit = 48 << 20

// liveHeapHeadroom: once the live heap passes a quarter of memoryLimit (a
// feature version of thousands of features keeps that much live while a
// request is served), the limit follows it at this multiple of the live
// heap, as gcPercent would. A fixed limit near the live heap makes the
// runtime collect over and over for nothing: a plan of one feature
// version of 5,000 features took four times the provider's CPU (24 s
// against 5.7 s).
const liveHeapHeadroom = 4

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
		followLiveHeap()
	}
}

// memoryLimitFor is the soft memory limit for a live heap of live bytes.
func memoryLimitFor(live uint64) int64 {
	if l := int64(min(live, 1<<40)) * liveHeapHeadroom; l > memoryLimit {
		return l
	}
	return memoryLimit
}

// gcTick is garbage from its start: its finalizer runs after each
// collection.
type gcTick struct{ _ [32]byte }

// followLiveHeap sets the soft memory limit from the live heap after every
// garbage collection.
func followLiveHeap() {
	runtime.SetFinalizer(&gcTick{}, func(*gcTick) {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetMemoryLimit(memoryLimitFor(sample[0].Value.Uint64()))
		}
		followLiveHeap()
	})
}
