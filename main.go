package main

import (
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/mlops-tf/terraform-provider-mlops/internal/provider"
)

// version is set by the release build.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/mlops-tf/mlops",
		Debug:   debug,
	})
	if err != nil {
		log.Print(err.Error())
	}
}
