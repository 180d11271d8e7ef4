using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.Cli.Tests.Infrastructure;

/// <summary>Records admin requests and echoes back what a real broker would store.</summary>
public sealed class RecordingAdminService(RecordingBroker broker) : AdminService.AdminServiceBase
{
    public override Task<Owner> CreateOwner(CreateOwnerRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Owner { Id = Guid.NewGuid().ToString(), Name = request.Name, Email = request.Email, Active = true, Limits = request.Limits });
    }

    public override Task<Owner> SetOwnerLimits(SetOwnerLimitsRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Owner { Id = request.OwnerId, Name = "team", Active = true, Limits = request.Limits });
    }

    public override Task<Purpose> CreatePurpose(CreatePurposeRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Purpose { Id = Guid.NewGuid().ToString(), Name = request.Name, OwnerId = request.OwnerId, Gateway = request.Gateway });
    }

    public override Task<Purpose> UpdatePurpose(UpdatePurposeRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Purpose { Id = request.Id, Name = "purpose", Gateway = request.Gateway });
    }

    public override Task<ListPurposesResponse> ListPurposes(ListPurposesRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new ListPurposesResponse { Purposes = { broker.Purposes } });
    }

    public override Task<Provider> RegisterProvider(RegisterProviderRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Provider { Id = Guid.NewGuid().ToString(), Name = request.Name, Kind = request.Kind, BaseUrl = request.BaseUrl, HasRootKey = request.RootKey.Length > 0, Prices = { request.Prices } });
    }

    public override Task<Provider> UpdateProvider(UpdateProviderRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(new Provider { Id = request.Id, Name = "provider", BaseUrl = request.BaseUrl, HasRootKey = true, Prices = { request.Prices } });
    }
}
