package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type payloadKey struct{}

type payload struct{ _ [1 << 16]byte }

// TestServerReleasesRequestContexts: once a request is served, nothing the
// server keeps refers to that request's context.
func TestServerReleasesRequestContexts(t *testing.T) {
	s := NewServer("test")()
	ctx := context.Background()
	if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}

	var refs []weak.Pointer[payload]
	for range 20 {
		p := &payload{}
		refs = append(refs, weak.Make(p))
		reqCtx := context.WithValue(ctx, payloadKey{}, p)
		if _, err := s.ValidateResourceConfig(reqCtx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "mlops_model"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReadResource(reqCtx, &tfprotov6.ReadResourceRequest{TypeName: "mlops_model"}); err != nil {
			t.Fatal(err)
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
		t.Errorf("%d of %d served requests' contexts are still reachable", kept, len(refs))
	}
	runtime.KeepAlive(s)
}

func TestDetachable(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), payloadKey{}, "v"))
	defer cancel()

	var inside context.Context
	_, _ = serve(parent, "req", func(ctx context.Context, _ string) (struct{}, error) {
		inside = ctx
		if ctx.Value(payloadKey{}) != "v" {
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

	if inside.Value(payloadKey{}) != nil {
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

// requestState stands in for what terraform-plugin-go attaches to each
// request's context before the framework sees it (loggers and their
// options: about 10 KiB).
type requestState struct{ _ [10 << 10]byte }

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
		reqCtx := context.WithValue(ctx, payloadKey{}, &requestState{})
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
