package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestKey struct{}

// requestState stands in for what terraform-plugin-go attaches to each
// request's context before the framework sees it (loggers and their
// options: about 10 KiB).
type requestState struct{ _ [10 << 10]byte }

// TestServerReleasesRequestContexts: once a request is served, nothing the
// server keeps refers to that request's context, whichever per-object
// request it was.
func TestServerReleasesRequestContexts(t *testing.T) {
	s := NewServer("test")()
	ctx := context.Background()
	if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	const model = "mlops_model"
	requests := map[string]func(context.Context) error{
		"ValidateResourceConfig": func(ctx context.Context) error {
			_, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: model})
			return err
		},
		"UpgradeResourceState": func(ctx context.Context) error {
			_, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: model})
			return err
		},
		"ReadResource": func(ctx context.Context) error {
			_, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: model})
			return err
		},
		"PlanResourceChange": func(ctx context.Context) error {
			_, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: model})
			return err
		},
		"ApplyResourceChange": func(ctx context.Context) error {
			_, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: model})
			return err
		},
		"ImportResourceState": func(ctx context.Context) error {
			_, err := s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: model, ID: "bad id"})
			return err
		},
		"UpgradeResourceIdentity": func(ctx context.Context) error {
			_, err := s.UpgradeResourceIdentity(ctx, &tfprotov6.UpgradeResourceIdentityRequest{TypeName: model})
			return err
		},
		"ValidateDataResourceConfig": func(ctx context.Context) error {
			_, err := s.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: model})
			return err
		},
		"ReadDataSource": func(ctx context.Context) error {
			_, err := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: model})
			return err
		},
		"CallFunction": func(ctx context.Context) error {
			_, err := s.CallFunction(ctx, &tfprotov6.CallFunctionRequest{Name: "feature_version_id"})
			return err
		},
	}
	for name, call := range requests {
		var refs []weak.Pointer[requestState]
		for range 10 {
			st := &requestState{}
			refs = append(refs, weak.Make(st))
			if err := call(context.WithValue(ctx, requestKey{}, st)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		runtime.GC()
		runtime.GC()
		kept := 0
		for _, r := range refs {
			if r.Value() != nil {
				kept++
			}
		}
		if kept > 0 {
			t.Errorf("%s: %d of %d served requests' contexts are still reachable", name, kept, len(refs))
		}
	}
	runtime.KeepAlive(s)
}

func TestDetachable(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), requestKey{}, "v"))
	defer cancel()

	var inside context.Context
	_, _ = serve(parent, "req", func(ctx context.Context, _ string) (struct{}, error) {
		inside = ctx
		if ctx.Value(requestKey{}) != "v" {
			t.Error("a value of the request's context is not seen while it is served")
		}
		if ctx.Err() != nil {
			t.Errorf("Err() = %v while the request is served", ctx.Err())
		}
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		<-child.Done() // canceling the request cancels what derives from it
		return struct{}{}, nil
	})

	if inside.Value(requestKey{}) != nil {
		t.Error("a served request's context still holds its values")
	}
	select {
	case <-inside.Done():
	default:
		t.Error("a served request's context is not done")
	}
	if !errors.Is(inside.Err(), context.Canceled) {
		t.Errorf("Err() = %v after the request, want context.Canceled", inside.Err())
	}
}

// BenchmarkServerRetainedPerRequest reports the heap a served request
// leaves behind in the server (retained-B/op), the figure that made the
// provider's memory grow with the size of the configuration.
func BenchmarkServerRetainedPerRequest(b *testing.B) {
	s := NewServer("bench")()
	ctx := context.Background()
	if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		b.Fatal(err)
	}
	req := &tfprotov6.ValidateResourceConfigRequest{TypeName: "mlops_model"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		reqCtx := context.WithValue(ctx, requestKey{}, &requestState{})
		if _, err := s.ValidateResourceConfig(reqCtx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/op")
	runtime.KeepAlive(s)
}
