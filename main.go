package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/mlops-tf/terraform-provider-mlops/internal/provider"
)

// version is set by the release build.
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

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

	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/mlops-tf/mlops", provider.NewServer(version), opts...)
	if err != nil {
		log.Print(err.Error())
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
// so that the process stays small however large the configuration.
const memoryLimit = 48 << 20

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
