package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns a factory of the provider's protocol 6 server, one
// server a call (see NewProviderServer).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer { return NewProviderServer(version) }
}

// NewProviderServer returns the provider's protocol 6 server: the
// framework's server behind a layer that lets each request's context go
// once it is served.
//
// The framework keeps the cancel function of every request it has served
// until Terraform stops the provider, and with it the request's whole
// context: its loggers and its gRPC stream, about 10 KiB a request. A run
// over thousands of objects makes tens of thousands of requests, so the
// provider's memory grew with the size of the configuration (700 MB at
// 5,000 objects). Here the framework is handed a context that forwards to
// the request's own until the request returns and then forgets it, so what
// the framework keeps is about a hundred bytes a request.
func NewProviderServer(version string) *Server {
	p := &mlopsProvider{version: version}
	return &Server{ProviderServer: providerserver.NewProtocol6(p)(), provider: p}
}

// Server forwards every request to the framework; the requests that come
// once per resource instance or call go through serve.
type Server struct {
	tfprotov6.ProviderServer
	provider *mlopsProvider

	wideSchemas     sync.Once
	terraformSchema map[string]*tfprotov6.Schema
}

// GetProviderSchema is the framework's, with each resource that has a wide
// list (see wideListAttribute) as Terraform is to see it.
func (s *Server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if err != nil || resp == nil {
		return resp, err
	}
	s.wideSchemas.Do(func() { s.terraformSchema = terraformSchemas(ctx, s.provider) })
	for name, sch := range s.terraformSchema {
		if _, ok := resp.ResourceSchemas[name]; ok {
			resp.ResourceSchemas[name] = sch
		}
	}
	return resp, nil
}

// Close stops the provider for good: it cancels the requests still being
// served, as Terraform's StopProvider does, and closes the registry that
// Configure opened (the SQLite file, the PostgreSQL connections). The
// plugin process calls it when Terraform has stopped the plugin, or has
// gone without stopping it.
func (s *Server) Close(ctx context.Context) error {
	_, err := s.StopProvider(ctx, &tfprotov6.StopProviderRequest{})
	return errors.Join(err, s.provider.Close())
}

// serve runs one request with a context that is detached when it returns.
func serve[Req, Resp any](ctx context.Context, req Req, next func(context.Context, Req) (Resp, error)) (Resp, error) {
	d := &detachable{}
	d.parent.Store(&ctxRef{ctx})
	defer d.parent.Store(nil)
	return next(d, req)
}

func (s *Server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s *Server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s *Server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadResource)
}

func (s *Server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s *Server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s *Server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s *Server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s *Server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s *Server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s *Server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(ctx, req, s.ProviderServer.CallFunction)
}

// detachable is a context that forwards to its parent until detached, and
// after that is a context that has been canceled and holds no values.
type detachable struct {
	parent atomic.Pointer[ctxRef]
}

type ctxRef struct{ context.Context }

// served stands in for a detached request's context.
var served = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (d *detachable) ctx() context.Context {
	if p := d.parent.Load(); p != nil {
		return p.Context
	}
	return served
}

func (d *detachable) Deadline() (time.Time, bool) { return d.ctx().Deadline() }
func (d *detachable) Done() <-chan struct{}       { return d.ctx().Done() }
func (d *detachable) Err() error                  { return d.ctx().Err() }
func (d *detachable) Value(key any) any           { return d.ctx().Value(key) }
