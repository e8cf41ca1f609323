package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/stores"
)

// TestRunFailedServe: when serving Terraform fails, the process exits
// non-zero, so that whatever started it sees the failure.
func TestRunFailedServe(t *testing.T) {
	failed := func(string, func() tfprotov6.ProviderServer, ...tf6server.ServeOpt) error {
		return errors.New("the plugin handshake failed")
	}
	if code := run(false, failed); code == 0 {
		t.Errorf("run returned %d after a failed serve, want non-zero", code)
	}
}

// TestRunClosesRegistry: once Terraform has stopped the plugin, the
// registry that Configure opened is closed before the process exits: no
// descriptor of the SQLite file stays open.
func TestRunClosesRegistry(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "registry.db")
	createModel(t, file, "fraud")

	served := func(_ string, factory func() tfprotov6.ProviderServer, _ ...tf6server.ServeOpt) error {
		srv := factory()
		schema, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil {
			return err
		}
		cfg := dynamicValue(t, schema.Provider, map[string]string{"registry": "sqlite://" + file})
		if _, err := configure(ctx, srv, cfg); err != nil {
			return err
		}
		// A read of the model, so that the registry file is open.
		model := schema.ResourceSchemas["mlops_model"]
		read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
			TypeName:     "mlops_model",
			CurrentState: dynamicValue(t, model, map[string]string{"id": "fraud", "name": "fraud"}),
		})
		if err != nil {
			return err
		}
		for _, d := range read.Diagnostics {
			t.Errorf("reading the model: %s: %s", d.Summary, d.Detail)
		}
		if n := openDescriptors(t, file); n == 0 {
			t.Error("the registry file is not open while the provider serves")
		}
		return nil
	}
	if code := run(false, served); code != 0 {
		t.Errorf("run returned %d, want 0", code)
	}
	if n := openDescriptors(t, file); n != 0 {
		t.Errorf("%d descriptors of the registry file stay open once the provider has stopped", n)
	}
}

func configure(ctx context.Context, srv tfprotov6.ProviderServer, cfg *tfprotov6.DynamicValue) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: cfg})
	if err != nil {
		return nil, err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return nil, errors.New(d.Summary + ": " + d.Detail)
		}
	}
	return resp, nil
}

// dynamicValue is a value of the schema's type with the given string
// attributes and every other attribute null.
func dynamicValue(t *testing.T, schema *tfprotov6.Schema, attrs map[string]string) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T, not an object", schema.ValueType())
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = tftypes.NewValue(tftypes.String, v)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// createModel creates a SQLite registry holding one model.
func createModel(t *testing.T, file, name string) {
	t.Helper()
	ctx := context.Background()
	loc, err := registry.ParseRegistryURL("sqlite://" + file)
	if err != nil {
		t.Fatal(err)
	}
	store, err := stores.Open(ctx, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(store, registry.Options{Environment: registry.DefaultEnvironment, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateModel(ctx, registry.Model{Name: name}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	if n := openDescriptors(t, file); n != 0 {
		t.Fatalf("%d descriptors of the registry file stay open after closing it", n)
	}
}

// openDescriptors counts this process's open descriptors of the file and
// of its companions (-wal, -shm, -journal).
func openDescriptors(t *testing.T, file string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, file) {
			n++
		}
	}
	return n
}

// TestMemoryLimitFor: the soft memory limit is memoryLimit while the live
// heap is small, and four times the live heap once it is not, so that a
// large live heap never sits near the limit.
func TestMemoryLimitFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, memoryLimit},
		{10 << 20, memoryLimit},
		{12 << 20, memoryLimit},
		{13 << 20, 52 << 20},
		{300 << 20, 1200 << 20},
	} {
		if got := memoryLimitFor(c.live); got != c.want {
			t.Errorf("memoryLimitFor(%d MiB) = %d MiB, want %d MiB", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// TestMemoryLimitFollowsLiveHeap: after a collection, the limit has
// followed a live heap larger than memoryLimit, and comes back down once
// that heap is garbage.
func TestMemoryLimitFollowsLiveHeap(t *testing.T) {
	prior := debug.SetMemoryLimit(memoryLimit)
	t.Cleanup(func() { debug.SetMemoryLimit(prior) })
	followLiveHeap()
	waitForLimit := func(ok func(int64) bool, what string) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			runtime.GC()
			if ok(debug.SetMemoryLimit(-1)) {
				return
			}
		}
		t.Fatalf("the memory limit is %d MiB: %s", debug.SetMemoryLimit(-1)>>20, what)
	}
	func() {
		live := make([][]byte, 100)
		for i := range live {
			live[i] = make([]byte, 1<<20)
		}
		waitForLimit(func(l int64) bool { return l >= 300<<20 }, "it did not follow a live heap of 100 MiB")
		runtime.KeepAlive(live)
	}()
	waitForLimit(func(l int64) bool { return l == memoryLimit }, "it did not come back down once the heap was garbage")
}
