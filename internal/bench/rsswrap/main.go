// Command rsswrap runs a provider binary as Terraform would, and appends its
// peak resident set size (KiB) and CPU time (µs, user and system) to the
// file named by MLOPS_BENCH_RSS_FILE when it exits. The benchmark driver
// installs it in place of the provider.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	provider := os.Getenv("MLOPS_BENCH_PROVIDER")
	out := os.Getenv("MLOPS_BENCH_RSS_FILE")
	cmd := exec.Command(provider, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(1)
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && out != "" {
		if f, ferr := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			_, _ = fmt.Fprintln(f, ru.Maxrss, cpu.Microseconds())
			_ = f.Close()
		}
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		os.Exit(1)
	}
}
